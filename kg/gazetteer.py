"""China's administrative divisions as kg ships them (built by ``scripts/build_gazetteer.py``).

Provinces, prefectures and counties carry official 6-digit codes and, where known, coordinates;
townships and villages are names attached to their county (and township).

>>> gaz = gazetteer()
>>> [p.name for p in gaz.by_short["崖州"]]
['崖州区']
>>> [p.name for p in gaz.chain("460205")]
['海南省', '三亚市', '崖州区']
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property, lru_cache

from .lexicon import DATA, _jsonl, open_data, word_frequency, word_tags

LEVELS = ("province", "city", "county", "town", "village", "other")
LEVEL_RANK = {level: i for i, level in enumerate(LEVELS)}

# Parts of speech of ordinary words (see Gazetteer.needs_context).
_WORD_TAGS = {"n", "vn", "a", "an", "ad", "d", "f", "m", "q", "r", "c", "p", "u"}


@dataclass(frozen=True)
class AdminPlace:
    code: str
    name: str
    short: str
    level: str
    parent: str | None
    province: str
    lon: float | None = None
    lat: float | None = None


class Gazetteer:
    def __init__(self):
        self.by_code = {}
        self.by_name = defaultdict(list)
        self.by_short = defaultdict(list)
        self.aliases = {}
        for row in _jsonl("places.jsonl"):
            place = AdminPlace(row["code"], row["name"], row["short"], row["level"], row["parent"],
                               row["province"], row.get("lon"), row.get("lat"))
            self.by_code[place.code] = place
            self.by_name[place.name] = [*self.by_name[place.name], place]
            if len(place.short) >= 2 and place.short != place.name:
                self.by_short[place.short].append(place)
                # 琼中黎族苗族自治县 is written 琼中县, 凉山彝族自治州 凉山州: short form + the last character.
                if "自治" in place.name and len(place.name) > len(place.short) + 1:
                    alias = place.short + place.name[-1]
                    if alias not in self.by_name:
                        self.aliases[alias] = place
        for alias, place in self.aliases.items():
            self.by_name[alias] = [place]
        self.towns = defaultdict(list)  # town name -> [county code]
        with open_data("towns.tsv") as f:
            for line in f:
                if not line.startswith("#"):
                    name, code = line.rstrip("\n").split("\t")
                    self.towns[name].append(code)
                    if name.endswith("苏木乡"):  # the data's 乌兰毛都苏木乡 is written 乌兰毛都苏木
                        self.towns[name[:-1]].append(code)
        # the data's 曹县大集镇 is written 大集镇 (after its county, or alone)
        for name, codes in list(self.towns.items()):
            for k in (2, 3, 4):
                if name[:k] in self.by_name and len(name) - k >= 3 and name[k:] not in self.towns:
                    self.towns[name[k:]] = list(codes)
                    break

    @cached_property
    def villages(self):
        """Village/community name → [(township name, county code)] (:class:`Villages`)."""
        with open_data("villages.tsv.gz") as f:
            return Villages(f.read())

    def chain(self, code):
        """The place with ``code`` and its ancestors, from the province down."""
        out = []
        while code and code in self.by_code:
            place = self.by_code[code]
            out.append(place)
            code = place.parent
        return out[::-1]

    def is_ancestor(self, ancestor_code, code):
        return any(p.code == ancestor_code for p in self.chain(code)[:-1])

    def needs_context(self, surface):
        """True when ``surface`` is a short form (or a two-character name) that is also a common
        word, so that it is a place only if the article names its parent or the full form."""
        if surface in self.by_name and len(surface) > 2:
            stem = surface[:-1]  # 会同县 after 县委组织部会同…: the stem is a verb of the sentence
            return len(surface) == 3 and word_tags().get(stem) in ("v", "c", "p", "d") and word_frequency(stem) >= 500
        tag, freq = word_tags().get(surface, "ns"), word_frequency(surface)
        return (freq >= 500 and tag != "ns") or (tag in _WORD_TAGS and freq >= 100)

    def names(self):
        """Every surface the matcher looks for: full names, short forms and township names."""
        return set(self.by_name) | set(self.by_short) | set(self.towns)


@lru_cache(maxsize=1)
def gazetteer():
    return Gazetteer()


__all__ = ["AdminPlace", "Gazetteer", "gazetteer", "LEVELS", "LEVEL_RANK", "DATA"]


class Villages:
    """Village and community names → ``[(township name, county code)]``, over the rows of
    ``villages.tsv.gz`` (sorted by name): the file is split, not parsed, and a name's rows are
    parsed when it is looked up (650,000 rows load in a fifth of the time a dict of them takes).

    >>> v = Villages("云阁村\\t云龙镇\\t460107\\n城西村\\t甲镇\\t1\\n城西村\\t乙镇\\t2\\n")
    >>> "城西村" in v, v.get("城西村"), v.get("无此村", [])
    (True, [('甲镇', '1'), ('乙镇', '2')], [])
    """

    def __init__(self, text):
        text = text.rstrip("\n")
        self._rows = text.split("\n") if text else []
        self._names = re.findall(r"^[^\t\n]*", text, re.M) if text else []
        self._first = dict(zip(reversed(self._names), range(len(self._names) - 1, -1, -1)))

    def __contains__(self, name):
        return name in self._first

    def get(self, name, default=None):
        i = self._first.get(name)
        if i is None:
            return default
        out = []
        while i < len(self._names) and self._names[i] == name:
            _, town, code = self._rows[i].split("\t")
            out.append((town, code))
            i += 1
        return out

    def __getitem__(self, name):
        found = self.get(name)
        if found is None:
            raise KeyError(name)
        return found

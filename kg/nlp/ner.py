"""The statistical layer: a spaCy NER model (Person, Place) trained by ``scripts/train_ner.py`` on
kg's own annotated sentences plus weak labels from the rules, shipped in ``kg/data/ner_model``
(how it was trained, from what: ``kg/data/ner_model/SOURCE.md``).

The rules are the precision layer; the model only fills gaps. It reads the clauses (text between
，；：。 and the like) that hold a person cue (a role word or a speech verb), where the rules most
often miss names, and of those only the ones where a name could still be kept (:func:`_room`); it
keeps a name only where no rule found anything and only when it has the shape of its type
(:func:`plausible`): a person name starts with a surname and is no ordinary word; a place ends with
an administrative suffix. Measured on ``tests/eval`` and ``seeds/``, reading whole sentences or all
text instead of cue clauses added more wrong names than right ones (README, "Statistical NER").

``KG_NO_NER=1`` in the environment turns the layer off (to measure what it adds); ``KG_NER_GATE`` =
``sentence`` or ``all`` widens what the model reads (for such measurements).
"""
from __future__ import annotations

import logging
import os
import re
from functools import lru_cache

from .. import lexicon
from . import rules
from .rules import Candidate, _name_ok

log = logging.getLogger(__name__)

# Clauses: the model sees the clause around a cue, not the whole sentence (cheaper, and the
# training sentences are short).
_CLAUSE = re.compile(r"[^，,；;：:。！？!?\n“”「」（）()]+")
_PLACE_LEVELS = (("社区", "village"), ("嘎查", "village"), ("村", "village"), ("街道", "town"), ("苏木", "town"),
                 ("镇", "town"), ("乡", "town"), ("省", "province"), ("市", "city"), ("州", "city"), ("盟", "city"),
                 ("县", "county"), ("区", "county"), ("旗", "county"))
_PLACE_SUFFIXES = tuple(s for s, _ in _PLACE_LEVELS)


@lru_cache(maxsize=4)
def _load(path, vocab=None):
    """The model, sharing the pipeline's vocabulary when given (a character seen by one is then known
    to both: creating a lexeme costs far more than running the model over it)."""
    import spacy
    return spacy.load(path, vocab=vocab) if vocab is not None else spacy.load(path)


def _text(doc):
    """``doc.text`` once per document (spaCy rebuilds it from the tokens on every access)."""
    text = doc.user_data.get("kg_text")
    if text is None:
        text = doc.user_data["kg_text"] = doc.text
    return text


@lru_cache(maxsize=1)
def _cue_pattern():
    cues = lexicon.cues("person_role") + lexicon.cues("speech_after_name") + lexicon.cues("title_after_name")
    return re.compile("|".join(map(re.escape, sorted(set(cues), key=len, reverse=True))))


@lru_cache(maxsize=1)
def _org_heads():
    return tuple(sorted(lexicon.org_heads(), key=len, reverse=True))


# Characters that do not occur in given names but do follow surname-like characters (由该, 在这).
_NOT_GIVEN = frozenset("的地得了着过在与及或并而且把被对向从到于也都又还就只很最更太已是这那此其该各每某等个名位所座条处们")


_NOT_BEFORE_NAME = frozenset("一二三四五六七八九十两几每某这那该此各")


@lru_cache(maxsize=1)
def _after_name():
    return lexicon.cues("speech_after_name") + lexicon.cues("title_after_name") + lexicon.cues("person_role")


_NAME_TAGS = ("nr", "nrt", "nrfg", "ns", "nz")


def _splits(text, pos):
    """True when ``pos`` cuts a word of the word list, unless the characters from ``pos`` on make a
    more frequent word (云上乡|贤之家, 党组|织覆盖, 沿|海区县; not 四那村|村民)."""
    if pos <= 0 or pos >= len(text) or not (rules.is_cjk(text[pos - 1]) and rules.is_cjk(text[pos])):
        return False
    tags = lexicon.word_tags()
    left, right = text[pos - 1:pos + 1], text[pos:pos + 2]
    return left in tags and (right not in tags or lexicon.word_frequency(left) > lexicon.word_frequency(right))


def _surname_len(name):
    surnames = lexicon.surnames()
    if name[:2] in surnames and len(name) >= 3:
        return 2
    return 1 if name[:1] in surnames else 0


def plausible(label, text, start, end):
    """Does ``text[start:end]`` have the shape of a ``label`` name? (Cheap checks on the model's
    output: the model proposes, these and the rules dispose.)"""
    name = text[start:end]
    if len(name) < 2 or not all(rules.is_cjk(ch) or ch == "·" for ch in name):
        return False
    if label == "Person":
        return _person_ok(name, text, start, end)
    if name[0] in rules._FUNCTION_CHARS or len(name) > 16 or _splits(text, start) or _splits(text, end):
        return False  # 等县市; 省|委和省; 云上乡|贤之家
    if label == "Place":
        suffix = next((sfx for sfx, _ in _PLACE_LEVELS if name.endswith(sfx)), None)
        if suffix is None or len(name) == len(suffix):
            return False
        generic = rules._GENERIC_PLACE_NAMES
        if len(name) == len(suffix) + 1 and name[0] in rules._NUMERALS:
            return False  # 两镇, 三县: a count
        return name not in generic and name[1:] not in generic and name[2:] not in generic \
            and not lexicon.word_tags().get(name[:-len(suffix)], "n").startswith(("v", "d", "p", "c", "r", "a")) \
            and not (lexicon.word_frequency(name[:-len(suffix)]) >= 1000
                     and lexicon.word_tags().get(name[:-len(suffix)]) != "ns")  # 完善村, 明确村干部
    if label == "Organization":
        head = next((h for h in _org_heads() if name.endswith(h)), None)
        return head is not None and len(name) > len(head) + 1 and not rules.is_generic(name[:-len(head)])
    if label == "Program":
        return name.endswith(lexicon.cues("program_head")) and len(name) >= 4
    return True


def _person_ok(name, text, start, end):
    if text[start - 1:start] in "、“\"" and text[end:end + 1] in "、”\"":
        return False  # “土专家、田秀才”: a list of kinds of people, not a name
    if "·" in name:  # 买买提·吐尔逊
        return 3 <= len(name) <= 12 and not name.startswith("·") and not name.endswith("·")
    s = _surname_len(name)
    if not s or not 2 <= len(name) <= s + 2 or not _name_ok(name, strict=name[0] in rules._AMBIGUOUS_SURNAMES) \
            or any(ch in _NOT_GIVEN for ch in name[s:]) or name[s:] in lexicon.cue_set("person_role"):
        return False
    if (start > 0 and text[start - 1] in _NOT_BEFORE_NAME) or name[s] == name[s - 1]:
        return False  # 一张罗; 殷殷嘱
    if start > 0 and rules.is_cjk(text[start - 1]) and lexicon.word_frequency(text[start - 1:start + 1]) >= 100 \
            and not text.endswith(lexicon.cues("person_role"), 0, start):
        return False  # 稻|田观光: the first character belongs to the word before (not 处长|于涛)
    if len(name) == s + 1:
        # 陶艺, 张贴: a two-character name that is a word of the word list; 叶晓|岚: cut short
        tag = lexicon.word_tags().get(name)
        return (tag is None or (tag in ("nr", "nrt", "nrfg") and lexicon.word_frequency(name) < 300)) and (
            end == len(text) or text[end] in rules._NAME_BOUNDARY or text.startswith(_after_name(), end))
    if s == 1 and lexicon.word_frequency(name[:2]) >= 300:  # 阳光下, 左右群
        return False
    if s == 1 and lexicon.word_frequency(name[1:]) >= 5000 and lexicon.word_tags().get(name[1:]) not in _NAME_TAGS:
        return False  # 向重点
    # 向明|常驻: the last character belongs to the word that follows (not before a speech verb).
    return not (end < len(text) and rules.is_cjk(text[end]) and lexicon.word_frequency(text[end - 1:end + 1]) >= 300
                and not text.startswith(lexicon.cues("speech_after_name"), end))


def _attrs(label, name):
    if label == "Place":
        return {"level": next(level for suffix, level in _PLACE_LEVELS if name.endswith(suffix)), "parent": None}
    if label == "Organization":
        head = next(h for h in _org_heads() if name.endswith(h))
        return {"kind": lexicon.org_heads()[head]}
    return {}


class StatisticalNER:
    def __init__(self, path, labels):
        self.path = path
        self.labels = set(labels)
        off = bool(os.environ.get("KG_NO_NER"))
        self.available = (path / "meta.json").exists() and not off
        if not self.available and not off:
            log.warning("kg: no trained NER model at %s; using rules only", path)

    def _windows(self, doc):
        """(start, end) of the text the model reads: by default the clauses that hold a person cue;
        ``KG_NER_GATE`` = ``sentence`` (whole sentences with a cue) or ``all`` (every clause) widens it."""
        from .components import sentences
        gate = os.environ.get("KG_NER_GATE", "clause")
        cue = _cue_pattern()
        text = _text(doc)
        for s, e in sentences(doc):
            if gate == "sentence":
                if cue.search(text, s, e):
                    yield s, e
                continue
            if gate != "all" and not cue.search(text, s, e):
                continue
            for m in _CLAUSE.finditer(text, s, e):
                if m.end() - m.start() >= 3 and (gate == "all" or cue.search(m.group())):
                    yield m.start(), m.end()

    def __call__(self, doc):
        if not self.available:
            return doc
        from .components import candidates
        store = candidates(doc)
        text = _text(doc)
        taken = bytearray(len(text) + 1)
        for c in store:
            taken[c.start:c.end] = b"\x01" * (c.end - c.start)
        model = _load(str(self.path), doc.vocab)
        labels = self.labels & set(model.get_pipe("ner").labels)
        # Only windows where a name could still be kept (see _room): the same result, less model.
        todo = [(s, e) for s, e in self._windows(doc) if _room(text, s, e, taken, labels)]
        for (s, _), sent in zip(todo, model.pipe((text[s:e] for s, e in todo), batch_size=128)):
            for ent in sent.ents:
                start, end = s + ent.start_char, s + ent.end_char
                if ent.label_ not in labels or any(taken[start:end]) or not plausible(ent.label_, text, start, end):
                    continue
                store.append(Candidate(start, end, ent.label_, ent.text, _attrs(ent.label_, ent.text), "ner"))
                taken[start:end] = b"\x01" * (end - start)
        return doc


def _room(text, s, e, taken, labels):
    """Could ``text[s:e]`` hold a name that kg_ner would keep: a span on characters no rule span
    covers that passes :func:`plausible`? Checked exhaustively over the possible ends of names
    (two to four characters after a surname; a place suffix; an organisation or program head)."""
    i = s
    while i < e:
        if taken[i] or not rules.is_cjk(text[i]):
            i += 1
            continue
        j = i
        while j < e and not taken[j] and (rules.is_cjk(text[j]) or text[j] == "·"):
            j += 1
        if j - i >= 2 and _run_room(text, i, j, labels):
            return True
        i = j
    return False


def _run_room(text, i, j, labels):
    if "Person" in labels:
        if "·" in text[i:j]:
            return True
        surnames = lexicon.surnames()
        for a in range(i, j - 1):
            if (text[a] in surnames or text[a:a + 2] in surnames) and any(
                    plausible("Person", text, a, b) for b in range(a + 2, min(a + 4, j) + 1)):
                return True
    for label, heads, shortest in (("Place", _PLACE_SUFFIXES, 2), ("Organization", _org_heads(), 3),
                                   ("Program", _program_heads(), 4)):
        if label in labels:
            for b in range(i + shortest, j + 1):
                if text.endswith(heads, i, b) and any(
                        plausible(label, text, a, b) for a in range(max(i, b - 16), b - shortest + 1)):
                    return True
    return False


@lru_cache(maxsize=1)
def _program_heads():
    return tuple(lexicon.cues("program_head"))

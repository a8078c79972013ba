"""Loaders for kg's data files (``kg/data``): cue words, head nouns, programs, industries,
surnames, and a general word list with part-of-speech tags used to find where a name begins.

Every loader is cached: the files are read once per process.

>>> "党总支部" in org_heads()
True
>>> "表示" in cues("speech_after_name")
True
"""
from __future__ import annotations

import gzip
import json
import os
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def _jsonl(name):
    with open(DATA / name, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=None)
def _cue_table():
    table = defaultdict(list)
    for row in _jsonl("cues.jsonl"):
        table[row["kind"]].append(row["text"])
    return {kind: tuple(sorted(words, key=len, reverse=True)) for kind, words in table.items()}


def cues(kind):
    """Cue words of one kind, longest first (kinds: see ``kg/data/cues.jsonl``)."""
    return _cue_table()[kind]


@lru_cache(maxsize=None)
def cue_set(kind):
    return frozenset(cues(kind))


@lru_cache(maxsize=None)
def org_heads():
    """Organisation head noun → kind (party, government, university, …)."""
    return {row["head"]: row["kind"] for row in _jsonl("org_heads.jsonl")}


@lru_cache(maxsize=None)
def programs():
    """Known program names and aliases → (canonical name, family)."""
    table = {}
    for row in _jsonl("programs.jsonl"):
        for alias in [row["name"], *row.get("aliases", [])]:
            table[alias] = (row["name"], row["family"])
    return table


@lru_cache(maxsize=None)
def program_usage():
    """Lexicon programs that are also an organisation type (产业链党委: ``org_like``) or a role
    (科技特派员: ``role_like``): they name a program only when used as one."""
    return {row["name"]: row["usage"] for row in _jsonl("programs.jsonl") if row.get("usage")}


@lru_cache(maxsize=None)
def program_families():
    """(family, compiled pattern) pairs: a program whose name matches belongs to the family."""
    import re
    return [(row["family"], re.compile(row["pattern"])) for row in _jsonl("program_families.jsonl")]


@lru_cache(maxsize=None)
def industries():
    """Product and sector words (not the one-character products, see :func:`industry_kinds`)."""
    return frozenset(row["name"] for row in _jsonl("industries.jsonl") if row.get("kind") != "char")


@lru_cache(maxsize=None)
def transliteration_chars():
    """Characters of transliterated Mongolian, Uyghur, Kazakh and Tibetan names."""
    with open(DATA / "transliteration.txt", encoding="utf-8") as f:
        return frozenset("".join("".join(line.split()) for line in f if not line.startswith("#")))


@lru_cache(maxsize=None)
def industry_synonyms():
    """Industry word → the other name of the same product (土豆 → 马铃薯, 中华蜜蜂 → 中蜂)."""
    return {row["name"]: row["same_as"] for row in _jsonl("industries.jsonl") if row.get("same_as")}


@lru_cache(maxsize=None)
def industry_categories():
    """Product → the category word it is a kind of, where its name does not say so (松阳银猴 → 茶)."""
    return {row["name"]: row["category"] for row in _jsonl("industries.jsonl") if row.get("category")}


@lru_cache(maxsize=None)
def industry_kinds():
    """Industry word → its kind when it is not a plain product: ``channel`` (电商: a way of selling
    a product), ``service`` (民宿, 研学: parts of a tourism sector), ``sector`` (乡村旅游), ``tourism``
    (茶旅: a blend that names the document's tourism sector), ``char`` (竹, 茶: only before 产业)."""
    return {row["name"]: row["kind"] for row in _jsonl("industries.jsonl") if row.get("kind")}


@lru_cache(maxsize=None)
def surnames():
    names = set()
    with open(DATA / "surnames.txt", encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#"):
                names.update(line.split())
    return frozenset(names)


@lru_cache(maxsize=None)
def word_tags():
    """Word → part-of-speech tag: a general Chinese word list (jieba's dictionary, MIT licence)
    plus kg's own domain words. Used only to find the left edge of a name."""
    import jieba
    tags = {}
    with open(os.path.join(os.path.dirname(jieba.__file__), "dict.txt"), encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3:
                tags[parts[0]] = parts[2]
                if int(parts[1]) >= 100:
                    _FREQUENT[parts[0]] = int(parts[1])
    for head in org_heads():
        tags[head] = "n"
    for name in industries():
        tags[name] = "n"
    for word in cues("stop_word"):
        tags[word] = "v" if len(word) > 1 else tags.get(word, "p")
    return tags


_FREQUENT = {}


def word_frequency(word):
    """jieba's corpus frequency of ``word`` (0 below 100)."""
    word_tags()
    return _FREQUENT.get(word, 0)


def open_data(name):
    """Open a data file as text, transparently gunzipping ``*.gz``."""
    path = DATA / name
    if name.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")

"""spaCy pipeline components of kg, registered with ``@Language.factory``.

Each recogniser adds :class:`~kg.nlp.rules.Candidate` objects to ``doc.user_data["kg"]`` (names
may nest: 云阁村 inside 云阁村党总支部); ``kg_entities`` then writes the non-overlapping best of
them to ``doc.ents`` and all of them to the span group ``doc.spans["kg"]``.

Article boundaries (``doc.user_data["kg_articles"]``, character offsets) scope place resolution:
an ambiguous name is resolved by the other places of its own article.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy
from spacy.attrs import SENT_START
from spacy.language import Language

from . import rules

SENTENCE_END = re.compile(r"[。！？!?；;]+[”’」』）)]*|\n+")
PRIORITY = {"Person": 5, "Program": 4, "Organization": 3, "Place": 2, "Industry": 1}


def doc_text(doc):
    """``doc.text``, computed once: spaCy rebuilds it from the tokens on every access."""
    text = doc.user_data.get("kg_text")
    if text is None:
        text = doc.user_data["kg_text"] = doc.text
    return text


def candidates(doc, label=None):
    store = doc.user_data.setdefault("kg", [])
    return store if label is None else [c for c in store if c.label == label]


def sentences(doc):
    """Sentence spans (start, end) in characters, as set by ``kg_sentences``."""
    return doc.user_data.get("kg_sentences") or [(0, len(doc_text(doc)))]


def articles(doc):
    return doc.user_data.get("kg_articles") or [(0, len(doc_text(doc)))]


def sentence_spans(text):
    """Split text into sentences at 。！？； and line breaks; spans include their punctuation."""
    spans, start = [], 0
    for m in SENTENCE_END.finditer(text):
        if text[start:m.end()].strip():
            spans.append((start, m.end()))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


@Language.factory("kg_sentences")
def make_sentences(nlp, name):
    def kg_sentences(doc):
        spans = sentence_spans(doc_text(doc))
        doc.user_data["kg_sentences"] = spans
        starts = {s for s, _ in spans}
        if len(doc):
            idx = doc.to_array("IDX")
            flags = numpy.where(numpy.isin(idx, list(starts)), 1, -1).astype("int64")
            flags[0] = 1
            doc.from_array([SENT_START], flags.astype("uint64").reshape(-1, 1))
        return doc
    return kg_sentences


@Language.factory("kg_places")
def make_places(nlp, name):
    def kg_places(doc):
        store = candidates(doc)
        for a_start, a_end in articles(doc):
            text = doc_text(doc)[a_start:a_end]
            found = rules.resolve_places(rules.find_places(text), text)
            store.extend(_shift(found, a_start))
        return doc
    return kg_places


@Language.factory("kg_persons")
def make_persons(nlp, name):
    def kg_persons(doc):
        candidates(doc).extend(rules.find_persons(doc_text(doc)))
        return doc
    return kg_persons


@Language.factory("kg_organizations")
def make_organizations(nlp, name):
    def kg_organizations(doc):
        store = candidates(doc)
        store.extend(rules.find_organizations(doc_text(doc), [c for c in store if c.label in ("Place", "Person")]))
        return doc
    return kg_organizations


@Language.factory("kg_programs")
def make_programs(nlp, name):
    def kg_programs(doc):
        candidates(doc).extend(rules.find_programs(doc_text(doc)))
        return doc
    return kg_programs


@Language.factory("kg_industries")
def make_industries(nlp, name):
    def kg_industries(doc):
        store = candidates(doc)
        store.extend(rules.find_industries(doc_text(doc), [c for c in store if c.label == "Place"],
                                           [c for c in store if c.label == "Organization"]))
        return doc
    return kg_industries


@Language.factory("kg_ner", default_config={"model": "ner_model", "labels": []})
def make_ner(nlp, name, model, labels):
    """A statistical NER trained by ``scripts/train_ner.py`` and shipped in ``kg/data``. It adds the
    names it finds where no rule found anything (the rules are the precision layer)."""
    from .ner import StatisticalNER
    return StatisticalNER(Path(__file__).resolve().parent.parent / "data" / model, labels)


@Language.factory("kg_entities")
def make_entities(nlp, name):
    def kg_entities(doc):
        found = candidates(doc)
        spans = []
        for c in found:
            span = doc.char_span(c.start, c.end, label=c.label, alignment_mode="expand")
            if span is not None:
                spans.append((span, c))
        doc.spans["kg"] = [s for s, _ in spans]
        chosen, taken = [], set()
        for span, c in sorted(spans, key=lambda sc: (-(sc[0].end - sc[0].start), -PRIORITY[sc[1].label])):
            if not taken.intersection(range(span.start, span.end)):
                chosen.append(span)
                taken.update(range(span.start, span.end))
        doc.ents = sorted(chosen, key=lambda s: s.start)
        return doc
    return kg_entities


def _shift(found, offset):
    for c in found:
        c.start += offset
        c.end += offset
    return found


__all__ = ["candidates", "doc_text", "sentences", "articles", "sentence_spans"]

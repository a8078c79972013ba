"""The statistical layer: a spaCy NER model trained by ``scripts/train_ner.py`` on kg's own
annotated sentences plus weak labels from the rules, shipped in ``kg/data/ner_model``.

It runs only on sentences with a person cue (a role word or a speech verb), where the rules most
often miss names, and keeps a name only where no rule found anything.
"""
from __future__ import annotations

import logging
from functools import lru_cache

from .. import lexicon
from .rules import Candidate, _name_ok

log = logging.getLogger(__name__)


@lru_cache(maxsize=4)
def _load(path):
    import spacy
    return spacy.load(path)


class StatisticalNER:
    def __init__(self, path, labels):
        self.path = path
        self.labels = set(labels)
        self.available = (path / "meta.json").exists()
        if not self.available:
            log.warning("kg: no trained NER model at %s; using rules only", path)

    def _triggered(self, sentence):
        cues = lexicon.cues("person_role") + lexicon.cues("speech_after_name")
        return any(cue in sentence for cue in cues)

    def __call__(self, doc):
        if not self.available:
            return doc
        from .components import candidates, doc_text, sentences
        store = candidates(doc)
        taken = bytearray(len(doc_text(doc)) + 1)
        for c in store:
            taken[c.start:c.end] = b"\x01" * (c.end - c.start)
        model = _load(str(self.path))
        todo = [(s, e) for s, e in sentences(doc) if self._triggered(doc_text(doc)[s:e])]
        texts = (doc_text(doc)[s:e] for s, e in todo)
        for (s, _), sent in zip(todo, model.pipe(texts, batch_size=64)):
            for ent in sent.ents:
                start, end = s + ent.start_char, s + ent.end_char
                if ent.label_ not in self.labels or any(taken[start:end]):
                    continue
                if ent.label_ == "Person" and not _name_ok(ent.text):
                    continue
                store.append(Candidate(start, end, ent.label_, ent.text, {}, "ner"))
                taken[start:end] = b"\x01" * (end - start)
        return doc

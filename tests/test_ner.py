"""The shipped statistical NER (kg/data/ner_model, trained by scripts/train_ner.py) and the kg_ner
component that adds its names where no rule found anything."""
import json
from pathlib import Path

import pytest

from kg.nlp.rules import Candidate

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "kg" / "data" / "ner_model"

# New sentences (in neither tests/ner_train nor tests/eval) naming people with no role word or speech
# verb next to the name: kg's rules cannot find these names.
NO_CUE = [
    ("去年春天，周晓岚把自家老宅改成了民宿。", "周晓岚"),
    ("在乡亲们的推举下，潘玉霞挑起了合作社的担子。", "潘玉霞"),
    ("邓家明和妻子承包了八十亩鱼塘，还带动了五户邻居。", "邓家明"),
    ("返乡以后，韦志刚办起了电商直播间。", "韦志刚"),
]


@pytest.fixture(scope="module")
def model():
    import spacy
    return spacy.load(MODEL)


def test_model_is_shipped_small_and_offline(model):
    size = sum(p.stat().st_size for p in MODEL.rglob("*") if p.is_file())
    assert size < 10_000_000
    assert model.pipe_names == ["tok2vec", "ner"]
    assert set(model.get_pipe("ner").labels) == {"Person", "Place"}
    assert model.config["nlp"]["tokenizer"]["segmenter"] == "char"
    assert (MODEL / "SOURCE.md").exists()


def test_sentences_are_new():
    seen = [json.loads(line)["text"] for line in (ROOT / "tests" / "ner_train" / "gold.jsonl").open(encoding="utf-8")]
    seen += [json.loads(line)["text"] for line in (ROOT / "tests" / "ner_train" / "weak.jsonl").open(encoding="utf-8")]
    seen += [p.read_text(encoding="utf-8") for p in (ROOT / "tests" / "eval" / "articles").glob("*.txt")]
    corpus = "\n".join(seen)
    for sentence, name in NO_CUE:
        assert sentence not in corpus and name not in corpus


def test_rules_miss_names_without_cues():
    from kg.nlp.rules import find_persons
    found = {c.name for sentence, _ in NO_CUE for c in find_persons(sentence)}
    assert not found & {name for _, name in NO_CUE}


def test_model_finds_names_without_cues(model):
    docs = list(model.pipe(sentence for sentence, _ in NO_CUE))
    hits = [name for doc, (_, name) in zip(docs, NO_CUE)
            if any(e.text == name and e.label_ == "Person" for e in doc.ents)]
    assert len(hits) >= 3, [(d.text, [(e.text, e.label_) for e in d.ents]) for d in docs]


def _ner_component(nlp):
    ner = nlp.get_pipe("kg_ner")
    assert ner.available, "kg_ner has no model (or KG_NO_NER is set)"
    return ner


def _through_ner(nlp, text, rule_spans=()):
    """Run the pipeline up to kg_ner on ``text``, plus rule candidates of our own."""
    doc = nlp.make_doc(text)
    for name, proc in nlp.pipeline:
        if name == "kg_ner":
            doc.user_data.setdefault("kg", []).extend(
                Candidate(s, e, label, text[s:e], {}, "test-rule") for s, e, label in rule_spans)
            return proc(doc)
        doc = proc(doc)


def test_kg_ner_adds_names_only_where_no_rule_span(monkeypatch):
    monkeypatch.delenv("KG_NO_NER", raising=False)
    monkeypatch.delenv("KG_NER_GATE", raising=False)
    from kg.nlp import load_pipeline
    nlp = load_pipeline()
    _ner_component(nlp)
    # The person cue (村民) opens the clause to the model; the name itself has no cue next to it.
    text = "周晓岚和村民们一起修好了水渠。邓家明和妻子带着村民承包了八十亩鱼塘。"
    doc = _through_ner(nlp, text)
    added = [c for c in doc.user_data["kg"] if c.source == "ner"]
    rule = [c for c in doc.user_data["kg"] if c.source != "ner"]
    assert {c.name for c in added if c.label == "Person"} & {"周晓岚", "邓家明"}
    for c in added:
        assert not any(r.start < c.end and c.start < r.end for r in rule), c
        assert text[c.start:c.end] == c.name
    # A rule span over a name: the model's name there is not added.
    doc = _through_ner(nlp, text, rule_spans=[(0, 3, "Organization"), (15, 17, "Place")])
    added = [c for c in doc.user_data["kg"] if c.source == "ner"]
    assert not any(c.start < 3 or (c.start < 17 and 15 < c.end) for c in added), added


def test_plausible_shapes():
    from kg.nlp.ner import plausible
    assert plausible("Person", "村民周晓岚说", 2, 5)
    assert not plausible("Person", "在阳光下晒", 1, 4)      # 阳光 is a word
    assert not plausible("Person", "向明常驻村里", 0, 3)    # 常驻 is a word
    assert plausible("Place", "百育镇四那村第一书记", 3, 6)
    assert not plausible("Place", "推广到利川市等县市", 6, 9)   # 等县市: begins with a function word
    assert plausible("Organization", "成立溪口茶叶专业合作社", 2, 11)
    assert not plausible("Organization", "成立专业合作社", 2, 7)

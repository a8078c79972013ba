"""Compare word segmenters for kg on the evaluation set: how many gold entity names fall on token
boundaries (a name that does not cannot be a token-aligned span, so no spaCy span or NER over those
tokens can produce it), and how fast each segmenter is.

    python scripts/compare_segmenters.py                          # char, jieba, jieba+kg words, pkuseg
    python scripts/compare_segmenters.py --pkuseg build/pkuseg_model   # trained by scripts/train_pkuseg.py

For every gold entity of ``tests/eval/gold`` whose name occurs in its article (the article as kg
reads it: decoded, Simplified, line breaks rejoined), every occurrence is checked: aligned when both
its start and its end are token boundaries. ``names`` counts a name as aligned when at least one of
its occurrences is. Speed is the segmenter alone (spaCy's ``nlp.make_doc``; for jieba with kg's words,
the cut and the Doc built from it) over the evaluation articles and ``seeds/``, best of three, one process.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
EVAL = ROOT / "tests" / "eval"
TYPES = ("Place", "Organization", "Program", "Person", "Industry")


def spacy_segmenter(kind, pkuseg_model=None, user_dict="default"):
    import spacy
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": kind}}})
    if kind == "pkuseg":
        nlp.tokenizer.initialize(pkuseg_model=str(pkuseg_model), pkuseg_user_dict=user_dict)

    def cut(text):
        return nlp.make_doc(text)
    return cut


def jieba_kg_segmenter():
    """jieba with kg's words (gazetteer, programs, industries, heads, cues) as user dictionary, making
    a spaCy Doc as spaCy's own jieba segmenter does."""
    import spacy
    from spacy.tokens import Doc
    from spacy.util import get_words_and_spaces
    sys.path.insert(0, str(ROOT / "scripts"))
    from train_pkuseg import jieba_with, kg_words
    tok = jieba_with(kg_words())
    vocab = spacy.blank("zh").vocab

    def cut(text):
        words, spaces = get_words_and_spaces([w for w in tok.cut(text, HMM=True) if w], text)
        return Doc(vocab, words=words, spaces=spaces)
    return cut


def boundaries(doc):
    """Character offsets where a token starts or ends (whitespace between tokens is no token)."""
    out = {0, len(doc.text)}
    for tok in doc:
        out.add(tok.idx)
        out.add(tok.idx + len(tok.text))
    return out


def load_articles():
    from kg.io import read_file
    docs = []
    for gold_path in sorted((EVAL / "gold").glob("*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        docs.append((read_file(EVAL / "articles" / gold["doc"]).norm, gold["entities"]))
    return docs


def alignment(cut, docs):
    occ = defaultdict(lambda: [0, 0])   # type -> [aligned, total] occurrences
    names = defaultdict(lambda: [0, 0])  # type -> [aligned, total] names
    for text, entities in docs:
        doc = cut(text)
        assert doc.text == text, "segmenter lost characters"
        bounds = boundaries(doc)
        for ent in entities:
            name, typ = ent["name"], ent["type"]
            starts = [i for i in range(len(text)) if text.startswith(name, i)]
            if not starts:
                continue
            ok = [s in bounds and s + len(name) in bounds for s in starts]
            occ[typ][0] += sum(ok)
            occ[typ][1] += len(ok)
            names[typ][0] += any(ok)
            names[typ][1] += 1
    return occ, names


def speed(cut, texts, runs=3):
    n = sum(map(len, texts))
    best = float("inf")
    for _ in range(runs):
        t = time.perf_counter()
        for text in texts:
            cut(text)
        best = min(best, time.perf_counter() - t)
    return n / best


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pkuseg", type=Path, default=ROOT / "build" / "pkuseg_model",
                    help="a model trained by scripts/train_pkuseg.py")
    args = ap.parse_args(argv)
    from kg.io import read_file
    docs = load_articles()
    texts = [t for t, _ in docs] + [read_file(p).norm for p in sorted((ROOT / "seeds").glob("*.txt"))]

    segmenters = {"char": spacy_segmenter("char"), "jieba": spacy_segmenter("jieba"),
                  "jieba + kg words": jieba_kg_segmenter()}
    if (args.pkuseg / "features.msgpack").exists():
        segmenters["pkuseg (trained)"] = spacy_segmenter("pkuseg", args.pkuseg, "default")
        from train_pkuseg import kg_words
        words = tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8", delete=False)
        words.write("\n".join(sorted(kg_words())) + "\n")
        words.close()
        segmenters["pkuseg (trained) + kg words"] = spacy_segmenter("pkuseg", args.pkuseg, words.name)
    else:
        print(f"no pkuseg model at {args.pkuseg}: run scripts/train_pkuseg.py", file=sys.stderr)

    print(f"{len(docs)} evaluation articles, {sum(len(t) for t, _ in docs):,} characters; "
          f"speed over these and seeds/ ({sum(map(len, texts)):,} characters)\n")
    head = "| segmenter | names aligned | mentions aligned | " + " | ".join(TYPES) + " | chars/s |"
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for label, cut in segmenters.items():
        occ, names = alignment(cut, docs)
        n_ok, n_all = sum(v[0] for v in names.values()), sum(v[1] for v in names.values())
        o_ok, o_all = sum(v[0] for v in occ.values()), sum(v[1] for v in occ.values())
        per_type = " | ".join(f"{names[t][0] / names[t][1]:.0%}" if names[t][1] else "-" for t in TYPES)
        print(f"| {label} | {n_ok}/{n_all} ({n_ok / n_all:.1%}) | {o_ok}/{o_all} ({o_ok / o_all:.1%}) | "
              f"{per_type} | {speed(cut, texts):,.0f} |")


if __name__ == "__main__":
    main()

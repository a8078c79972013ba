"""Train a spacy_pkuseg word segmenter for kg's genre, offline.

    python scripts/train_pkuseg.py                       # train into build/pkuseg_model
    python scripts/train_pkuseg.py --out /tmp/pkuseg --iter 10

pkuseg's pretrained models cannot be downloaded here, so the model is trained from text segmented
for the purpose (silver data):

- the sentences of ``tests/ner_train/gold.jsonl`` (written for kg, with hand-annotated names) and the
  sentences of ``seeds/`` with the names kg's rules find in them;
- every annotated name is a word boundary at both ends: a name of up to 6 characters is one word
  (杜世河, 云阁村, 积分制), a longer one (遂川县横岗竹木工艺有限公司) is cut inside by jieba;
- the text between names is cut by jieba with kg's lexicons as user dictionary (gazetteer names and
  short forms, programs, industries, organisation heads, cue words).

Files for ``spacy_pkuseg.train``: one sentence per line, words separated by spaces; 90% train, 10%
test. The evaluation set ``tests/eval`` is not used. ``scripts/compare_segmenters.py`` compares the
result with char and jieba segmentation on the evaluation set.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "build" / "pkuseg_model"  # not shipped: kg segments per character (README)
GOLD = ROOT / "tests" / "ner_train" / "gold.jsonl"
SEEDS = ROOT / "seeds"


def kg_words():
    """kg's own vocabulary: places (names and short forms), towns, programs, industries, heads, cues."""
    from kg import lexicon
    from kg.gazetteer import gazetteer
    gaz = gazetteer()
    words = set(gaz.by_name) | set(gaz.by_short) | {t for t in gaz.towns if len(t) >= 3}
    words |= set(lexicon.programs()) | set(lexicon.industries()) | set(lexicon.org_heads())
    for row in (json.loads(line) for line in (ROOT / "kg" / "data" / "cues.jsonl").read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.startswith("#")):
        words.add(row["text"])
    return {w for w in words if 2 <= len(w) <= 12 and not re.search(r"\s", w)}


def jieba_with(words):
    import jieba
    tok = jieba.Tokenizer()
    tok.initialize()
    for w in sorted(words):
        tok.add_word(w, freq=max(tok.FREQ.get(w, 0), 2000))
    return tok


def rows_from_seeds():
    import os
    os.environ["KG_NO_NER"] = "1"
    from kg.io import read_file
    from kg.nlp import load_pipeline
    from kg.nlp.components import sentence_spans
    nlp = load_pipeline()
    rows = []
    for path in sorted(SEEDS.glob("*.txt")):
        text = read_file(path).norm
        doc = nlp(text)
        ents = sorted(doc.ents, key=lambda x: x.start_char)
        for s, e in sentence_spans(text):
            sent = text[s:e]
            spans = [[x.start_char - s, x.end_char - s, x.label_] for x in ents if s <= x.start_char and x.end_char <= e]
            if sent.strip():
                rows.append({"text": sent, "spans": spans})
    return rows


def segment(row, tok):
    """Words of one sentence: names whole (≤ 6 chars) or cut inside by jieba, the rest by jieba."""
    text = row["text"]
    words, pos = [], 0

    def cut(piece):
        return [w for w in tok.cut(piece, HMM=True) if w.strip()]

    for s, e, _ in sorted(row["spans"]):
        if s < pos:
            continue
        words += cut(text[pos:s])
        name = text[s:e]
        words += [name] if e - s <= 6 else cut(name)
        pos = e
    words += cut(text[pos:])
    # pkuseg reads space-separated words: split any word holding whitespace.
    return [part for w in words for part in w.split()]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--iter", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    import spacy_pkuseg

    gold = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = gold + rows_from_seeds()
    tok = jieba_with(kg_words() | {r["text"][s:e] for r in gold for s, e, _ in r["spans"] if e - s <= 6})
    lines = [" ".join(segment(r, tok)) for r in rows]
    lines = [ln for ln in lines if ln.strip()]
    random.Random(args.seed).shuffle(lines)
    n_test = max(1, len(lines) // 10)
    with tempfile.TemporaryDirectory() as tmp:
        train, test = Path(tmp) / "train.txt", Path(tmp) / "test.txt"
        train.write_text("\n".join(lines[n_test:]) + "\n", encoding="utf-8")
        test.write_text("\n".join(lines[:n_test]) + "\n", encoding="utf-8")
        chars = sum(len(ln.replace(" ", "")) for ln in lines)
        print(f"{len(lines)} sentences, {chars:,} characters ({len(lines) - n_test} train, {n_test} test)")
        t = time.perf_counter()
        args.out.mkdir(parents=True, exist_ok=True)
        spacy_pkuseg.train(str(train), str(test), str(args.out), train_iter=args.iter)
        print(f"trained in {time.perf_counter() - t:.0f}s")
    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(f"saved {args.out} ({size / 1e6:.1f} MB): {sorted(p.name for p in args.out.iterdir())}")


if __name__ == "__main__":
    main()

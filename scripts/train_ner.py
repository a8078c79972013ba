"""Train kg's statistical NER and ship it in ``kg/data/ner_model`` (about 1 minute on one core).

    python scripts/train_ner.py                 # convert gold, (re)use weak labels, train, evaluate, save
    python scripts/train_ner.py --weak-rebuild  # also relabel seeds/ with the rules first
    python scripts/train_ner.py --steps 1500 --seed 0 --out /tmp/ner_model --labels Person,Place

Data (all in ``tests/ner_train/``; how it was made: ``kg/data/ner_model/SOURCE.md``):

- ``gold_marked.txt``: 288 invented sentences in the genre, annotated inline as ``[name|T]`` with
  T = P Person, O Organization, L Place, G Program, I Industry, converted to ``gold.jsonl``
  (``{"text": ..., "spans": [[start, end, label], ...]}``); every span is checked to slice to its name.
  85% train, 15% held out (development set).
- augmentation: each training sentence that names people is copied ``--copies`` times with new names
  (surnames from ``kg/data/surnames.txt`` weighted by frequency, compound and minority names too);
  names of the evaluation set are never drawn.
- ``weak.jsonl``: sentences of ``seeds/`` labelled by kg's own rule pipeline (``doc.ents``): the spans
  very likely right are entities, the doubtful ones and the other rule candidates ``missing``
  (unlabelled), the rest "no entity" (real text between names); capped at 150, a minority (16%).

The evaluation set ``tests/eval`` is never trained on: the script reads its gold names only to keep
them out of the augmentation pools, and stops if a training text shares a 14-character string with
an evaluation article (longer than a chain of place names).

Model: spaCy ``zh`` with the ``char`` segmenter (as kg's pipeline), a vectors-free CNN tok2vec (hash
embeddings of the character and its shape; 4 window-1 maxout layers, width 64) and a transition-based
NER, trained on CPU; only ``tok2vec`` and ``ner`` are saved (2 MB). It learns Person and Place
(``--labels``): organisation and program names are long and headed, the rules find them, and a
model trained on them too produced mostly fragments; their gold spans are left unlabelled, not
"no entity". Industry is no name (a lexicon word for kg). The best development checkpoint (every 200
steps) is kept; the script prints the development scores of the model alone, the rules alone, and
the rules + NER combined as ``kg_ner`` combines them (model names only where no rule span is, and
only names of the right shape, :func:`kg.nlp.ner.plausible`), then the model's speed.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRAIN_DIR = ROOT / "tests" / "ner_train"
GOLD_MARKED = TRAIN_DIR / "gold_marked.txt"
GOLD = TRAIN_DIR / "gold.jsonl"
WEAK = TRAIN_DIR / "weak.jsonl"
MODEL = ROOT / "kg" / "data" / "ner_model"
EVAL = ROOT / "tests" / "eval"
LABELS = ("Person", "Organization", "Place", "Program")  # what the rules and the gold share (Industry aside)
TRAINED = ["Person", "Place"]  # what the model learns (--labels); the others' spans are left unlabelled
CODES = {"P": "Person", "O": "Organization", "L": "Place", "G": "Program", "I": "Industry"}
_MARK = re.compile(r"\[([^\[\]|]+)\|([POLGI])\]")
OPEN_QUOTES, CLOSE_QUOTES = "“\"「『‘", "”\"」』’"


# ---------------------------------------------------------------- gold

def parse_marked(line):
    """``[李红梅|P]说`` → ("李红梅说", [(0, 3, "Person")])."""
    out, spans, last = [], [], 0
    length = 0
    for m in _MARK.finditer(line):
        chunk = line[last:m.start()]
        out.append(chunk)
        length += len(chunk)
        spans.append((length, length + len(m.group(1)), CODES[m.group(2)]))
        out.append(m.group(1))
        length += len(m.group(1))
        last = m.end()
    out.append(line[last:])
    text = "".join(out)
    if "[" in text or "|" in text or "]" in text:
        raise ValueError(f"unbalanced markup: {line}")
    return text, spans


def read_marked(path=GOLD_MARKED):
    rows = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        text, spans = parse_marked(line.rstrip())
        names = [m.group(1) for m in _MARK.finditer(line)]
        for (s, e, _), name in zip(spans, names):
            assert text[s:e] == name, (i, text[s:e], name)
        rows.append({"text": text, "spans": [list(s) for s in spans]})
    return rows


def write_jsonl(rows, path):
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def check_spans(rows, where):
    for row in rows:
        prev = 0
        for s, e, label in sorted(row["spans"]):
            assert 0 <= s < e <= len(row["text"]) and s >= prev, (where, row)
            assert label in CODES.values(), (where, label)
            assert row["text"][s:e].strip() == row["text"][s:e], (where, row["text"][s:e])
            prev = e


# ---------------------------------------------------------------- the evaluation set stays out

def eval_names():
    names = set()
    for path in sorted((EVAL / "gold").glob("*.json")):
        for ent in json.loads(path.read_text(encoding="utf-8"))["entities"]:
            names.add(ent["name"])
    return names


def check_no_eval_text(rows, window=14):
    """No training text shares a ``window``-character string with an evaluation article."""
    grams = set()
    for path in sorted((EVAL / "articles").glob("*.txt")):
        text = re.sub(r"\s+", "", path.read_text(encoding="utf-8"))
        grams.update(text[i:i + window] for i in range(len(text) - window + 1))
    bad = []
    for row in rows:
        text = re.sub(r"\s+", "", row["text"])
        if any(text[i:i + window] in grams for i in range(len(text) - window + 1)):
            bad.append(row["text"][:40])
    if bad:
        raise SystemExit("training text overlaps the evaluation set: " + " | ".join(bad[:5]))


# ---------------------------------------------------------------- weak labels from the rules

def _strip_quotes(text, s, e):
    if e - s > 2 and text[s] in OPEN_QUOTES and text[e - 1] in CLOSE_QUOTES:
        return s + 1, e - 1
    return s, e


def _weak_sentence_ok(sent):
    if not 8 <= len(sent) <= 120 or re.search(r"[\t|#*<>=_/\\]|https?:", sent):
        return False
    cjk = sum("\u4e00" <= ch <= "\u9fff" for ch in sent)
    return cjk >= 0.7 * len(sent.strip())


_PROGRAM_HEADS = ("行动", "工程", "模式", "机制", "品牌", "项目", "计划", "制度", "工作法", "活动", "改革", "体系", "服务")


def _weak_span_ok(text, start, end, label, source):
    """Keep only the rule spans that are very likely right: a dropped span's characters become
    unlabelled (``missing``), not "no entity", so dropping a doubtful span costs nothing."""
    from kg import lexicon
    from kg.nlp import rules
    t = text[start:end]
    if label == "Organization":
        head = max((h for h in lexicon.org_heads() if t.endswith(h)), key=len, default="")
        return len(t) >= 5 and t[0] not in "和与及或在被把对向从的了等并县市区镇乡村" \
            and not rules.is_generic(t[:len(t) - len(head)])
    if label == "Place":
        return source != "suffix" and t not in rules._GENERIC_PLACE_NAMES
    if label == "Program":
        inner = t.strip(OPEN_QUOTES + CLOSE_QUOTES)
        return source != "quoted" or (len(inner) >= 3 and (
            any(ch in inner for ch in "+＋0123456789一二三四五六七八九十") or inner.endswith(_PROGRAM_HEADS)
            or text.startswith(_PROGRAM_HEADS, end)))
    return label == "Person"


def weak_labels(seeds=ROOT / "seeds", limit=150, seed=0):
    """Sentences of ``seeds`` with the non-overlapping entities of kg's rules (``doc.ents``), quotes
    stripped from programs, Industry dropped. The spans :func:`_weak_span_ok` doubts, and every
    other rule candidate of the sentence (nested names too), become ``missing``: unlabelled either
    way. The rest of the sentence is "no entity", which teaches the model what real text between
    names looks like (kg's rules find nearly every person named in this genre)."""
    import os
    os.environ["KG_NO_NER"] = "1"
    sys.path.insert(0, str(ROOT))
    from kg.io import read_file
    from kg.nlp import load_pipeline
    from kg.nlp.components import sentence_spans
    nlp = load_pipeline()
    rows = []
    for path in sorted(Path(seeds).glob("*.txt")):
        text = read_file(path).norm
        doc = nlp(text)
        cands = [c for c in doc.user_data["kg"] if c.label in LABELS]
        source = {(c.start, c.end, c.label): c.source for c in cands}
        ents = sorted(doc.ents, key=lambda x: x.start_char)
        for s, e in sentence_spans(text):
            sent = text[s:e].strip()
            s += len(text[s:e]) - len(text[s:e].lstrip())
            end = s + len(sent)
            if not _weak_sentence_ok(sent):
                continue
            spans, kept = [], set()
            for x in ents:
                if s <= x.start_char and x.end_char <= end and x.label_ in LABELS and _weak_span_ok(
                        text, x.start_char, x.end_char, x.label_, source.get((x.start_char, x.end_char, x.label_))):
                    a, b = _strip_quotes(text, x.start_char, x.end_char)
                    spans.append([a - s, b - s, x.label_])
                    kept.update(range(x.start_char, x.end_char))
            missing = sorted({(max(c.start, s) - s, min(c.end, end) - s) for c in cands
                              if c.start < end and c.end > s and not kept.intersection(range(c.start, c.end))})
            if spans:
                rows.append({"text": sent, "spans": spans, "missing": [list(m) for m in missing], "source": path.name})
    # Prefer sentences with a person or an organisation; then a random rest.
    rng = random.Random(seed)
    rng.shuffle(rows)
    rows.sort(key=lambda r: -any(sp[2] in ("Person", "Organization") for sp in r["spans"]))
    seen, out = set(), []
    for row in rows:
        if row["text"] not in seen:
            seen.add(row["text"])
            out.append(row)
    return out[:limit]


# ---------------------------------------------------------------- augmentation: new names in old contexts

_GIVEN = ("伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰萍红梅林建国志文斌海波辉鹏飞宇浩凯健俊帆雪琳晨欣婷"
          "倩颖慧佳嘉子思雨晓春秋冬燕云峰德福贵荣生有成永长金银宝山水清正安庆祥瑞新光彩凤珍莲琴丹晶莉蓉美淑惠翠"
          "耀军发财旺兴家立学忠信義仁礼智勤俭顺利昌盛远航振宇泽楠琪璐瑶鑫磊森垚淼月星辰阳东南西北中")
_MINORITY = {
    "吉克": "伍呷 阿支 日哈 拉且 石布 木呷 尔古 子莫 阿牛 曲者",
    "阿木": "日哈 拉且 伍呷 尔布 子哈",
    "沙马": "阿呷 拉石 尔日 木果",
    "扎西": "次仁 多吉 平措 顿珠 拉姆 卓玛",
    "次仁": "卓玛 拉姆 央金 多吉 旺堆 曲珍",
    "格桑": "次旦 卓玛 拉姆 平措 曲珍",
    "达瓦": "次仁 卓玛 顿珠 央宗",
    "": "巴特尔 其木格 乌兰图雅 苏和 额尔敦 那日苏 宝音 斯琴 哈斯 朝鲁 阿拉坦 布仁 热依拉 古丽娜 努尔兰 艾力 "
        "买买提·艾力 阿不都·热合曼 吐尔逊·买买提 阿依努尔 帕提古丽 迪丽娜尔 热合曼·吐尔逊",
}


class NamePool:
    def __init__(self, rng, exclude=()):
        sys.path.insert(0, str(ROOT))
        from kg import lexicon
        self.rng = rng
        singles = sorted(s for s in lexicon.surnames() if len(s) == 1)
        compounds = sorted(s for s in lexicon.surnames() if len(s) == 2)
        # The file lists the commonest surnames first: weight by rank.
        order = [s for line in (ROOT / "kg" / "data" / "surnames.txt").read_text(encoding="utf-8").splitlines()
                 if not line.startswith("#") for s in line.split()]
        rank = {s: i for i, s in reversed(list(enumerate(order)))}
        self.singles = singles
        self.weights = [1.0 / (10 + rank.get(s, 400)) ** 0.7 for s in singles]
        self.compounds = compounds
        self.exclude = set(exclude)

    def name(self):
        rng = self.rng
        while True:
            r = rng.random()
            if r < 0.08:
                head = rng.choice(sorted(_MINORITY))
                name = head + rng.choice(_MINORITY[head].split())
            elif r < 0.13:
                name = rng.choice(self.compounds) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2))))
            else:
                surname = rng.choices(self.singles, self.weights)[0]
                name = surname + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2, 2, 2))))
            if name not in self.exclude:
                return name


def augment(rows, pool, copies, rng):
    """Copies of the sentences that name people, each person replaced by a new name."""
    out = []
    for row in rows:
        if not any(sp[2] == "Person" for sp in row["spans"]):
            continue
        for _ in range(copies):
            text, spans, shift, last = [], [], 0, 0
            new = {}
            for s, e, label in sorted(row["spans"]):
                text.append(row["text"][last:s])
                surface = row["text"][s:e]
                if label == "Person":
                    surface = new.setdefault(surface, pool.name())
                spans.append([s + shift, s + shift + len(surface), label])
                shift += len(surface) - (e - s)
                text.append(surface)
                last = e
            text.append(row["text"][last:])
            out.append({"text": "".join(text), "spans": spans})
    rng.shuffle(out)
    return out


# ---------------------------------------------------------------- model

def blank_nlp(width=64, depth=4, rows=5000, hidden=64, pieces=2):
    import spacy
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "char"}}})
    nlp.add_pipe("tok2vec", config={"model": {
        "@architectures": "spacy.Tok2Vec.v2",
        "embed": {"@architectures": "spacy.MultiHashEmbed.v2", "width": width, "attrs": ["NORM", "SHAPE"],
                  "rows": [rows, 50], "include_static_vectors": False},
        "encode": {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": width, "depth": depth,
                   "window_size": 1, "maxout_pieces": 3}}})
    nlp.add_pipe("ner", config={"model": {
        "@architectures": "spacy.TransitionBasedParser.v2", "state_type": "ner", "extra_state_tokens": False,
        "hidden_width": hidden, "maxout_pieces": pieces, "use_upper": True, "nO": None,
        "tok2vec": {"@architectures": "spacy.Tok2VecListener.v1", "width": width, "upstream": "*"}}})
    return nlp


def to_examples(nlp, rows):
    """Examples with gold entities of the ``TRAINED`` labels. The characters of a row's ``missing``
    ranges and of its spans of other labels (but Industry: industries are no names) are unlabelled."""
    from spacy.training import Example, offsets_to_biluo_tags
    out = []
    for row in rows:
        doc = nlp.make_doc(row["text"])
        tags = offsets_to_biluo_tags(doc, [(s, e, l) for s, e, l in row["spans"] if l in TRAINED])
        if "-" in tags:
            raise ValueError(f"span not on token boundaries: {row['text']}")
        unlabelled = list(row.get("missing", ())) + [(s, e) for s, e, l in row["spans"] if l in LABELS and l not in TRAINED]
        for s, e in unlabelled:
            for i in range(len(doc)):
                if doc[i].idx < e and doc[i].idx + len(doc[i]) > s and tags[i] == "O":
                    tags[i] = "-"
        out.append(Example.from_dict(doc, {"entities": tags}))
    return out


def prf(tp, n_pred, n_gold):
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score_spans(gold_rows, pred_spans, labels=LABELS):
    """Exact span scores per label: ``pred_spans[i]`` is a set of (start, end, label) for row i."""
    counts = defaultdict(lambda: [0, 0, 0])
    for row, pred in zip(gold_rows, pred_spans):
        gold = {(s, e, l) for s, e, l in row["spans"] if l in labels}
        pred = {p for p in pred if p[2] in labels}
        for label in labels:
            g = {x for x in gold if x[2] == label}
            p = {x for x in pred if x[2] == label}
            c = counts[label]
            c[0] += len(g & p)
            c[1] += len(p)
            c[2] += len(g)
    total = [sum(c[i] for c in counts.values()) for i in range(3)]
    return {label: prf(*counts[label]) + (counts[label][2],) for label in labels} | {"all": prf(*total) + (total[2],)}


def predict(nlp, rows):
    return [{(e.start_char, e.end_char, e.label_) for e in doc.ents}
            for doc in nlp.pipe((r["text"] for r in rows), batch_size=64)]


def rule_spans(rows, with_ner=None):
    """Spans of kg's pipeline on each row: the rules' ``doc.ents`` and, with ``with_ner`` (a loaded
    model), what kg_ner would add where no rule span exists (run on the whole row, no cue gate; the
    same shape checks, :func:`kg.nlp.ner.plausible`)."""
    import os
    os.environ["KG_NO_NER"] = "1"
    sys.path.insert(0, str(ROOT))
    from kg.nlp import load_pipeline
    from kg.nlp.ner import plausible
    nlp = load_pipeline()
    out = []
    ner_docs = list(with_ner.pipe(r["text"] for r in rows)) if with_ner is not None else [None] * len(rows)
    for row, ner_doc in zip(rows, ner_docs):
        doc = nlp(row["text"])
        spans = set()
        for x in doc.ents:
            s, e = _strip_quotes(row["text"], x.start_char, x.end_char)
            spans.add((s, e, x.label_))
        if ner_doc is not None:
            taken = bytearray(len(row["text"]) + 1)
            for c in doc.user_data["kg"]:
                taken[c.start:c.end] = b"\x01" * (c.end - c.start)
            for ent in ner_doc.ents:
                if not any(taken[ent.start_char:ent.end_char]) and plausible(
                        ent.label_, row["text"], ent.start_char, ent.end_char):
                    spans.add((ent.start_char, ent.end_char, ent.label_))
        out.append(spans)
    return out


def print_scores(title, scores):
    print(f"{title:28} " + "  ".join(f"{k[:6]:>6} {v[0]:.2f}/{v[1]:.2f}/{v[2]:.2f}" for k, v in scores.items()))


def train(train_rows, dev_rows, steps, seed, width, depth, hidden=64, pieces=2, batch=16, eval_every=200):
    import spacy
    from spacy.util import fix_random_seed, minibatch
    fix_random_seed(seed)
    nlp = blank_nlp(width=width, depth=depth, hidden=hidden, pieces=pieces)
    train_ex = to_examples(nlp, train_rows)
    dev_ex = to_examples(nlp, dev_rows)
    optimizer = nlp.initialize(lambda: train_ex)
    optimizer.learn_rate = 0.002
    rng = random.Random(seed)
    best, best_bytes, step, losses = -1.0, None, 0, {}
    t0 = time.perf_counter()
    while step < steps:
        rng.shuffle(train_ex)
        for batch_ex in minibatch(train_ex, size=batch):
            nlp.update(batch_ex, sgd=optimizer, drop=0.2, losses=losses)
            step += 1
            if step % eval_every == 0 or step == steps:
                scores = nlp.evaluate(dev_ex)
                f = scores["ents_f"] or 0.0
                print(f"step {step:5d}  loss {losses.get('ner', 0):9.1f}  dev P {scores['ents_p']:.3f} "
                      f"R {scores['ents_r']:.3f} F {f:.3f}  ({time.perf_counter() - t0:.0f}s)", flush=True)
                losses = {}
                if f > best:
                    best, best_bytes = f, nlp.to_bytes()
            if step >= steps:
                break
    nlp.from_bytes(best_bytes)
    return nlp, time.perf_counter() - t0, best


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--width", type=int, default=64)
    ap.add_argument("--depth", type=int, default=4)
    ap.add_argument("--hidden", type=int, default=64, help="hidden width of the NER's state layer")
    ap.add_argument("--pieces", type=int, default=2, help="maxout pieces of the NER's state layer")
    ap.add_argument("--copies", type=int, default=4, help="augmented copies of each sentence that names people")
    ap.add_argument("--labels", default=",".join(TRAINED), help="labels the model learns, from " + ",".join(LABELS))
    ap.add_argument("--weak-limit", type=int, default=150)
    ap.add_argument("--weak-rebuild", action="store_true", help="relabel seeds/ with the rules")
    ap.add_argument("--dev-share", type=float, default=0.15)
    ap.add_argument("--out", type=Path, default=MODEL)
    ap.add_argument("--no-save", action="store_true")
    args = ap.parse_args(argv)
    TRAINED[:] = [label for label in args.labels.split(",") if label in LABELS]

    gold = read_marked()
    check_spans(gold, GOLD)
    write_jsonl(gold, GOLD)
    if args.weak_rebuild or not WEAK.exists():
        write_jsonl(weak_labels(limit=args.weak_limit, seed=args.seed), WEAK)
    weak = read_jsonl(WEAK)
    check_spans(weak, WEAK)
    check_no_eval_text(gold + weak)

    rng = random.Random(args.seed)
    order = list(range(len(gold)))
    rng.shuffle(order)
    n_dev = int(round(args.dev_share * len(gold)))
    dev = [gold[i] for i in sorted(order[:n_dev])]
    train_gold = [gold[i] for i in sorted(order[n_dev:])]
    pool = NamePool(random.Random(args.seed + 1), exclude=eval_names() | {
        gold[i]["text"][s:e] for i in range(len(gold)) for s, e, l in gold[i]["spans"] if l == "Person"})
    aug = augment(train_gold, pool, args.copies, random.Random(args.seed + 2))
    train_rows = train_gold + aug + weak
    print(f"gold {len(gold)} sentences ({len(train_gold)} train, {len(dev)} dev), augmented {len(aug)}, "
          f"weak {len(weak)} ({len(weak) / len(train_rows):.0%} of {len(train_rows)} training examples)")
    label_counts = Counter(l for r in train_rows for _, _, l in r["spans"] if l in TRAINED)
    print("training spans:", dict(label_counts))

    nlp, seconds, best = train(train_rows, dev, args.steps, args.seed, args.width, args.depth, args.hidden, args.pieces)
    print(f"trained {args.steps} steps in {seconds:.0f}s; best dev F1 {best:.3f}")

    print("\nheld-out gold sentences, exact spans, P/R/F1 per label:")
    print_scores("model alone", score_spans(dev, predict(nlp, dev), TRAINED))
    for labels in (TRAINED, LABELS):
        print_scores("rules alone", score_spans(dev, rule_spans(dev), labels))
        print_scores("rules + NER (no gate)", score_spans(dev, rule_spans(dev, with_ner=nlp), labels))

    text = "".join(r["text"] for r in weak) * 5
    t = time.perf_counter()
    list(nlp.pipe([text[i:i + 60] for i in range(0, len(text), 60)], batch_size=64))
    print(f"speed: {len(text) / (time.perf_counter() - t):,.0f} chars/s")

    if not args.no_save:
        nlp.meta.update({"name": "kg_ner", "version": "1.0.0", "license": "Apache-2.0", "spacy_version": ">=3.7.0,<3.9.0",
                         "description": "kg's statistical NER; see SOURCE.md", "sources": [],
                         "performance": {"dev_ents_f": round(best, 4)}})
        args.out.mkdir(parents=True, exist_ok=True)
        nlp.to_disk(args.out)
        size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
        print(f"saved {args.out} ({size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()

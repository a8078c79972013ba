"""Score extraction records against gold files (format: ``tests/eval/README.md``).

Entities are compared per document as sets of (type, name); relations as (type, source name,
target name), partners_with in either direction. *Exact* needs equal names; *lenient* accepts
one name containing the other (云阁村党总支部 for 海口市琼山区云龙镇云阁村党总支部), matched one to one.

>>> gold = {"doc": "a.txt", "entities": [{"type": "Place", "name": "海口市"}], "relations": []}
>>> pred = {"doc": "a.txt", "entities": [{"type": "Place", "name": "海口市"},
...                                      {"type": "Place", "name": "三亚市"}], "relations": []}
>>> s = score([gold], [pred])
>>> s["entities"]["Place"]["exact"]["p"], s["entities"]["Place"]["exact"]["r"]
(0.5, 1.0)
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

from .extract import ENTITY_TYPES, RELATION_TYPES


def _norm(name):
    return re.sub(r"[\s“”\"「」『』‘’]", "", name or "")


def _lenient_eq(a, b):
    return a == b or (len(a) >= 2 and len(b) >= 2 and (a in b or b in a))


def _match(gold, pred, eq):
    """One-to-one greedy matching of two lists of hashable keys under ``eq``; returns matches."""
    used = set()
    hits = 0
    for g in gold:
        for i, p in enumerate(pred):
            if i not in used and eq(g, p):
                used.add(i)
                hits += 1
                break
    return hits


def _prf(tp, n_pred, n_gold):
    p = tp / n_pred if n_pred else (1.0 if not n_gold else 0.0)
    r = tp / n_gold if n_gold else (1.0 if not n_pred else 0.0)
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f1": round(f, 4), "tp": tp, "pred": n_pred, "gold": n_gold}


def _entity_keys(record):
    return {(e["type"], _norm(e["name"])) for e in record.get("entities", [])}


def _relation_keys(record):
    names = {e.get("id", e["name"]): _norm(e["name"]) for e in record.get("entities", [])}
    out = set()
    for r in record.get("relations", []):
        src = names.get(r["source"], _norm(r["source"].split(":", 1)[-1]))
        tgt = names.get(r["target"], _norm(r["target"].split(":", 1)[-1]))
        out.add((r["type"], src, tgt))
    return out


def _rel_eq(lenient):
    same = _lenient_eq if lenient else (lambda a, b: a == b)

    def eq(g, p):
        if g[0] != p[0]:
            return False
        if same(g[1], p[1]) and same(g[2], p[2]):
            return True
        return g[0] == "partners_with" and same(g[1], p[2]) and same(g[2], p[1])
    return eq


def score(golds, preds):
    """Per-type and overall precision/recall/F1 of ``preds`` against ``golds`` (matched by ``doc``)."""
    by_doc = {p["doc"]: p for p in preds}
    counts = {"entities": defaultdict(lambda: defaultdict(lambda: [0, 0, 0])),
              "relations": defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))}
    for gold in golds:
        pred = by_doc.get(gold["doc"], {"entities": [], "relations": []})
        for part, keys, types in (("entities", _entity_keys, ENTITY_TYPES), ("relations", _relation_keys, RELATION_TYPES)):
            g_all, p_all = keys(gold), keys(pred)
            for t in types:
                g = sorted(k for k in g_all if k[0] == t)
                p = sorted(k for k in p_all if k[0] == t)
                for mode, lenient in (("exact", False), ("lenient", True)):
                    eq = _rel_eq(lenient) if part == "relations" else (
                        (lambda a, b: a[0] == b[0] and _lenient_eq(a[1], b[1])) if lenient else (lambda a, b: a == b))
                    c = counts[part][t][mode]
                    c[0] += _match(g, p, eq)
                    c[1] += len(p)
                    c[2] += len(g)
    out = {}
    for part, table in counts.items():
        out[part] = {}
        totals = defaultdict(lambda: [0, 0, 0])
        for t, modes in table.items():
            out[part][t] = {mode: _prf(*c) for mode, c in modes.items()}
            for mode, c in modes.items():
                for i in range(3):
                    totals[mode][i] += c[i]
        out[part]["overall"] = {mode: _prf(*c) for mode, c in totals.items()}
    return out


def errors(golds, preds):
    """Per document, what exact matching misses (gold not predicted) and adds (predicted, not gold):
    ``{doc: {"missed": [key...], "spurious": [key...]}}``, keys as ``(type, name)`` for entities
    and ``(type, source, target)`` for relations.

    >>> gold = {"doc": "a.txt", "entities": [{"type": "Place", "name": "海口市"}], "relations": []}
    >>> pred = {"doc": "a.txt", "entities": [{"type": "Place", "name": "三亚市"}], "relations": []}
    >>> errors([gold], [pred])["a.txt"]["missed"]
    [('Place', '海口市')]
    """
    by_doc = {p["doc"]: p for p in preds}
    out = {}
    for gold in golds:
        pred = by_doc.get(gold["doc"], {"entities": [], "relations": []})
        missed, spurious = [], []
        for keys in (_entity_keys, _relation_keys):
            g, p = keys(gold), keys(pred)
            if keys is _relation_keys:  # partners_with is symmetric
                flip = {(t, b, a) for t, a, b in p if t == "partners_with"}
                g_flip = {(t, b, a) for t, a, b in g if t == "partners_with"}
                missed += sorted(k for k in g - p if k not in flip)
                spurious += sorted(k for k in p - g if k not in g_flip)
            else:
                missed += sorted(g - p)
                spurious += sorted(p - g)
        out[gold["doc"]] = {"missed": missed, "spurious": spurious}
    return out


def format_errors(errs):
    """The output of :func:`errors` as text, a block per document."""
    lines = []
    for doc, e in errs.items():
        if not e["missed"] and not e["spurious"]:
            continue
        lines.append(f"== {doc}")
        for label, sign in (("missed", "-"), ("spurious", "+")):
            lines += [f"  {sign} " + " | ".join(k) for k in e[label]]
    return "\n".join(lines)


def load_gold(gold_dir):
    golds = []
    for path in sorted(Path(gold_dir).glob("*.json")):
        with open(path, encoding="utf-8") as f:
            golds.append(json.load(f))
    return golds


def format_table(scores):
    lines = [f"{'':26}{'exact P':>9}{'R':>7}{'F1':>7}   {'lenient P':>9}{'R':>7}{'F1':>7}{'gold':>7}"]
    for part in ("entities", "relations"):
        for t, modes in scores[part].items():
            e, l = modes["exact"], modes["lenient"]
            lines.append(f"{part[:3]} {t:22}{e['p']:9.3f}{e['r']:7.3f}{e['f1']:7.3f}   "
                         f"{l['p']:9.3f}{l['r']:7.3f}{l['f1']:7.3f}{e['gold']:7d}")
    return "\n".join(lines)

"""Exact F1 per entity and relation type on every evaluation set of ``tests/eval``, side by side
(the table in the README's Evaluation section), and the share of found dated adoptions whose year
is right.

    python bench/eval_sets.py                  # rules + NER
    KG_NO_NER=1 python bench/eval_sets.py      # rules alone
    python bench/eval_sets.py blind fresh4     # only these sets
"""
from __future__ import annotations

import sys
from pathlib import Path

from kg.evaluate import load_gold, score
from kg.extract import ENTITY_TYPES, RELATION_TYPES, extract_corpus

EVAL = Path(__file__).resolve().parent.parent / "tests" / "eval"
# set name in the table → (articles folder, gold folder)
SETS = {
    "dev": (EVAL / "articles", EVAL / "gold"),
    "held": (EVAL / "heldout" / "articles", EVAL / "heldout" / "gold"),
    **{name: (EVAL / name / "articles", EVAL / name / "gold")
       for name in ("fresh", "fresh2", "fresh3", "fresh4", "fresh5", "fresh6", "blind")},
}


def adoption_years(golds, preds):
    """(right, compared): adoptions found with a year whose gold adoption has a year too."""
    def dated(record):
        names = {e.get("id", e["name"]): e["name"] for e in record.get("entities", [])}
        return {(names.get(r["source"], r["source"]), names.get(r["target"], r["target"])): r["attrs"]["year"]
                for r in record.get("relations", [])
                if r["type"] == "adopts" and (r.get("attrs") or {}).get("year")}
    by_doc = {p["doc"]: p for p in preds}
    right = compared = 0
    for gold in golds:
        want, got = dated(gold), dated(by_doc.get(gold["doc"], {}))
        for key in want.keys() & got.keys():
            compared += 1
            right += int(want[key]) == int(got[key])
    return right, compared


def main(names):
    columns = {}
    for name in names:
        articles, gold = SETS[name]
        golds = load_gold(gold)
        preds = list(extract_corpus([articles]))
        columns[name] = (score(golds, preds), adoption_years(golds, preds))
    print(f"{'':21}" + "".join(f"{n:>8}" for n in columns))
    for part, types in (("entities", ENTITY_TYPES), ("relations", RELATION_TYPES)):
        for t in list(types) + ["overall"]:
            cells = [s[part].get(t, {}).get("exact", {}).get("f1") for s, _ in columns.values()]
            print(f"{part[:3]} {t:17}" + "".join(f"{c:8.3f}" if c is not None else f"{'-':>8}" for c in cells))
    print(f"{'adoption years':21}" + "".join(f"{r / c if c else 0:8.2f}" for _, (r, c) in columns.values()))


if __name__ == "__main__":
    main(sys.argv[1:] or list(SETS))

"""kg evaluate on kg's own evaluation set: the scores a researcher would see, with floors that
catch regressions in extraction quality."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

EVAL = Path(__file__).resolve().parent / "eval"


@pytest.fixture(scope="module")
def scores():
    proc = subprocess.run([sys.executable, "-m", "kg.cli", "evaluate", "--json", "--gold", str(EVAL / "gold"),
                           str(EVAL / "articles")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_scores_cover_every_type_in_both_modes(scores):
    assert set(scores["entities"]) == {"Place", "Organization", "Program", "Person", "Industry", "overall"}
    for part in ("entities", "relations"):
        for modes in scores[part].values():
            assert set(modes) == {"exact", "lenient"}
            for m in modes.values():
                assert 0 <= m["p"] <= 1 and 0 <= m["r"] <= 1 and m["gold"] >= 0


def test_extraction_quality_does_not_regress(scores):
    ents, rels = scores["entities"], scores["relations"]
    assert ents["overall"]["exact"]["f1"] >= 0.9
    for t in ("Place", "Organization", "Program", "Person"):
        assert ents[t]["exact"]["f1"] >= 0.85, t
    assert rels["overall"]["exact"]["f1"] >= 0.78
    for t, modes in rels.items():
        if modes["exact"]["gold"] >= 10:
            assert modes["exact"]["f1"] >= 0.6, t


def test_heldout_set_is_scored_too():
    proc = subprocess.run([sys.executable, "-m", "kg.cli", "evaluate", "--json", "--gold",
                           str(EVAL / "heldout" / "gold"), str(EVAL / "heldout" / "articles")],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    held = json.loads(proc.stdout)
    assert held["entities"]["overall"]["exact"]["f1"] >= 0.8


def test_errors_list_what_was_missed_and_added(tmp_path):
    (tmp_path / "gold").mkdir()
    (tmp_path / "a.txt").write_text("2021年，浙江省湖州市安吉县推行积分制。", encoding="utf-8")
    gold = {"doc": "a.txt", "entities": [{"type": "Place", "name": "安吉县"}, {"type": "Place", "name": "长兴县"}],
            "relations": []}
    (tmp_path / "gold" / "a.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "kg.cli", "evaluate", "--errors", "--gold", str(tmp_path / "gold"),
                           str(tmp_path / "a.txt")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert "  - Place | 长兴县" in lines  # in gold, not found
    assert "  + Place | 湖州市" in lines and "  + Program | 积分制" in lines  # found, not in gold
    assert not any(line.endswith("| 安吉县") for line in lines)  # matched

"""The extraction contract that kg extract prints, on the five seed articles."""
import json
import subprocess
import sys

from kg.extract import ENTITY_TYPES, RELATION_TYPES

LEVELS = {"province", "city", "county", "town", "village", "other"}


def test_every_seed_record_follows_the_contract(seed_records):
    for name, (path, rec) in seed_records.items():
        text = path.read_text(encoding="utf-8")
        assert rec["doc"] == name
        assert rec["articles"] and all(set(a) == {"title", "byline", "year", "start", "end"} for a in rec["articles"])
        ids = set()
        for ent in rec["entities"]:
            assert ent["type"] in ENTITY_TYPES
            assert ent["id"] not in ids
            ids.add(ent["id"])
            assert ent["name"] and "“" not in ent["name"] and "”" not in ent["name"]
            if ent["type"] == "Place":
                assert ent["attrs"]["level"] in LEVELS and "parent" in ent["attrs"]
            if ent["type"] == "Organization":
                assert ent["attrs"]["kind"]
            for m in ent["mentions"]:
                assert text[m["start"]:m["end"]] == m["text"]
                assert m["text"] in m["sentence"] or m["sentence"] in text
        for rel in rec["relations"]:
            assert rel["type"] in RELATION_TYPES
            assert rel["source"] in ids and rel["target"] in ids
            for ev in rel["evidence"]:
                assert text[ev["start"]:ev["end"]].strip() == ev["sentence"]


def test_seeds_give_all_entity_types_and_at_least_five_relation_types(seed_records):
    types = {e["type"] for _, rec in seed_records.values() for e in rec["entities"]}
    rtypes = {r["type"] for _, rec in seed_records.values() for r in rec["relations"]}
    assert types == set(ENTITY_TYPES)
    assert len(rtypes) >= 5, rtypes


def test_seed_facts_a_researcher_expects(seed_records):
    _, rec = seed_records["001_d92f204b041c1c56.txt"]
    names = {(e["type"], e["name"]) for e in rec["entities"]}
    assert ("Program", "博士村长") in names and ("Program", "院士村长") in names
    assert ("Place", "崖州区") in names and ("Place", "三亚市") in names
    ids = {e["id"]: e["name"] for e in rec["entities"]}
    evolves = {(ids[r["source"]], ids[r["target"]]) for r in rec["relations"] if r["type"] == "evolves_into"}
    assert ("博士村长", "院士村长") in evolves
    _, rec0 = seed_records["000_d1e18354e32ba448.txt"]
    orgs = {e["name"] for e in rec0["entities"] if e["type"] == "Organization"}
    assert {"云龙花卉苗木产业链党委", "大坡胡椒产业链党委", "龙泉香芋产业链党委"} <= orgs


def test_cli_extract_prints_json_lines_and_fails_on_a_bad_file(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("2020年，贵州省遵义市余庆县推行“积分制”。", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "kg.cli", "extract", str(good), str(empty), str(tmp_path / "missing.txt")],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["doc"] for r in lines] == ["good.txt"]
    errors = [l for l in proc.stderr.splitlines() if l.startswith("kg: ") and "NER" not in l]
    assert any("empty.txt: empty file" in l for l in errors)
    assert any("missing.txt: no such file" in l for l in errors)

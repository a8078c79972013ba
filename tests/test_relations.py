"""Relation rules on sentences written for these tests (not from the seeds or the evaluation set)."""
from kg.extract import extract_text


def _relations(text, rtype):
    rec = extract_text(text, name="t.txt")
    names = {e["id"]: e["name"] for e in rec["entities"]}
    return {(names[r["source"]], names[r["target"]]) for r in rec["relations"] if r["type"] == rtype}


def test_a_branch_adopts_the_formula_it_heads_but_a_village_adopts_its_branchs_program():
    led = _relations("2020年，湖北省宜昌市秭归县郭家坝镇烟灯堡村党支部推行“党支部+合作社+果农”模式，统一收购脐橙。",
                     "adopts")
    assert ("烟灯堡村党支部", "党支部+合作社+果农") in led
    own = _relations("2020年，湖北省宜昌市秭归县郭家坝镇烟灯堡村党支部推行“积分制”，每月公示一次。", "adopts")
    assert ("烟灯堡村", "积分制") in own


def test_the_body_a_formula_names_adopts_it():
    text = ("2021年，四川省眉山市丹棱县由双桥镇党委牵头，联合8个村党支部和3家企业，组建双桥镇柑橘产业党建联盟，"
            "推行“联盟+基地+农户”模式，统一技术标准。")
    adopters = {a for a, p in _relations(text, "adopts") if p == "联盟+基地+农户"}
    assert "双桥镇柑橘产业党建联盟" in adopters and "双桥镇" not in adopters

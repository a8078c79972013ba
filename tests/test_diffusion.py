"""Diffusion analysis (kg.diffusion): adoption tables, roll-up, spread edges, outputs, viewer, notebook.

``tests/diffusion_corpus/`` holds eight short news articles written for this test (not copied from
anywhere) in which one invented program, “田埂夜校”, spreads from a village in 永新县 (2018) through
Jiangxi and into Hunan (2023). The corpus tests run the real pipeline (extract → graph →
adoption table) and assert what the articles say, as a reader would annotate it.
"""
import csv
import json
import re
import shutil
from pathlib import Path

import networkx as nx
import pytest

from kg.diffusion import (ADOPTION_COLUMNS, adoptions, cascades, explicit_spread_edges, html_data,
                          inferred_spread_edges, node_labels, place_chain, program_table, render_html, roll_up,
                          spread_network, write_outputs)

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "diffusion_corpus"
NOTEBOOK = ROOT / "notebooks" / "diffusion.ipynb"
PROGRAM = "田埂夜校"

# Every locality that took up 田埂夜校 and the year the articles give for it (earliest).
EXPECTED_ADOPTIONS = {
    "仰山村": 2018,  # 01: 2018年3月，仰山村党支部在全县首创“田埂夜校”
    "永新县": 2019,  # 02: 永新县将…仰山村“田埂夜校”的做法推广到全县 / 2019年初…制定了“田埂夜校”建设规范
    "沙堤村": 2019,  # 02: 龙门镇沙堤村是较早跟进的村之一。今年3月，沙堤村办起了第一期夜校 (article of 2019)
    "泰和县": 2020,  # 03: 泰和县学习借鉴永新县“田埂夜校”经验 (article of 2020)
    "碧溪镇": 2020,  # 03: 决定先在碧溪镇、沙村镇开展试点 / 2020年4月，碧溪镇…设立夜校教学点
    "沙村镇": 2020,  # 03: idem
    "吉安市": 2021,  # 04: 吉安市委组织部…将永新县“田埂夜校”做法推广到遂川县、吉水县等8个县
    "遂川县": 2021,  # 04: idem
    "吉水县": 2021,  # 04: idem
    "草林镇": 2021,  # 05: 2021年6月，草林镇引入“田埂夜校”
    "于都县": 2022,  # 06: 于都县…学习借鉴泰和县“田埂夜校”做法 (article of 2022)
    "梓山镇": 2022,  # 06: 确定在梓山镇先行先试
    "潭头村": 2022,  # 06: 3月下旬，于都县梓山镇潭头村的“田埂夜校”开班
    "高兴镇": 2023,  # 07: 2023年，兴国县高兴镇借鉴于都县的做法，办起了“田埂夜校”
    "茶陵县": 2022,  # 08: 去年秋天，茶陵县委组织部带队到永新县取经，把“田埂夜校”引入秩堂镇 (article of 2023)
    "秩堂镇": 2022,  # 08: idem
}
EXPECTED_EVENTS = {"仰山村": "首创", "泰和县": "学习借鉴", "于都县": "学习借鉴", "遂川县": "推广", "吉水县": "推广",
                   "碧溪镇": "试点", "沙村镇": "试点", "梓山镇": "试点"}
# Every explicit spread the articles state: (program, from, to).
EXPECTED_EDGES = {
    (PROGRAM, "仰山村", "永新县"),  # 02: 将埠前镇仰山村“田埂夜校”的做法推广到全县25个乡镇
    (PROGRAM, "永新县", "泰和县"),  # 03: 泰和县学习借鉴永新县“田埂夜校”经验
    (PROGRAM, "永新县", "遂川县"),  # 04: 将永新县“田埂夜校”做法推广到遂川县、吉水县
    (PROGRAM, "永新县", "吉水县"),
    (PROGRAM, "泰和县", "于都县"),  # 06: 学习借鉴泰和县“田埂夜校”做法
    (PROGRAM, "于都县", "高兴镇"),  # 07: 兴国县高兴镇借鉴于都县的做法，办起了“田埂夜校”
    (PROGRAM, "永新县", "茶陵县"),  # 08: 茶陵县委组织部带队到永新县取经，把“田埂夜校”引入秩堂镇
}


@pytest.fixture(scope="module")
def corpus_graph():
    from kg.extract import extract_corpus
    from kg.graph import build_graph
    return build_graph(extract_corpus([CORPUS]))


# ---------------------------------------------------------------- the corpus, through the real pipeline

def test_corpus_recovers_every_adoption_and_year(corpus_graph):
    got = {r["place"]: r["year"] for r in adoptions(corpus_graph, programs=[PROGRAM])}
    missing = {p: y for p, y in EXPECTED_ADOPTIONS.items() if p not in got}
    wrong = {p: (y, got[p]) for p, y in EXPECTED_ADOPTIONS.items() if p in got and got[p] != y}
    assert not missing and not wrong, f"missing (place: year) {missing}; wrong year (expected, got) {wrong}"


def test_corpus_adoption_events(corpus_graph):
    # Places missing from the table are reported by the test above; here, the kind of adoption.
    got = {r["place"]: r["event"] for r in adoptions(corpus_graph, programs=[PROGRAM])}
    wrong = {p: (e, got[p]) for p, e in EXPECTED_EVENTS.items() if p in got and got[p] != e}
    assert not wrong, f"(expected, got): {wrong}"


def test_corpus_recovers_every_explicit_spread_edge(corpus_graph):
    got = {(e["program"], e["source"], e["target"]) for e in explicit_spread_edges(corpus_graph)}
    missing = EXPECTED_EDGES - got
    assert not missing, f"missing spread edges {sorted(missing)}"


def test_corpus_roll_up_to_county(corpus_graph):
    places = adoptions(corpus_graph, programs=[PROGRAM])
    counties = {r["place"]: r for r in adoptions(corpus_graph, level="county", programs=[PROGRAM])}
    # The village where it started counts for its county, with its year and its event.
    assert counties["永新县"]["year"] == 2018 and counties["永新县"]["event"] == "首创"
    assert "仰山村" in counties["永新县"]["adopters"]
    assert counties["兴国县"]["level"] == "county"  # only a township of 兴国县 is named as adopter
    assert counties["吉安市"]["level"] == "city"  # a city stays a city
    # Each county's year is the earliest of the places in it.
    expected = {}
    for r in places:
        if r["year"] is not None:
            county = roll_up(corpus_graph, r["place_id"], "county")["name"]
            expected[county] = min(expected.get(county, 9999), r["year"])
    assert {c: counties[c]["year"] for c in expected} == expected
    assert all(r["level"] in ("county", "city") for r in counties.values())


def test_corpus_outputs(corpus_graph, tmp_path):
    paths = write_outputs(corpus_graph, tmp_path, level=None)
    assert sorted(paths) == ["adoptions.csv", "cascades.csv", "diffusion.html", "programs.csv", "spread_edges.csv"]
    with open(paths["adoptions.csv"], encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames[:12] == ["program", "family", "place", "level", "admin_code", "province", "year",
                                          "year_source", "event", "n_docs", "doc", "sentence"]
        assert reader.fieldnames == ADOPTION_COLUMNS
        rows = [r for r in reader if r["program"] == PROGRAM]
    first = next(r for r in rows if r["place"] == "仰山村")
    assert (first["year"], first["year_source"], first["event"], first["province"]) == ("2018", "sentence", "首创", "江西省")
    assert "首创“田埂夜校”" in first["sentence"] and first["doc"] == "01_yongxin_yangshan.txt"
    assert {r["year_source"] for r in rows} <= {"sentence", "article", "unknown"}
    with open(paths["cascades.csv"], encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames[:3] == ["node", "cascade", "time"]
        casc = [r for r in reader if r["cascade"] == PROGRAM]
    assert ("仰山村", "2018") in {(r["node"], r["time"]) for r in casc}
    with open(paths["programs.csv"], encoding="utf-8") as f:
        prog = next(r for r in csv.DictReader(f) if r["program"] == PROGRAM)
    assert prog["first_year"] == "2018" and int(prog["adopt_count"]) >= 8 and prog["first_adopters"] == "仰山村"
    with open(paths["spread_edges.csv"], encoding="utf-8") as f:
        edges = list(csv.DictReader(f))
    assert {e["kind"] for e in edges} <= {"explicit", "inferred"}
    explicit = [e for e in edges if e["kind"] == "explicit"]
    assert explicit and all(e["program"] and e["cue"] and e["sentence"] and not e["improvement"] for e in explicit)
    assert all(e["improvement"] and not e["sentence"] for e in edges if e["kind"] == "inferred")


def test_cli_diffusion(tmp_path):
    from click.testing import CliRunner
    from kg.cli import main
    result = CliRunner().invoke(main, ["diffusion", str(CORPUS), "-o", str(tmp_path / "d"), "--level", "county"])
    assert result.exit_code == 0, result.output
    with open(tmp_path / "d" / "adoptions.csv", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["program"] == PROGRAM]
    assert {r["level"] for r in rows} <= {"county", "city"}
    assert ("永新县", "2018") in {(r["place"], r["year"]) for r in rows}


# ---------------------------------------------------------------- hand-built graphs

def _graph():
    g = nx.MultiDiGraph()
    places = [("place:360830", "永新县", "county", {"admin_code": "360830"}),
              ("place:360826", "泰和县", "county", {"admin_code": "360826"}),
              ("place:469005", "文昌市", "county", {"admin_code": "469005"}),
              ("place:仰山村@埠前镇", "仰山村", "village", {"parent": "埠前镇"}),
              ("place:仰山村@永新县", "仰山村", "village", {"parent": "永新县"}),
              ("place:城西村@崖州区", "城西村", "village", {"parent": "崖州区"}),
              ("place:城西村@和平镇", "城西村", "village", {"parent": "和平镇"}),
              ("place:无名村", "无名村", "village", {})]
    for node, name, level, attrs in places:
        g.add_node(node, type="Place", name=name, level=level, **attrs)
    g.add_node("org:泰和县委组织部", type="Organization", name="泰和县委组织部")
    g.add_edge("org:泰和县委组织部", "place:360826", key="located_in")
    for name in ("田埂夜校", "积分制"):
        g.add_node(f"program:{name}", type="Program", name=name, family=name)
    g.add_node("doc:a.txt", type="Document", name="a.txt", year=2021,
               articles=[{"title": "t", "year": 2021, "start": 0, "end": 10_000}])

    def adopt(src, prog, year=None, source=None, event=None, sentence="", doc="a.txt"):
        g.add_edge(src, f"program:{prog}", key="adopts", year=year, year_source=source, event=event, docs=[doc],
                   evidence=[{"doc": doc, "sentence": sentence, "start": 0, "end": len(sentence)}])

    adopt("place:仰山村@埠前镇", "田埂夜校", 2018, "sentence", "首创", "2018年，仰山村首创“田埂夜校”。")
    adopt("place:仰山村@永新县", "田埂夜校", 2021, "article", None, "仰山村的“田埂夜校”远近闻名。")
    adopt("org:泰和县委组织部", "田埂夜校", 2021, "article", "推广", "泰和县委组织部推广“田埂夜校”。")
    adopt("place:469005", "积分制", 2019, "sentence", None, "2019年，文昌市推行积分制。")
    adopt("place:城西村@崖州区", "积分制", 2020, "sentence", None, "2020年，城西村推行积分制。")
    adopt("place:城西村@和平镇", "积分制", None, None, None, "城西村也推行积分制。")
    adopt("place:无名村", "积分制", 2022, "article", None, "无名村推行积分制。")
    sentence = "2020年，泰和县学习借鉴永新县“田埂夜校”经验。"
    g.add_edge("place:360830", "place:360826", key="spreads_to", cue="学习借鉴", docs=["a.txt"],
               evidence=[{"doc": "a.txt", "sentence": sentence, "start": 0, "end": len(sentence)}])  # no program attr
    return g


def test_organisations_adopt_for_their_place_and_sentence_years_win():
    rows = {(r["program"], r["place"]): r for r in adoptions(_graph())}
    taihe = rows[("田埂夜校", "泰和县")]
    # The organisation's 2021 (article) adoption and the 2020 spread sentence merge; the sentence year wins.
    assert (taihe["year"], taihe["year_source"], taihe["event"]) == (2020, "sentence", "学习借鉴")
    assert taihe["adopters"] == ["泰和县", "泰和县委组织部"]
    assert taihe["province"] == "江西省" and taihe["admin_code"] == "360826" and taihe["lon"] is not None
    # One 仰山村: the node with the longer chain of ancestors absorbs the other; 2018 is a sentence's year.
    yangshan = [r for (p, name), r in rows.items() if name == "仰山村"]
    assert len(yangshan) == 1 and yangshan[0]["place_id"] == "place:仰山村@埠前镇" and yangshan[0]["year"] == 2018
    # An undated adoption: year_source unknown, and no place in the cascades.
    undated = [r for r in rows.values() if r["year"] is None]
    assert undated and all(r["year_source"] == "unknown" for r in undated)
    assert all(c["time"] for c in cascades(list(rows.values())))


def test_roll_up_levels():
    g = _graph()
    chain = [(r["name"], r["level"]) for r in place_chain(g, "place:仰山村@埠前镇")]
    assert chain == [("仰山村", "village"), ("埠前镇", "town"), ("永新县", "county"), ("吉安市", "city"),
                     ("江西省", "province")]
    assert roll_up(g, "place:仰山村@埠前镇", "town")["name"] == "埠前镇"
    assert roll_up(g, "place:仰山村@埠前镇", "province")["name"] == "江西省"
    # A county directly under its province (省直辖县级市) stands for its prefecture level.
    assert roll_up(g, "place:469005", "city")["name"] == "文昌市"
    assert roll_up(g, "place:469005", "province")["name"] == "海南省"
    # A place already above the level stays; an unplaceable village stays itself.
    assert roll_up(g, "place:360830", "village")["name"] == "永新县"
    assert roll_up(g, "place:无名村", "county")["name"] == "无名村"
    with pytest.raises(ValueError):
        roll_up(g, "place:360830", "township")
    by_city = {(r["program"], r["place"]): r for r in adoptions(g, level="city")}
    assert by_city[("田埂夜校", "吉安市")]["year"] == 2018  # 仰山村 2018 and 泰和县 2020 both count for 吉安市
    assert sorted(by_city[("田埂夜校", "吉安市")]["adopters"]) == sorted(["仰山村", "泰和县", "泰和县委组织部", "永新县"])
    assert by_city[("积分制", "三亚市")]["year"] == 2020  # 城西村@崖州区
    # Explicit edges inside one place at the level vanish; between places they are kept.
    assert explicit_spread_edges(g, level="city") == []
    assert [(e["source"], e["target"]) for e in explicit_spread_edges(g, level="county")] == [("永新县", "泰和县")]


def test_spread_edge_program_from_its_sentence_and_its_year():
    edges = explicit_spread_edges(_graph())
    assert [(e["program"], e["source"], e["target"], e["cue"], e["year"]) for e in edges] == \
        [("田埂夜校", "永新县", "泰和县", "学习借鉴", 2020)]
    assert edges[0]["program_from"] == "sentence" and edges[0]["sentence"].startswith("2020年")


def test_labels_tell_namesakes_apart():
    rows = adoptions(_graph(), programs=["积分制"])
    labels = node_labels(rows)
    assert sorted(labels[r["place_id"]] for r in rows if r["place"] == "城西村") == ["城西村@和平镇", "城西村@崖州区"]
    assert len(set(labels.values())) == len(labels)
    table = program_table(rows)
    assert table[0]["first_year"] == 2019 and table[0]["first_adopters"] == ["文昌市"]
    assert table[0]["adopt_count"] == 4 and table[0]["dated_count"] == 3


def test_inferred_edges_are_labelled_and_kept_apart():
    rows = []
    for prog, seq in {"P1": ["甲县", "乙县", "丙县"], "P2": ["甲县", "乙县"], "P3": ["甲县", "乙县", "丙县"],
                      "P4": ["甲县", "乙县"]}.items():
        for i, place in enumerate(seq):
            rows.append({"program": prog, "family": prog, "place": place, "place_id": f"place:{place}",
                         "level": "county", "year": 2015 + i, "event": "adoption", "parent": ""})
    inferred = inferred_spread_edges(rows, p_value_cutoff=0.05, lam=1.0)
    assert inferred[0]["source"] == "甲县" and inferred[0]["target"] == "乙县"
    assert inferred[0]["cascades"] == ["P1", "P2", "P3", "P4"] and inferred[0]["p_value"] < 0.05
    assert all(e["kind"] == "inferred" and e["program"] == "" and e["improvement"] > 0 for e in inferred)
    net = spread_network(rows, inferred)
    assert net.has_edge("place:甲县", "place:乙县", key="inferred")


# ---------------------------------------------------------------- the viewer

EVIL = '</script><script>alert(1)</script><img src=x onerror=alert(2)>&amp;'


def _evil_graph():
    g = _graph()
    g.add_node("program:evil", type="Program", name=EVIL, family=EVIL)
    g.add_edge("place:360830", "program:evil", key="adopts", year=2020, year_source="sentence", docs=[EVIL],
               evidence=[{"doc": EVIL, "sentence": "2020年" + EVIL, "start": 0, "end": 5}])
    return g


def test_html_is_self_contained_and_escaped(tmp_path):
    g = _evil_graph()
    rows = adoptions(g)
    page = render_html(rows, explicit_spread_edges(g), title=EVIL)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert "@import" not in page and not re.search(r"url\(\s*['\"]?(?:https?:)?//", page)
    assert "innerHTML" not in page and "document.write" not in page
    script = re.search(r'<script type="application/json" id="diffusion-data">(.*?)</script>', page, re.S).group(1)
    data = json.loads(script)
    assert EVIL in [p["name"] for p in data["programs"]]
    assert data == json.loads(json.dumps(html_data(rows, explicit_spread_edges(g)), default=str))


def _browser():
    playwright = pytest.importorskip("playwright.sync_api")
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.skip("no chromium")
    return playwright, chromium


def test_html_in_a_browser(corpus_graph, tmp_path):
    playwright, chromium = _browser()
    g = corpus_graph.copy()
    evil = _evil_graph()
    g.add_nodes_from(evil.nodes(data=True))
    g.add_edges_from(evil.edges(keys=True, data=True))
    paths = write_outputs(g, tmp_path)
    requests, errors = [], []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1400, "height": 850})
        page.on("request", lambda r: requests.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("dialog", lambda d: (errors.append("dialog " + d.message), d.dismiss()))
        page.goto(Path(paths["diffusion.html"]).as_uri())
        assert page.evaluate(f"window.kgDiffusion.select({json.dumps(PROGRAM)})")
        assert page.locator("#pname").text_content() == PROGRAM
        assert page.locator("#map circle.hit").count() >= 8
        assert page.locator("#timeline circle.hit").count() >= 8
        assert page.locator("#curve #cumulative").count() == 1
        assert page.locator("#map path.hit").count() >= 5  # spread edges, clickable
        page.locator("#timeline circle.hit").first.click()
        assert "仰山村" in page.locator("#panel").text_content() and "首创" in page.locator("#panel").text_content()
        page.locator("#map path.hit").first.dispatch_event("click")
        assert "→" in page.locator("#panel h3").text_content()
        page.screenshot(path=str(tmp_path / "diffusion.png"))
        assert page.evaluate(f"window.kgDiffusion.select({json.dumps(EVIL)})")
        page.locator("#timeline circle.hit").first.click()
        assert EVIL in page.locator("#panel").text_content()
        assert page.locator("#panel img, #panel script").count() == 0
        browser.close()
    assert not errors, errors
    assert all(u.startswith(("file:", "data:", "about:")) for u in requests), requests


# ---------------------------------------------------------------- the notebook

def test_notebook_runs():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()
    outputs = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "adoptions.csv" in outputs and "博士村长" in outputs

"""graph.html in a real browser: headless Chromium (Debian's ``chromium``) driven by playwright.

On the seed graph: no console error, no request, every entity drawn, search (names and aliases),
evidence on click, type / relation / program / year filters. A corpus whose names, aliases,
evidence and file names are HTML/JS payloads shows them as text and runs nothing. A graph above
the display limit opens with a subset and says so.

The page forbids eval through its Content-Security-Policy, so waiting is done by polling
``page.evaluate`` from Python (playwright's ``wait_for_function`` evaluates strings in the page).
Set KG_SCREENSHOT=path.png to keep a screenshot of the seed graph.
"""
from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from kg import viz
from kg.extract import extract_file
from kg.graph import STRUCTURE_NODES, build_graph, relation_edges

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
REMOTE = re.compile(r"""(?:\b(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//"""
                    r"""|url\(\s*["']?\s*(?:https?:)?//"""
                    r"""|@import\s+(?:url\()?\s*["']?\s*(?:https?:)?//"""
                    r"""|\bimport\s*\(?\s*["'](?:https?:)?//"""
                    r"""|\bfrom\s+["'](?:https?:)?//"""
                    r"""|\b(?:fetch|importScripts|XMLHttpRequest\(\)\.open)\s*\(\s*["']?(?:[A-Z]+["']\s*,\s*["'])?https?://"""
                    r"""|new\s+(?:WebSocket|EventSource|Worker)\s*\(\s*["'](?:https?|wss?):)""", re.I)

XSS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"']
FLAG = "<img src=x onerror=window.kgPwned=1>"


# ---------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def seed_graph(seed_records):
    return build_graph([rec for _, rec in seed_records.values()])


@pytest.fixture(scope="module")
def seed_html(seed_graph, tmp_path_factory):
    path = tmp_path_factory.mktemp("viewer") / "graph.html"
    viz.write_html(seed_graph, path, title="kg: seeds")
    return path


def _entity(eid, typ, name, sentence, aliases=(), **attrs):
    return {"id": eid, "type": typ, "name": name, "aliases": list(aliases), "attrs": attrs,
            "mentions": [{"start": 0, "end": len(name), "text": name, "sentence": sentence, "source": "test"}]}


def injection_records(tmp_path):
    """Extraction records whose every string a researcher could see carries a payload: a real file
    with a payload name (extracted by kg), plus records with payload names, aliases, evidence,
    document names and relation attributes."""
    doc_file = tmp_path / ('<img src=x onerror=alert(1)>".txt')
    doc_file.write_text("2021年，浙江省安吉县推行“积分制”。<script>alert(1)</script>安吉县“积分制”经验"
                        "<img src=x onerror=alert(1)>推广到婺源县。\n", encoding="utf-8")
    records = [extract_file(doc_file)]
    place, prog, org = XSS[0] + "村", XSS[1] + '"模式', '理事会" onmouseover="alert(1)'
    s1 = f"2022年，{place}推行“{prog}”，{FLAG}成立{org}。"
    s2 = f"{XSS[0]}{place}的“{prog}”经验传到{XSS[1]}县{FLAG}。"
    records.append({
        "doc": "<script>alert(1)</script>.txt", "kg_version": "test", "encoding": "utf-8",
        "articles": [{"title": XSS[0], "byline": XSS[1], "year": 2022, "start": 0, "end": 100}],
        "entities": [
            _entity("P1", "Place", place, s1, aliases=[FLAG], level="village", parent=XSS[1] + "县"),
            _entity("P2", "Place", XSS[1] + "县", s2, level="county"),
            _entity("G1", "Program", prog, s1, aliases=['"><svg onload=alert(1)>']),
            _entity("O1", "Organization", org, s1, kind="association"),
            _entity("H1", "Person", XSS[0] + "王", s1, roles=[XSS[1]]),
        ],
        "relations": [
            {"source": "P1", "target": "G1", "type": "adopts",
             "attrs": {"year": 2022, "year_source": "sentence", "event": XSS[0], "cue": XSS[1]},
             "evidence": [{"sentence": s1, "start": 0, "end": len(s1), "rule": XSS[1]}]},
            {"source": "P1", "target": "P2", "type": "spreads_to", "attrs": {"program": prog, "cue": '"'},
             "evidence": [{"sentence": s2, "start": 0, "end": len(s2), "rule": "learns"}]},
            {"source": "H1", "target": "O1", "type": "holds_role", "attrs": {"role": XSS[1]},
             "evidence": [{"sentence": s1, "start": 0, "end": len(s1), "rule": FLAG}]},
        ]})
    return records


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (Debian: apt install chromium fonts-noto-cjk)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need the playwright package")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Page:
    """A page with its console errors, page errors, dialogs and network requests recorded."""

    def __init__(self, browser, path, **context):
        self.context = browser.new_context(viewport={"width": 1400, "height": 900}, **context)
        self.page = self.context.new_page()
        self.errors, self.dialogs, self.requests = [], [], []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("request", lambda r: None if r.url.startswith(("file:", "data:", "about:", "blob:"))
                     else self.requests.append(r.url))
        self.page.goto(Path(path).as_uri())
        self.wait("window.kgDrawn")

    def js(self, expression, arg=None):
        return self.page.evaluate(expression, arg)

    def wait(self, expression, timeout=20.0):
        end = time.monotonic() + timeout
        while True:
            value = self.js(expression)
            if value not in (None, False, 0, ""):
                return value
            if time.monotonic() > end:
                raise AssertionError(f"timed out waiting for {expression}")
            time.sleep(0.03)

    def drawn(self):
        """Nodes and edges vis-network holds (the DataViews feed it only what the filters let through)."""
        return self.js("[kg.network.body.nodeIndices.length, kg.network.body.edgeIndices.length]")

    def panel(self):
        return self.page.inner_text("#panel")

    def close(self):
        self.context.close()


@pytest.fixture()
def seed_page(browser, seed_html):
    page = Page(browser, seed_html)
    yield page
    assert not page.requests, page.requests
    page.close()


def _index(graph):
    ids = [n for n, d in graph.nodes(data=True) if d.get("type") not in STRUCTURE_NODES]
    return ids, {n: i for i, n in enumerate(ids)}


# ---------------------------------------------------------------- static page

def test_page_is_self_contained_and_offline(seed_html):
    html = seed_html.read_text(encoding="utf-8")
    assert "vis.Network" in html and "new vis.DataView" in html
    hits = [m.group(0) for m in REMOTE.finditer(html)]
    assert not hits, hits
    assert "<link" not in html and not re.search(r"<script[^>]*\bsrc=", html)
    assert "Content-Security-Policy" in html and "default-src 'none'" in html


def test_untrusted_strings_are_escaped_json(tmp_path):
    g = build_graph(injection_records(tmp_path))
    html = viz.render_html(g, title=XSS[0] + " title")
    for payload in XSS[:2] + [FLAG, "<svg"]:
        assert payload not in html
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in html
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt; title</title>" in html
    body = html.split("<body>", 1)[1]
    assert len(re.findall(r"^<script\b", body, re.M)) == 6  # four JSON blocks, vis-network, the viewer
    assert "innerHTML" not in (viz.TEMPLATES / "viewer.js").read_text(encoding="utf-8")


def test_page_data_matches_the_graph(seed_graph):
    data = viz.page_data(seed_graph)
    ids, _ = _index(seed_graph)
    rels = list(relation_edges(seed_graph))
    assert len(data["nodes"]["label"]) == len(ids) == data["meta"]["total"]
    assert len(data["edges"]["from"]) == len(rels) == len(data["details"]["edges"])
    assert sum(t["count"] for t in data["meta"]["types"]) == len(ids)
    assert not data["meta"]["limited"] and all(data["nodes"]["top"])
    xs, ys = data["nodes"]["x"], data["nodes"]["y"]
    assert len(set(zip(xs, ys))) == len(ids)  # every entity has a place of its own


# ---------------------------------------------------------------- seed graph in the browser

def test_seed_graph_draws_every_entity_without_errors(seed_page, seed_graph):
    ids, _ = _index(seed_graph)
    assert seed_page.drawn() == [len(ids), len(list(relation_edges(seed_graph)))]
    assert seed_page.js("kg.network.getScale()") > 0
    assert f"{len(ids):,} / {len(ids):,}" in seed_page.page.inner_text("#stats")
    # the canvas really has ink on it
    assert seed_page.js("""(() => { const c = document.querySelector('#graph canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let ink = 0;
        for (let i = 0; i < d.length; i += 16) if (d[i] < 200) ink++; return ink; })()""") > 500
    if os.environ.get("KG_SCREENSHOT"):
        seed_page.page.screenshot(path=os.environ["KG_SCREENSHOT"])
    assert not seed_page.errors, seed_page.errors
    assert not seed_page.dialogs


def test_search_focuses_program_and_click_shows_evidence(seed_page, seed_graph):
    ids, index = _index(seed_graph)
    target = index["program:博士村长"]
    page = seed_page.page
    page.fill("#search", "博士村长")
    page.wait_for_selector("#results li")
    assert "博士村长" in page.inner_text("#results li >> nth=0")
    page.press("#search", "Enter")
    seed_page.wait("kg.state.focus >= 0")
    assert seed_page.js("kg.network.getSelectedNodes()") == [target]
    # neighbourhood highlighted: every neighbour bright, others dimmed
    neighbours = {index[v] for _, v, _ in seed_graph.out_edges("program:博士村长", keys=True) if v in index} | \
                 {index[u] for u, _, k in seed_graph.in_edges("program:博士村长", keys=True) if u in index}
    opacities = seed_page.js("kg.nodes.get().map(n => n.opacity === undefined ? 1 : n.opacity)")
    assert all(opacities[i] == 1 for i in neighbours | {target})
    assert sum(o < 1 for o in opacities) == len(ids) - len(neighbours | {target})
    # a real click on the node opens its evidence
    seed_page.js("document.getElementById('panel').replaceChildren()")
    x, y = seed_page.js("""(i) => { const p = kg.network.canvasToDOM(kg.network.getPosition(i));
        const r = document.getElementById('graph').getBoundingClientRect(); return [r.left + p.x, r.top + p.y]; }""",
                        target)
    page.mouse.click(x, y)
    seed_page.wait("document.querySelector('#panel .ev mark') !== null")
    text = seed_page.panel()
    assert "博士村长" in page.inner_text("#panel h3") and "证据" in text
    marks = seed_page.js("[...document.querySelectorAll('#panel .ev mark')].map(m => m.textContent)")
    assert marks and all("博士村长" in m for m in marks)
    assert seed_graph.nodes["program:博士村长"]["docs"][0] in text
    # the evidence of one of its relations, from the panel
    page.click("#panel li button.link:has-text('证据') >> nth=0")
    seed_page.wait("!document.querySelector('#panel h3 .kind').textContent.includes('Program')")
    assert seed_page.js("document.querySelectorAll('#panel .ev').length") >= 1
    assert "→" in seed_page.panel()
    assert not seed_page.errors, seed_page.errors


def test_search_matches_aliases(seed_page, seed_graph):
    ids, index = _index(seed_graph)
    node, alias = next((n, a) for n in ids for a in seed_graph.nodes[n].get("aliases") or []
                       if a and a not in seed_graph.nodes[n]["name"] and len(a) >= 2)
    found = seed_page.js("(q) => kg.find(q).map(h => h[3])", alias)
    assert index[node] in found
    seed_page.page.fill("#search", alias)
    seed_page.page.wait_for_selector("#results li")
    assert "别名" in seed_page.page.inner_text("#results")


def test_type_and_relation_filters(seed_page, seed_graph):
    ids, _ = _index(seed_graph)
    rels = list(relation_edges(seed_graph))
    orgs = {n for n in ids if seed_graph.nodes[n]["type"] == "Organization"}
    org_edges = sum(1 for u, v, _, _ in rels if u in orgs or v in orgs)
    page = seed_page.page
    page.click("input[data-type=Organization]")
    seed_page.wait(f"kg.network.body.nodeIndices.length === {len(ids) - len(orgs)}")
    assert seed_page.drawn() == [len(ids) - len(orgs), len(rels) - org_edges]
    page.click("input[data-type=Organization]")
    seed_page.wait(f"kg.network.body.nodeIndices.length === {len(ids)}")
    adopts = sum(1 for r in rels if r[2] == "adopts")
    page.click("input[data-relation=adopts]")
    seed_page.wait(f"kg.network.body.edgeIndices.length === {len(rels) - adopts}")
    assert seed_page.drawn()[0] == len(ids)  # a relation filter hides edges, not entities
    assert not seed_page.errors, seed_page.errors


def test_program_filter_shows_one_models_spread(seed_page, seed_graph):
    ids, index = _index(seed_graph)
    p = "program:博士村长"
    adopters = {index[u] for u, _, k in seed_graph.in_edges(p, keys=True) if k == "adopts"}
    spread = {(index[u], index[v]) for u, v, k, d in relation_edges(seed_graph, "spreads_to") if d.get("program") == "博士村长"}
    seed_page.page.select_option("#program", str(index[p]))
    seed_page.wait("kg.state.program >= 0")
    shown = set(seed_page.js("kg.nodesView.getIds()"))
    assert {index[p]} | adopters <= shown
    assert all(u in shown and v in shown for u, v in spread)
    assert len(shown) < len(ids)
    edges = seed_page.js("""kg.edgesView.getIds().map(e => [kg.meta.relations[kg.data.edges.rel[e]].name,
        kg.meta.strings[kg.data.edges.program[e]] || null])""")
    assert any(rel == "adopts" for rel, _ in edges)
    names = {seed_graph.nodes[n]["name"] for n in ids if seed_graph.nodes[n].get("family") == "博士村长"}
    names |= {a for n in ids if seed_graph.nodes[n].get("family") == "博士村长" for a in seed_graph.nodes[n]["aliases"]}
    assert all(prog in names for rel, prog in edges if rel == "spreads_to")
    seed_page.page.select_option("#program", "")
    seed_page.wait(f"kg.network.body.nodeIndices.length === {len(ids)}")


def test_year_slider_and_play(seed_page, seed_graph):
    rels = list(relation_edges(seed_graph))
    years = sorted({d["year"] for *_, d in rels if isinstance(d.get("year"), int)})
    assert years, "the seed graph has dated relations"
    y = years[len(years) // 2]
    page = seed_page.page
    page.uncheck("#undated")
    page.eval_on_selector("#year", "(el, y) => { el.value = y; el.dispatchEvent(new Event('input')); }", y)
    seed_page.wait("kg.state.year !== null")
    expected = sum(1 for *_, d in rels if isinstance(d.get("year"), int) and d["year"] <= y)
    assert seed_page.drawn()[1] == expected
    assert seed_page.js("kg.edgesView.get().length") == expected
    assert f"≤ {y}" in page.inner_text("#yearlabel")
    page.click("#play")  # plays on from the next year, one year a tick
    seed_page.wait(f"kg.state.year === null || kg.state.year === {y + 1}")
    seed_page.wait(f"kg.state.year === null || kg.state.year >= {y + 2}", timeout=5)
    page.click("#reset")
    seed_page.wait(f"kg.network.body.edgeIndices.length === {len(rels)}")
    assert not seed_page.errors, seed_page.errors


# ---------------------------------------------------------------- untrusted text

@pytest.mark.parametrize("csp", [True, False], ids=["with-csp", "csp-bypassed"])
def test_injection_corpus_executes_nothing(browser, tmp_path, csp):
    """With the page's CSP, and without it (so the JSON/textContent discipline alone is tested)."""
    g = build_graph(injection_records(tmp_path))
    path = tmp_path / "graph.html"
    viz.write_html(g, path, title=XSS[0] + XSS[1] + '"')
    page = Page(browser, path, bypass_csp=not csp)
    try:
        ids, index = _index(g)
        assert page.drawn()[0] == len(ids)
        assert page.js("document.title") == XSS[0] + XSS[1] + '"'
        assert page.page.inner_text("#title") == XSS[0] + XSS[1] + '"'
        # every node's panel, every edge's panel, the hover tip and the search list
        for i in range(len(ids)):
            page.js("(i) => kg.focusNode(i)", i)
            text = page.panel()
            assert g.nodes[ids[i]]["name"] in text
        place = index[next(n for n in ids if g.nodes[n]["name"] == XSS[0] + "村")]
        page.js("(i) => kg.focusNode(i)", place)
        text = page.panel()
        assert FLAG in text and "<script>alert(1)</script>.txt" in text
        for e in range(len(list(relation_edges(g)))):
            page.js("(e) => kg.showEdge(e)", e)
            assert "—" in page.panel()
        page.page.fill("#search", "<img")
        page.page.wait_for_selector("#results li")
        assert XSS[1] in page.page.inner_text("#results")
        page.page.fill("#search", "")
        page.js("(i) => kg.focusNode(i)", place)
        x, y = page.js("""(i) => { const p = kg.network.canvasToDOM(kg.network.getPosition(i));
            const r = document.getElementById('graph').getBoundingClientRect(); return [r.left + p.x, r.top + p.y]; }""",
                       place)
        page.page.mouse.move(x, y)
        page.wait("!document.getElementById('tip').hidden")
        assert FLAG in page.page.inner_text("#tip")
        page.page.mouse.click(x, y)
        page.page.wait_for_timeout(200)
        assert page.js("window.kgPwned") is None
        assert page.js("document.querySelectorAll('img, svg, iframe, object, embed').length") == 0
        assert page.js("document.querySelectorAll('script').length") == 6
        assert not page.dialogs, page.dialogs
        assert not page.requests, page.requests
        assert not page.errors, page.errors
    finally:
        page.close()


# ---------------------------------------------------------------- large graphs

def test_large_graph_opens_with_a_subset_and_says_so(browser, seed_graph, tmp_path, monkeypatch):
    monkeypatch.setattr(viz, "MAX_SHOWN", 150)
    path = tmp_path / "graph.html"
    viz.write_html(seed_graph, path, title="large")
    ids, index = _index(seed_graph)
    page = Page(browser, path)
    try:
        assert page.drawn()[0] == 150
        notice = page.page.inner_text("#notice")
        assert "150" in notice and f"{len(ids):,}" in notice
        data = viz.page_data(seed_graph)
        hidden = next(i for i, top in enumerate(data["nodes"]["top"]) if not top)
        page.js("(i) => kg.focusNode(i)", hidden)  # search reaches entities outside the default subset
        assert hidden in page.js("kg.nodesView.getIds()")
        page.page.click("#showall")
        page.wait(f"kg.network.body.nodeIndices.length === {len(ids)}")
        assert not page.errors, page.errors
    finally:
        page.close()


def test_page_carries_at_most_the_most_connected_entities():
    import networkx as nx
    g = nx.MultiDiGraph()
    for i in range(30):
        g.add_node(f"place:{i}", type="Place", name=f"村{i}", mentions=1)
    for i in range(1, 10):
        g.add_edge(f"place:{i}", "place:0", key="located_in", type="located_in", docs=["a"], weight=1)
    sub, total = viz.page_graph(g, limit=10)
    assert total == 30 and sub.number_of_nodes() == 10
    assert set(sub.nodes) == {f"place:{i}" for i in range(10)}
    assert viz.page_graph(g, limit=50)[0] is g

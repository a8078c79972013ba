"""Benchmark the HTML viewer: for generated graphs of 1,000, 5,000 and 20,000 entities, the time to
render the page in Python, its size, and the time from navigation until vis-network has drawn the
graph in headless Chromium (the page sets ``window.kgDrawn`` to ``performance.now()`` on its first
``afterDrawing`` after the data is loaded and fitted).

    python bench/bench_viewer.py                 # 1000 5000 20000
    python bench/bench_viewer.py 5000 --runs 3   # best of 3 page loads

The graphs follow the schema of ``kg.graph.build_graph``: real gazetteer places (with lon/lat)
plus generated towns and villages, programs with a skewed popularity, organisations, people and
industries, relations with years and evidence sentences, and Document nodes.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

_SYL = "安宁和平兴华东西南北新民富强永乐长青阳光明春秋山水河湖田园桥溪石岭金银龙凤云海"
_PROGRAMS = ["积分制", "博士村长", "院士村长", "产业链党建", "清单制", "村民说事", "三治融合", "网格化管理",
             "党建联盟", "乡村振兴合伙人", "强村公司", "飞地经济", "共富工坊", "红色物业", "数字乡村"]
_INDUSTRIES = ["荔枝", "芒果", "茶叶", "白茶", "花卉苗木", "水稻", "生猪", "蜜柚", "香蕉", "咖啡", "橡胶", "椰子",
               "乡村旅游", "民宿", "电商", "中药材", "食用菌", "辣椒", "火龙果", "槟榔"]
_ORG_HEADS = ["党委", "党支部", "党总支", "合作社", "研究院", "公司", "协会", "产业链党委", "联合党委", "工作队"]
_ROLES = ["党支部书记", "村长", "第一书记", "理事长", "主任", "博士村长"]


def _gazetteer():
    import kg
    path = Path(kg.__file__).resolve().parent / "data" / "places.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _name(rng, k):
    return "".join(rng.choice(_SYL) for _ in range(k))


def generate_graph(n, seed=0, docs=None):
    """A MultiDiGraph of about ``n`` entities with the attributes ``build_graph`` produces."""
    rng = random.Random(seed)
    g = nx.MultiDiGraph(kg_version="bench")
    docs = docs or max(5, n // 20)
    doc_names = [f"report_{i:05d}.txt" for i in range(docs)]
    gaz = _gazetteer()
    by_code = {p["code"]: p for p in gaz}

    def sentence(*names):
        parts = [f"{rng.randint(2010, 2024)}年，"] + [f"{nm}{rng.choice(['推行', '学习', '建立', '联合', '发展'])}" for nm in names]
        return "".join(parts) + "，取得" + _name(rng, 2) + "成效。"

    def add(key, typ, name, **attrs):
        if key in g:
            return key
        ds = rng.sample(doc_names, k=min(len(doc_names), rng.choice([1, 1, 1, 2, 3])))
        ev = []
        for d in ds[:2]:
            s = sentence(name)
            ev.append({"doc": d, "sentence": s, "text": name, "start": 0, "end": len(name)})
        g.add_node(key, type=typ, name=name, aliases=[name[:-1]] if len(name) > 3 and rng.random() < 0.3 else [],
                   mentions=rng.choice([1, 1, 2, 3, 5, 8, 20]), docs=sorted(ds), evidence=ev, **attrs)
        return key

    def rel(u, v, typ, year=None, **attrs):
        if u == v or g.has_edge(u, v, typ):
            return
        d = rng.choice(doc_names)
        s = sentence(g.nodes[u]["name"], g.nodes[v]["name"])
        g.add_edge(u, v, key=typ, type=typ, docs=[d], weight=1, year=year,
                   year_source="sentence" if year else None,
                   evidence=[{"doc": d, "sentence": s, "start": 0, "end": len(s), "rule": "bench"}], **attrs)

    # places: about 35% of the graph; gazetteer counties with coordinates, plus towns and villages
    n_places = int(n * 0.35)
    provinces = [p for p in gaz if p["level"] == "province"]
    counties = [p for p in gaz if p["level"] == "county"]
    chosen = rng.sample(counties, k=min(len(counties), max(10, n_places // 4)))
    places = []
    for c in chosen:
        chain = [c]
        while chain[-1].get("parent") and chain[-1]["parent"] in by_code:
            chain.append(by_code[chain[-1]["parent"]])
        prev = None
        for p in reversed(chain):
            key = add(f"place:{p['code']}", "Place", p["name"], level=p["level"], admin_code=p["code"],
                      province=p.get("province"), lon=p.get("lon"), lat=p.get("lat"),
                      parent=by_code[p["parent"]]["name"] if p.get("parent") in by_code else None)
            if prev:
                rel(key, prev, "located_in")
            prev = key
        places.append(prev)
    counties_keys = list(places)
    while len(places) < n_places:
        parent = rng.choice(places if rng.random() < 0.5 else counties_keys)
        level = "village" if g.nodes[parent]["level"] in ("town", "village") else rng.choice(["town", "village"])
        nm = _name(rng, 2) + ("镇" if level == "town" else "村")
        key = add(f"place:{nm}@{g.nodes[parent]['name']}", "Place", nm, level=level, parent=g.nodes[parent]["name"],
                  province=g.nodes[parent].get("province"))
        rel(key, parent, "located_in")
        places.append(key)
    places = [p for p in g if p.startswith("place:")]
    # programs: 8%, popularity Zipf-like
    programs = []
    for i in range(int(n * 0.08)):
        base = _PROGRAMS[i % len(_PROGRAMS)]
        nm = base if i < len(_PROGRAMS) else f"{_name(rng, 2)}{base}"
        programs.append(add(f"program:{nm}", "Program", nm, family=base))
    weights = [1 / (i + 1) ** 0.9 for i in range(len(programs))]
    industries = [add(f"industry:{nm}", "Industry", nm) for nm in
                  (_INDUSTRIES + [_name(rng, 2) + rng.choice(["茶", "果", "米", "菇"]) for _ in range(int(n * 0.05))])[:max(5, int(n * 0.05))]]
    orgs = []
    for i in range(int(n * 0.35)):
        place = rng.choice(places)
        nm = g.nodes[place]["name"] + rng.choice(_ORG_HEADS) + (str(i) if rng.random() < 0.2 else "")
        key = add(f"org:{nm}", "Organization", nm, kind=rng.choice(["party", "cooperative", "company", "institute"]))
        rel(key, place, "located_in")
        if rng.random() < 0.4:
            rel(place, key, "establishes", year=rng.choice([None, rng.randint(2012, 2024)]))
        if rng.random() < 0.3:
            rel(key, rng.choice(industries), "focuses_on")
        if orgs and rng.random() < 0.15:
            rel(key, rng.choice(orgs), rng.choice(["partners_with", "affiliated_with"]))
        orgs.append(key)
    people = []
    while len(g) < n:
        nm = rng.choice("王李张刘陈杨黄赵吴周") + _name(rng, 2)
        key = add(f"person:{nm}#{len(people)}", "Person", nm, roles=[rng.choice(_ROLES)])
        org = rng.choice(orgs)
        rel(key, org, "holds_role", role=g.nodes[key]["roles"][0])
        people.append(key)
    # adoption and spread
    for p in places:
        if rng.random() < 0.6:
            for prog in set(rng.choices(programs, weights=weights, k=rng.choice([1, 1, 2, 3]))):
                rel(p, prog, "adopts", year=rng.choice([None, rng.randint(2010, 2024), rng.randint(2015, 2024)]),
                    event=rng.choice([None, "推广", "学习借鉴", "试点"]))
        if rng.random() < 0.05:
            rel(rng.choice(places), p, "spreads_to", year=rng.choice([None, rng.randint(2012, 2024)]),
                program=g.nodes[rng.choices(programs, weights=weights)[0]]["name"], cue="学习借鉴")
    for a, b in zip(programs[len(_PROGRAMS):], programs):
        if rng.random() < 0.1:
            rel(a, b, "evolves_into")
    for d in doc_names:
        g.add_node(f"doc:{d}", type="Document", name=d, articles=[], year=None, docs=[d])
    return g


def wait_for(page, expression, timeout=30.0):
    """Poll ``expression`` until it is not undefined/null. (Playwright's wait_for_function evaluates
    strings inside the page, which the viewer's Content-Security-Policy forbids.)"""
    end = time.monotonic() + timeout
    while True:
        value = page.evaluate(expression)
        if value is not None:
            return value
        if time.monotonic() > end:
            raise TimeoutError(f"{expression} still unset after {timeout} s")
        time.sleep(0.02)


def measure(html_path, runs=1, browser=None):
    """Best time (ms) from navigation until the graph is drawn, and the number of nodes drawn."""
    best = None
    for _ in range(runs):
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(Path(html_path).as_uri(), wait_until="commit")
        drawn = wait_for(page, "window.kgDrawn", timeout=120)
        nodes = page.evaluate("window.kg.network.body.nodeIndices.length")
        page.close()
        if errors:
            raise RuntimeError(errors)
        best = (drawn, nodes) if best is None or drawn < best[0] else best
    return best


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sizes", nargs="*", type=int, default=[1000, 5000, 20000])
    ap.add_argument("--runs", type=int, default=1, help="page loads per size (best is reported)")
    ap.add_argument("--keep", help="folder to keep the generated pages in")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from kg import viz

    out = Path(args.keep or tempfile.mkdtemp(prefix="kg-bench-"))
    out.mkdir(parents=True, exist_ok=True)
    print(f"{'entities':>8} {'edges':>7} {'layout+render s':>15} {'html MB':>8} {'drawn nodes':>11} {'navigation→drawn ms':>20}")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for n in args.sizes:
            g = generate_graph(n)
            ents = sum(1 for _, d in g.nodes(data=True) if d["type"] != "Document")
            rels = sum(1 for _, _, k in g.edges(keys=True) if k != "mentioned_in")
            t0 = time.perf_counter()
            path = out / f"graph_{n}.html"
            viz.write_html(g, path, title=f"bench {n}")
            render_s = time.perf_counter() - t0
            drawn, nodes = measure(path, runs=args.runs, browser=browser)
            print(f"{ents:>8} {rels:>7} {render_s:>15.2f} {path.stat().st_size / 1e6:>8.2f} {nodes:>11} {drawn:>20.0f}",
                  flush=True)
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

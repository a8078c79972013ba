"""Incremental builds: a rebuild after changing, adding and removing files writes exactly the files a
build from scratch writes, while computing only what changed; a damaged output is rewritten."""
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

from kg.build import build
from kg.incremental import INDEX

ROOT = Path(__file__).resolve().parent.parent
FILES = ("graph.json", "graph.graphml", "graph.gexf", "entities.csv", "relations.csv", "merges.csv")

CORPUS = {
    "01.txt": "2018年，福建省南平市光泽县推行“田园夜话”工作法，由县委组织部统筹，寨里镇文昌村党支部书记陈国平牵头。"
              "文昌村成立稻米专业合作社，发展有机稻米产业。\n",
    "02.txt": "2020年，江西省抚州市资溪县学习借鉴光泽县“田园夜话”经验，在全县推广。资溪县成立白茶产业链党委。\n",
    "03.txt": "2021年，福建省三明市将乐县推行“田园夜话”工作法，万全乡党委书记林秀英表示，要把群众的话听进去。"
              "将乐县与福建农林大学签订合作协议，共建竹产业研究院。\n",
    "04.txt": "2019年，浙江省丽水市遂昌县推出“红色代办”机制，由妙高街道党工委牵头，遂昌县茶叶产业党建联盟成立。\n",
    "05.txt": "2022年，湖南省怀化市沅陵县借鉴遂昌县“红色代办”机制，在全县推广，官庄镇发展黄金茶产业。\n",
    "07.txt": "2017年，甘肃省定西市安定区实施“马铃薯书记”工程，香泉镇成立马铃薯产业联合党委。\n",
    "08.txt": "2020年，黑龙江省绥化市海伦市推行“黑土保护”积分制，海北镇党委书记赵立新牵头。\n",
    "09.txt": "2019年，云南省普洱市孟连县建立“咖啡党建联盟”，与云南农业大学合作发展咖啡产业。\n",
}
CHANGED = {"03.txt": "2021年，福建省三明市将乐县推行“田园夜话”工作法，由县委组织部牵头，高唐镇推广。\n"}
ADDED = {"06.txt": "2023年，四川省成都市蒲江县学习借鉴资溪县“田园夜话”经验，鹤山街道发展柑橘产业。\n"}
REMOVED = ("05.txt",)


def _write(folder, files):
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


def _page_positions(out):
    html = (out / "graph.html").read_text(encoding="utf-8")
    nodes = json.loads(re.search(r'id="kg-nodes">(.*?)</script>', html, re.S).group(1))
    details = json.loads(re.search(r'id="kg-details">(.*?)</script>', html, re.S).group(1))
    return {d["id"]: (x, y) for d, x, y in zip(details["nodes"], nodes["x"], nodes["y"])}


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory):
    root = tmp_path_factory.mktemp("incremental")
    src, out = root / "in", root / "out"
    _write(src, CORPUS)
    first = build([src], out, jobs=1)
    _write(src, {**CHANGED, **ADDED})
    for name in REMOVED:
        (src / name).unlink()
    again = build([src], out, jobs=1)
    fresh = build([src], root / "fresh", jobs=1)
    return root, first, again, fresh


def test_rebuild_writes_what_a_fresh_build_writes(rebuilt):
    root, _, again, fresh = rebuilt
    for name in FILES:
        assert (root / "out" / name).read_bytes() == (root / "fresh" / name).read_bytes(), name
    assert again.stats["extracted"] == 2 and again.stats["removed"] == 1
    g = again.graph
    assert nx.utils.graphs_equal(g, fresh.graph)
    names = {d.get("name") for _, d in g.nodes(data=True)}
    assert "蒲江县" in names and "沅陵县" not in names  # added and removed documents


def test_rebuild_computes_only_what_changed(rebuilt):
    _, first, again, _ = rebuilt
    assert first.stats["elements_computed"] == first.stats["elements"]
    assert 0 < again.stats["elements_computed"] < again.stats["elements"] / 2
    assert again.stats["full_records_read"] < again.stats["documents"]


def test_rebuild_keeps_the_page_layout(rebuilt, tmp_path):
    root, _, _, _ = rebuilt
    src, out = tmp_path / "in", tmp_path / "out"
    shutil.copytree(root / "in", src)
    shutil.copytree(root / "out", out)
    before = _page_positions(out)
    _write(src, {"10.txt": "2024年，资溪县高阜镇推行“田园夜话”工作法。\n"})
    build([src], out, jobs=1)
    after = _page_positions(out)
    assert set(before) < set(after)
    assert all(before[n] == after[n] for n in before)
    new = [n for n in after if n not in before]
    assert any(n.startswith("place:高阜镇") for n in new)  # placed beside its neighbours


def test_a_damaged_output_is_rewritten(rebuilt, tmp_path):
    root, _, _, _ = rebuilt
    out = tmp_path / "out"
    shutil.copytree(root / "out", out)
    with open(out / "graph.gexf", "ab") as f:
        f.write(b"<!-- edited -->")
    result = build([root / "in"], out, jobs=1)
    assert result.stats["elements_computed"] == result.stats["elements"]
    for name in FILES:
        assert (out / name).read_bytes() == (root / "fresh" / name).read_bytes(), name
    (out / INDEX).write_bytes(b"not an index")
    assert build([root / "in"], out, jobs=1).stats["elements_computed"] == result.stats["elements"]


def test_a_rebuild_in_another_process_copies_everything(rebuilt, tmp_path):
    root = rebuilt[0]
    out = tmp_path / "out"
    shutil.copytree(root / "fresh", out)
    code = "import json, sys; from kg.build import build; print(json.dumps(build([sys.argv[1]], sys.argv[2]).stats))"
    env = dict(os.environ, PYTHONHASHSEED="12345")  # fingerprints must not depend on string hashing
    proc = subprocess.run([sys.executable, "-c", code, str(root / "in"), str(out)], capture_output=True, text=True,
                          env=env, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    stats = json.loads(proc.stdout.strip().splitlines()[-1])
    assert stats["extracted"] == 0 and stats["elements_computed"] == 0
    for name in FILES:
        assert (out / name).read_bytes() == (root / "fresh" / name).read_bytes(), name


# ---------------------------------------------------------------- random changes to made-up records

SENTENCES = ["城西村推行积分制。", "林海介绍了经验。", "村里发展茶叶。", "县里成立产业链党委。", "合作社带动农户增收。"]
PLACES = [("Place", "海口市", {"level": "city", "admin_code": "460100"}),
          ("Place", "海口", {"level": "city", "admin_code": "460100"}),  # same code, another name
          ("Place", "城西村", {"level": "village", "parent": "崖州区"}),
          ("Place", "城西村", {"level": "village", "parent": "琼山区"}),
          ("Place", "城西村", {"level": "village", "parent": None}),  # joins the only 城西村 with a parent
          ("Place", "高阜村", {"level": "village", "parent": "安吉县"}),
          ("Place", "高阜村", {"level": "village", "parent": None})]
OTHERS = [("Organization", "中共城西村党支部", {"kind": "party"}), ("Organization", "城西村党支部", {"kind": "party"}),
          ("Organization", "白茶产业链党委", {"kind": "party"}), ("Program", "积分制", {"family": "积分制"}),
          ("Industry", "茶叶", {}), ("Person", "林海", {"roles": ["书记"]}), ("Person", "林海", {}),
          ("Person", "王建国", {})]
TYPES = ["located_in", "holds_role", "adopts", "partners_with", "focuses_on"]


def _made_up_record(rng, name):
    """A record with entities whose keys depend on one another across documents (people of one
    name, places without parent, names that merge) and relations between them."""
    chosen, ids = [], set()
    for t, n, attrs in rng.sample(PLACES, rng.randint(1, 3)) + rng.sample(OTHERS, rng.randint(1, 4)):
        if f"{t}:{n}" not in ids:
            ids.add(f"{t}:{n}")
            chosen.append((t, n, attrs))
    text_len = 200
    entities = []
    for t, n, attrs in chosen:
        starts = sorted(rng.sample(range(text_len), rng.randint(1, 3)))
        entities.append({"id": f"{t}:{n}", "type": t, "name": n, "aliases": [n + "们"] if rng.random() < 0.3 else [],
                         "attrs": dict(attrs), "mentions": [
                             {"start": s, "end": s + len(n), "text": n, "sentence": rng.choice(SENTENCES),
                              "source": "test"} for s in starts]})
    relations = []
    for _ in range(rng.randint(0, 5)):
        a, b = rng.sample(entities, 2) if len(entities) > 1 else (entities[0], entities[0])
        rtype = rng.choice(TYPES)
        if any(r["source"] == a["id"] and r["target"] == b["id"] and r["type"] == rtype for r in relations):
            continue
        attrs = {"year": rng.choice([None, 2019, 2021])}
        if attrs["year"]:
            attrs["year_source"] = rng.choice(["sentence", "article"])
        relations.append({"source": a["id"], "target": b["id"], "type": rtype, "attrs": attrs,
                          "evidence": [{"sentence": rng.choice(SENTENCES), "start": s, "end": s + 5, "rule": "test"}
                                       for s in sorted(rng.sample(range(text_len), rng.randint(1, 3)))]})
    articles = [{"title": f"{name} 一", "byline": None, "year": rng.choice([None, 2020]), "start": 0, "end": 100}]
    if rng.random() < 0.5:
        articles.append({"title": None, "byline": "作者", "year": 2021, "start": 100, "end": text_len})
    return {"doc": name, "kg_version": "test", "encoding": "utf-8", "articles": articles,
            "entities": entities, "relations": relations}


def _put(store, record):
    from kg.extract import skeleton
    from kg.store import Key
    text = json.dumps(record, ensure_ascii=False)
    key = Key(hashlib.sha256(text.encode("utf-8")).hexdigest(), False)
    store.put([(key, text, json.dumps(skeleton(record), ensure_ascii=False), None, 1, 0.0)])
    return key


@pytest.mark.parametrize("seed", range(6))
def test_random_changes_rebuild_what_a_fresh_build_writes(tmp_path, seed):
    from kg.graph import build_graph, from_json
    from kg.incremental import Doc, write_outputs
    from kg.store import Store
    rng = random.Random(seed)
    corpus = []  # records, in corpus order
    number = 0
    with Store(tmp_path / "inc" / "kg.sqlite") as store:
        for step in range(14):
            if step == 0:
                for _ in range(6):
                    number += 1
                    corpus.append(_made_up_record(rng, f"{number:03d}.txt"))
            else:
                moved = False
                for _ in range(rng.randint(1, 2)):
                    op = rng.choice(["add", "add", "remove", "change", "change", "move"] if len(corpus) > 2 else ["add"])
                    if op == "add":  # anywhere in corpus order
                        number += 1
                        corpus.insert(rng.randint(0, len(corpus)), _made_up_record(rng, f"{number:03d}.txt"))
                    elif op == "remove":
                        corpus.pop(rng.randrange(len(corpus)))
                    elif op == "move":  # the kept documents in another order: made afresh
                        corpus.insert(rng.randint(0, len(corpus) - 1), corpus.pop(rng.randrange(len(corpus))))
                        moved = True
                    else:
                        i = rng.randrange(len(corpus))
                        corpus[i] = _made_up_record(rng, corpus[i]["doc"])
            docs = [Doc(rec["doc"], _put(store, rec)) for rec in corpus]
            written = write_outputs(docs, store, tmp_path / "inc")
            fresh_out = tmp_path / f"fresh{step}"
            with Store(fresh_out / "kg.sqlite") as fresh_store:
                for rec in corpus:
                    _put(fresh_store, rec)
                fresh = write_outputs(docs, fresh_store, fresh_out)
            for name in FILES:
                assert (tmp_path / "inc" / name).read_bytes() == (fresh_out / name).read_bytes(), (step, name)
            if step and not moved:
                assert written.computed < fresh.computed
            g = from_json((fresh_out / "graph.json").read_text(encoding="utf-8"))
            expected = build_graph(corpus)
            assert nx.utils.graphs_equal(g, expected), step
            shutil.rmtree(fresh_out)


def test_large_files_are_written_by_another_process(rebuilt, tmp_path, monkeypatch):
    import kg.incremental
    monkeypatch.setattr(kg.incremental._Cook, "BIG", 0)
    root = rebuilt[0]
    src, out = tmp_path / "in", tmp_path / "out"
    shutil.copytree(root / "in", src)
    shutil.copytree(root / "out", out)
    _write(src, {"02.txt": CORPUS["02.txt"].replace("白茶", "竹")})
    again = build([src], out, jobs=1)
    fresh = build([src], tmp_path / "fresh", jobs=1)
    assert 0 < again.stats["elements_computed"] < again.stats["elements"]
    for name in FILES:
        assert (out / name).read_bytes() == (tmp_path / "fresh" / name).read_bytes(), name


# ---------------------------------------------------------------- changes whose effect reaches other documents

STEPS = [  # corpus order is by name: b0.txt goes between b.txt and c.txt
    {"a.txt": "海南省三亚市崖州区城西村党支部书记林海介绍，村里推行积分制。\n",
     "b.txt": "城西村党支部书记林海介绍，村里发展茶叶。\n",  # the 城西村 of a.txt, the 林海 of a.txt
     "c.txt": "林海是省农科院的专家，在青山镇指导种植。\n"},  # another 林海: 林海#2
    {"b0.txt": "2020年，高阜村推行积分制，村党支部书记林海牵头。\n"},  # a third 林海 before c.txt's: c's is now #3
    {"d.txt": "海南省海口市琼山区城西村推行积分制。\n"},  # two 城西村 with a parent: b.txt's joins neither
    {"a.txt": None},  # one again (琼山区's), and b.txt's 林海 is the first of his name
]


def test_rebuilds_that_change_keys_in_other_documents(tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    for i, step in enumerate(STEPS):
        for name, text in step.items():
            if text is None:
                (src / name).unlink()
            else:
                (src / name).write_text(text, encoding="utf-8")
        again = build([src], out, jobs=1)
        fresh = build([src], tmp_path / f"fresh{i}", jobs=1)
        for name in FILES:
            assert (out / name).read_bytes() == (tmp_path / f"fresh{i}" / name).read_bytes(), (i, name)
        if i:
            assert again.stats["elements_computed"] < fresh.stats["elements_computed"]
    people = sorted(n for n in again.graph.nodes if n.startswith("person:林海"))
    assert people == ["person:林海#1", "person:林海#2", "person:林海#3"]
    assert "place:城西村@琼山区" in again.graph.nodes and "place:城西村" not in again.graph.nodes


def _record(name, entities, relations=()):
    """A record of ``entities`` (type, name, attrs) and ``relations`` (source index, type, target index)."""
    ents = [{"id": f"{t}:{n}", "type": t, "name": n, "aliases": [], "attrs": attrs,
             "mentions": [{"start": i, "end": i + 1, "text": n, "sentence": f"{n}。", "source": "test"}]}
            for i, (t, n, attrs) in enumerate(entities)]
    rels = [{"source": ents[a]["id"], "target": ents[b]["id"], "type": t, "attrs": {},
             "evidence": [{"sentence": "句子。", "start": 0, "end": 3, "rule": "test"}]} for a, t, b in relations]
    return {"doc": name, "kg_version": "test", "articles": [], "entities": ents, "relations": rels}


def test_removing_the_first_mention_renames_an_entity(tmp_path):
    from kg.graph import from_json
    from kg.incremental import Doc, write_outputs
    from kg.store import Store
    party = ("Organization", "中共城西村党支部", {"kind": "party"})
    docs = [_record("1.txt", [party]),
            _record("2.txt", [("Organization", "城西村党支部", {"kind": "party"}), ("Program", "积分制", {})],
                    [(0, "adopts", 1)])]

    def names(out):
        g = from_json((out / "graph.json").read_text(encoding="utf-8"))
        rows = (out / "relations.csv").read_text(encoding="utf-8")
        return g.nodes["org:城西村党支部"]["name"], "中共城西村党支部" in rows

    with Store(tmp_path / "inc" / "kg.sqlite") as store:
        write_outputs([Doc(r["doc"], _put(store, r)) for r in docs], store, tmp_path / "inc")
        assert names(tmp_path / "inc") == ("中共城西村党支部", True)
        write_outputs([Doc(r["doc"], _put(store, r)) for r in docs[1:]], store, tmp_path / "inc")
    assert names(tmp_path / "inc") == ("城西村党支部", False)
    with Store(tmp_path / "fresh" / "kg.sqlite") as store:
        write_outputs([Doc(r["doc"], _put(store, r)) for r in docs[1:]], store, tmp_path / "fresh")
    for name in FILES:
        assert (tmp_path / "inc" / name).read_bytes() == (tmp_path / "fresh" / name).read_bytes(), name

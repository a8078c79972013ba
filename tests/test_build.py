"""kg build: every output exists, parses with its own library, and is written atomically."""
import csv
import re
import json
import subprocess
import sys

import networkx as nx
import pytest

from kg.build import build
from kg.io import atomic_write

CORPUS = {
    "a.txt": "浙江省湖州市安吉县：积分制激活乡村治理\n\n■中共安吉县委组织部\n\n2019年，安吉县在全县推行“积分制”，"
             "由村党支部书记王建国牵头落实。余村党支部与浙江大学签订合作协议，共建白茶产业。\n",
    "b.txt": "安吉县积分制经验走出浙江\n\n作者：李明\n\n2021年，江西省上饶市婺源县学习借鉴安吉县“积分制”经验，"
             "在全县推广。婺源县成立茶叶产业链党委。\n",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("build")
    src = root / "in"
    src.mkdir()
    for name, text in CORPUS.items():
        (src / name).write_text(text, encoding="utf-8")
    (src / "broken.txt").write_bytes(bytes(range(256)) * 10)
    out = root / "out"
    errors = []
    result = build([src], out, on_error=errors.append, jobs=1)
    return out, result, errors


def test_all_outputs_parse(built):
    out, result, _ = built
    g = nx.node_link_graph(json.loads((out / "graph.json").read_text(encoding="utf-8")),
                           directed=True, multigraph=True, edges="links")
    assert g.number_of_nodes() == result.graph.number_of_nodes()
    gm = nx.read_graphml(out / "graph.graphml")
    gx = nx.read_gexf(out / "graph.gexf")
    assert gm.number_of_nodes() == gx.number_of_nodes() == g.number_of_nodes()
    rows = list(csv.DictReader(open(out / "entities.csv", encoding="utf-8")))
    assert {"安吉县", "积分制", "婺源县"} <= {r["name"] for r in rows}
    rels = list(csv.DictReader(open(out / "relations.csv", encoding="utf-8")))
    assert any(r["type"] == "adopts" and r["target_name"] == "积分制" for r in rels)
    html = (out / "graph.html").read_text(encoding="utf-8")
    assert "vis.Network" in html
    assert not re.search(r"(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//|url\(\s*[\"']?\s*(?:https?:)?//", html)


def test_one_bad_file_is_reported_and_the_rest_is_built(built):
    _, result, errors = built
    assert [e.path.endswith("broken.txt") for e in errors] == [True]
    assert sorted(r["doc"] for r in result.records) == ["a.txt", "b.txt"]


def test_entities_resolve_across_documents(built):
    _, result, _ = built
    g = result.graph
    anji = [n for n, d in g.nodes(data=True) if d.get("name") == "安吉县"]
    assert len(anji) == 1 and sorted(g.nodes[anji[0]]["docs"]) == ["a.txt", "b.txt"]
    program = [n for n, d in g.nodes(data=True) if d.get("name") == "积分制"]
    assert len(program) == 1


def test_atomic_write_leaves_old_file_when_interrupted(tmp_path, monkeypatch):
    target = tmp_path / "graph.json"
    target.write_text("old", encoding="utf-8")

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("os.replace", boom)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, "new content")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.json"]


def test_cli_build_and_show(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for name, text in CORPUS.items():
        (src / name).write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "kg.cli", "build", str(src), "-o", str(out)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    show = subprocess.run([sys.executable, "-m", "kg.cli", "show", "积分制", "--graph", str(out / "graph.json")],
                          capture_output=True, text=True)
    assert show.returncode == 0
    assert "adopts" in show.stdout and "安吉县" in show.stdout
    missing = subprocess.run([sys.executable, "-m", "kg.cli", "show", "不存在的名字", "--graph", str(out / "graph.json")],
                             capture_output=True, text=True)
    assert missing.returncode == 1 and "no entity named" in missing.stderr


def test_graph_has_document_and_article_nodes_and_weights(built):
    _, result, _ = built
    g = result.graph
    articles = [n for n, d in g.nodes(data=True) if d["type"] == "Article"]
    assert {g.nodes[a]["title"] for a in articles} >= {"浙江省湖州市安吉县：积分制激活乡村治理", "安吉县积分制经验走出浙江"}
    for a in articles:
        assert any(k == "part_of" and g.nodes[v]["type"] == "Document" for _, v, k in g.out_edges(a, keys=True))
    program = next(n for n, d in g.nodes(data=True) if d.get("name") == "积分制")
    mentioned = [u for u, v, k in g.in_edges(program, keys=True) if k == "adopts"]
    assert mentioned, "someone adopts 积分制"
    assert all(g.edges[u, v, k]["weight"] == len(g.edges[u, v, k]["docs"])
               for u, v, k in g.edges(keys=True) if k not in ("mentioned_in", "part_of"))

"""Incremental builds: a rebuild after changing, adding and removing files writes exactly the files a
build from scratch writes, while computing only what changed; a damaged output is rewritten."""
import json
import os
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
    first = build([src], out)
    _write(src, {**CHANGED, **ADDED})
    for name in REMOVED:
        (src / name).unlink()
    again = build([src], out)
    fresh = build([src], root / "fresh")
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
    build([src], out)
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
    result = build([root / "in"], out)
    assert result.stats["elements_computed"] == result.stats["elements"]
    for name in FILES:
        assert (out / name).read_bytes() == (root / "fresh" / name).read_bytes(), name
    (out / INDEX).write_bytes(b"not an index")
    assert build([root / "in"], out).stats["elements_computed"] == result.stats["elements"]


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

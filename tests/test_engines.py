"""Engines: a process pool and a Dask cluster give the same graph as extraction in one process."""
import io
from pathlib import Path

import pytest

import kg.engine
from kg.build import build
from kg.engine import Progress, extract_batch, extract_bytes
from kg.extract import extract_file
from kg.store import Key, content_hash

CORPUS = {
    "a.txt": "浙江省湖州市安吉县：积分制激活乡村治理\n\n2019年，安吉县在全县推行“积分制”，由村党支部书记王建国牵头落实。"
             "余村党支部与浙江大学签订合作协议，共建白茶产业。\n",
    "b.txt": "安吉县积分制经验走出浙江\n\n作者：李明\n\n2021年，江西省上饶市婺源县学习借鉴安吉县“积分制”经验，"
             "在全县推广。婺源县成立茶叶产业链党委。\n",
    "c.html": "<html><body><h1>三亚市崖州区推出博士村长</h1><p>2022年，海南省三亚市崖州区推出“博士村长”项目，"
              "海南大学教授张志强担任南滨居村博士村长。</p></body></html>",
    "d.txt": "云南省临沧市双江县发展茶叶产业\n\n2018年，双江县与云南农业大学签约合作，冰岛村党总支书记赵建华介绍，"
             "村里成立茶叶专业合作社。\n",
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    src = tmp_path_factory.mktemp("engines") / "in"
    src.mkdir()
    for name, text in CORPUS.items():
        (src / name).write_text(text, encoding="utf-8")
    (src / "broken.txt").write_bytes(bytes(range(256)) * 10)
    return src


@pytest.fixture(scope="module")
def reference(corpus, tmp_path_factory):
    """Extraction in this process."""
    result = build([corpus], tmp_path_factory.mktemp("serial"), jobs=1)
    assert result.stats["engine"] == "serial" and len(result.records) == 4
    return result


def same_graph(a, b):
    assert set(a.graph.nodes) == set(b.graph.nodes)
    assert {(u, v, k) for u, v, k in a.graph.edges(keys=True)} == {(u, v, k) for u, v, k in b.graph.edges(keys=True)}
    assert a.records == b.records
    assert [str(e) for e in a.errors] == [str(e) for e in b.errors]


def test_extract_bytes_is_extract_file(corpus):
    for path in sorted(corpus.iterdir()):
        if path.name != "broken.txt":
            record, chars = extract_bytes(path.read_bytes(), path)
            assert record == extract_file(path) and chars > 0


def test_extract_batch_reports_problems_per_file(corpus):
    items = [(Key(content_hash(p.read_bytes()), False), str(p), p.read_bytes())
             for p in (corpus / "a.txt", corpus / "broken.txt")]
    result = extract_batch(items)
    (_, _, record, problem, chars, _, cached, _, skel), (_, _, none, broken, _, _, cached2, _, _) = result["results"]
    assert record and problem is None and chars == len(CORPUS["a.txt"]) and cached
    assert skel and len(skel) < len(record)
    assert none is None and "binary" in broken and cached2


def test_a_little_work_goes_to_one_worker(corpus, reference, tmp_path):
    result = build([corpus], tmp_path / "out", jobs=2)
    assert result.stats["engine"] == "local" and result.stats["workers"] == 1
    same_graph(result, reference)


def test_process_pool_gives_the_same_graph(corpus, reference, tmp_path, monkeypatch):
    monkeypatch.setattr(kg.engine, "MIN_BYTES_PER_WORKER", 1)  # a pool even for these few bytes
    result = build([corpus], tmp_path / "out", jobs=2, batch_size=1)
    assert result.stats["engine"] == "local" and result.stats["workers"] == 2
    assert result.stats["extracted"] == 5
    same_graph(result, reference)


def test_dask_on_a_local_cluster_gives_the_same_graph(corpus, reference, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        result = build([corpus], tmp_path / "out", engine="dask", scheduler=cluster.scheduler_address,
                       batch_size=1)
    assert result.stats["engine"] == "dask" and result.stats["workers"] == 2
    same_graph(result, reference)
    # a second build on the same store extracts nothing and starts no cluster
    again = build([corpus], tmp_path / "out", engine="dask", scheduler="tcp://127.0.0.1:1")
    assert again.stats["extracted"] == 0 and again.stats["engine"] is None
    same_graph(again, reference)


def test_dask_without_a_scheduler_starts_a_local_cluster(corpus, reference, tmp_path):
    pytest.importorskip("distributed")
    result = build([corpus], tmp_path / "out", engine="dask", jobs=2)
    assert result.stats["engine"] == "dask" and result.stats["workers"] == 2
    same_graph(result, reference)


def test_progress_line():
    stream = io.StringIO()
    bar = Progress(files=10, nbytes=1000, enabled=True, stream=stream)
    bar.update(5, 250_000, 500)
    line = bar.line()
    assert line.startswith("kg: extracting 5/10 files") and "250.0k chars" in line and "50%" in line
    bar.close()
    assert stream.getvalue().endswith("\n")

"""The extraction store (OUT/kg.sqlite): incremental rebuilds, removal, resume after a killed build."""
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from contextlib import closing
from pathlib import Path

import pytest

import kg.engine
import kg.store
from kg.build import build
from kg.store import FILENAME, Store

ROOT = Path(__file__).resolve().parent.parent

CORPUS = {
    "a.txt": "浙江省湖州市安吉县：积分制激活乡村治理\n\n2019年，安吉县在全县推行“积分制”，由村党支部书记王建国牵头落实。"
             "余村党支部与浙江大学签订合作协议，共建白茶产业。\n",
    "b.txt": "安吉县积分制经验走出浙江\n\n作者：李明\n\n2021年，江西省上饶市婺源县学习借鉴安吉县“积分制”经验，"
             "在全县推广。婺源县成立茶叶产业链党委。\n",
    "c.txt": "三亚市崖州区推出博士村长\n\n2022年，海南省三亚市崖州区推出“博士村长”项目，海南大学教授张志强担任"
             "南滨居村博士村长，指导芒果种植。\n",
    "d.txt": "云南省临沧市双江县发展茶叶产业\n\n2018年，双江县与云南农业大学签约合作，在勐库镇建立茶叶院士工作站，"
             "冰岛村党总支书记赵建华介绍，村里成立茶叶专业合作社。\n",
}


def write_corpus(folder, corpus=CORPUS):
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in corpus.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def graph_sets(g):
    return set(g.nodes), {(u, v, k) for u, v, k in g.edges(keys=True)}


@pytest.fixture
def counted(monkeypatch):
    """Count extractions (builds of these tiny corpora run in this process)."""
    calls = []
    original = kg.engine.extract_bytes

    def counting(data, path):
        calls.append(Path(path).name)
        return original(data, path)

    monkeypatch.setattr(kg.engine, "extract_bytes", counting)
    return calls


def test_rebuild_extracts_only_new_and_changed_files(tmp_path, counted):
    src = write_corpus(tmp_path / "in")
    out = tmp_path / "out"
    first = build([src], out, jobs=1)
    assert sorted(counted) == sorted(CORPUS) and first.stats["extracted"] == 4

    counted.clear()
    again = build([src], out, jobs=1)
    assert counted == [] and again.stats["reused"] == 4
    assert graph_sets(again.graph) == graph_sets(first.graph)
    assert again.records == first.records

    (src / "b.txt").write_text(CORPUS["b.txt"].replace("婺源县", "德兴市"), encoding="utf-8")
    (src / "e.txt").write_text("2020年，四川省成都市蒲江县明月村推行“共治积分制”，村党总支书记林建国牵头。\n",
                               encoding="utf-8")
    counted.clear()
    third = build([src], out, jobs=1)
    assert sorted(counted) == ["b.txt", "e.txt"]
    assert third.stats["extracted"] == 2 and third.stats["reused"] == 3
    names = {d["name"] for _, d in third.graph.nodes(data=True)}
    assert {"林建国", "德兴市"} <= names and "婺源县" not in names

    # the same content under another name is not extracted again, and carries its own name
    (src / "a-copy.txt").write_text(CORPUS["a.txt"], encoding="utf-8")
    counted.clear()
    fourth = build([src], out, jobs=1)
    assert counted == [] and "a-copy.txt" in [r["doc"] for r in fourth.records]


def test_removing_a_file_removes_its_contribution(tmp_path):
    src = write_corpus(tmp_path / "in")
    out = tmp_path / "out"
    before = build([src], out, jobs=1)
    assert any(d.get("name") == "张志强" for _, d in before.graph.nodes(data=True))
    (src / "c.txt").unlink()
    after = build([src], out, jobs=1)
    names = {d.get("name") for _, d in after.graph.nodes(data=True)}
    assert "张志强" not in names and "崖州区" not in names and "doc:c.txt" not in after.graph
    assert after.stats["removed"] == 1 and after.stats["extracted"] == 0
    assert "张志强" not in (out / "entities.csv").read_text(encoding="utf-8")
    with Store(out / FILENAME) as store:
        assert store.stats()["files"] == 3 and store.stats()["results"] == 3  # its result is dropped too


def test_unreadable_file_is_reported_once_per_run_and_fails_the_run(tmp_path):
    src = write_corpus(tmp_path / "in", {"a.txt": CORPUS["a.txt"]})
    (src / "broken.txt").write_bytes(bytes(range(256)) * 10)
    out = tmp_path / "out"
    for _ in range(2):  # the second time from the store
        errors = []
        result = build([src], out, jobs=1, on_error=errors.append)
        assert [Path(e.path).name for e in errors] == ["broken.txt"] and result.errors == errors
        assert [r["doc"] for r in result.records] == ["a.txt"]
    assert (result.stats["extracted"], result.stats["reused"]) == (0, 2)
    proc = subprocess.run([sys.executable, "-m", "kg.cli", "build", str(src), str(tmp_path / "missing"),
                           "-o", str(out)], capture_output=True, text=True, cwd=ROOT, env=_env())
    lines = [line for line in proc.stderr.splitlines() if line.startswith("kg: ") and ": " in line[4:]]
    assert proc.returncode == 1
    assert sum("broken.txt" in line for line in lines) == 1 and sum("missing" in line for line in lines) == 1
    assert "kg: 1 documents; files: " in proc.stderr


def test_a_new_pipeline_version_extracts_again(tmp_path, counted, monkeypatch):
    src = write_corpus(tmp_path / "in", {"a.txt": CORPUS["a.txt"]})
    out = tmp_path / "out"
    build([src], out, jobs=1)
    monkeypatch.setattr(kg.store, "pipeline_version", lambda: "0.0.0+changed")
    monkeypatch.setattr(kg.engine, "pipeline_version", lambda: "0.0.0+changed")
    counted.clear()
    build([src], out, jobs=1)
    assert counted == ["a.txt"]
    with closing(sqlite3.connect(out / FILENAME)) as db:  # the old version's results are gone
        assert [v for (v,) in db.execute("SELECT DISTINCT version FROM extractions")] == ["0.0.0+changed"]


def test_a_damaged_store_is_set_aside(tmp_path):
    src = write_corpus(tmp_path / "in", {"a.txt": CORPUS["a.txt"]})
    out = tmp_path / "out"
    out.mkdir()
    (out / FILENAME).write_bytes(b"this is not a database" * 100)
    result = build([src], out, jobs=1)
    assert result.stats["extracted"] == 1
    assert any(p.name.startswith(FILENAME + ".damaged-") for p in out.iterdir())
    with Store(out / FILENAME) as store:
        assert store.integrity_check() == "ok"


def _env():
    return dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))


KILLED_BUILD = textwrap.dedent("""
    import json, sys, time
    import kg.engine
    from kg.build import build
    if sys.argv[3] == "slow":
        slow = kg.engine.extract_batch
        def extract_batch(batch):
            result = slow(batch)
            time.sleep(0.7)  # room to kill the build between two committed batches
            return result
        kg.engine.extract_batch = extract_batch
    result = build([sys.argv[1]], sys.argv[2], jobs=1, batch_size=1)
    print(json.dumps(result.stats))
""")


def _build_in_a_process(src, out, mode="normal"):
    """Every build of this test in its own process: each sees kg's code as it is on disk."""
    return subprocess.Popen([sys.executable, "-c", KILLED_BUILD, str(src), str(out), mode], cwd=ROOT, env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _stats(proc):
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


def test_a_killed_build_resumes_and_leaves_a_sound_store(tmp_path):
    corpus = dict(CORPUS)
    corpus["e.txt"] = "2020年，四川省成都市蒲江县明月村推行“共治积分制”，村党总支书记林建国牵头。\n"
    corpus["f.txt"] = "2023年，甘肃省陇南市武都区推行“强村带弱村”，发展湖羊产业。\n"
    src = write_corpus(tmp_path / "in", corpus)
    out = tmp_path / "out"
    db_path = out / FILENAME
    clean = _build_in_a_process(src, tmp_path / "clean")  # meanwhile, a clean build elsewhere
    proc = _build_in_a_process(src, out, "slow")
    committed = 0
    deadline = time.monotonic() + 60
    try:
        while committed < 1 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
            if db_path.exists():
                try:
                    with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=1)) as db:
                        committed = db.execute("SELECT COUNT(*) FROM extractions").fetchone()[0]
                except sqlite3.OperationalError:
                    pass  # the table is being created
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate()
    assert committed >= 1, "the build did not commit a batch in time"

    with closing(sqlite3.connect(db_path)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        done = db.execute("SELECT COUNT(*) FROM extractions").fetchone()[0]
    assert 1 <= done < len(corpus), "the build was killed too late to test resuming"
    assert not (out / "graph.json").exists()

    resumed = _stats(_build_in_a_process(src, out))
    assert resumed["extracted"] == len(corpus) - done  # only what the killed build had not committed
    assert resumed["reused"] == done
    assert _stats(clean)["extracted"] == len(corpus)
    graphs = [json.loads((d / "graph.json").read_text(encoding="utf-8")) for d in (out, tmp_path / "clean")]
    assert graphs[0] == graphs[1]
    with Store(db_path) as store:
        assert store.integrity_check() == "ok" and store.stats()["results"] == len(corpus)
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(FILENAME)) == [FILENAME]


def test_files_of_unchanged_size_and_time_are_not_read(tmp_path, monkeypatch):
    import kg.io
    src = write_corpus(tmp_path / "in")
    hour_ago = time.time() - 3600
    for p in src.iterdir():
        os.utime(p, (hour_ago, hour_ago))
    out = tmp_path / "out"
    build([src], out, jobs=1)
    reads = []
    original = kg.io.read_bytes

    def counting(path, *args, **kwargs):
        reads.append(Path(path).name)
        return original(path, *args, **kwargs)

    monkeypatch.setattr(kg.io, "read_bytes", counting)
    assert build([src], out, jobs=1).stats["extracted"] == 0 and reads == []
    (src / "b.txt").write_text(CORPUS["b.txt"].replace("婺源县", "德兴市"), encoding="utf-8")  # a new time
    again = build([src], out, jobs=1)
    assert again.stats["extracted"] == 1 and sorted(set(reads)) == ["b.txt"]


def test_a_store_of_the_previous_schema_keeps_its_results(tmp_path, counted):
    src = write_corpus(tmp_path / "in", {"a.txt": CORPUS["a.txt"]})
    out = tmp_path / "out"
    build([src], out, jobs=1)
    with closing(sqlite3.connect(out / FILENAME)) as db:  # as the schema-2 store was
        db.execute("ALTER TABLE files DROP COLUMN mtime_ns")
        db.execute("PRAGMA user_version=2")
        db.commit()
    counted.clear()
    assert build([src], out, jobs=1).stats["extracted"] == 0 and counted == []

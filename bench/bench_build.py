"""Benchmark of ``kg build`` on a generated corpus (bench/corpus.py), against a plain jieba.posseg pass.

    python bench/bench_build.py                      # 1,000 and 10,000 articles, every core
    python bench/bench_build.py --sizes 1000 --jobs 2

For each size: a full build into an empty output folder, then 1% of the files rewritten and an
incremental build; then jieba.posseg (warmed first, one process) over the same text and over the
changed files. Each run is a separate process; its peak memory is the largest sum of the resident
memory of it and all its children, sampled every 20 ms (and getrusage's maxrss as a check).

Figures: characters per second per core — warm (characters / the workers' time inside extraction)
and end to end (characters / (extraction wall time × workers), worker start-up included) —, total
time, the time spent writing the graph and its exports, and peak memory.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if "--kg-root" in sys.argv:  # a child: import kg from the snapshot the parent made
    ROOT = Path(sys.argv[sys.argv.index("--kg-root") + 1])
sys.path[:0] = [str(ROOT), str(HERE)]

GiB = 1024 ** 3


# ---------------------------------------------------------------- child processes

def phase_build(args):
    from kg.build import build
    errors = []
    t0 = time.perf_counter()
    result = build([args.corpus], args.out, jobs=args.jobs, on_error=errors.append)
    stats = dict(result.stats, wall=time.perf_counter() - t0, errors=len(errors))
    stats.update(_rusage())
    print(json.dumps(stats))


def phase_jieba(args):
    import jieba
    import jieba.posseg
    jieba.setLogLevel(60)
    t0 = time.perf_counter()
    jieba.initialize()
    list(jieba.posseg.cut("2021年，浙江省湖州市安吉县推行积分制，成立白茶产业链党委。"))  # warm
    warm = time.perf_counter() - t0
    paths = [Path(p) for p in Path(args.files).read_text(encoding="utf-8").split("\n") if p]
    chars = words = 0
    t0, c0 = time.perf_counter(), time.process_time()
    for path in paths:
        text = path.read_text(encoding="utf-8")
        chars += len(text)
        words += sum(1 for _ in jieba.posseg.cut(text))
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(json.dumps(dict(files=len(paths), chars=chars, words=words, seconds=seconds, cpu=cpu, warm=warm,
                          **_rusage())))


def _rusage():
    kb = 1 if sys.platform != "darwin" else 1 / 1024
    return {"maxrss_self": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 * kb,
            "maxrss_children": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024 * kb}


# ---------------------------------------------------------------- the parent: run, sample memory, report

KG_ROOT = ROOT


def run(argv):
    """Run this script as a child with ``argv``: (its JSON output, wall seconds, peak tree RSS)."""
    import psutil
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, *argv, "--kg-root", str(KG_ROOT)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=KG_ROOT,
                            env=dict(os.environ, PYTHONPATH=str(KG_ROOT)))
    peak = 0
    done = threading.Event()

    def sample():
        nonlocal peak
        try:
            parent = psutil.Process(proc.pid)
        except psutil.NoSuchProcess:
            return
        while not done.is_set():
            total = 0
            try:
                for p in [parent, *parent.children(recursive=True)]:
                    try:
                        total += p.memory_info().rss
                    except psutil.Error:
                        pass
            except psutil.Error:
                break
            peak = max(peak, total)
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    done.set()
    sampler.join()
    if proc.returncode != 0:
        sys.exit(f"bench: {' '.join(argv)} failed ({proc.returncode}):\n{err[-3000:]}")
    result = json.loads(out.strip().splitlines()[-1])
    result["peak"] = max(peak, result["maxrss_self"] + result["maxrss_children"] if peak == 0 else peak)
    result["process_wall"] = wall
    return result


def bench_size(n, jobs, work):
    from corpus import generate, mutate
    corpus, out = work / f"corpus-{n}", work / f"out-{n}"
    shutil.rmtree(corpus, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    paths = generate(n, corpus, seed=0)
    chars = sum(len(p.read_text(encoding="utf-8")) for p in paths)
    print(f"\n== {n:,} articles, {chars:,} characters ({chars / n:.0f} per article), jobs={jobs}", flush=True)

    full = run(["--phase", "build", str(corpus), str(out), "--jobs", str(jobs)])
    changed = mutate(paths, 0.01, seed=1)
    incr = run(["--phase", "build", str(corpus), str(out), "--jobs", str(jobs)])
    lists = work / f"files-{n}.txt", work / f"changed-{n}.txt"
    lists[0].write_text("\n".join(map(str, paths)), encoding="utf-8")
    lists[1].write_text("\n".join(map(str, changed)), encoding="utf-8")
    jb = run(["--phase", "jieba", "--files", str(lists[0])])
    jb_changed = run(["--phase", "jieba", "--files", str(lists[1])])

    def kg_row(label, r):
        cpu = r["chars_extracted"] / r["file_cpu_seconds"] if r["file_cpu_seconds"] else float("nan")
        warm = r["chars_extracted"] / r["file_seconds"] if r["file_seconds"] else float("nan")
        e2e = (r["chars_extracted"] / (r["extract_seconds"] * max(1, r["workers"]))
               if r["extract_seconds"] else float("nan"))
        return (f"{label:<28} {r['extracted']:>6} {cpu:>9,.0f} {warm:>9,.0f} {e2e:>9,.0f} {r['extract_seconds']:>8.1f} "
                f"{r['write_seconds']:>7.1f} {r['process_wall']:>7.1f} {r['peak'] / GiB:>6.2f}")

    print(f"{'chars/s per core:':<35} {'cpu':>9} {'wall':>9} {'e2e':>9}")
    print(f"{'':<28} {'files':>6} {'(a)':>9} {'(b)':>9} {'(c)':>9} {'extract':>8} {'write':>7} {'total':>7} "
          f"{'peak':>6}")
    print(kg_row(f"kg build, full ({full['workers']} proc)", full))
    print(kg_row(f"kg build, 1% changed ({incr['workers']} proc)", incr))
    for label, r in (("jieba.posseg, all (1 proc)", jb), ("jieba.posseg, 1% (1 proc)", jb_changed)):
        print(f"{label:<28} {r['files']:>6} {r['chars'] / r['cpu']:>9,.0f} {r['chars'] / r['seconds']:>9,.0f} "
              f"{'':>9} {r['seconds']:>8.1f} {'':>7} {r['process_wall']:>7.1f} {r['peak'] / GiB:>6.2f}")
    print("(a) characters / CPU seconds inside extraction, (b) / wall seconds inside extraction, (c) / (wall "
          "seconds of the extraction phase x processes), start-up included; extract, write (graph and "
          "exports), total (the whole process): seconds; peak: GiB, the process and its children")
    ratio = incr["process_wall"] / full["process_wall"]
    cpu_kg = full["chars_extracted"] / full["file_cpu_seconds"]
    cpu_jb = jb["chars"] / jb["cpu"]
    print(f"graph: {full['nodes']:,} nodes, {full['edges']:,} edges; incremental: {incr['extracted']} extracted, "
          f"{incr['reused']} reused")
    print(f"kg / jieba.posseg throughput per core (cpu): {cpu_kg / cpu_jb:.2f}x  [target >= 1]")
    print(f"incremental / full build time: {100 * ratio:.1f}%  [target < 10%]; extraction phase only: "
          f"{100 * incr['extract_seconds'] / max(1e-9, full['extract_seconds']):.1f}%; outside writing the "
          f"outputs: {100 * (incr['process_wall'] - incr['write_seconds']) / full['process_wall']:.1f}%")
    print(f"peak memory, full build: {full['peak'] / GiB:.2f} GiB  [target < 2 GiB]", flush=True)
    return {"n": n, "chars": chars, "full": full, "incremental": incr, "jieba": jb, "jieba_changed": jb_changed}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000", help="Corpus sizes, comma-separated (default 1000,10000).")
    ap.add_argument("--jobs", type=int, default=None, help="kg build --jobs (default: every core).")
    ap.add_argument("--workdir", default=None, help="Where corpora and outputs go (default: a temporary folder).")
    ap.add_argument("--json", default=None, help="Also write every figure to this JSON file.")
    ap.add_argument("--no-snapshot", action="store_true",
                    help="Run the kg of this working tree as it changes (default: a copy made at the start, so "
                         "that edits during the run do not change the pipeline version between builds).")
    ap.add_argument("--phase", choices=["build", "jieba"], help=argparse.SUPPRESS)
    ap.add_argument("--kg-root", help=argparse.SUPPRESS)
    ap.add_argument("corpus", nargs="?", help=argparse.SUPPRESS)
    ap.add_argument("out", nargs="?", help=argparse.SUPPRESS)
    ap.add_argument("--files", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase == "build":
        return phase_build(args)
    if args.phase == "jieba":
        return phase_jieba(args)

    from kg import __version__
    from kg.engine import default_jobs
    jobs = args.jobs or default_jobs()
    work = Path(args.workdir or tempfile.mkdtemp(prefix="kg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    global KG_ROOT
    if not args.no_snapshot:
        KG_ROOT = work / "kg-snapshot"
        shutil.rmtree(KG_ROOT, ignore_errors=True)
        shutil.copytree(ROOT / "kg", KG_ROOT / "kg", ignore=shutil.ignore_patterns("__pycache__"))
    print(f"kg {__version__}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}, work in {work}")
    results = [bench_size(int(n), jobs, work) for n in args.sizes.split(",")]
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

"""The ``kg`` command line: a thin layer over the Python API."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import __version__


def _err(message):
    click.echo(f"kg: {message}", err=True)


@click.group()
@click.version_option(__version__, prog_name="kg")
def main():
    """Build knowledge graphs from Chinese reports on party-building and rural revitalisation."""


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--out", "out", type=click.Path(dir_okay=False), help="Write JSON Lines here instead of stdout.")
def extract(paths, out):
    """Print one JSON object per input file (JSON Lines): the extraction contract."""
    from .extract import extract_corpus
    from .io import atomic_write
    failed = []

    def report(err):
        failed.append(err)
        _err(str(err))

    lines = (json.dumps(rec, ensure_ascii=False) for rec in extract_corpus(paths, on_error=report))
    if out:
        atomic_write(out, "".join(line + "\n" for line in lines))
    else:
        for line in lines:
            click.echo(line)
    sys.exit(1 if failed else 0)


@main.command()
@click.argument("corpus", nargs=-1, required=True)
@click.option("-o", "--out", "out", required=True, type=click.Path(file_okay=False), help="Output folder.")
@click.option("--title", default=None, help="Title of the HTML viewer.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Extraction processes (default: every core); with --engine dask, local workers.")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Where extraction runs: processes on this machine, or a Dask cluster.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Dask scheduler (tcp://host:8786) of an existing cluster; implies --engine dask. "
                   "Without it --engine dask starts a local cluster.")
@click.option("--progress/--no-progress", default=None, help="Progress line on stderr (default: on a terminal).")
def build(corpus, out, title, jobs, engine, scheduler, progress):
    """Extract a corpus and write graph.html, graph.json, graph.graphml, graph.gexf and CSV tables.

    Extraction results are kept in OUT/kg.sqlite: a rebuild extracts only new and changed files,
    drops removed ones, and resumes an interrupted build."""
    from .build import build as run_build
    from .engine import EngineError
    if progress is None:
        progress = sys.stderr.isatty()
    try:
        result = run_build(corpus, out, title=title, on_error=lambda e: _err(str(e)), jobs=jobs,
                           engine=engine, scheduler=scheduler, progress=progress)
    except EngineError as err:
        _err(str(err))
        sys.exit(2)
    st = result.stats
    click.echo(f"kg: {st['documents']} documents; files: {st['extracted']} extracted, {st['reused']} from the "
               f"store, {st['removed']} removed; {st['nodes']} nodes, {st['edges']} edges → {out}", err=True)
    sys.exit(1 if result.errors else 0)


@main.command()
@click.option("--gold", required=True, type=click.Path(exists=True, file_okay=False), help="Folder of gold JSON files.")
@click.argument("corpus", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("--errors", "show_errors", is_flag=True,
              help="Also list, per document, what was missed (-) and what was added (+), exact names.")
def evaluate(gold, corpus, as_json, show_errors):
    """Score extraction of CORPUS against gold annotations (precision, recall, F1 per type)."""
    from .evaluate import errors, format_errors, format_table, load_gold, score
    from .extract import extract_corpus
    preds = list(extract_corpus(corpus, on_error=lambda e: _err(str(e))))
    golds = load_gold(gold)
    scores = score(golds, preds)
    if as_json:
        click.echo(json.dumps(dict(scores, errors=errors(golds, preds)) if show_errors else scores,
                              ensure_ascii=False, indent=1))
        return
    if show_errors:
        click.echo(format_errors(errors(golds, preds)))
    click.echo(format_table(scores))


def load_or_build_graph(paths):
    """A graph from ``graph.json`` (written by kg build), or extracted from a corpus."""
    from .graph import build_graph, from_json
    if len(paths) == 1 and str(paths[0]).endswith(".json") and Path(paths[0]).is_file():
        return from_json(Path(paths[0]).read_text(encoding="utf-8"))
    from .extract import extract_corpus
    return build_graph(extract_corpus(paths, on_error=lambda e: _err(str(e))))


@main.command()
@click.argument("source", nargs=-1, required=True)
@click.option("-o", "--out", "out", required=True, type=click.Path(file_okay=False), help="Output folder.")
@click.option("--level", type=click.Choice(["village", "town", "county", "city", "province"]), default=None,
              help="Roll adoptions up to this administrative level.")
def diffusion(source, out, level):
    """Adoption tables, cascades, spread edges (explicit and NetInf-inferred) and diffusion.html,
    from a corpus or a graph.json."""
    from .diffusion import write_outputs
    write_outputs(load_or_build_graph(source), out, level=level)
    click.echo(f"kg: diffusion tables → {out}", err=True)


@main.command()
@click.argument("name")
@click.option("--graph", "graph_path", required=True, type=click.Path(exists=True, dir_okay=False),
              help="graph.json written by kg build.")
def show(name, graph_path):
    """Print an entity's neighbours grouped by relation type, with evidence."""
    from .graph import find_nodes, from_json, relation_edges
    g = from_json(Path(graph_path).read_text(encoding="utf-8"))
    nodes = find_nodes(g, name)
    if not nodes:
        _err(f"no entity named {name!r} in {graph_path}")
        sys.exit(1)
    for n in nodes:
        d = g.nodes[n]
        aliases = f" (also {', '.join(d.get('aliases') or [])})" if d.get("aliases") else ""
        click.echo(f"{d.get('name')} [{d.get('type')}]{aliases} — {len(d.get('docs') or [])} documents")
        groups = {}
        for u, v, k, e in relation_edges(g):
            if n in (u, v):
                other = v if u == n else u
                arrow = "→" if u == n else "←"
                groups.setdefault(k, []).append((arrow, other, e))
        for k in sorted(groups):
            click.echo(f"  {k}:")
            for arrow, other, e in groups[k]:
                extra = ", ".join(f"{a}={e[a]}" for a in ("year", "role", "program") if e.get(a))
                click.echo(f"    {arrow} {g.nodes[other].get('name')}" + (f" ({extra})" if extra else ""))
                for ev in (e.get("evidence") or [])[:2]:
                    click.echo(f"        「{ev.get('sentence', '')[:120]}」 {ev.get('doc', '')}")


if __name__ == "__main__":
    main()

"""Build: a corpus → extraction records → graph → every output file, in one call.

>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp())
>>> src = out / "in"; src.mkdir(); _ = (src / "a.txt").write_text("2021年，浙江省安吉县推行积分制。", encoding="utf-8")
>>> result = build([src], out / "kg")
>>> sorted(p.name for p in (out / "kg").iterdir() if p.suffix != ".sqlite")
['entities.csv', 'graph.gexf', 'graph.graphml', 'graph.html', 'graph.json', 'merges.csv', 'relations.csv']
>>> result.errors
[]
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from . import export, viz
from .extract import extract_corpus
from .graph import build_graph
from .io import atomic_write
from .resolve import resolve


@dataclass
class BuildResult:
    graph: object
    records: list
    errors: list = field(default_factory=list)


def build(paths, out, title=None, on_error=None):
    """Extract every file under ``paths`` and write the graph and its exports to folder ``out``."""
    out = Path(out)
    errors = []

    def report(err):
        errors.append(err)
        if on_error is not None:
            on_error(err)

    records = list(extract_corpus(paths, on_error=report))
    write_outputs(records, out, title=title)
    return BuildResult(graph=build_graph(records), records=records, errors=errors)


def write_outputs(records, out, title=None):
    """Every output of a build, from extraction records."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    g = build_graph(records)
    export.write_json(g, out / "graph.json")
    export.write_graphml(g, out / "graph.graphml")
    export.write_gexf(g, out / "graph.gexf")
    export.write_entities_csv(g, out / "entities.csv")
    export.write_relations_csv(g, out / "relations.csv")
    export.write_merge_log(resolve(records).merges, out / "merges.csv")
    viz.write_html(g, out / "graph.html", title=title or f"kg: {len(records)} documents")
    return g

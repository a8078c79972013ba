"""Export: the graph as node-link JSON, GraphML, GEXF and CSV tables; the merge log.

All writers go through :func:`kg.io.atomic_open`: an interrupted build never leaves a half file.
They stream to disk, so a corpus of tens of thousands of articles does not need the whole output in
memory. GraphML and GEXF hold only scalar attributes, so lists and dicts are stored as JSON strings.

>>> import networkx as nx, tempfile, pathlib
>>> g = nx.MultiDiGraph(); g.add_node("a", type="Place", name="海口市", aliases=["海口"])
>>> out = pathlib.Path(tempfile.mkdtemp()) / "g.graphml"
>>> write_graphml(g, out); nx.read_graphml(out).nodes["a"]["aliases"]
'["海口"]'
"""
from __future__ import annotations

import csv
import io
import json
import re
from xml.sax.saxutils import escape


from .graph import STRUCTURE_NODES, relation_edges
from .io import atomic_open, atomic_write


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _scalar(value):
    """A GraphML/GEXF value: lists and dicts as JSON text, None as an empty string."""
    if value is None:
        return ""
    if isinstance(value, (list, dict, tuple, set)):
        return json.dumps(sorted(value) if isinstance(value, set) else value, ensure_ascii=False, default=str)
    if isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _xml(value):
    """Text for an XML attribute or element: escaped, without characters XML 1.0 forbids."""
    return escape(_XML_BAD.sub("", str(value)), {'"': "&quot;"})


def _attribute_types(items):
    """attribute name → XML type, over (name, value) pairs; mixed types fall back to string."""
    kinds = {}
    for name, value in items:
        value = _scalar(value)
        kind = ("boolean" if isinstance(value, bool) else "long" if isinstance(value, int)
                else "double" if isinstance(value, float) else "string")
        if value == "":
            kinds.setdefault(name, None)
        elif kinds.get(name) not in (None, kind):
            kinds[name] = "string"
        else:
            kinds[name] = kind
    return {name: kind or "string" for name, kind in kinds.items()}


def _value(value, kind):
    value = _scalar(value)
    if kind == "boolean":
        return "true" if value else "false"
    return _xml(value)


def _node_items(g):
    for n, d in g.nodes(data=True):
        yield "label", d.get("name", n)
        yield from d.items()


def _edge_items(g):
    for u, v, k, d in g.edges(keys=True, data=True):
        yield "label", k
        yield from d.items()


def write_json(g, path):
    """node-link JSON (what ``networkx.node_link_data(g, edges="links")`` gives), streamed to disk
    one node and one link at a time."""
    def dumps(obj):
        return json.dumps(obj, ensure_ascii=False, default=str)

    with atomic_open(path) as f:
        f.write('{"directed": true, "multigraph": true, "graph": ' + dumps(g.graph) + ', "nodes": [')
        for i, (n, d) in enumerate(g.nodes(data=True)):
            f.write(("," if i else "") + "\n" + dumps({**d, "id": n}))
        f.write('], "links": [')
        for i, (u, v, k, d) in enumerate(g.edges(keys=True, data=True)):
            f.write(("," if i else "") + "\n" + dumps({**d, "source": u, "target": v, "key": k}))
        f.write("]}\n")


def write_graphml(g, path):
    """GraphML, written element by element (networkx's writer builds the whole tree in memory)."""
    node_types, edge_types = _attribute_types(_node_items(g)), _attribute_types(_edge_items(g))
    node_keys = {name: f"n{i}" for i, name in enumerate(node_types)}
    edge_keys = {name: f"e{i}" for i, name in enumerate(edge_types)}
    with atomic_open(path) as f:
        f.write("<?xml version='1.0' encoding='utf-8'?>\n"
                '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
                'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
                'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n')
        for domain, types, keys in (("node", node_types, node_keys), ("edge", edge_types, edge_keys)):
            for name, kind in types.items():
                f.write(f'<key id="{keys[name]}" for="{domain}" attr.name="{_xml(name)}" attr.type="{kind}"/>\n')
        f.write('<graph edgedefault="directed">\n')
        for n, d in g.nodes(data=True):
            f.write(f'<node id="{_xml(n)}">')
            for name, value in (("label", d.get("name", n)), *d.items()):
                f.write(f'<data key="{node_keys[name]}">{_value(value, node_types[name])}</data>')
            f.write("</node>\n")
        for u, v, k, d in g.edges(keys=True, data=True):
            f.write(f'<edge source="{_xml(u)}" target="{_xml(v)}" id="{_xml(k)}">')
            for name, value in (("label", k), *d.items()):
                f.write(f'<data key="{edge_keys[name]}">{_value(value, edge_types[name])}</data>')
            f.write("</edge>\n")
        f.write("</graph>\n</graphml>\n")


def _attvalues(attrs, ids, types):
    values = "".join(f'<attvalue for="{ids[name]}" value="{_value(value, types[name])}"/>'
                     for name, value in attrs.items() if _scalar(value) != "")
    return f"<attvalues>{values}</attvalues>"


def write_gexf(g, path):
    """GEXF 1.2 (opens in Gephi), written element by element."""
    node_types, edge_types = _attribute_types(_node_items(g)), _attribute_types(_edge_items(g))
    node_types.pop("label", None)
    edge_types.pop("label", None)
    node_ids = {name: str(i) for i, name in enumerate(node_types)}
    edge_ids = {name: str(i) for i, name in enumerate(edge_types)}
    with atomic_open(path) as f:
        f.write('<?xml version="1.0" encoding="utf-8"?>\n'
                '<gexf xmlns="http://www.gexf.net/1.2draft" version="1.2">\n'
                '<graph defaultedgetype="directed" mode="static">\n')
        for cls, types, ids in (("node", node_types, node_ids), ("edge", edge_types, edge_ids)):
            f.write(f'<attributes class="{cls}" mode="static">\n')
            for name, kind in types.items():
                f.write(f'<attribute id="{ids[name]}" title="{_xml(name)}" type="{kind}"/>\n')
            f.write("</attributes>\n")
        f.write("<nodes>\n")
        for n, d in g.nodes(data=True):
            f.write(f'<node id="{_xml(n)}" label="{_xml(d.get("name", n))}">'
                    f'{_attvalues(d, node_ids, node_types)}</node>\n')
        f.write("</nodes>\n<edges>\n")
        for i, (u, v, k, d) in enumerate(g.edges(keys=True, data=True)):
            f.write(f'<edge id="{i}" source="{_xml(u)}" target="{_xml(v)}" label="{_xml(k)}">'
                    f'{_attvalues(d, edge_ids, edge_types)}</edge>\n')
        f.write("</edges>\n</graph>\n</gexf>\n")


def csv_text(rows, header):
    """CSV text of a header and rows of cells."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def write_entities_csv(g, path):
    header = ["id", "type", "name", "aliases", "level", "parent", "admin_code", "province", "kind", "family",
              "roles", "mentions", "n_docs", "docs"]
    rows = []
    for n, d in g.nodes(data=True):
        if d.get("type") in STRUCTURE_NODES:
            continue
        rows.append([n, d.get("type"), d.get("name"), "|".join(d.get("aliases") or []), d.get("level", ""),
                     d.get("parent", ""), d.get("admin_code", ""), d.get("province", ""), d.get("kind", ""),
                     d.get("family", ""), "|".join(d.get("roles") or []), d.get("mentions", 0),
                     len(d.get("docs") or []), "|".join(d.get("docs") or [])])
    atomic_write(path, csv_text(rows, header))


def write_relations_csv(g, path):
    header = ["source", "source_name", "type", "target", "target_name", "year", "year_source", "role", "program",
              "weight", "docs", "evidence"]
    rows = []
    for u, v, k, d in relation_edges(g):
        ev = d.get("evidence") or [{}]
        rows.append([u, g.nodes[u].get("name"), k, v, g.nodes[v].get("name"), d.get("year") or "",
                     d.get("year_source", ""), d.get("role", ""), d.get("program", ""), d.get("weight", 1),
                     "|".join(d.get("docs") or []), ev[0].get("sentence", "")])
    atomic_write(path, csv_text(rows, header))


def write_merge_log(rows, path):
    header = ["type", "kept", "merged", "reason", "doc", "key"]
    atomic_write(path, csv_text([[r.get(h, "") for h in header] for r in rows], header))

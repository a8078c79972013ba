"""Export: the graph as node-link JSON, GraphML, GEXF and CSV tables; the merge log.

Every file is a head, one *piece* of text per node and per edge, and a tail. A piece depends only
on its element (GraphML and GEXF declare each attribute under its own name, and a piece never
depends on the declared type), so a rebuild can copy the pieces of unchanged elements from the
previous file (:mod:`kg.incremental`). GraphML and GEXF hold only scalar attributes: lists and
dicts are stored as JSON text. Files are written through :func:`kg.io.atomic_open`.

>>> import networkx as nx, tempfile, pathlib
>>> g = nx.MultiDiGraph(); g.add_node("a", type="Place", name="海口市", aliases=["海口"])
>>> out = pathlib.Path(tempfile.mkdtemp())
>>> write_graph(g, out); nx.read_graphml(out / "graph.graphml").nodes["a"]["aliases"]
'["海口"]'
"""
from __future__ import annotations

import csv
import io
import json
import re

from .graph import STRUCTURE_EDGES, STRUCTURE_NODES
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


_XML_SPECIAL = re.compile('[&<>"\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]')


def _xml(value):
    """Text for an XML attribute or element: escaped, without characters XML 1.0 forbids."""
    text = str(value)
    if not _XML_SPECIAL.search(text):
        return text
    return (_XML_BAD.sub("", text).replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
            .replace('"', "&quot;"))


def _text(value):
    value = _scalar(value)
    return ("true" if value else "false") if isinstance(value, bool) else _xml(value)


def _kind_of_scalar(value):
    if value == "":
        return None
    return ("boolean" if isinstance(value, bool) else "long" if isinstance(value, int)
            else "double" if isinstance(value, float) else "string")


def _kind(value):
    """The XML type of a value, None if it is empty."""
    return _kind_of_scalar(_scalar(value))


def signature(attrs):
    """``((name, XML type or None), ...)`` of an element's attributes: what GraphML and GEXF heads
    declare. :func:`attribute_types` combines the signatures of every element."""
    return tuple((name, _kind(value)) for name, value in attrs.items())


def attribute_types(signatures):
    """attribute name → XML type over signatures, in order of first appearance; mixed types fall
    back to string."""
    kinds = {}
    for sig in signatures:
        for name, kind in sig:
            if kind is None:
                kinds.setdefault(name, None)
            elif kinds.get(name) not in (None, kind):
                kinds[name] = "string"
            else:
                kinds[name] = kind
    return {name: kind or "string" for name, kind in kinds.items()}


class Values:
    """An element's attributes (``attrs``) as the formats write them, each made once for all:
    the GraphML/GEXF scalar and its XML text, the JSON text of a list or dict.

    >>> v = Values({"name": "a&b", "docs": ["x.txt"]})
    >>> v.texts()["name"], v.json({"id": "n1"})
    ('a&amp;b', '{"name": "a&b", "docs": ["x.txt"], "id": "n1"}')
    """
    __slots__ = ("attrs", "_scalars", "_texts")

    def __init__(self, attrs):
        self.attrs = attrs
        self._scalars = self._texts = None

    def scalars(self):
        if self._scalars is None:
            self._scalars = {name: _scalar(value) for name, value in self.attrs.items()}
        return self._scalars

    def texts(self):
        if self._texts is None:
            self._texts = {name: ("true" if value else "false") if isinstance(value, bool) else _xml(value)
                           for name, value in self.scalars().items()}
        return self._texts

    def signature(self):
        return tuple((name, _kind_of_scalar(value)) for name, value in self.scalars().items())

    def json(self, extra):
        """``json.dumps({**attrs, **extra}, ensure_ascii=False, default=str)``, reusing the JSON
        text of lists and dicts (the same encoder makes it inside and outside a dict)."""
        scalars = self.scalars()
        parts = []
        for name, value in {**self.attrs, **extra}.items():
            t = type(value)
            if t is str:
                text = _json_string(value)
            elif t is int:
                text = int.__repr__(value)
            elif value is None:
                text = "null"
            elif t in (list, dict) and name not in extra:
                text = scalars[name]
            else:
                text = _dumps(value)
            parts.append(f"{_json_string(name)}: {text}")
        return "{" + ", ".join(parts) + "}"


_json_string = json.encoder.encode_basestring  # what json.dumps(..., ensure_ascii=False) makes of a str


def _dumps(obj):
    return json.dumps(obj, ensure_ascii=False, default=str)


_CSV_BUF = io.StringIO()
_CSV = csv.writer(_CSV_BUF)


def _csv_row(cells):
    _CSV_BUF.seek(0)
    _CSV_BUF.truncate()
    _CSV.writerow(cells)
    return _CSV_BUF.getvalue()


def csv_text(rows, header):
    """CSV text of a header and rows of cells."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


class Format:
    """One output file: its head, middle (between nodes and edges) and tail, and the piece of each
    node and edge (None: not in this file). ``separator`` goes between two pieces of a section."""
    filename = ""
    separator = ""

    def parts(self, graph_attrs, node_types, edge_types):
        raise NotImplementedError

    def node(self, n, values):
        """The piece of node ``n`` (``values``: its :class:`Values`), or None."""
        return None

    def edge(self, u, v, k, values, name_of):
        return None


class JSONFormat(Format):
    """node-link JSON, as ``networkx.node_link_data(g, edges="links")`` gives it."""
    filename = "graph.json"
    separator = ","

    def parts(self, graph_attrs, node_types, edge_types):
        return ('{"directed": true, "multigraph": true, "graph": ' + _dumps(graph_attrs) + ', "nodes": [',
                '], "links": [', "]}\n")

    def node(self, n, values):
        return "\n" + values.json({"id": n})

    def edge(self, u, v, k, values, name_of):
        return "\n" + values.json({"source": u, "target": v, "key": k})


class GraphMLFormat(Format):
    filename = "graph.graphml"

    def parts(self, graph_attrs, node_types, edge_types):
        keys = "".join(f'<key id="{domain[0]}_{_xml(name)}" for="{domain}" attr.name="{_xml(name)}" '
                       f'attr.type="{kind}"/>\n'
                       for domain, types in (("node", node_types), ("edge", edge_types))
                       for name, kind in types.items())
        return ("<?xml version='1.0' encoding='utf-8'?>\n"
                '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
                'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
                'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
                + keys + '<graph edgedefault="directed">\n', "", "</graph>\n</graphml>\n")

    def node(self, n, values):
        data = "".join(f'<data key="n_{_xml(name)}">{text}</data>' for name, text in values.texts().items())
        return f'<node id="{_xml(n)}"><data key="n_label">{_text(values.attrs.get("name", n))}</data>{data}</node>\n'

    def edge(self, u, v, k, values, name_of):
        data = "".join(f'<data key="e_{_xml(name)}">{text}</data>' for name, text in values.texts().items())
        return (f'<edge source="{_xml(u)}" target="{_xml(v)}" id="{_xml(k)}"><data key="e_label">{_text(k)}</data>'
                f"{data}</edge>\n")


class GEXFFormat(Format):
    """GEXF 1.2 (opens in Gephi). An edge's id is its source, target and key."""
    filename = "graph.gexf"

    def parts(self, graph_attrs, node_types, edge_types):
        declared = "".join(
            f'<attributes class="{cls}" mode="static">\n'
            + "".join(f'<attribute id="{_xml(name)}" title="{_xml(name)}" type="{kind}"/>\n'
                      for name, kind in types.items() if name != "label")
            + "</attributes>\n"
            for cls, types in (("node", node_types), ("edge", edge_types)))
        return ('<?xml version="1.0" encoding="utf-8"?>\n'
                '<gexf xmlns="http://www.gexf.net/1.2draft" version="1.2">\n'
                '<graph defaultedgetype="directed" mode="static">\n' + declared + "<nodes>\n",
                "</nodes>\n<edges>\n", "</edges>\n</graph>\n</gexf>\n")

    @staticmethod
    def _values(values):
        scalars = values.scalars()
        return "".join(f'<attvalue for="{_xml(name)}" value="{text}"/>'
                       for name, text in values.texts().items() if scalars[name] != "")

    def node(self, n, values):
        return (f'<node id="{_xml(n)}" label="{_xml(values.attrs.get("name", n))}">'
                f'<attvalues>{self._values(values)}</attvalues></node>\n')

    def edge(self, u, v, k, values, name_of):
        return (f'<edge id="{_xml(u)}|{_xml(v)}|{_xml(k)}" source="{_xml(u)}" target="{_xml(v)}" label="{_xml(k)}">'
                f"<attvalues>{self._values(values)}</attvalues></edge>\n")


class EntitiesCSV(Format):
    filename = "entities.csv"
    header = ["id", "type", "name", "aliases", "level", "parent", "admin_code", "province", "kind", "family",
              "roles", "mentions", "n_docs", "docs"]

    def parts(self, graph_attrs, node_types, edge_types):
        return _csv_row(self.header), "", ""

    def node(self, n, values):
        d = values.attrs
        if d.get("type") in STRUCTURE_NODES:
            return None
        return _csv_row([n, d.get("type"), d.get("name"), "|".join(d.get("aliases") or []), d.get("level", ""),
                         d.get("parent", ""), d.get("admin_code", ""), d.get("province", ""), d.get("kind", ""),
                         d.get("family", ""), "|".join(d.get("roles") or []), d.get("mentions", 0),
                         len(d.get("docs") or []), "|".join(d.get("docs") or [])])


class RelationsCSV(Format):
    """One row per relation edge, with the names of its ends (``name_of``)."""
    filename = "relations.csv"
    header = ["source", "source_name", "type", "target", "target_name", "year", "year_source", "role", "program",
              "weight", "docs", "evidence"]

    def parts(self, graph_attrs, node_types, edge_types):
        return _csv_row(self.header), "", ""

    def edge(self, u, v, k, values, name_of):
        d = values.attrs
        if d.get("type", k) in STRUCTURE_EDGES:
            return None
        ev = d.get("evidence") or [{}]
        return _csv_row([u, name_of(u), d.get("type", k), v, name_of(v), d.get("year") or "", d.get("year_source", ""),
                         d.get("role", ""), d.get("program", ""), d.get("weight", 1), "|".join(d.get("docs") or []),
                         ev[0].get("sentence", "")])


FORMATS = (JSONFormat(), GraphMLFormat(), GEXFFormat(), EntitiesCSV(), RelationsCSV())


def node_signature(n, values):
    """The signature (:func:`signature`) of a node (its :class:`Values`), its label included."""
    return (("label", _kind(values.attrs.get("name", n))),) + values.signature()


def edge_signature(k, values):
    return (("label", _kind(k)),) + values.signature()


def write_graph(g, out):
    """Every file of :data:`FORMATS` for graph ``g`` into folder ``out``, streamed piece by piece."""
    node_types = attribute_types(node_signature(n, Values(d)) for n, d in g.nodes(data=True))
    edge_types = attribute_types(edge_signature(k, Values(d)) for _, _, k, d in g.edges(keys=True, data=True))

    def name_of(n):
        return g.nodes[n].get("name")

    for fmt in FORMATS:
        head, middle, tail = fmt.parts(dict(g.graph), node_types, edge_types)
        with atomic_open(out / fmt.filename) as f:
            f.write(head)
            for section, pieces in ((0, (fmt.node(n, Values(d)) for n, d in g.nodes(data=True))),
                                    (1, (fmt.edge(u, v, k, Values(d), name_of) for u, v, k, d in
                                         g.edges(keys=True, data=True)))):
                if section:
                    f.write(middle)
                first = True
                for piece in pieces:
                    if piece is not None:
                        f.write(piece if first else fmt.separator + piece)
                        first = False
            f.write(tail)


def write_merge_log(rows, path):
    header = ["type", "kept", "merged", "reason", "doc", "key"]
    atomic_write(path, csv_text([[r.get(h, "") for h in header] for r in rows], header))

"""Entity resolution across documents: one node per real place, program and person."""
from pathlib import Path

import pytest

from kg.extract import extract_corpus
from kg.graph import build_graph, relation_edges

CORPUS = Path(__file__).resolve().parent / "resolve_corpus"


@pytest.fixture(scope="module")
def graph():
    records = list(extract_corpus([CORPUS]))
    assert sorted(r["doc"] for r in records) == ["a.txt", "b.txt", "c.txt"]
    return build_graph(records)


def nodes_named(g, name, type_):
    return [n for n, d in g.nodes(data=True) if d.get("type") == type_ and d.get("name") == name]


def test_short_forms_and_traditional_text_give_one_place(graph):
    yazhou = nodes_named(graph, "崖州区", "Place")
    assert len(yazhou) == 1
    node = graph.nodes[yazhou[0]]
    assert node["admin_code"] == "460205"
    assert sorted(node["docs"]) == ["a.txt", "b.txt", "c.txt"]
    assert "崖州" in node["aliases"]
    assert not nodes_named(graph, "崖州", "Place") and not nodes_named(graph, "崖州區", "Place")


def test_program_is_one_node_across_documents(graph):
    program = nodes_named(graph, "博士村长", "Program")
    assert len(program) == 1
    assert sorted(graph.nodes[program[0]]["docs"]) == ["a.txt", "b.txt", "c.txt"]


def test_people_merge_only_with_shared_context(graph):
    lin = nodes_named(graph, "林海", "Person")
    docs = sorted(tuple(sorted(graph.nodes[n]["docs"])) for n in lin)
    # a.txt and c.txt both name him 城西村党支部书记: one person. b.txt quotes a 林海 with no
    # relation to anything, so kg does not guess that he is the same man.
    assert docs == [("a.txt", "c.txt"), ("b.txt",)]
    merged = next(n for n in lin if len(graph.nodes[n]["docs"]) == 2)
    assert "书记" in graph.nodes[merged]["roles"]


def test_same_village_name_in_two_counties_stays_two(tmp_path):
    (tmp_path / "x.txt").write_text("海南省三亚市崖州区城西村推行积分制。", encoding="utf-8")
    (tmp_path / "y.txt").write_text("浙江省湖州市安吉县递铺街道城西村推行积分制。", encoding="utf-8")
    g = build_graph(extract_corpus([tmp_path]))
    assert len(nodes_named(g, "城西村", "Place")) == 2


def test_spread_edge_between_resolved_places(graph):
    edges = [(graph.nodes[u]["name"], graph.nodes[v]["name"], d.get("program"))
             for u, v, k, d in relation_edges(graph, "spreads_to")]
    assert ("崖州区", "恭城瑶族自治县", "博士村长") in edges

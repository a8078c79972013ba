"""Property-based tests: random bytes and random text never crash the reader or the extractor."""
from hypothesis import HealthCheck, given, settings, strategies as st

from kg.extract import extract_text
from kg.io import InputError, decode, read_text

CJK = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF) | st.sampled_from(
    list("，。、“”《》（）：；！？\n 0123456789镇村乡社区党委书记推行模式")), max_size=300)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=2000))
def test_decode_random_bytes_returns_text_or_documented_error(data):
    try:
        text, encoding = decode(data, "random.bin")
    except InputError as err:
        assert str(err).startswith("random.bin: ")
        return
    assert isinstance(text, str) and text.strip()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=300), CJK))
def test_extract_random_text_keeps_the_contract(text):
    rec = extract_text(text, name="random.txt")
    for ent in rec["entities"]:
        for m in ent["mentions"]:
            assert text[m["start"]:m["end"]] == m["text"]
    ids = {e["id"] for e in rec["entities"]}
    for rel in rec["relations"]:
        assert rel["source"] in ids and rel["target"] in ids


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=400))
def test_normalised_offsets_stay_inside_the_original(text):
    doc = read_text(text)
    assert len(doc.offsets) == len(doc.norm) + 1
    assert all(0 <= o <= len(text) for o in doc.offsets)
    assert doc.offsets == sorted(doc.offsets)

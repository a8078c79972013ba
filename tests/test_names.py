"""Where names begin and end, on sentences written for these tests (not from the evaluation set)."""
from kg.extract import extract_text


def _names(text, etype):
    return {e["name"] for e in extract_text(text, name="t.txt")["entities"] if e["type"] == etype}


def test_college_names_joined_by_yu_are_whole():
    orgs = _names("2022年，青山村与西北农林科技大学资源与环境学院签约共建，聘请该院教授王立担任顾问。", "Organization")
    assert "西北农林科技大学资源与环境学院" in orgs


def test_institute_names_keep_their_discipline():
    orgs = _names("2021年，沙洋县与中国科学院武汉应用生态研究所签约合作。", "Organization")
    assert "中国科学院武汉应用生态研究所" in orgs


def test_village_names_with_a_counter_or_particle_character():
    text = "2020年，甘肃省定西市安定区香泉镇马家岔村党支部推行“积分制”，西藏林芝市墨脱县背崩乡地东村随后跟进。"
    assert {"马家岔村", "地东村"} <= _names(text, "Place")
    assert "马家岔村党支部" in _names(text, "Organization")
    teams = _names("2022年，下营镇组建常州红色物业服务队、郭家沟红色物业服务队，统一保洁。", "Organization")
    assert "郭家沟红色物业服务队" in teams
    assert not _names("2021年，镇党委联合16家企业组建产业联盟。", "Place")


def test_a_verb_before_a_village_is_not_part_of_its_name():
    places = _names("2019年，某县东湖镇打破村界组建联合党委，联合同镇5个村抱团发展。", "Place")
    assert not any(p.startswith(("打破", "联合")) for p in places)


def test_programs_named_by_a_campaign_head_after_a_verb():
    programs = _names("2020年起，平和县深入实施“千名乡贤回归”计划，同时启动蜜柚品质提升行动，实施农村电商人才孵化工程。", "Program")
    assert {"蜜柚品质提升行动", "农村电商人才孵化工程"} <= programs
    assert not _names("全县开展专项整治行动，实施乡村振兴战略。", "Program")


def test_a_change_of_state_in_quotes_is_not_a_program():
    programs = _names("合作社让茶农从“单打独斗”到“抱团发展”，村子从“空壳村”变成了“富裕村”，实现“一条龙”服务。", "Program")
    assert not programs
    evolved = _names("2021年，该镇从“党员中心户”到“党员中心户+网格”，治理更精细。", "Program")
    assert {"党员中心户", "党员中心户+网格"} <= evolved


def test_a_quoted_lexicon_variant_keeps_its_wording():
    programs = _names("2022年，龙湾区推行“街乡吹哨、部门报到”，各村推行积分制管理。", "Program")
    assert {"街乡吹哨、部门报到", "积分制"} <= programs and "积分制管理" not in programs


def test_names_ending_in_he_and_words_that_only_start_like_names():
    people = _names("村里建立乡贤信息库，乡贤陈德和在外经商多年，他和书记林芳和村民一起修路。", "Person")
    assert "陈德和" in people and "林芳" in people
    assert not {"信息库", "林芳和"} & people

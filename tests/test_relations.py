"""Relation rules on sentences written for these tests (not from the seeds or the evaluation set)."""
from kg.extract import extract_text


def _relations(text, rtype):
    rec = extract_text(text, name="t.txt")
    names = {e["id"]: e["name"] for e in rec["entities"]}
    return {(names[r["source"]], names[r["target"]]) for r in rec["relations"] if r["type"] == rtype}


def test_the_body_the_text_names_adopts_and_diffusion_counts_it_for_its_place():
    text = "2020年，湖北省宜昌市秭归县郭家坝镇烟灯堡村党支部推行“积分制”，每月公示一次。"
    assert ("烟灯堡村党支部", "积分制") in _relations(text, "adopts")
    from kg.diffusion import adoptions
    from kg.graph import build_graph
    rows = adoptions(build_graph([extract_text(text, name="t.txt")]))
    assert [(r["program"], r["place"], r["year"]) for r in rows] == [("积分制", "烟灯堡村", 2020)]


def test_the_body_a_formula_names_adopts_it():
    text = ("2021年，四川省眉山市丹棱县由双桥镇党委牵头，联合8个村党支部和3家企业，组建双桥镇柑橘产业党建联盟，"
            "推行“联盟+基地+农户”模式，统一技术标准。")
    adopters = {a for a, p in _relations(text, "adopts") if p == "联盟+基地+农户"}
    assert "双桥镇柑橘产业党建联盟" in adopters and "双桥镇" not in adopters


def test_a_model_promoted_to_a_list_of_places_is_adopted_by_each_and_spreads_from_its_origin():
    text = ("福建省三明市将乐县的“田间夜校”经验得到省里肯定。2021年以来，“田间夜校”模式先后复制推广到南平市光泽县、"
            "顺昌县和龙岩市长汀县，三县共开班120期。")
    adopters = {a for a, p in _relations(text, "adopts") if p == "田间夜校"}
    assert {"光泽县", "顺昌县", "长汀县"} <= adopters and "将乐县" not in adopters
    spread = _relations(text, "spreads_to")
    assert {("将乐县", "光泽县"), ("将乐县", "长汀县")} <= spread and not any(b in ("南平市", "龙岩市") for _, b in spread)


def test_a_two_character_county_before_a_verb_is_a_place():
    text = "2022年，安徽省宿州市砀山县推行“党建+电商”模式。2023年，萧县学习借鉴砀山“党建+电商”模式。"
    assert ("萧县", "党建+电商") in _relations(text, "adopts")
    assert ("砀山县", "萧县") in _relations(text, "spreads_to")


def test_formulas_and_chain_links_without_a_product_are_about_the_main_industry():
    text = ("2021年，甘肃省陇南市武都区成立花椒产业链党委，下设种植、加工2个产业链党支部，推行“链长+支部+合作社+椒农”机制。"
            "全区花椒种植面积达到80万亩，花椒产值突破40亿元，花椒成了群众的“金果子”。")
    focus = _relations(text, "focuses_on")
    assert ("链长+支部+合作社+椒农", "花椒") in focus and ("花椒产业链党委", "花椒") in focus
    two = "2021年，某县推行“党支部+合作社+农户”模式。花椒和核桃是全县的两大产业，花椒、核桃面积均超过10万亩。"
    assert not _relations(two, "focuses_on")  # no industry the article is mainly about


def test_a_body_set_up_by_another_belongs_to_it_and_a_category_word_refers_back():
    text = ("2022年，福建省南平市武夷山市成立武夷岩茶产业链党委。产业链党委下设种植、加工等2个产业链党支部，"
            "并组建岩茶专家服务队。")
    est, aff = _relations(text, "establishes"), _relations(text, "affiliated_with")
    for child in ("种植产业链党支部", "加工产业链党支部"):
        assert ("武夷岩茶产业链党委", child) in est and (child, "武夷岩茶产业链党委") in aff


def test_a_first_secretary_holds_the_post_in_a_village_and_belongs_to_the_sender():
    text = ("2022年，湖南省湘西州泸溪县浦市镇马王溪村发展椪柑产业。湖南农业大学选派的驻村第一书记彭立新"
            "到村任职后，牵头成立合作社。驻村第一书记、州农业农村局干部向晓峰介绍，潭溪镇浦溪村也建起了冷库。"
            "援湘干部陈志远挂职泸溪县副县长。")
    roles = _relations(text, "holds_role")
    assert ("彭立新", "马王溪村") in roles and ("向晓峰", "浦溪村") in roles and ("陈志远", "泸溪县") in roles
    assert ("彭立新", "湖南农业大学") not in roles
    assert ("彭立新", "湖南农业大学") in _relations(text, "affiliated_with")


def test_who_sets_up_a_body_is_the_agent_before_the_verb_not_a_verb_inside_a_program():
    text = ("2021年，陈立新担任溪口村科技特派员后，推动溪口村党支部成立溪口茶叶专业合作社。"
            "2022年，某县学习借鉴村党组织领办合作社经验，溪口茶叶专业合作社与福建春伦茶业集团签订收购协议。")
    est = _relations(text, "establishes")
    assert ("溪口村党支部", "溪口茶叶专业合作社") in est and ("溪口村", "溪口茶叶专业合作社") not in est
    assert not any(b == "福建春伦茶业集团" for _, b in est)


def test_a_body_set_up_by_an_organisation_sits_where_its_parent_sits():
    text = "2022年，福建省南平市武夷山市成立武夷岩茶产业链党委。链党委下设种植、加工等2个功能型党支部。"
    located = _relations(text, "located_in")
    assert ("种植功能型党支部", "武夷山市") in located and ("加工功能型党支部", "武夷山市") in located


def test_the_village_and_the_town_as_subjects():
    text = ("2021年，浙江省衢州市江山市大陈乡大陈村推行“村歌”文化品牌。村里成立大陈乡村旅游专业合作社，"
            "乡里还与浙江师范大学签订合作协议。")
    assert ("大陈村", "大陈乡村旅游专业合作社") in _relations(text, "establishes")
    assert ("大陈乡", "浙江师范大学") in _relations(text, "partners_with")
    rec = extract_text(text, name="t.txt")
    village = next(e for e in rec["entities"] if e["name"] == "大陈村")
    assert "村里" not in village["aliases"] and any(m["text"] == "村里" for m in village["mentions"])


def test_posts_named_without_their_body_and_the_body_that_sent_a_first_secretary():
    text = ("2021年，黑龙江省齐齐哈尔市依安县新兴镇红星村党支部领办依安县红星农机专业合作社，村党支部书记刘长海任理事长。"
            "黑龙江省农业农村厅派驻依安县新兴镇红星村第一书记王立国，牵头争取项目资金。")
    assert ("刘长海", "依安县红星农机专业合作社") in _relations(text, "holds_role")
    assert ("王立国", "黑龙江省农业农村厅") in _relations(text, "affiliated_with")
    orgs = {e["name"] for e in extract_text("组织寿光市斟灌果蔬专业合作社等46家合作社与超市对接。", name="t.txt")["entities"]
            if e["type"] == "Organization"}
    assert "寿光市斟灌果蔬专业合作社" in orgs and not any(o.endswith("合作社合作社") for o in orgs)


def test_a_program_relied_on_or_worked_through_is_adopted():
    text = ("2022年以来，湖北省黄冈市以“共同缔造”为总抓手推进乡村治理。武穴市依托“红色网格”响应群众诉求，"
            "沈丘县在此基础上制定小微权力清单制度。")
    adopts = _relations(text, "adopts")
    assert {("黄冈市", "共同缔造"), ("武穴市", "红色网格")} <= adopts


def test_a_body_set_up_by_the_agent_after_you():
    text = "2021年，安徽省六安市金寨县成立金寨茶叶产业链党委。金寨茶叶产业链党委由油坊店乡党委牵头组建，吸纳12家茶企。"
    assert ("油坊店乡党委", "金寨茶叶产业链党委") in _relations(text, "establishes")


def test_diffusion_told_as_a_story():
    text = ("2013年，浙江省嘉兴市桐乡市屠甸镇荣星村推行“三堂共治”。同年，屠甸镇党委把荣星村的做法推广到全镇14个村。"
            "2017年，嘉兴市委组织部在全市推广桐乡“三堂一网”做法，同属嘉兴市的海宁市、平湖市相继学习借鉴。"
            "濮院镇、乌镇镇在推行“三堂一网”时，还把议事堂搬进了市场。")
    spread = _relations(text, "spreads_to")
    assert {("荣星村", "屠甸镇"), ("桐乡市", "海宁市"), ("桐乡市", "平湖市")} <= spread
    assert ("嘉兴市", "海宁市") not in spread
    adopts = _relations(text, "adopts")
    assert {("海宁市", "三堂一网"), ("平湖市", "三堂一网"), ("濮院镇", "三堂一网"), ("乌镇镇", "三堂一网")} <= adopts


def test_a_bare_cooperative_still_refers_back_to_the_named_one():
    text = "2020年，浙江省绍兴市诸暨市枫源村成立诸暨市枫源香榧专业合作社。合作社与浙江农林大学签订技术合作协议。"
    assert ("诸暨市枫源香榧专业合作社", "浙江农林大学") in _relations(text, "partners_with")


def test_bodies_and_programs_named_with_the_products_own_character_focus_on_it():
    text = ("2020年，江西省赣州市信丰县成立橙医生党员服务队，推行“党员包片种橙工作法”，全县脐橙种植面积达到20万亩，"
            "脐橙产业成为富民产业。")
    focus = _relations(text, "focuses_on")
    assert ("橙医生党员服务队", "脐橙") in focus and ("党员包片种橙工作法", "脐橙") in focus


def _years(text):
    rec = extract_text(text, name="t.txt")
    names = {e["id"]: e["name"] for e in rec["entities"]}
    return {(names[r["source"]], names[r["target"]]): (r["attrs"].get("year"), r["attrs"].get("year_source"))
            for r in rec["relations"] if r["type"] == "adopts"}


def test_years_of_a_story_told_year_by_year():
    text = ("2024年5月，本报记者走访了浙江省嘉兴市海盐县。2016年，通元镇雪水港村推行“村民说事”。次年，通元镇党委把“村民说事”"
            "推广到全镇。2019年，海盐县委组织部在全县推广“村民说事”，当年覆盖104个村。推广过程中，县委组织部推出“说议办评”。")
    years = _years(text)
    assert years[("雪水港村", "村民说事")] == (2016, "sentence")
    assert years[("通元镇党委", "村民说事")] == (2017, "sentence")
    assert years[("海盐县委组织部", "说议办评")] == (2019, "paragraph")


def test_a_company_called_by_its_brand_and_the_party_body_of_a_company():
    text = ("2021年，云南省文山市引进云南七乡源三七药业有限公司。七乡源公司董事长罗建新介绍，赤峰禾丰米业有限公司党支部"
            "组织党员带头收购。时任荣星村党总支书记沈国良召集党员开会。")
    rec = extract_text(text, name="t.txt")
    orgs = {e["name"] for e in rec["entities"] if e["type"] == "Organization"}
    assert "七乡源公司" not in orgs and not any(o.startswith("时任") for o in orgs)
    assert ("罗建新", "云南七乡源三七药业有限公司") in _relations(text, "holds_role")
    assert ("赤峰禾丰米业有限公司党支部", "赤峰禾丰米业有限公司") in _relations(text, "affiliated_with")


def test_the_subject_of_a_sentence_learns_and_a_model_promoted_after_the_cue_comes_from_its_owner():
    text = ("2020年，陕西省延安市黄龙县首创“联户托管”模式。"
            "2022年，延安市宜川县组织村党组织书记赴黄龙县观摩，学习借鉴黄龙县“联户托管”的经验。"
            "2024年，延安市委组织部在总结黄龙县、宜川县经验的基础上，印发《关于推广“联户托管”模式的意见》，"
            "在全市13个县（区）推广黄龙县的做法。")
    spreads = _relations(text, "spreads_to")
    assert {("黄龙县", "宜川县"), ("黄龙县", "延安市")} <= spreads
    assert ("宜川县", "黄龙县") not in spreads


def test_a_heading_that_names_a_learner_is_no_spread():
    text = "二、借鉴：宜川县因地制宜\n2022年，宜川县在壶口镇推行“联户托管”模式。"
    assert not _relations(text, "spreads_to")


def test_a_branch_secretary_who_also_chairs_the_village_committee_holds_both_posts():
    text = "2022年，黑龙江省东宁市绥阳镇柳桥村党支部书记、村委会主任王德顺带领村民种植黑木耳。"
    roles = _relations(text, "holds_role")
    assert {("王德顺", "柳桥村党支部"), ("王德顺", "柳桥村")} <= roles


def test_a_university_that_teaches_an_industry_is_not_built_around_it():
    text = ("2023年，沈阳农业大学教授刘文科到喀左县授课，重点指导食用菌种植。"
            "甘招镇党委牵头成立甘招镇食用菌产业党建联盟，带动食用菌种植。")
    focus = _relations(text, "focuses_on")
    assert ("甘招镇食用菌产业党建联盟", "食用菌") in focus and not any(s == "沈阳农业大学" for s, _ in focus)


def test_a_place_owns_a_program_only_when_the_program_acts_right_after():
    text = ("2021年，青山村的“田间课堂”开班，专家每月授课一次。"
            "2022年，白水镇的“红色代办”受到群众欢迎，后来县里在全县推行这项服务。")
    adopts = _relations(text, "adopts")
    assert ("青山村", "田间课堂") in adopts and ("白水镇", "红色代办") not in adopts


def test_a_body_set_up_with_no_subject_is_not_credited_to_the_article_place():
    text = ("2022年，湖北省竹山县委组织部牵头成立竹山县绿松石产业链党委。"
            "同年，在宝丰镇成立宝丰镇茶叶联村党委，吸纳8个村党支部。")
    est = _relations(text, "establishes")
    assert ("竹山县委组织部", "竹山县绿松石产业链党委") in est
    assert not any(t == "宝丰镇茶叶联村党委" for _, t in est)


def test_a_post_with_no_holder_named_is_the_subjects():
    text = ("2021年，苍溪县成立苍溪县红心猕猴桃产业链党委。"
            "链党委与四川农业大学签约共建，聘请四川农业大学教授罗思远担任首席专家，常年驻点指导。")
    roles = _relations(text, "holds_role")
    assert ("罗思远", "苍溪县红心猕猴桃产业链党委") in roles


def test_a_party_committee_beside_a_marked_industry_is_not_built_around_it():
    text = ("2020年，东港市椅圈镇党委牵头发展草莓产业，全镇草莓面积达到2万亩。"
            "东港市椅圈草莓专业合作社带动农户发展草莓种植。")
    focus = _relations(text, "focuses_on")
    assert not any(s == "椅圈镇党委" for s, _ in focus)
    assert ("东港市椅圈草莓专业合作社", "草莓") in focus

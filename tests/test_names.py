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


def test_company_names_with_brand_words_and_descriptors():
    orgs = _names("2020年，湖北省宜昌市秭归县引进龙头企业湖北屈乡红橙果业有限公司，牵线秭归九畹优选电子商务有限公司"
                  "与农户签约，成立秭归县橙乡农业服务有限公司。", "Organization")
    assert {"湖北屈乡红橙果业有限公司", "秭归九畹优选电子商务有限公司", "秭归县橙乡农业服务有限公司"} <= orgs
    assert not any(o.startswith("龙头企业") for o in orgs)
    assert "宜昌市企业管理咨询有限公司" in _names("宜昌市企业管理咨询有限公司承办培训。", "Organization")


def test_bureaus_centres_and_bank_branches():
    orgs = _names("2022年，来自秭归县农业农村局的技术员、秭归县柑橘技术推广中心的专家和湖北农商银行秭归支行的客户经理一起进村。"
                  "秭归县林草局随后跟进。", "Organization")
    assert {"秭归县柑橘技术推广中心", "湖北农商银行秭归支行", "秭归县林草局"} <= orgs
    assert not _names("要服从大局，打开新局面，坚持以人民为中心，把产业发展作为中心工作，破解发展困局。", "Organization")


def test_transliterated_names_without_chinese_surnames():
    text = ("2021年，新疆喀什地区疏附县托克扎克镇阿亚克村党支部书记艾则孜·买买提说，村里的杏子卖上了好价钱。"
            "内蒙古锡林郭勒盟阿巴嘎旗额尔敦高毕苏木巴彦图嘎嘎查党支部书记那仁格日勒介绍，牧民其其格家有200只羊。")
    people = _names(text, "Person")
    assert {"艾则孜·买买提", "那仁格日勒"} <= people
    assert not {"买买提", "那仁"} & people
    assert not _names("开展“情暖邻里·温暖万家”活动，打造“乐·吉阳”品牌。", "Person")


def test_counted_slogans_and_listed_slogans_are_not_programs():
    text = ("2023年，某县推行“三个一批”，落实“两个覆盖”，打造一批“立得住、推得开”的品牌，为职工缴纳“五险一金”；"
            "同时实施“三个一”工程，推广“院坝说事、干群共商”的做法。")
    programs = _names(text, "Program")
    assert {"三个一", "院坝说事、干群共商"} <= programs
    assert not {"三个一批", "两个覆盖", "立得住、推得开", "五险一金"} & programs


def test_a_school_head_inside_a_word_is_not_an_organisation():
    orgs = _names("党员指导员集中学习政策，小区党组织上报社区，来自乡贤促进会的代表发言。", "Organization")
    assert not any(o.endswith(("集中学", "上报社")) for o in orgs) and not any(o.startswith("自") for o in orgs)


def test_posts_made_systems_formulas_and_upgrades_are_programs():
    text = ("2021年，罗田县推行湾长制，采取“党支部+合作社+药农”的方式发展茯苓。2023年，罗田县将这一做法升级为"
            "强村富民计划，推行“一村一品”，落实“三统一”，反对家长制作风。")
    programs = _names(text, "Program")
    assert {"湾长制", "党支部+合作社+药农", "强村富民计划", "一村一品"} <= programs
    assert not {"三统一", "家长制"} & programs


def test_a_village_named_through_its_party_branch_is_a_place_even_when_its_name_is_a_word():
    text = ("2022年，江苏省宿迁市沭阳县新河镇推行“网格+电商”模式。东风村是全镇电商的发源地，"
            "东风村党总支书记张强介绍，村里网店超过800家。")
    rec = extract_text(text, name="t.txt")
    places = {e["name"]: e for e in rec["entities"] if e["type"] == "Place"}
    assert "东风村" in places and places["东风村"]["attrs"]["parent"] == "新河镇"
    assert not _names("村民想查村里的账，百企兴百村行动启动，评出五星村12个。", "Place")


def test_towns_the_data_lists_after_their_county_and_products_that_look_like_numbers():
    text = ("2017年，山东省菏泽市曹县大集镇党委在丁楼村成立电商党支部。云南省文山市在古木镇、平坝镇2个三七种植联合党支部"
            "推行“茶博士”党员服务队模式，组建“三七医生”党员服务队，把三七种植合作社纳入管理。")
    assert "大集镇" in _names(text, "Place")
    orgs = _names(text, "Organization")
    assert {"古木镇三七种植联合党支部", "平坝镇三七种植联合党支部", "三七医生党员服务队"} <= orgs
    assert "三七种植合作社" not in orgs


def test_village_as_a_category_is_not_a_village():
    assert not _names("2024年，某市清理整治社区“牌子乱象”，精简村（社区）各类台账，精简村级事项。", "Place")


def test_urban_streets_communities_and_estates():
    text = ("2023年，湖北省武汉市江汉区唐家墩街道青松社区青松花园小区成立楼栋党小组。上海市浦东新区花木街道、洋泾街道学习借鉴"
            "陆家嘴街道经验。广州市天河区石牌街道石牌东社区建起骑手驿站，杭州市拱墅区和睦街道和睦新村社区、西三社区推行积分制，"
            "青岛市市北区萍乡路社区也在推行。推进老旧小区改造。")
    places = _names(text, "Place")
    assert {"唐家墩街道", "青松社区", "青松花园小区", "洋泾街道", "石牌东社区", "和睦新村社区", "西三社区", "萍乡路社区"} <= places
    assert "老旧小区" not in places


def test_urban_bodies():
    text = ("2022年，北京华远恒泰物业服务有限公司党支部与呼家楼北社区签约。江汉区税务局干部陶俊担任青桥社区第七网格党支部副书记，"
            "江汉区城市管理执法局当天到场。天河区委社会工作部牵头成立天河区快递物流行业党委，入驻大厦的上海明正律师事务所成立党支部。"
            "武侯区委城乡社区发展治理委员会开展创建。")
    orgs = _names(text, "Organization")
    assert {"北京华远恒泰物业服务有限公司党支部", "青桥社区第七网格党支部", "江汉区城市管理执法局", "天河区快递物流行业党委",
            "上海明正律师事务所", "武侯区委城乡社区发展治理委员会"} <= orgs


def test_a_quoted_method_of_counted_steps_is_a_program():
    text = "2021年，东湖社区总结院落议事经验，形成“议事五步法”：收集、初审、协商、表决、公示。"
    assert "议事五步法" in _names(text, "Program")


def test_a_village_the_gazetteer_has_under_the_town_before_it_is_whole():
    # villages whose first character is also a word of its own (曾 "once", 本 "this")
    text = ("2021年，江西省于都县葛坳乡曾子村党支部推行积分制，曾子村党支部书记介绍了做法。"
            "湖北省公安县斗湖堤镇曾埠头村也学习借鉴。")
    places = _names(text, "Place")
    assert {"曾子村", "曾埠头村"} <= places and not {"子村", "埠头村"} & places
    assert "曾子村党支部" in _names(text, "Organization")


def test_a_name_ends_before_yibian_and_a_province_before_a_rare_word():
    text = ("2023年，大柳树村党支部书记孙海军一边查看大棚一边介绍经验。"
            "合作社与辽宁兴达食品有限公司签订订单协议。")
    assert "孙海军" in _names(text, "Person")
    assert "辽宁兴达食品有限公司" in _names(text, "Organization")


def test_the_bodies_of_a_level_are_not_one_organisation():
    text = "2019年，延长县借鉴外县村级合作社联营的做法，全县村级合作社由86家整合为12家。"
    assert not any(o.endswith("村级合作社") for o in _names(text, "Organization"))


def test_a_counted_list_of_industry_chain_bodies_without_deng_is_expanded():
    text = "2021年，宁夏盐池县成立大水坑黄花菜、惠安堡小杂粮2个产业链党委。次年，县里又成立2个产业链党委。"
    orgs = _names(text, "Organization")
    assert {"大水坑黄花菜产业链党委", "惠安堡小杂粮产业链党委"} <= orgs
    assert not any(o.startswith(("成立", "县里")) for o in orgs)


def test_a_quoted_idiom_is_not_a_program():
    text = "过去村级集体经济长期“一穷二白”。2021年，县里推行“飞地抱团”模式。"
    programs = _names(text, "Program")
    assert "飞地抱团" in programs and "一穷二白" not in programs


def test_words_that_only_contain_place_names_are_not_places():
    text = "2022年，台江县的绣片远销东部沿海城市。朗县被誉为“西藏辣椒之乡”。苗族大姐杨秀英是第一批寨管家。"
    places = _names(text, "Place")
    assert "海城市" not in places and "辣椒之乡" not in places and "朗县" in places
    assert "杨秀英" in _names(text, "Person")


def test_party_formulas_are_programs_and_learn_is_no_society_after_an_adverb():
    text = "2022年，黟县积极推进“党建+茶旅”，依托古茶园发展乡村旅游。书记说：“党员先学会，再教给乡亲们。”"
    assert "党建+茶旅" in _names(text, "Program")
    assert not any(o.endswith("学会") for o in _names(text, "Organization"))


def test_a_metaphor_in_quotes_is_a_program_when_a_head_names_it():
    text = "2020年以来，县里实施“头雁”工程，选优配强村党组织书记。村里的“头雁”带头干。"
    rec = extract_text(text, name="t.txt")
    progs = [e for e in rec["entities"] if e["type"] == "Program"]
    assert [p["name"] for p in progs] == ["头雁"] and len(progs[0]["mentions"]) == 1


def test_titles_a_place_was_given_are_not_programs():
    text = "2017年，东岭村被确定为“全国乡村治理示范村”，2019年获评“全国文明村”，村里推行“积分制”。"
    assert _names(text, "Program") == {"积分制"}


def test_an_institution_named_only_inside_its_sub_unit_is_the_sub_units_attribute():
    text = ("2021年，县里与中国农业科学院蔬菜花卉研究所签约共建。"
            "2022年，村里又与南京农业大学园艺学院合作，南京农业大学派出教授驻村。金乡农商银行鸡黍支行推出贷款。")
    rec = extract_text(text, name="t.txt")
    orgs = {e["name"]: e for e in rec["entities"] if e["type"] == "Organization"}
    assert "中国农业科学院" not in orgs
    assert orgs["中国农业科学院蔬菜花卉研究所"]["attrs"]["part_of"] == "中国农业科学院"
    assert {"南京农业大学", "南京农业大学园艺学院"} <= set(orgs)
    assert "金乡农商银行" not in orgs and orgs["金乡农商银行鸡黍支行"]["attrs"]["part_of"] == "金乡农商银行"


def test_names_end_before_verbs_that_follow_them():
    text = ("2022年，由歧坪镇党委书记何勇兼任片区党委书记，第一书记刘洋则负责对接企业。"
            "驻村工作队队长艾尔肯·吾买尔多次走访农户，村民艾尔肯·买买提来到夜校听课。")
    people = _names(text, "Person")
    assert {"何勇", "刘洋", "艾尔肯·吾买尔", "艾尔肯·买买提"} <= people
    assert not {"何勇兼", "刘洋则"} & people


def test_more_role_cues_and_tibetan_and_mongolian_names_after_a_role():
    text = ("望京东园社区楼长刘秀芬对此感受很深。2015年，阿柔村党支部在书记才让多杰带领下组建合作社。"
            "额尔敦苏木党委书记那顺乌力吉表示，联合党支部书记王强本身就是快递员。")
    assert {"刘秀芬", "才让多杰", "那顺乌力吉", "王强"} <= _names(text, "Person")


def test_a_county_name_inside_a_phrase_about_county_departments_and_demonyms_are_not_places():
    text = "2023年，政和县委组织部把村党组织和县直部门党组织联结起来。东宁的木耳，广东人也爱吃。"
    places = _names(text, "Place")
    assert "政和县" in places and not {"和县", "广东省"} & places


def test_organisation_names_do_not_cross_sentences_or_roles():
    text = ("“以前这片山是荒的，现在成了全村的‘绿色银行’。”村党支部书记胡德安说。"
            "2016年，县里选派干部郑一鸣担任泉河村第一书记兼工作队队长。"
            "产业链党委推行“三联三带”工作机制，即联养殖户、联合作社。王庄村成立金乡县蒜都丰源种植专业合作社。")
    rec = extract_text(text, name="t.txt")
    names = {e["name"] for e in rec["entities"]}
    assert not any("。" in n or "兼" in n for n in names)
    assert not {"即联", "丰源"} & {e["name"] for e in rec["entities"] if e["type"] == "Industry"}


def test_a_mongolian_gacha_name_is_not_split_at_a_county_short_form():
    text = "2021年，科左中旗额尔敦苏木乌兰套海嘎查党支部领办合作社。乌兰套海嘎查养牛400头。青海省乌兰县也在学习。"
    places = _names(text, "Place")
    assert {"乌兰套海嘎查", "乌兰县"} <= places and "套海嘎查" not in places


def test_provincial_departments_are_organisations():
    text = "2018年，新疆维吾尔自治区林业厅选派工作队驻村。2016年，河南省农业厅和县扶贫办联合调研。"
    assert {"新疆维吾尔自治区林业厅", "河南省农业厅"} <= _names(text, "Organization")


def test_a_lexicon_model_named_once_in_passing_is_not_a_program():
    text = ("2022年，在村企结对帮助下，村里农产品销路好了。"
            "2023年，县里推进数字乡村建设，在全县推行积分制，积分制让村民有了干劲。")
    programs = _names(text, "Program")
    assert {"数字乡村", "积分制"} <= programs and "村企结对" not in programs


def test_the_branches_of_a_trade_are_not_one_branch():
    text = "2021年，县里在拉面店集中的地方成立拉面党支部，白岩村成立白岩村电商党支部。"
    orgs = _names(text, "Organization")
    assert "白岩村电商党支部" in orgs and "拉面党支部" not in orgs


def test_a_development_zone_without_a_name_is_not_a_place():
    text = "2022年，入驻经济开发区的12家企业成立联合党委。"
    assert "经济开发区" not in _names(text, "Place")


def test_address_terms_and_conjunctions_after_roles_are_not_names():
    text = "2022年，村干部和蚌农一起清塘。村民潘阿姨说，合作社理事长和顺发带着大家干。"
    people = _names(text, "Person")
    assert not {"和蚌农", "潘阿姨"} & people


def test_a_rejected_place_match_does_not_hide_the_place_inside_it():
    text = "记者从江苏省苏州市张家港市委组织部获悉，村企联心在全市推开。贵州省黔东南州从江县加车村也来学习。"
    places = _names(text, "Place")
    assert {"江苏省", "苏州市", "张家港市", "从江县"} <= places
    assert "张家港市委组织部" in _names(text, "Organization")

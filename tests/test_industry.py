"""Industry recognition on sentences written for these tests (not from the evaluation set)."""
from kg.extract import extract_text


def industries(text):
    rec = extract_text(text, name="x.txt")
    return {e["name"] for e in rec["entities"] if e["type"] == "Industry"}


def test_channel_word_is_not_the_industry_of_a_product_article():
    text = ("2022年，某县大河镇党委成立大河镇茶叶电商党建联盟，组织党员电商带头人帮助茶农在网上卖茶叶。"
            "目前全镇电商户发展到300多户，茶叶线上销售额增长三成。")
    found = industries(text)
    assert "茶叶" in found and "电商" not in found


def test_channel_word_named_as_an_industry_chain_is_kept():
    text = "2023年，某市成立山口核桃、城关农村电商等2个产业链党委，推动产业抱团发展。"
    assert {"核桃", "农村电商"} <= industries(text)


def test_tourism_sector_named_once_is_kept():
    text = "2021年，青石村党支部推行“积分制”，引导村民发展乡村旅游，去年接待游客5万人次。"
    assert "乡村旅游" in industries(text)


def test_service_word_in_a_passing_list_is_dropped():
    text = ("青石村党支部领办青石村旅游专业合作社，统一经营民宿和研学线路。"
            "合作社还引进陶艺、民宿等项目，带动村民增收。")
    assert "民宿" not in industries(text)


def test_village_named_for_a_trade_is_not_a_place():
    text = "2022年，某镇在3个民宿村推行“红色管家”模式，为民宿经营户提供保洁服务，全镇民宿去年接待游客8万人次。"
    rec = extract_text(text, name="x.txt")
    assert "民宿村" not in {e["name"] for e in rec["entities"] if e["type"] == "Place"}
    assert "民宿" in {e["name"] for e in rec["entities"] if e["type"] == "Industry"}


def test_product_always_written_with_a_county_name_is_a_variety():
    text = "2020年，四川省凉山彝族自治州会理县成立会理石榴产业链党委，带动农户种植会理石榴5万亩。"
    assert "会理石榴" in industries(text)


def test_product_also_written_bare_keeps_its_bare_name():
    text = ("2021年，某县成立东岭苹果产业链党委。东岭镇党委书记介绍，全镇苹果种植面积达3万亩，"
            "苹果产值突破5亿元。")
    found = industries(text)
    assert "苹果" in found and "东岭苹果" not in found


def test_seed_production_of_a_crop_is_one_sector():
    text = "村党支部把500亩集体土地流转给种业公司发展玉米制种，村集体每年增收30万元。"
    assert "玉米制种" in industries(text)


def test_one_character_product_before_chanye():
    text = "2024年，某县学习借鉴邻县经验，在竹产业中推行“数字竹乡”建设，带动竹农增收。"
    assert "竹" in industries(text)


def test_how_a_crop_is_grown_is_not_an_industry():
    text = "专家团队在村里推广茶叶有机种植和生态种植技术，全村茶叶品质明显提升。"
    found = industries(text)
    assert "茶叶" in found and not found & {"有机", "生态", "茶叶有机"}


def test_two_names_of_one_product_are_one_industry():
    text = ("村里成立中蜂养殖专业合作社，发展中蜂产业，全村养殖中蜂2000群。"
            "合作社还请专家讲授中华蜜蜂养殖技术。")
    found = industries(text)
    assert "中蜂" in found and "中华蜜蜂" not in found


def test_named_teas_keep_their_place_and_do_not_collapse_the_category():
    text = ("2022年，浙江省丽水市遂昌县茶叶产业党建联盟推广开化龙顶和惠明茶的标准化加工，开化龙顶产量增长两成，"
            "惠明茶销售额突破1亿元，全县茶叶面积达到12万亩，茶叶产业成为富民产业。")
    assert {"茶叶", "惠明茶"} <= industries(text)


def test_a_product_always_named_with_its_season_is_a_variety():
    text = ("2021年，云南省德宏州陇川县依托专家工作站在冬闲田里发展冬季马铃薯，成立冬季马铃薯专业合作社，"
            "冬季马铃薯种植面积达到3万亩。")
    found = industries(text)
    assert "冬季马铃薯" in found and "马铃薯" not in found and "冬闲田" not in found


def test_an_unknown_product_marked_as_an_industry():
    text = "2020年，江苏省徐州市睢宁县沙集镇的家具产业年网络销售额超过百亿元，农户种植的花卉也上了网。"
    found = industries(text)
    assert "家具" in found and "农户" not in found
    assert not industries("推动区域产业升级，谋划产业项目，把小茶叶做成共富大产业。") - {"茶叶"}


def test_the_items_of_a_list_of_industries_and_unknown_products_of_party_bodies():
    text = ("2022年，河南省周口市围绕黄花菜、山药、胡辣汤等特色产业建强产业链党组织。鹿邑县成立鹿邑县化妆刷产业党建联盟，"
            "带动化妆刷加工企业120家。从江县加车村发展稻鱼鸭种养，稻鱼鸭产业成为富民产业。")
    found = industries(text)
    assert {"黄花菜", "山药", "胡辣汤", "化妆刷", "稻鱼鸭"} <= found
    links = industries("2021年，某区成立马铃薯产业链党委，下设种薯繁育、鲜薯营销、精深加工等3个产业链党支部，马铃薯产业提质增效。")
    assert "鲜薯营销" not in links and "精深加工" not in links


def test_lists_of_industries_begin_where_the_sentence_before_ends():
    text = ("2023年，县里把长寿康养作为新的增长点,推动冰糖橙,富硒米,苗绣等特色产业抱团发展。曹县已形成演出服、汉服、木制品等"
            "特色产业。农民通过土地入股、合作经营等方式参与产业发展。东兴村党支部领办东兴村亚麻种植专业合作社。")
    found = industries(text)
    assert {"冰糖橙", "富硒米", "苗绣", "演出服", "木制品", "亚麻"} <= found
    assert not {"增长点", "推动冰糖橙", "土地入股", "合作经营", "东兴村亚麻"} & found


def test_list_counted_as_big_industries_names_each_item_also_one_character_products():
    text = ("近年来，石门县以柑橘、茶、猕猴桃三大特色产业为重点，组建产业链党委。"
            "另一个县做强林果、杂粮两大产业。")
    assert {"柑橘", "茶", "猕猴桃"} <= industries(text)


def test_a_kind_of_tourism_not_in_the_lexicon_is_a_sector():
    text = "2023年，沿江的北岭镇把界江旅游作为新方向，界江旅游去年接待游客12万人次。游客来旅游也更方便了。"
    found = industries(text)
    assert "界江旅游" in found and not any(n.endswith("来旅游") for n in found)


def test_a_verb_before_growers_is_not_a_product():
    text = "2022年，县里把魔芋种植的做法推广到全县，惠及种植户3000余户，造福养殖户500户。"
    found = industries(text)
    assert "魔芋" in found and not ({"惠及", "造福"} & found)


def test_the_product_of_a_body_built_around_an_industry_is_an_industry():
    text = ("2022年，房县委组织部牵头成立房县黄酒产业链党委，把12家酒坊纳入链条。"
            "同年，县里又组建食用菌精深加工产业链党支部。")
    rec = extract_text(text, name="x.txt")
    names = {e["id"]: e["name"] for e in rec["entities"]}
    assert "黄酒" in industries(text) and "精深加工" not in industries(text)
    assert ("房县黄酒产业链党委", "黄酒") in {(names[r["source"]], names[r["target"]])
                                              for r in rec["relations"] if r["type"] == "focuses_on"}


def test_a_listed_product_keeps_its_name_without_the_way_it_is_raised():
    text = "2022年，宜君县结合本县苹果、核桃、中蜂养殖等产业实际，组建产业链党委。"
    found = industries(text)
    assert "中蜂" in found and "中蜂养殖" not in found


def test_a_list_of_products_of_one_category_and_a_variety_word_throughout():
    text = ("2021年，岚县是红芸豆、荞麦、燕麦等小杂粮的主产区，也是全省早糯玉米基地。"
            "村里建起早糯玉米加工厂，早糯玉米卖到了广东。")
    found = industries(text)
    assert {"红芸豆", "荞麦", "燕麦", "早糯玉米"} <= found and not {"芸豆", "玉米"} & found


def test_a_variety_is_named_whole_even_when_an_institute_is_named_for_the_crop():
    text = ("2020年，静乐县是甜糯玉米生产基地县，建起甜糯玉米加工厂。"
            "县里与山西农业大学玉米研究所合作，选育甜糯玉米新品种。")
    found = industries(text)
    assert "甜糯玉米" in found and "玉米" not in found


def test_products_listed_as_understory_crops_and_a_variety_beside_a_cooperative_of_another_name():
    text = ("2021年，祁门县引导各村在茶园间套种黄精、香榧等林下作物。"
            "古丈县的主导产业是古丈毛尖，县里成立古丈毛尖产业链党委，默戎镇成立默戎毛尖专业合作社，"
            "古丈毛尖卖到了全国。")
    found = industries(text)
    assert {"黄精", "香榧", "古丈毛尖"} <= found and not {"套种黄精", "毛尖"} & found


def test_a_verb_the_word_list_tags_as_a_name_is_no_product():
    text = "2023年，第一书记把心思花在拓宽产业上，带领村民发展黑木耳产业。"
    found = industries(text)
    assert "黑木耳" in found and "拓宽" not in found

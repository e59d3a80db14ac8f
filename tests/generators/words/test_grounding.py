"""Tier 1: lexicon, attribute sheet and grounding (no torch)."""

from __future__ import annotations

import pytest

from generators.product import Product
from generators.runtime.lexicon import MentionKind, default_lexicon
from generators.words.attributes import AttributeSource, build_attribute_sheet
from generators.words.grounding import Severity, check_grounding, mark_phrase

RED_POLY = Product(
    "S1", "Classic Tee", "Soft everyday tee.", {"color": "Red", "material": "Polyester", "size": "S, M, L"}
)
RED_COTTON_ZH = Product("Z1", "经典T恤", "", {"颜色": "红色", "材质": "棉"})


def _issues(text: str, product: Product = RED_POLY, **sheet_kwargs):
    report = check_grounding({"title": text}, build_attribute_sheet(product, **sheet_kwargs))
    return report, [(i.kind, i.severity, i.phrase) for i in report.issues]


def test_synonyms_are_accepted():
    for text in ["A crimson tee", "Scarlet crew neck in polyester", "red poly tee, size M"]:
        report, issues = _issues(text)
        assert report.ok and issues == [], text


def test_hundred_percent_cotton_vs_polyester_is_rejected_with_phrase_marked():
    report, issues = _issues("Soft 100% cotton tee")
    assert not report.ok and report.score < 0.5
    issue = report.contradictions[0]
    assert issue.kind is MentionKind.MATERIAL and issue.expected == "polyester"
    assert mark_phrase("Soft 100% cotton tee", issue) == "Soft 100% [[cotton]] tee"


def test_hundred_percent_claim_on_a_blend_is_rejected():
    blend = Product("B", "Tee", "", {"material": "cotton/polyester"})
    report, _ = _issues("100% cotton tee", blend)
    assert not report.ok and "100%" in report.contradictions[0].phrase
    assert _issues("cotton-rich tee with polyester", blend)[0].ok


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("纯棉红色T恤", True),
        ("棉质大红短袖", True),
        ("蓝色纯棉T恤", False),
        ("涤纶面料", False),
        ("网红同款纯棉T恤", True),
    ],
)
def test_chinese_synonyms(text, ok):
    report, _ = _issues(text, RED_COTTON_ZH)
    assert report.ok is ok


def test_english_copy_against_chinese_catalog_and_vice_versa():
    assert _issues("crimson cotton tee", RED_COTTON_ZH)[0].ok
    assert _issues("红色涤纶T恤")[0].ok  # 涤纶 = polyester, 红色 = red: both match the English catalog
    report, _ = _issues("红色纯棉T恤")
    assert [i.kind for i in report.contradictions] == [MentionKind.MATERIAL]


def test_negated_mentions_are_not_claims():
    assert _issues("No cotton here: pure polyester")[0].ok
    assert _issues("plastic-free packaging, red tee")[1] == []


def test_sizes_counts_and_claims():
    _, issues = _issues("Size XL tee, 3-pack, waterproof")
    assert (MentionKind.SIZE, Severity.CONTRADICTION, "Size XL") in issues
    assert (MentionKind.COUNT, Severity.UNVERIFIED, "3-pack") in issues
    assert (MentionKind.CLAIM, Severity.UNVERIFIED, "waterproof") in issues
    pack = Product("P", "Socks, pack of 3", "", {"count": "3"})
    assert _issues("3-pack of socks", pack)[0].ok
    assert not _issues("5件装袜子", pack)[0].ok


def test_claims_supported_by_catalog_text():
    product = Product("W", "Rain Jacket", "Fully waterproof shell.", {"color": "navy"})
    assert _issues("Waterproof blue rain jacket", product)[0].ok  # navy ≈ blue


def test_attribute_sheet_sources_and_conflicts():
    sheet = build_attribute_sheet(RED_POLY, {"color": {"blue": 0.85, "red": 0.1}}, ["a red shirt", "a red top"])
    colors = sheet.values["color"]
    assert colors[0].source is AttributeSource.CATALOG and colors[0].canonical == "red" and colors[0].confidence == 1
    assert {v.source for v in colors} == {AttributeSource.CATALOG, AttributeSource.CLIP, AttributeSource.CAPTION}
    assert [c.other.value for c in sheet.conflicts] == ["blue"]
    assert "catalog says red" in sheet.conflicts[0].message
    assert not build_attribute_sheet(RED_POLY, {"color": {"blue": 0.7}}).conflicts  # below p > 0.8
    assert sheet.to_dict()["attributes"]["size"][0]["value"] == "S, M, L"


def test_sheet_without_catalog_values_uses_confident_other_sources():
    bare = Product("N", "Mystery item")
    sheet = build_attribute_sheet(bare, {"color": {"green": 0.9}}, ["a green bag"])
    assert sheet.supported(MentionKind.COLOR) == {"green"} and not sheet.conflicts
    assert check_grounding({"title": "green bag"}, sheet).ok
    unknown = check_grounding({"title": "a blue bag"}, build_attribute_sheet(bare))
    assert unknown.ok and unknown.issues[0].severity is Severity.UNVERIFIED


def test_title_mentions_count_as_catalog_values():
    sheet = build_attribute_sheet(Product("T", "Scarlet Linen Shirt"))
    assert sheet.supported(MentionKind.COLOR) == {"red"} and sheet.supported(MentionKind.MATERIAL) == {"linen"}


def test_lexicon_ignores_words_that_merely_contain_a_colour():
    found = default_lexicon().find("网红蓝牙耳机 小红书爆款")
    assert found == []


def test_prices_must_be_the_catalogs_and_discounts_are_unverified():
    priced = Product("P", "Denim Jacket", "", {"price": "89.00", "color": "navy"})
    assert _issues("Only $89 for this navy jacket", priced)[0].ok
    report, issues = _issues("SALE: $12.99, 20% OFF", priced)
    assert not report.ok and (MentionKind.PRICE, Severity.CONTRADICTION, "$12.99") in issues
    assert (MentionKind.PRICE, Severity.UNVERIFIED, "20% OFF") in issues
    assert _issues("仅需¥99", RED_COTTON_ZH)[1] == [(MentionKind.PRICE, Severity.UNVERIFIED, "¥99")]


def test_mark_phrase_with_context():
    text = "x" * 100 + " 100% cotton " + "y" * 100
    issue = check_grounding({"d": text}, build_attribute_sheet(RED_POLY)).contradictions[0]
    marked = mark_phrase(text, issue, context=10)
    assert marked.startswith("…") and marked.endswith("…") and "[[cotton]]" in marked and len(marked) < 40


REGULAR_FIT = Product("F1", "Crew Neck Tee", "", {"color": "navy", "fit": "Regular"})
REGULAR_FIT_ZH = Product("F2", "圆领T恤", "", {"颜色": "藏青", "版型": "常规"})


def test_slightly_oversized_contradicts_a_regular_fit_with_the_phrase_marked():
    text = "A slightly oversized navy tee"
    report, issues = _issues(text, REGULAR_FIT)
    assert not report.ok and issues == [(MentionKind.FIT, Severity.CONTRADICTION, "oversized")]
    issue = report.contradictions[0]
    assert issue.expected == "regular fit" and "contradicts the product's fit (regular fit)" in issue.message
    assert mark_phrase(text, issue) == "A slightly [[oversized]] navy tee"


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("Classic fit navy crew tee", True),  # classic fit ≈ regular fit
        ("Regular-fit tee in navy", True),
        ("A navy tee for relaxed weekends", True),  # mood words claim no fit
        ("A classic navy tee", True),
        ("A tee that is not oversized", True),  # negated
        ("Relaxed fit navy tee", False),  # relaxed fit is a loose fit: roomier than regular
        ("Baggy navy tee", False),
        ("Slim-fit navy tee", False),
        ("Skinny navy tee", False),
    ],
)
def test_fit_in_english_copy(text, ok):
    report, issues = _issues(text, REGULAR_FIT)
    assert report.ok is ok, issues
    assert all(i.kind is MentionKind.FIT and i.expected == "regular fit" for i in report.contradictions)


@pytest.mark.parametrize(
    ("text", "ok", "phrase"),
    [
        ("常规版型藏青T恤", True, None),
        ("标准版型，百搭圆领", True, None),
        ("常规洗涤即可", True, None),  # 常规 alone is not a fit
        ("宽松落肩T恤", False, "宽松"),
        ("oversize风藏青T恤", False, "oversize风"),
        ("修身显瘦T恤", False, "修身"),
        ("紧身款", False, "紧身"),
    ],
)
def test_fit_in_chinese_copy(text, ok, phrase):
    report, _ = _issues(text, REGULAR_FIT_ZH)
    assert report.ok is ok
    if phrase:
        issue = report.contradictions[0]
        assert issue.kind is MentionKind.FIT and issue.phrase == phrase
        assert mark_phrase(text, issue) == text.replace(phrase, f"[[{phrase}]]", 1)


def test_fit_across_languages_and_compatible_loose_words():
    assert not _issues("宽松T恤", REGULAR_FIT)[0].ok  # English catalog, Chinese copy
    assert not _issues("slightly oversized tee", REGULAR_FIT_ZH)[0].ok  # and the other way round
    relaxed = Product("R", "Tee", "", {"fit": "Relaxed"})  # a catalog cell may name a fit with one word
    for text in [
        "Relaxed fit tee",
        "Slightly oversized tee",
        "Baggy, loose-fitting tee",
        "宽松落肩T恤",
        "oversize风T恤",
    ]:
        assert _issues(text, relaxed)[0].ok, text  # loose and oversized are one fit
    assert not _issues("Regular fit tee", relaxed)[0].ok and not _issues("常规版型T恤", relaxed)[0].ok


def test_fit_is_checked_only_when_the_sheet_has_one():
    no_fit = Product("N", "Crew Neck Tee", "", {"color": "navy"})
    for text in ["Slightly oversized navy tee", "Slim-fit navy tee", "宽松T恤"]:
        assert _issues(text, no_fit)[1] == [], text  # not even "unverified": catalogs rarely give a fit
    titled = Product("T", "Slim Fit Oxford Shirt")  # the catalog's own title names the fit
    assert _issues("Slim-fit shirt", titled)[0].ok and not _issues("Baggy shirt", titled)[0].ok
    slim = Product("S", "Oxford Shirt", "", {"fit": "slim"})
    assert _issues("A classic shirt for relaxed weekends, 常规洗涤", slim)[1] == []  # no fit phrase in there
    confident = build_attribute_sheet(no_fit, {"fit": {"slim fit": 0.9, "oversized": 0.05}})
    assert not check_grounding({"title": "Oversized tee"}, confident).ok  # a confident zero-shot fit counts


def test_cropped_is_length_not_width():
    _, issues = _issues("Cropped navy tee", REGULAR_FIT)
    assert issues == [(MentionKind.FIT, Severity.UNVERIFIED, "Cropped")]  # a regular fit cannot confirm it
    crop = Product("C", "Top", "", {"fit": "slim, cropped"})
    assert _issues("修身短款上衣", crop)[0].ok and _issues("Cropped slim-fit top", crop)[0].ok
    assert not _issues("Cropped oversized top", crop)[0].ok
    only_length = Product("L", "Top", "", {"fit": "cropped"})
    assert _issues("Slim-fit top", only_length)[1] == [(MentionKind.FIT, Severity.UNVERIFIED, "Slim-fit")]
    sheet = build_attribute_sheet(REGULAR_FIT, {"fit": {"cropped": 0.9}})
    assert not sheet.conflicts  # zero-shot "cropped" does not dispute a catalog "regular"
    sheet = build_attribute_sheet(REGULAR_FIT, {"fit": {"slim fit": 0.9}})
    assert [c.message for c in sheet.conflicts] == [
        "fit: catalog says regular fit, clip says slim fit (p=0.90); please review"
    ]


def test_fit_vocabulary_matches_the_zero_shot_labels():
    """Every label of the `fit` group in assets/vocab/attributes.json (en and zh) names one lexicon fit, and every
    lexicon fit is some label's, so zero-shot fits ground copy and conflicts are found."""
    from scoring.attributes import load_vocabulary

    lex = default_lexicon()
    named = set()
    for label in load_vocabulary()["fit"].labels:
        en, zh = lex.canonical_values(MentionKind.FIT, label.en), lex.canonical_values(MentionKind.FIT, label.zh)
        assert len(en) == 1 and en == zh, label
        named |= en
    assert named == set(lex.surfaces[MentionKind.FIT].values())


def test_invented_figures_are_unverified_and_catalog_figures_pass():
    tee = Product(
        "T", "Classic Tee", "Jersey, 180 gsm, 68 cm long.", {"price": "19.90", "material": "cotton", "size": "S, M"}
    )
    # the exact junk a 135M model wrote: a made-up number after "100% cotton"
    report, issues = _issues("Classic Tee, 100% Cotton, 100% 2601802834", tee)
    assert issues == [(MentionKind.NUMBER, Severity.UNVERIFIED, "2601802834")]
    assert report.ok and report.score < 1.0  # flagged, not a contradiction, and it costs grounding score
    assert _issues("Heavy 180 gsm jersey, 68 cm long, only $19.90", tee)[1] == []  # the catalog's own figures
    assert _issues("Made of 100% cotton, size M, a 2-pack", tee)[1] == [
        (MentionKind.COUNT, Severity.UNVERIFIED, "2-pack")
    ]  # 100%, sizes and counts are judged by their own checks, not twice
    assert [i[2] for i in _issues("Model 4471, 500 ml, 3.5 kg", tee)[1]] == ["4471", "500", "3.5"]
    assert [i[2] for i in _issues("克重250克，长68厘米", tee)[1]] == ["250"]


def test_a_fit_stated_in_the_catalog_description_is_checked():
    """The sample tee says "Regular fit." only in its description; the 135M model wrote "Slightly oversized"."""
    tee = Product("VT-TEE-RED", "Classic Crew-Neck T-Shirt, Red", "Soft cotton jersey tee. Regular fit.", {})
    report, issues = _issues("Slightly oversized to match your style.", tee)
    assert not report.ok and (MentionKind.FIT, Severity.CONTRADICTION, "oversized") in issues
    assert _issues("A classic regular fit tee", tee)[0].ok
    sheet = build_attribute_sheet(tee)
    assert [v.canonical for v in sheet.values["fit"]] == ["regular fit"]
    plain = Product("P", "Tee", "Soft cotton jersey tee.", {})
    assert _issues("Slightly oversized", plain)[0].ok  # no fit anywhere in the catalog: not checked


# ---- design details, size ranges, invented claims (cases seen on the sample catalog and a real store) --------
LOW_TOP = Product(
    "SN", "Canvas Low-Top Sneakers, White", "Lace-up canvas sneakers with a rubber sole.", {"size": "38-44"}
)
CREW_TEE = Product("T", "Classic Crew-Neck T-Shirt, Red", "Ribbed crew neck and double-stitched hems.", {})
HOODIE = Product("H", "Fleece Pullover Hoodie", "Brushed fleece with a lined hood and drawcords.", {})
JEANS = Product("J", "High-Rise Straight Jeans", "Button fly.", {"rise": "high rise"})


@pytest.mark.parametrize(
    ("product", "text", "ok"),
    [
        (LOW_TOP, "Classic high-top canvas sneakers", False),
        (LOW_TOP, "Everyday low-top sneakers", True),
        (LOW_TOP, "白色高帮帆布鞋", False),
        (CREW_TEE, "Soft v-neck tee", False),
        (CREW_TEE, "Classic crewneck tee with short sleeves", True),  # sleeves: the catalog leaves them open
        (HOODIE, "Cosy zip-up hoodie", False),
        (HOODIE, "Cosy pullover hoodie with drawstrings", True),
        (JEANS, "Low-rise jeans", False),
        (JEANS, "高腰直筒牛仔裤", True),
    ],
)
def test_design_details_contradict_on_their_own_axis(product, text, ok):
    report, issues = _issues(text, product)
    assert report.ok is ok, issues
    if not ok:
        assert report.contradictions[0].kind is MentionKind.DESIGN


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("Available in sizes 38-44", True),
        ("True to size: size 40 fits most", True),
        ("Sizes 38, 39, 40, 41", True),
        ("Available in sizes 38-85", False),
        ("Sizes 38, 39, 40, 85", False),
        ("38-44码可选", True),
        ("Size 46", False),
    ],
)
def test_catalog_size_ranges_are_expanded(text, ok):
    report, issues = _issues(text, LOW_TOP)
    assert report.ok is ok, issues


def test_invented_claims_disqualify_unless_the_catalog_makes_them():
    for text in [
        "Up to 10 times faster than your computer",
        "The 2025 model of our classic tee",
        "Powered by a 3.5 GHz engine",
        "The #1 best-selling tee",
        "Clinically proven comfort",
        "2024新款纯棉T恤",
    ]:
        report, issues = _issues(text, RED_COTTON_ZH)
        assert not report.ok, text
        assert report.reason == "makes claims the product data never makes"
        assert any(sev is Severity.INVENTED for _, sev, _ in issues), text
    claimed = Product("C", "Award-winning tee", "An award-winning classic.", {"material": "cotton"})
    assert _issues("Our award-winning tee", claimed)[0].ok


def test_made_up_names_are_unverified_but_catalog_names_pass():
    report, issues = _issues("The Crew-Nine tee", CREW_TEE)
    assert (MentionKind.CLAIM, Severity.UNVERIFIED, "Crew-Nine") in issues
    assert report.ok  # a soft flag: it lowers the score, it does not reject
    assert _issues("The Crew-Neck tee", CREW_TEE)[1] == []


def test_garbled_wording_disqualifies_but_real_rare_words_pass():
    hoodie = Product("H", "Fleece Pullover Hoodie", "Brushed fleece.", {"color": "grey"})
    report, issues = _issues("HREYCE PRULROWSHELD HORSEHOLDE, SALVORABLE AND STRONG", hoodie)
    assert not report.ok and issues[0][:2] == (MentionKind.WORDING, Severity.INVENTED)
    assert "PRULROWSHELD" in issues[0][2]
    for fine in ["Soft ribbed hems and a breathable fleece", "Brushed fleece hoodie, heather grey"]:
        assert _issues(fine, hoodie)[0].ok, fine

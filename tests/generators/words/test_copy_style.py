"""Tier 1: style checks (repetition, filler, copied description), fact bullets and the small-model notice."""

from __future__ import annotations

from generators.product import Product
from generators.words.attributes import build_attribute_sheet
from generators.words.copy_style import StyleKind, copied_run, filler_phrases, style_issues, style_summary
from generators.words.fact_bullets import fact_bullets, repair_bullets, weak_bullet_reason
from generators.words.grounding import check_grounding
from generators.words.model_fit import SMALL_MODEL_LABEL, small_model_notice
from generators.words.parsing import CopyFields
from generators.words.presets import Language
from generators.words.ranking import ScoreParts, reason_for

TEE = Product(
    "VT-TEE-RED",
    "Classic Crew-Neck T-Shirt, Red",
    "Soft 100% cotton jersey tee with a ribbed crew neck and double-stitched hems. Regular fit.",
    {"color": "red", "material": "cotton", "size": "S,M,L,XL"},
    category="tops",
)
SNEAKER = Product(
    "SN", "Canvas Low-Top Sneaker", "Low-top canvas sneaker.", {"color": "white", "size": "38-44"}, category="shoes"
)


def _kinds(fields: CopyFields, description: str = "") -> list[StyleKind]:
    return [i.kind for i in style_issues(fields, description)]


def test_a_bullet_said_twice_is_a_repeat_with_both_places_named():
    fields = CopyFields(
        "Red Tee",
        ("FIT: A classic piece.", "Made of cotton.", "FIT: A classic piece."),
        "A red cotton tee.",
    )
    repeats = [i for i in style_issues(fields) if i.kind is StyleKind.REPEATED]
    assert len(repeats) == 1
    assert repeats[0].field == "bullet 3" and repeats[0].other == "bullet 1"
    assert "bullet 3 repeats bullet 1" in repeats[0].message


def test_a_description_sentence_repeating_a_bullet_counts_but_naming_the_title_again_does_not():
    fields = CopyFields(
        "Classic Red Tee",
        ("Soft cotton jersey.",),
        "Classic Red Tee. Soft cotton jersey! Double-stitched hems.",
    )
    repeats = [i for i in style_issues(fields) if i.kind is StyleKind.REPEATED]
    assert [(r.field, r.other) for r in repeats] == [("description", "bullet 1")]


def test_a_phrase_looping_three_times_is_one_repeated_phrase_in_english_and_chinese():
    looping = CopyFields(
        "Tee",
        ("A fabric of 100% cotton, a 100% fabric, and a 100% fabric.", "The original fabric with a 100% fabric."),
        "",
    )
    (issue,) = [i for i in style_issues(looping) if i.kind is StyleKind.REPEATED_PHRASE]
    assert issue.message == "bullets and description: says 'a 100 fabric' 3 times"
    zh = CopyFields("T恤", ("纯棉面料，纯棉面料，纯棉面料。",), "")
    assert [i.phrase for i in style_issues(zh) if i.kind is StyleKind.REPEATED_PHRASE] == ["纯棉面料"]
    # Naming the material twice is not a loop.
    twice = CopyFields("Tee", ("Soft 100% cotton jersey.",), "A red tee in soft 100% cotton jersey.")
    assert StyleKind.REPEATED_PHRASE not in _kinds(twice)


def test_short_fragments_are_not_repeats():
    assert StyleKind.REPEATED not in _kinds(CopyFields("Tee", ("Red.", "Red."), ""))


def test_filler_is_found_in_english_and_chinese_longest_phrase_first():
    assert filler_phrases("Perfect for any occasion, a must-have.") == ["Perfect for any occasion", "a must-have"]
    assert filler_phrases("这款T恤百搭，适合各种场合。") == ["百搭", "适合各种场合"]
    # Whole words only in English: "high qualitymark" is not "high quality".
    assert filler_phrases("high qualitymark") == []


def test_specific_copy_has_no_style_issue():
    fields = CopyFields(
        "Red Cotton Crew-Neck Tee",
        ("Soft 100% cotton jersey.", "Ribbed crew neck.", "Double-stitched hems."),
        "A red tee in soft cotton jersey with a regular fit.",
    )
    assert style_issues(fields, TEE.description) == []


def test_the_catalog_description_copied_word_for_word_is_flagged_but_a_shared_phrase_is_not():
    copied = CopyFields("Tee", (), "Meet our tee. " + TEE.description)
    issues = [i for i in style_issues(copied, TEE.description) if i.kind is StyleKind.COPIED_DESCRIPTION]
    assert len(issues) == 1 and "copies the catalog description word for word" in issues[0].message
    own = CopyFields("Tee", (), "A soft 100% cotton jersey tee in red, cut for a regular fit.")
    assert StyleKind.COPIED_DESCRIPTION not in _kinds(own, TEE.description)


def test_copied_run_works_on_chinese_characters():
    catalog = "纯棉圆领短袖T恤，常规版型，双针缝边，柔软亲肤，日常百搭好穿。"
    assert copied_run("全新上市！" + catalog, catalog)
    assert not copied_run("红色纯棉T恤，圆领设计。", catalog)


def test_style_summary_counts_each_kind():
    fields = CopyFields("Tee", ("Perfect for any occasion.", "Perfect for any occasion."), "A must-have.")
    summary = style_summary(style_issues(fields))
    # The repeated bullet carries its own filler phrase: each field's filler counts.
    assert summary == "repeats itself (1), filler (3)"


def test_ranking_reason_names_the_style_problems():
    parts = ScoreParts(None, 1.0, 1.0, 1.0)
    assert "style: repeats itself (1)" in reason_for(parts, parts, 0, (), "repeats itself (1)")
    assert "style" not in reason_for(parts, parts, 0, ())


def test_fact_bullets_restate_catalog_values_in_english_and_chinese():
    sheet = build_attribute_sheet(TEE)
    en = dict(fact_bullets(sheet, Language.EN))
    assert en["material"] == "Made of cotton." and en["color"] == "Colour: red." and en["size"] == "Sizes: S, M, L, XL."
    zh = dict(fact_bullets(sheet, Language.ZH))
    slim = build_attribute_sheet(Product("C", "Chino", "", {"fit": "Slim"}))
    assert dict(fact_bullets(slim, Language.EN))["fit"] == "Fit: Slim."
    assert zh["material"] == "材质：纯棉。" and zh["color"] == "颜色：红色。" and zh["design"] == "细节：圆领。"
    one_size = build_attribute_sheet(Product("B", "Bag", "", {"size": "one size"}))
    assert dict(fact_bullets(one_size, Language.EN))["size"] == "One size."
    # A catalog's size range stays whole ("38-44"), and grounding accepts it.
    sizes = dict(fact_bullets(build_attribute_sheet(SNEAKER), Language.EN))["size"]
    assert sizes == "Sizes: 38-44." and check_grounding({"bullet 1": sizes}, build_attribute_sheet(SNEAKER)).ok


JEANS = Product("J", "501 Original Fit Jeans", "", {"color": "blue", "size": "28,30,32,34,36"})


def test_chinese_size_lists_are_read_as_one_size_mention():
    # Seen on a real store's jeans: "尺码：28, 30, 32, 34, 36。" was five unsupported numbers.
    sheet = build_attribute_sheet(JEANS)
    assert check_grounding({"bullet 1": "尺码：28, 30, 32, 34, 36。"}, sheet).issues == ()
    assert check_grounding({"bullet 1": "尺码：30"}, sheet).ok
    assert not check_grounding({"bullet 1": "尺码：40"}, sheet).ok
    assert not check_grounding({"bullet 1": "尺码：28-60"}, sheet).ok


def test_every_fact_bullet_passes_grounding():
    for product in (TEE, SNEAKER, JEANS):
        sheet = build_attribute_sheet(product)
        for language in Language:
            texts = {f"bullet {i}": b for i, (_, b) in enumerate(fact_bullets(sheet, language))}
            report = check_grounding(texts, sheet)
            assert report.issues == (), (product.sku, language, report.issues)


def test_repeated_and_filler_only_bullets_are_replaced_by_facts_good_ones_stay():
    sheet = build_attribute_sheet(TEE)
    fields = CopyFields(
        "Red Tee",
        ("Soft cotton jersey feels good all day.", "FIT: A classic piece.", "FIT: A classic piece.", "A must-have!"),
        "A red tee.",
    )
    repaired, fixes = repair_bullets(fields, sheet, Language.EN, 5)
    assert repaired.bullets[0] == "Soft cotton jersey feels good all day."
    # Cotton is already stated by a kept bullet: the facts that follow are the colour, the fit, the neck...
    assert repaired.bullets[1:] == ("Colour: red.", "Regular fit.", "Details: Crew-Neck.", "Sizes: S, M, L, XL.")
    assert len(fixes) == 4 and "filler only" in fixes[0] and "repeated an earlier bullet" in fixes[1]
    assert "was missing" in fixes[3]
    assert _kinds(repaired) == []


def test_a_bullet_copied_from_the_prompt_example_is_replaced():
    sheet = build_attribute_sheet(TEE)
    assert weak_bullet_reason("Holds 350 ml, enough for a morning coffee.", [], sheet.text) == (
        "copied the prompt's example"
    )
    assert weak_bullet_reason("Ribbed crew neck keeps its shape.", [], sheet.text) == ""


def test_bullets_that_say_nothing_or_mostly_repeat_an_earlier_one_are_weak():
    # Seen from the packaged model on a real store's catalog.
    assert weak_bullet_reason("501 501", [], "") == "said nothing"
    looping = "100% Cotton, 100% Sleeves, 100% 100% 100% 100% 100% 100% Sleeves, 100% 100% 100%"
    assert weak_bullet_reason(looping, [], "") == "looped on a phrase"
    earlier = ["SOLD: TINY SALES, SOLD BY NAVAL, LINES OF NOVELS, SUBFRAME"]
    assert weak_bullet_reason("SOLD: NAVAL, LINES OF NOVELS, SUBFRAME", earlier, "") == (
        "mostly repeated an earlier bullet"
    )
    assert (
        weak_bullet_reason("纯棉面料，柔软亲肤", ["纯棉面料，柔软亲肤，透气舒适"], "")
        == "mostly repeated an earlier bullet"
    )
    # Sharing a few words is not repeating: both say something of their own.
    assert weak_bullet_reason("Soft cotton jersey.", ["Made of cotton.", "Ribbed crew neck."], "") == ""
    # The worked example's "enough for a large morning coffee", bent to a sneaker.
    assert weak_bullet_reason("Holds 38-44 mm, enough for a large morning bag.", [], "canvas sneaker") == (
        "copied the prompt's example"
    )


def test_good_bullets_are_left_alone():
    sheet = build_attribute_sheet(TEE)
    fields = CopyFields("Tee", ("Soft cotton.", "Bright red.", "Ribbed crew neck."), "A tee.")
    assert repair_bullets(fields, sheet, Language.EN, 3) == (fields, ())


def test_a_filler_only_bullet_stays_when_no_fact_is_left_to_replace_it():
    sheet = build_attribute_sheet(Product("X", "Gift card", "", {}))
    fields = CopyFields("Gift card", ("Perfect for any occasion.",), "")
    repaired, fixes = repair_bullets(fields, sheet, Language.EN, 5)
    assert repaired.bullets == ("Perfect for any occasion.",) and fixes == ()


def test_small_model_notice_names_the_label_the_pull_command_and_the_setting():
    zh = small_model_notice("HuggingFaceTB/SmolLM2-135M-Instruct", 134_515_008, Language.ZH)
    assert zh.startswith(SMALL_MODEL_LABEL) and "135M parameters" in zh and "Chinese" in zh
    assert "`vitrine models pull copywriter`" in zh and "VITRINE_MODEL_COPYWRITER" in zh and "[models]" in zh
    assert small_model_notice("SmolLM2-135M", 134_515_008, Language.EN).startswith(SMALL_MODEL_LABEL)
    assert small_model_notice("Qwen/Qwen2.5-1.5B-Instruct", 1_543_714_304, Language.ZH) == ""

"""Tier 1/2: Chinese queries translated term by term for English-only CLIPs."""

from __future__ import annotations

import pytest

from scoring.query_translation import clip_query, translate_zh


@pytest.mark.parametrize(
    ("query", "english", "unknown"),
    [
        ("红色纯棉T恤", "red cotton t-shirt", ()),  # mixed-script term (T恤), longest match first (纯棉 over 棉)
        ("女士碎花连衣裙 夏季", "women's floral dress summer", ()),
        ("一件好看的绿色卫衣", "green sweatshirt", ()),  # filler words dropped
        ("red 纯棉 tee", "red cotton tee", ()),  # English words kept
        ("网红 复古 红色 包", "vintage red bag", ()),  # 网红 (influencer) is not red
        ("修身冲浪板", "slim fit", ("冲浪板",)),  # unknown words are reported, never guessed
        ("冲浪板", "", ("冲浪板",)),
    ],
)
def test_translate_zh(query, english, unknown):
    assert translate_zh(query) == (english, unknown)


def test_clip_query_translates_only_for_english_only_models(scorer):
    assert not scorer.multilingual
    asked = clip_query(scorer, "黑色皮革手提包")
    assert asked.text == "black leather handbag" and asked.translated
    assert "searched as 'black leather handbag'" in asked.note()
    plain = clip_query(scorer, "a black handbag")
    assert plain.text == "a black handbag" and plain.note() is None
    lost = clip_query(scorer, "冲浪板")  # nothing understood: sent as typed (the language notice explains)
    assert lost.text == "冲浪板" and not lost.translated and lost.unknown == ("冲浪板",)

"""The offline-built CLIP tokenizer must match open_clip's (the reference) id for id."""

from __future__ import annotations

import pytest

from generators.runtime.models.clip_tokenizer import CLIP_MAX_LENGTH, CLIP_VOCAB_SIZE, build_clip_tokenizer


@pytest.mark.parametrize(
    "text",
    ["a red linen shirt, studio photo", "Ünïcode façade 東京 😀 don't", "  spaced   out!! ", "word " * 100],
)
def test_matches_open_clip_ids(text: str) -> None:
    import open_clip

    ours = build_clip_tokenizer()(text, truncation=True, max_length=CLIP_MAX_LENGTH).input_ids
    reference = [i for i in open_clip.get_tokenizer("ViT-B-32")([text])[0].tolist() if i != 0]  # open_clip pads 0
    assert ours == reference


def test_vocab_and_length_limit() -> None:
    tok = build_clip_tokenizer()
    assert len(tok) == CLIP_VOCAB_SIZE
    assert tok.model_max_length == CLIP_MAX_LENGTH
    assert tok.bos_token_id == 49406 and tok.eos_token_id == 49407

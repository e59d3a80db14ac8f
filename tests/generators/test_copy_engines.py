"""Tier 2: the copywriter on each sampling engine of `llm_engine`, on the tiny model: the quantized decode loop
(int8 here: the tiny model's weights are not 4-bit; packed in well under a second) and CTranslate2 int8.

The copywriter tests of `test_copywriter` (contract included) run again here on every engine, plus what is
an engine's own: seeding, progress, cancel, per-sequence early stop, the engine in provenance, the choice.
"""

from __future__ import annotations

import pytest

from generators.copywriter import CopyPipeline, CopyRequest
from generators.runtime.errors import SettingsError
from generators.runtime.llm_engine import (
    COPY_ENGINE_ENV,
    CTRANSLATE2,
    QUANTIZED,
    TRANSFORMERS,
    SampleSpec,
    copy_engine_name,
    load_copy_engine,
)
from generators.runtime.loading import load_model
from generators.runtime.progress import Cancelled, CancelToken
from generators.words.presets import Platform
from tests.generators.test_copywriter import (  # noqa: F401  (collected again, on this module's `pipe`)
    TEE,
    TestCopyPipelineContract,
    test_bad_input_products_still_give_checked_copy,
    test_cancel_stops_generation,
    test_copy_that_repeats_the_worked_example_is_rejected,
    test_injection_title_does_not_change_the_output_format,
    test_platform_limits_hold_on_50_generated_candidates,
    test_review_rejects_contradictions_and_drops_duplicates,
    test_tiny_run_ranks_candidates_with_scores_and_provenance,
)


@pytest.fixture(scope="module", params=[QUANTIZED, CTRANSLATE2])
def engine_kind(request):
    return request.param


@pytest.fixture(scope="module")
def engine(engine_kind):
    return load_copy_engine(engine_kind, load_model("copywriter", "tiny"))


@pytest.fixture(scope="module")
def pipe(engine):
    return CopyPipeline(load_model("copywriter", "tiny"), embedder=load_model("text_embedder", "tiny"), engine=engine)


def _spec(engine, n=3, seed=5, max_new=24, min_new=0):
    tokenizer = load_model("copywriter", "tiny").components.tokenizer
    prompt = tokenizer("<|im_start|>user\nRed tee<|im_end|>\n<|im_start|>assistant\n")["input_ids"]
    return SampleSpec(prompt, n, seed, max_new, min_new, 0.9, 0.95)


def test_the_engine_is_recorded_in_provenance(pipe, engine_kind):
    result = pipe.run(CopyRequest(TEE, Platform.AMAZON, n=2, seed=1, max_new_tokens=12))
    # The tiny model's random weights are not 4-bit: int8 rows (see llm_quant.four_bit_source).
    expected = {QUANTIZED: ("torch-int8", "int8"), CTRANSLATE2: ("ctranslate2-int8", "int8")}[engine_kind]
    assert (result.provenance.params["engine"], result.provenance.params["dtype"]) == expected
    stock = CopyPipeline(load_model("copywriter", "tiny"))
    assert stock.run(CopyRequest(TEE, Platform.AMAZON, n=1, max_new_tokens=4)).provenance.params["engine"] == (
        "transformers"
    )


def test_same_seed_same_tokens_and_another_seed_others(engine):
    def run(seed):
        return engine.sample(_spec(engine, seed=seed, min_new=24), lambda row, step, token: False)

    first = run(5)
    assert first == run(5) and [len(r) for r in first] == [24, 24, 24]
    assert run(6) != first


def test_each_sequence_stops_on_its_own(engine):
    """Returning True for one row stops that row only; the others run to the budget."""
    stopped_at = {0: 3, 2: 7}

    def on_token(row, step, token):
        return stopped_at.get(row) == step + 1

    rows = engine.sample(_spec(engine, min_new=20, max_new=20), on_token)
    assert [len(r) for r in rows] == [3, 20, 7]


def test_an_error_in_the_callback_reaches_the_caller(engine):
    def on_token(row, step, token):
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        engine.sample(_spec(engine), on_token)
    assert engine.sample(_spec(engine, n=1, max_new=4, min_new=4), lambda *a: False)  # still usable


def test_progress_reaches_the_budget_and_cancel_stops_within_a_token(pipe):
    seen = []
    request = CopyRequest(TEE, Platform.AMAZON, n=2, seed=2, max_new_tokens=48, min_new_tokens=48, max_retries=0)
    pipe.sampler.sample(pipe.sampler.prompt_ids(_messages(request)), 2, 2, request, progress=seen.append)
    assert [p.step for p in seen] == [16, 32, 48] and all(p.total == 48 for p in seen)
    token, after = CancelToken(), []

    def cancel_at_first(p):
        if token.cancelled:
            after.append(p)
        token.cancel()

    with pytest.raises(Cancelled):
        pipe.sampler.sample(
            pipe.sampler.prompt_ids(_messages(request)), 2, 2, request, progress=cancel_at_first, cancel=token
        )
    assert after == []


def test_a_sequence_stops_once_a_line_repeats(pipe, monkeypatch):
    """The stop rule ends a row at the line break that completes it; the row comes back shorter than the budget."""
    from generators.words import copy_sampling

    calls = []

    def complete_after_one_line(self, text):
        calls.append(text)
        return text.count("\n") >= 1

    monkeypatch.setattr(copy_sampling.StopRule, "_complete", complete_after_one_line)
    # The tiny model breaks lines at random (about 1 token in 800): use the first seed where a row breaks one.
    for seed in range(40):
        request = CopyRequest(TEE, Platform.AMAZON, n=3, seed=seed, max_new_tokens=200, max_retries=0)
        texts, tokens = pipe.sampler.sample(pipe.sampler.prompt_ids(_messages(request)), 3, seed, request)
        if calls:
            break
    assert calls and len(texts) == 3
    broken = [text for text in texts if "\n" in text]
    assert broken and all(text.endswith("\n") for text in broken)  # each stopped at its first line break
    assert tokens < 600


def _messages(request):
    from tests.generators.test_copywriter import _messages as build

    return build(None, request)  # it reads only the request


class _Loaded:
    """What `copy_engine_name` reads of a loaded model: whether it is a placeholder, and its model's layout."""

    def __init__(self, placeholder: bool, model_type: str = "llama") -> None:
        self.placeholder = placeholder
        self.components = load_model("copywriter", "tiny").components
        if model_type != "llama":
            import copy

            self.components = copy.copy(self.components)
            self.components.model = copy.copy(self.components.model)
            self.components.model.config = copy.copy(self.components.model.config)
            self.components.model.config.model_type = model_type


def test_the_engine_choice(monkeypatch):
    monkeypatch.delenv(COPY_ENGINE_ENV, raising=False)
    assert copy_engine_name("cpu", _Loaded(False)) == QUANTIZED
    assert copy_engine_name("cpu", _Loaded(True)) == TRANSFORMERS  # tiny/perf keep the torch path
    assert copy_engine_name("cuda", _Loaded(False)) == TRANSFORMERS
    assert copy_engine_name("cpu", _Loaded(False, "gpt2")) == TRANSFORMERS  # a layout the loop does not read
    monkeypatch.setenv(COPY_ENGINE_ENV, "transformers")
    assert copy_engine_name("cpu", _Loaded(False)) == TRANSFORMERS
    monkeypatch.setenv(COPY_ENGINE_ENV, "ctranslate2")
    assert copy_engine_name("cpu", _Loaded(True)) == CTRANSLATE2
    monkeypatch.setenv(COPY_ENGINE_ENV, "quantized")
    assert copy_engine_name("cpu", _Loaded(True)) == QUANTIZED
    monkeypatch.setenv(COPY_ENGINE_ENV, "llama")
    with pytest.raises(SettingsError):
        copy_engine_name("cpu", _Loaded(False))


def test_the_factory_builds_the_copy_pipeline_on_the_chosen_engine(monkeypatch):
    from generators.factory import SharedModels

    for kind, engine_name in ((CTRANSLATE2, "ctranslate2-int8"), (QUANTIZED, "torch-int8")):
        monkeypatch.setenv(COPY_ENGINE_ENV, kind)
        shared = SharedModels("tiny", device="cpu")
        pipe = shared.pipeline("copy", clip=False)
        assert pipe.engine.name == engine_name and pipe.engine is shared.pipeline("copy", clip=True).engine
    monkeypatch.setenv(COPY_ENGINE_ENV, "transformers")
    assert SharedModels("tiny", device="cpu").pipeline("copy", clip=False).engine is None


@pytest.mark.parametrize("on_transformers", [False, True])
def test_products_generating_side_by_side_keep_their_seeded_text(pipe, on_transformers):
    """Batch workers run products at the same time: each request still gets the text its seed gives alone."""
    from concurrent.futures import ThreadPoolExecutor

    if on_transformers:
        pipe = CopyPipeline(load_model("copywriter", "tiny"))
    requests = [CopyRequest(TEE, Platform.AMAZON, n=2, seed=seed, max_new_tokens=20, max_retries=0) for seed in (1, 2)]
    alone = [[c.raw for c in pipe.run(r).candidates] for r in requests]
    with ThreadPoolExecutor(2) as pool:
        together = list(pool.map(lambda r: [c.raw for c in pipe.run(r).candidates], requests * 2))
    assert together == alone * 2

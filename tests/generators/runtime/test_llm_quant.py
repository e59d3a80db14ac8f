"""The int4 decode loop's own arithmetic, against the transformers forward of the same (tiny, random) models.

Packing is exact for weights already on a 4-bit grid of 32-input groups (what a Q4_1 GGUF holds): then the
loop's logits differ from the model's only by bf16 activations. Llama and Qwen2 (biases on q, k, v) layouts.
"""

from __future__ import annotations

import pytest
import torch

from generators.runtime.device import CPU_BF16_ENV
from generators.runtime.llm_decode import QuantDecodeEngine
from generators.runtime.llm_quant import INT4_GROUP, QuantLinear, supports
from generators.runtime.llm_rows import DecodeRows
from generators.runtime.llm_spec import SampleSpec


def _on_int4_grid(model: torch.nn.Module) -> None:
    """Round every decoder-layer projection onto a 4-bit grid per 32 inputs, as a Q4_1 GGUF stores them."""
    with torch.no_grad():
        for name, module in model.named_modules():
            if isinstance(module, torch.nn.Linear) and "layers." in name:
                w = module.weight
                groups = w.view(w.shape[0], -1, INT4_GROUP)
                low, high = groups.amin(-1, keepdim=True), groups.amax(-1, keepdim=True)
                scale = ((high - low) / 15).to(torch.bfloat16).float()  # exactly representable scales
                low = low.to(torch.bfloat16).float()
                w.copy_((torch.round((groups - low) / scale).clamp(0, 15) * scale + low).view_as(w))


def _tiny(kind: str) -> torch.nn.Module:
    from transformers import LlamaConfig, LlamaForCausalLM, Qwen2Config, Qwen2ForCausalLM

    torch.manual_seed(0)
    shape = dict(
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        vocab_size=300,
        max_position_embeddings=512,
        tie_word_embeddings=True,
    )
    if kind == "qwen2":
        model = Qwen2ForCausalLM(Qwen2Config(**shape))
        with torch.no_grad():  # transformers initialises biases to zero: make them count
            for layer in model.model.layers:
                for proj in (layer.self_attn.q_proj, layer.self_attn.k_proj, layer.self_attn.v_proj):
                    proj.bias.normal_(0, 0.5)
    else:
        model = LlamaForCausalLM(LlamaConfig(**shape))
    _on_int4_grid(model)
    return model.eval()


@pytest.mark.parametrize("kind", ["llama", "qwen2"])
@pytest.mark.parametrize("bits,head_bits,n", [(4, 8, 2), (8, 8, 2), (4, 16, 2), (4, 16, 6)])
def test_decode_steps_match_the_transformers_forward(kind, bits, head_bits, n, monkeypatch):
    monkeypatch.setenv(CPU_BF16_ENV, "0")  # the prefill in the model's fp32, whatever this CPU has
    model = _tiny(kind)
    assert supports(model)
    engine = QuantDecodeEngine(model, {299}, bits=bits, head_bits=head_bits)
    prompt = [5, 17, 42, 7, 99, 3, 250, 61]
    follow = [12, 200]
    with torch.inference_mode():
        reference = model(torch.tensor([prompt + follow])).logits[0, len(prompt) - 1 :].float()
        rows = DecodeRows(engine.weights)
        rows.admit(engine._prompt_kv(prompt), n, prompt[-1], len(prompt) - 1, len(prompt) + 4)
        steps = [rows.step()]
        for token in follow:
            rows.keep(list(range(n)), [token] * n)
            steps.append(rows.step())
    for step, expected in zip(steps, reference, strict=True):
        assert all(torch.equal(step[0], row) for row in step)  # the rows of the batch see the same prompt
        assert step[0].argmax() == expected.argmax()
        # bf16 activations (and int8 rows for the 8-bit layers and the head): within a few percent of the spread
        assert (step[0] - expected).abs().max() < 0.05 * (expected.max() - expected.min())


def test_a_quant_linear_reproduces_weights_on_the_int4_grid_and_falls_back_where_kernels_cannot():
    torch.manual_seed(1)
    w = torch.randn(48, 64)
    model_like = torch.nn.Linear(64, 48, bias=False)
    model_like.weight.data = w
    holder = torch.nn.Module()
    holder.layers = torch.nn.ModuleList([torch.nn.Module()])
    holder.layers[0].proj = model_like
    _on_int4_grid(holder)
    x = torch.randn(3, 64).to(torch.bfloat16)
    exact = x.float() @ model_like.weight.T
    packed = QuantLinear(model_like.weight, 4)
    assert packed.bits == 4
    assert (packed(x).float() - exact).abs().max() < 0.02 * exact.abs().max()
    # Shapes the kernels cannot take (they would crash): 40 outputs are not sixteens, 40 inputs not groups.
    assert QuantLinear(torch.randn(40, 64), 4).bits == 8
    odd = QuantLinear(torch.randn(8, 40), 4)
    assert odd.bits == 16
    x = torch.randn(2, 40)
    assert torch.allclose(odd(x.to(torch.bfloat16)).float(), x @ odd.weight.float().T, atol=0.1)


def test_sampling_honours_min_new_tokens_top_p_and_the_budget():
    model = _tiny("llama")
    eos = 7
    engine = QuantDecodeEngine(model, {eos})
    prompt = [5, 17, 42]
    spec = SampleSpec(prompt, 4, 3, 30, 30, 1.0, 0.9)
    rows = engine.sample(spec, lambda row, step, token: False)
    assert [len(r) for r in rows] == [30] * 4 and all(eos not in r for r in rows)
    # A nearly flat distribution: the 256 most likely of 300 tokens (ids 0-255) hold ~85 % of the mass, less
    # than top_p, so the fast path must give way to the full sort and ids 256-299 must be drawn too.
    logits = (-torch.arange(300).float() * 1e-3).expand(2000, -1).clone()
    generators = [torch.Generator().manual_seed(i) for i in range(2000)]
    drawn = engine._sample(logits, SampleSpec(prompt, 2000, 0, 1, 0, 1.0, 0.99), 0, generators)
    assert int((drawn >= 256).sum()) > 100
    # With top_p small, only the head of the distribution is drawn.
    head = engine._sample(logits, SampleSpec(prompt, 2000, 0, 1, 0, 1.0, 0.1), 0, generators)
    assert int(head.max()) < 40
    with pytest.raises(ValueError, match="positions"):
        engine.sample(SampleSpec(prompt, 1, 0, 5000, 0, 0.7, 0.9), lambda *a: False)


def test_four_bit_weights_are_told_from_weights_int4_would_round():
    from transformers import LlamaConfig, LlamaForCausalLM

    from generators.runtime.llm_quant import four_bit_source

    grid = _tiny("llama")
    assert four_bit_source(grid)
    assert four_bit_source(grid.to(torch.bfloat16))  # on the grid within bf16 rounding still counts
    torch.manual_seed(2)
    plain = LlamaForCausalLM(
        LlamaConfig(hidden_size=64, intermediate_size=128, num_hidden_layers=1, num_attention_heads=4, vocab_size=300)
    )
    assert not four_bit_source(plain)


def test_requests_decoded_together_get_the_logits_they_get_alone(monkeypatch):
    """Rows of prompts of different lengths share steps (each at its own position, the rest masked)."""
    monkeypatch.setenv(CPU_BF16_ENV, "0")
    engine = QuantDecodeEngine(_tiny("llama"), {299})
    prompts = {"a": [5, 17, 42, 7, 99, 3, 250, 61], "b": [9, 8, 7, 6, 5]}
    follow = {"a": [12, 200, 31], "b": [4, 150, 77]}

    def run(names):
        rows = DecodeRows(engine.weights)
        for name in names:
            prompt = prompts[name]
            rows.admit(engine._prompt_kv(prompt), 2, prompt[-1], len(prompt) - 1, len(prompt) + 4)
        out = [rows.step()]
        for i in range(3):
            rows.keep(list(range(len(rows))), [follow[name][i] for name in names for _ in range(2)])
            out.append(rows.step())
        return torch.stack(out)  # (steps, rows, vocab)

    with torch.inference_mode():
        together = run(["a", "b"])
        alone = torch.cat([run(["a"]), run(["b"])], 1)
    assert together.shape == alone.shape == (4, 4, 300)
    assert torch.allclose(together, alone, atol=1e-4)


def test_a_failing_callback_ends_only_its_own_request():
    from concurrent.futures import ThreadPoolExecutor

    engine = QuantDecodeEngine(_tiny("llama"), {299})

    def failing(row, step, token):
        if step == 3:
            raise RuntimeError("stop rule broke")
        return False

    def run(kind):
        spec = SampleSpec([5, 17, 42, 7] if kind == "bad" else [9, 8, 7], 3, 1, 40, 40, 1.0, 0.9)
        return engine.sample(spec, failing if kind == "bad" else (lambda *a: False))

    with ThreadPoolExecutor(2) as pool:
        bad, good = pool.submit(run, "bad"), pool.submit(run, "good")
        with pytest.raises(RuntimeError, match="stop rule broke"):
            bad.result()
        assert [len(r) for r in good.result()] == [40, 40, 40]
    assert [len(r) for r in run("good")] == [40, 40, 40]  # the engine is still usable


def test_a_short_request_returns_while_a_longer_one_started_before_it_runs_on():
    """Requests side by side share the lanes' steps; each returns as soon as its own rows are done."""
    import threading

    engine = QuantDecodeEngine(_tiny("llama"), {299}, lanes=2)
    short_returned, long_running = threading.Event(), threading.Event()
    seen_at_long_end: list[bool] = []
    results = {}

    def long_on_token(row, step, token):
        long_running.set()
        if step == 399 and row == 0:
            seen_at_long_end.append(short_returned.is_set())
        return False

    def run_long():
        results["long"] = engine.sample(SampleSpec([9, 8, 7], 2, 2, 400, 400, 1.0, 0.9), long_on_token)

    thread = threading.Thread(target=run_long)
    thread.start()
    assert long_running.wait(30)
    results["short"] = engine.sample(SampleSpec([5, 17, 42], 2, 1, 10, 10, 1.0, 0.9), lambda *a: False)
    short_returned.set()
    thread.join(60)
    assert [len(r) for r in results["short"]] == [10, 10] and [len(r) for r in results["long"]] == [400, 400]
    assert seen_at_long_end == [True]


def test_a_row_s_text_depends_on_its_seed_only_not_on_the_lanes_or_the_requests_beside_it():
    from concurrent.futures import ThreadPoolExecutor

    model = _tiny("llama")
    spec = SampleSpec([5, 17, 42, 7], 4, 11, 30, 30, 1.0, 0.9)
    alone = QuantDecodeEngine(model, {299}, lanes=1).sample(spec, lambda *a: False)
    engine = QuantDecodeEngine(model, {299}, lanes=2)
    other = SampleSpec([9, 8, 7, 6, 5], 3, 4, 30, 30, 1.0, 0.9)
    with ThreadPoolExecutor(2) as pool:
        side = pool.submit(engine.sample, other, lambda *a: False)
        together = engine.sample(spec, lambda *a: False)
        side.result()
    # Rows decoded on other lanes and beside another request sample the same tokens, up to the float noise of
    # different batch shapes (the logits agree to ~1e-5; a draw can only flip at a near tie).
    same = sum(a == b for x, y in zip(alone, together, strict=True) for a, b in zip(x, y, strict=True))
    assert same >= 0.9 * 4 * 30
    again = engine.sample(spec, lambda *a: False)
    assert again == engine.sample(spec, lambda *a: False)  # a re-run gives them back exactly


def test_rows_of_requests_that_come_and_go_keep_the_transformers_logits(monkeypatch):
    """Groups share prompts per request; rows leave mid-way, a done request's place is taken by a new one and
    idle places are compacted away: every live row's logits stay those of the model on its own sequence."""
    from generators.runtime import llm_rows

    monkeypatch.setenv(CPU_BF16_ENV, "0")
    model = _tiny("llama")
    engine = QuantDecodeEngine(model, {299}, bits=4, head_bits=16)
    gen = torch.Generator().manual_seed(3)
    prompts = {
        name: torch.randint(0, 299, (length,), generator=gen).tolist()
        for name, length in (("a", 40), ("b", 13), ("c", 70), ("d", 5))
    }
    follow = {name: torch.randint(0, 299, (60,), generator=gen).tolist() for name in prompts}
    with torch.inference_mode():
        reference = {
            name: model(torch.tensor([prompts[name] + follow[name]])).logits[0, len(prompts[name]) - 1 :].float()
            for name in prompts
        }
        rows = DecodeRows(engine.weights)
        live: list[tuple[str, int, int]] = []  # (request, row, tokens fed)

        def admit(name, n):
            prompt = prompts[name]
            rows.admit(engine._prompt_kv(prompt), n, prompt[-1], len(prompt) - 1, len(prompt) + 61)
            live.extend((name, row, 0) for row in range(n))

        admit("b", 3)
        admit("a", 2)
        groups_seen = set()
        for step in range(60):
            logits = rows.step()
            for i, (name, _, fed) in enumerate(live):
                expected = reference[name][fed]
                assert (logits[i] - expected).abs().max() < 0.01 * (expected.max() - expected.min()), (name, step)
            going = [(i, (name, row, fed + 1)) for i, (name, row, fed) in enumerate(live)]
            if step == 10:
                going = [g for g in going if g[1][:2] != ("b", 1)]  # one row ends
            if step == 20:
                going = [g for g in going if g[1][0] != "b"]  # the whole request ends
            if step == 45:
                going = [g for g in going if g[1][0] != "c"]
            rows.keep([i for i, _ in going], [follow[n][fed - 1] for _, (n, _, fed) in going])
            live = [entry for _, entry in going]
            if step == 24:
                admit("c", 4)  # takes b's place: no new group
            if step == 30:
                admit("d", 1)
            groups_seen.add(len(rows.groups))
    assert len(live) == 3 and {name for name, _, _ in live} == {"a", "d"}
    assert 2 in groups_seen and 3 in groups_seen
    assert len(rows.groups) == 2  # c's place, done at step 45, compacted after llm_rows._IDLE_STEPS steps
    assert llm_rows._IDLE_STEPS < 60 - 45

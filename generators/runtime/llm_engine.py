"""Which engine samples the copywriter's text, the interface engines share, and the CTranslate2 engine.

Stock transformers `generate` on a CPU spends most of each step in Python and fp32 kernels: the packaged
SmolLM2-135M ran at ~7 tokens/s on an AVX2-only CPU. `copy_engine_name` is the one place the engine is chosen:

- "quantized" (`generators.runtime.llm_decode`): a real (not placeholder) Llama-layout copywriter on the
  CPU, in int4 where its weights already are 4-bit (the packaged Q4_1 GGUF: repacked exactly), else int8.
  Measured ~2.5x CTranslate2 int8 on the packaged model.
- "transformers": CUDA, placeholder models (tiny/perf profiles keep their measured torch paths), or a model
  of another layout.
- "ctranslate2": only when forced; kept as the measured reference (bench/words.py's anchor engine).
`VITRINE_COPY_ENGINE=transformers|quantized|ctranslate2` forces one (benchmarks, tests).
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generators.runtime.llm_spec import SampleSpec, SamplingEngine

if TYPE_CHECKING:
    from generators.runtime.loading import LoadedModel

#: Environment variable that forces the copy engine ("transformers" or "ctranslate2").
COPY_ENGINE_ENV = "VITRINE_COPY_ENGINE"
TRANSFORMERS, CTRANSLATE2, QUANTIZED = "transformers", "ctranslate2", "quantized"
ENGINES = (TRANSFORMERS, QUANTIZED, CTRANSLATE2)
#: The weight format CTranslate2 converts to and computes in (int8 GEMMs run on AVX2, AVX-512 and ARM).
CT2_COMPUTE = "int8"


def ctranslate2_installed() -> bool:
    """True when the `ctranslate2` package can be imported (it is not imported here)."""
    return importlib.util.find_spec("ctranslate2") is not None


def copy_engine_name(device: Any, loaded: LoadedModel) -> str:
    """The engine the copywriter samples with on `device` (see the module docstring for the rule).

    Raises:
        SettingsError: `VITRINE_COPY_ENGINE` names no known engine, or "ctranslate2" is forced but missing.
    """
    from generators.runtime.errors import SettingsError

    forced = os.environ.get(COPY_ENGINE_ENV, "").strip().lower()
    if forced and forced not in ENGINES:
        raise SettingsError(f"{COPY_ENGINE_ENV} must be one of {', '.join(ENGINES)}, not {forced!r}")
    if forced == CTRANSLATE2 and not ctranslate2_installed():
        raise SettingsError(f"{COPY_ENGINE_ENV}=ctranslate2 but ctranslate2 is not installed (pip install ctranslate2)")
    if forced:
        return forced
    from generators.runtime.llm_quant import supports

    on_cpu = str(device).split(":")[0] == "cpu"
    model = getattr(getattr(loaded, "components", None), "model", None)
    return QUANTIZED if on_cpu and not loaded.placeholder and supports(model) else TRANSFORMERS


# CTranslate2 seeds each worker thread's random generator from the global seed at that thread's first sample
# (a thread_local std::mt19937), so a per-call seed needs a fresh generator (fresh worker thread) per call, and
# concurrent calls must not change the global seed until that first sample is drawn.
_SEED_LOCK = threading.Lock()


class Ct2Engine:
    """Samples with a CTranslate2 int8 generator converted from the copywriter's folder.

    Args:
        folder: the converted CTranslate2 model (`ct2_folder`).
        tokenizer: the copywriter's transformers tokenizer (ids <-> CTranslate2's token strings).
        threads: cores to use in all (0: all of this machine's); concurrent calls share them out.
    """

    name = f"{CTRANSLATE2}-{CT2_COMPUTE}"
    compute = CT2_COMPUTE

    def __init__(self, folder: Path, tokenizer: Any, threads: int = 0) -> None:
        import ctranslate2

        self.folder = folder
        self.tokenizer = tokenizer
        self.threads = threads if threads > 0 else (os.cpu_count() or 1)
        self._ct2 = ctranslate2
        self._active = 0
        self._lock = threading.Lock()
        # Read the weights into memory once: each call's generator then parses them without touching the disk.
        self._files = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}

    def _generator(self, threads: int) -> Any:
        return self._ct2.Generator(
            str(self.folder), device="cpu", compute_type=CT2_COMPUTE, intra_threads=threads, files=self._files
        )

    def sample(
        self,
        spec: SampleSpec,
        on_token: Callable[[int, int, int], bool],
    ) -> list[list[int]]:
        """`spec.n` sampled continuations (new token ids, end token excluded), seeded by `spec.seed`.

        `on_token(row, step, token_id)` runs after every sampled token; returning True stops that row (the
        caller's stop rule, a cancel). The prompt but its last token is prefilled once for all rows.
        """
        with self._lock:  # calls running side by side (batch workers) split the cores between them
            self._active += 1
            threads = max(1, self.threads // self._active)
        try:
            tokens = self.tokenizer.convert_ids_to_tokens(list(spec.prompt_ids))
            generator = self._generator(threads)
            released = threading.Event()
            failed: list[BaseException] = []

            def callback(step: Any) -> bool:
                if not released.is_set():  # the first sample seeded this worker thread's generator
                    released.set()
                    _SEED_LOCK.release()
                if failed:
                    return True
                try:
                    return bool(on_token(step.batch_id, step.step, step.token_id))
                except BaseException as exc:  # raised again in the caller's thread, not inside C++
                    failed.append(exc)
                    return True

            _SEED_LOCK.acquire()
            try:
                self._ct2.set_random_seed(spec.seed & 0xFFFFFFFF)
                results = generator.generate_batch(
                    [tokens[-1:]] * spec.n,
                    static_prompt=tokens[:-1] or None,
                    cache_static_prompt=False,  # each product's prompt differs: nothing to keep
                    max_length=spec.max_new_tokens,
                    min_length=spec.min_new_tokens,
                    sampling_topk=0,
                    sampling_topp=spec.top_p,
                    sampling_temperature=spec.temperature,
                    include_prompt_in_result=False,
                    callback=callback,
                )
            finally:
                if not released.is_set():
                    released.set()
                    _SEED_LOCK.release()
            if failed:
                raise failed[0]
            return [list(r.sequences_ids[0]) for r in results]
        finally:
            with self._lock:
                self._active -= 1


def load_copy_engine(name: str, loaded: LoadedModel, threads: int = 0) -> SamplingEngine | None:
    """The engine `name` (`copy_engine_name`) for a loaded copywriter; None for transformers' own `generate`."""
    if name == QUANTIZED:
        from generators.runtime.device import cpu_supports_bf16
        from generators.runtime.llm_decode import QuantDecodeEngine, eos_ids_of
        from generators.runtime.llm_quant import four_bit_source

        model = loaded.components.model
        bits = 4 if four_bit_source(model) else 8
        head_bits = 16 if cpu_supports_bf16() else 8  # emulated bf16 GEMMs are slow: int8 rows there
        eos = eos_ids_of(model, loaded.components.tokenizer)
        return QuantDecodeEngine(model, eos, bits, head_bits, lanes=threads or None)
    if name == CTRANSLATE2:
        return load_ct2_engine(loaded, threads)
    return None


def load_ct2_engine(loaded: LoadedModel, threads: int = 0) -> Ct2Engine:
    """The CTranslate2 engine for a loaded copywriter, converting its folder once (cached under the models dir)."""
    from generators.runtime.models.copywriter import ct2_folder

    return Ct2Engine(ct2_folder(loaded.resolved.folder), loaded.components.tokenizer, threads)

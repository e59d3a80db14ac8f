"""Decode lanes: threads that each step their own rows (`llm_rows.DecodeRows`) with one intra-op thread.

A decode step of a small model is ~2,000 small ops. Stepped with two OpenMP threads, every parallel op
wakes a sleeping helper thread: GNU OpenMP stops spinning between ops as soon as a process runs more OpenMP
threads than cores (any second thread that ran a parallel op has its own helpers), which a batch run always
does. Measured on 2 cores from a worker thread: 4 rows stepped with 2 threads 34-48 ms, with 1 thread 30 ms;
two lanes of 1 thread side by side 35 ms each — twice the rows for the time of one. So the engine runs one
lane per core, each a thread of its own with one intra-op thread, and gives each request to the lane with
the fewest rows; requests side by side share a lane's steps (continuous batching: a request joins at the
lane's next step, a finished row leaves at once). A request is not split over lanes: a step's fixed cost
(~2,000 op calls, the 49k-token head) is most of a small step's, so two lanes of 2 rows cost twice the CPU
of one lane of 4 for the same time per token.

A lane thread starts when work arrives and ends after a second without any, so an idle engine holds no
threads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from generators.runtime.llm_rows import DecodeRows

if TYPE_CHECKING:
    from generators.runtime.llm_quant import QuantWeights
    from generators.runtime.llm_spec import SampleSpec

#: Seconds a lane thread waits for work before it ends.
_IDLE_S = 1.0

#: Picks one token per row: (logits (rows, vocab), spec, step, one generator per row) -> token ids (rows,).
Choose = Callable[[Any, "SampleSpec", int, list[Any]], Any]


@dataclass
class Request:
    """One `sample` call: its spec, callback, one generator per row and the rows' tokens.

    Every row has its own seeded generator, so a row's text depends on the seed and its number only, not on
    the lane or the requests beside it. `lock` guards the callback and the rows.
    """

    spec: SampleSpec
    on_token: Callable[[int, int, int], bool]
    generators: list[Any]
    rows: list[list[int]]
    error: BaseException | None = None
    abandoned: bool = False  # the caller stopped waiting (e.g. Ctrl-C): its rows leave at the next step
    lock: threading.Lock = field(default_factory=threading.Lock)
    done: threading.Event = field(default_factory=threading.Event)

    def finish(self, exc: BaseException | None = None) -> None:
        """Wake the caller: the request's rows are done (or failed with `exc`)."""
        if exc is not None:
            with self.lock:
                self.error = self.error or exc
        self.done.set()


@dataclass
class Part:
    """A request's rows being decoded (on a lane or in its caller's thread): the numbers of those still
    decoding, in batch order, the prompt's keys and values, and the tokens sampled per row so far."""

    request: Request
    active: list[int]
    prompt_kv: list[tuple[Any, Any]]
    steps: int = 0


class DecodeLane:
    """One thread stepping the rows of the requests given to it (see the module docstring).

    Args:
        weights: the packed model.
        eos_ids: tokens that end a row.
        choose: picks each row's next token from its logits.
    """

    def __init__(self, weights: QuantWeights, eos_ids: set[int], choose: Choose) -> None:
        self.weights, self.eos_ids, self.choose = weights, eos_ids, choose
        self._cond = threading.Condition()
        self._waiting: list[Part] = []
        self._thread: threading.Thread | None = None
        self._load = 0  # rows decoding or waiting to join

    @property
    def load(self) -> int:
        """Rows this lane is decoding or about to."""
        return self._load

    def submit(self, part: Part) -> None:
        """Decode `part` from the lane's next step on (its request is finished when its rows are done)."""
        with self._cond:
            self._waiting.append(part)
            self._load += len(part.active)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="vitrine-decode", daemon=True)
                self._thread.start()
            self._cond.notify()

    def _run(self) -> None:
        import torch

        from generators.runtime.device import one_thread_in_this_thread

        one_thread_in_this_thread()
        rows, running = DecodeRows(self.weights), []
        with torch.inference_mode():
            while True:
                with self._cond:
                    if not self._waiting and not running:
                        self._cond.wait(_IDLE_S)
                        if not self._waiting:
                            self._thread = None
                            return
                    joining, self._waiting = self._waiting, []
                try:
                    for part in joining:
                        admit_part(rows, part)
                        running.append(part)
                    step_parts(rows, running, self.eos_ids, self.choose)
                except BaseException as exc:  # every part in the lane fails with it: the caches are suspect
                    for part in running + [p for p in joining if p not in running]:
                        part.request.finish(exc)
                    rows, running = DecodeRows(self.weights), []
                with self._cond:
                    self._load = sum(len(p.active) for p in running + self._waiting)


def admit_part(rows: DecodeRows, part: Part) -> None:
    """Add `part`'s rows to `rows`, to be stepped from its next step on."""
    spec = part.request.spec
    prompt_len = len(spec.prompt_ids)
    capacity = prompt_len + spec.max_new_tokens
    rows.admit(part.prompt_kv, len(part.active), int(spec.prompt_ids[-1]), prompt_len - 1, capacity)


def step_parts(rows: DecodeRows, running: list[Part], eos_ids: set[int], choose: Choose) -> None:
    """One decode step for every running part; finished rows leave, requests whose rows are all done finish."""
    logits = rows.step()
    keep: list[int] = []
    tokens: list[int] = []
    offset = 0
    for part in running:
        count = len(part.active)
        kept = _advance(part, logits[offset : offset + count], eos_ids, choose)
        keep += [offset + i for i, _ in kept]
        tokens += [token for _, token in kept]
        offset += count
    rows.keep(keep, tokens)
    for part in running:
        if not part.active:
            part.request.finish()
    running[:] = [p for p in running if p.active]


def _advance(part: Part, logits: Any, eos_ids: set[int], choose: Choose) -> list[tuple[int, int]]:
    """Sample one token for each of `part`'s rows; (index among its rows, token) for the rows going on."""
    request = part.request
    spec = request.spec
    if request.error is not None or request.abandoned:
        part.active = []
        return []
    generators = [request.generators[row] for row in part.active]
    chosen = choose(logits, spec, part.steps, generators).tolist()
    going: list[tuple[int, int]] = []
    still: list[int] = []
    with request.lock:
        try:
            for index, token in enumerate(chosen):
                row = part.active[index]
                if token in eos_ids:
                    continue
                request.rows[row].append(token)
                if not request.on_token(row, part.steps, token):
                    going.append((index, token))
                    still.append(row)
        except BaseException as exc:
            request.error = request.error or exc
            going, still = [], []
    part.steps += 1
    if part.steps >= spec.max_new_tokens:
        going, still = [], []
    part.active = still
    return going

"""Provenance: enough to reproduce a result and to know whether its models were real.

A result's parameters are its request's fields (`request_params`), so nothing a run depended on can be left
out; `request_from_params` rebuilds the request from them, which is how a stored asset is re-made.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import time
import types
import typing
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

RequestT = TypeVar("RequestT")


@dataclass(frozen=True)
class ModelRef:
    """One model that took part in a result."""

    role: str
    model_id: str
    revision: str | None
    file_hash: str | None
    source: str  # Source value: real | packaged | placeholder
    profile: str

    @property
    def placeholder(self) -> bool:
        return self.source == "placeholder"


@dataclass(frozen=True)
class Provenance:
    """Attached to every result: models, seed, every parameter, timings and scores."""

    models: tuple[ModelRef, ...] = ()
    seed: int | None = None
    params: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def placeholder(self) -> bool:
        """True when any model involved had random weights: the output must be labelled."""
        return any(m.placeholder for m in self.models)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["placeholder"] = self.placeholder
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Provenance:
        models = tuple(ModelRef(**m) for m in data.get("models", ()))
        return cls(
            models=models,
            seed=data.get("seed"),
            params=dict(data.get("params", {})),
            timings=dict(data.get("timings", {})),
            scores=dict(data.get("scores", {})),
        )


class Stopwatch:
    """Collects named wall-clock timings: `with sw("encode"): ...`."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start


# ---- request fields as provenance parameters --------------------------------------------------------------
DIGEST_KEY = "sha256"  # an in-memory image or bytes is recorded by its content digest: {"sha256": ...}


def _digest(data: bytes) -> dict[str, str]:
    return {DIGEST_KEY: hashlib.sha256(data).hexdigest()}


def to_param(value: Any) -> Any:
    """One request value as JSON data: enums by value, paths as text, dataclasses (a product, a brand kit) by
    their content, in-memory images and bytes by a content digest."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_param(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): to_param(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_param(v) for v in value]
    if isinstance(value, (bytes, bytearray, memoryview)):
        return _digest(bytes(value))
    if hasattr(value, "tobytes") and hasattr(value, "mode") and hasattr(value, "size"):  # a PIL image
        buf = io.BytesIO()
        buf.write(f"{value.mode}:{value.size}:".encode())
        buf.write(value.tobytes())
        return _digest(buf.getvalue())
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return value.tolist()
    return repr(value)


def request_params(request: Any, **extras: Any) -> dict[str, Any]:
    """Every field of a request dataclass as JSON data, plus `extras` the pipeline decided (e.g. the dtype).

    Raises:
        ValueError: an extra has the name of a request field (it would hide what was asked for).
    """
    names = [f.name for f in dataclasses.fields(request)]
    clash = sorted(set(names) & set(extras))
    if clash:
        raise ValueError(f"provenance extras {clash} would hide request fields of the same name")
    return {**{name: to_param(getattr(request, name)) for name in names}, **extras}


def _from_param(kind: Any, value: Any) -> Any:
    """Rebuild a value of type `kind` from `to_param`'s output (the inverse where the value was not reduced)."""
    if value is None or kind is Any:
        return value
    origin = typing.get_origin(kind)
    args = typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        errors = []
        for option in options:
            try:
                return _from_param(option, value)
            except (TypeError, ValueError, KeyError) as exc:
                errors.append(exc)
        raise ValueError(f"{value!r} fits none of {options}: {errors}")
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_from_param(args[0], v) for v in value)
        return tuple(_from_param(a, v) for a, v in zip(args, value, strict=True)) if args else tuple(value)
    if origin in (list,):
        return [_from_param(args[0] if args else Any, v) for v in value]
    if origin in (dict, Mapping) or kind in (dict, Mapping):
        vt = args[1] if len(args) == 2 else Any
        return {k: _from_param(vt, v) for k, v in value.items()}
    if isinstance(kind, type):
        if isinstance(value, dict) and set(value) == {DIGEST_KEY} and not dataclasses.is_dataclass(kind):
            raise ValueError("the value was recorded by its digest only (an in-memory image): it cannot be rebuilt")
        if issubclass(kind, Enum):
            return kind(value)
        if dataclasses.is_dataclass(kind):
            return request_from_params(kind, value)
        if kind is float:
            return float(value)
        if issubclass(kind, Path):
            return kind(value)
        if not isinstance(value, kind):
            raise TypeError(f"{value!r} is not a {kind.__name__}")
    return value


def request_from_params(cls: type[RequestT], params: Mapping[str, Any]) -> RequestT:
    """The request (or nested dataclass) `request_params` recorded; params that are not fields are ignored."""
    hints = typing.get_type_hints(cls)
    values = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.name in params:
            values[f.name] = _from_param(hints.get(f.name, Any), params[f.name])
    return cls(**values)


def request_from_provenance(cls: type[RequestT], provenance: Provenance | Mapping[str, Any]) -> RequestT:
    """Rebuild the request a result (or a stored asset's provenance dict) was made from, to make it again."""
    prov = provenance if isinstance(provenance, Provenance) else Provenance.from_dict(dict(provenance))
    return request_from_params(cls, prov.params)

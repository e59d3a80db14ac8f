"""Zero-shot product attributes with CLIP: prompt ensembles, temperature-calibrated softmax per group.

Vocabularies (category, colour, material, pattern, style, sleeve, neckline, fit, occasion; en + zh labels,
prompt templates, a fitted temperature per group) live in `assets/vocab/attributes.json`. Each label's text
vector is the renormalized mean of its templates' vectors (prompt ensembling, Radford et al. 2021); label
vectors are cached like any text. Every entry produced is marked `source="clip"` for the attribute sheet.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from generators.runtime.errors import UnknownNameError, VitrineError
from generators.runtime.progress import CancelToken, ProgressFn, check, report
from generators.runtime.provenance import Provenance, request_params

if TYPE_CHECKING:
    from scoring.scorer import ClipScorer

SOURCE = "clip"
MAX_LOGIT_SCALE = 100.0  # CLIP clamps its learned scale here


def vocab_dir() -> Path:
    from assets import ASSETS_DIR

    return ASSETS_DIR / "vocab"


@dataclass(frozen=True)
class AttributeLabel:
    en: str
    zh: str


@dataclass(frozen=True)
class AttributeGroup:
    """One attribute group: its labels, prompt templates (`{}` = English label) and calibrated temperature."""

    name: str
    labels: tuple[AttributeLabel, ...]
    templates: tuple[str, ...]
    temperature: float = 1.0

    def prompts(self, label: AttributeLabel) -> list[str]:
        return [t.format(label.en) for t in self.templates]


@lru_cache(maxsize=4)
def load_vocabulary(path: str | Path | None = None) -> dict[str, AttributeGroup]:
    """Read attribute groups from JSON (default: the packaged `assets/vocab/attributes.json`)."""
    file = Path(path) if path is not None else vocab_dir() / "attributes.json"
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise VitrineError(f"attribute vocabulary '{file}' cannot be read: {exc}") from None
    groups = {}
    for name, g in data["groups"].items():
        labels = tuple(AttributeLabel(x["en"], x.get("zh", x["en"])) for x in g["labels"])
        templates = tuple(g.get("templates") or ["a product photo of {}"])
        groups[name] = AttributeGroup(name, labels, templates, float(g.get("temperature", 1.0)))
    return groups


@dataclass(frozen=True)
class AttributePrediction:
    """One value for one attribute, with its probability; `source` is always "clip"."""

    group: str
    value: str
    value_zh: str
    probability: float
    rank: int
    source: str = SOURCE


@dataclass(frozen=True)
class GroupPrediction:
    """A group's top-k values, the full distribution (sums to 1) and the confidence in the top value."""

    group: str
    top: tuple[AttributePrediction, ...]
    probabilities: dict[str, float]
    temperature: float

    @property
    def confidence(self) -> float:
        return self.top[0].probability if self.top else 0.0

    @property
    def margin(self) -> float:
        """Top-1 minus top-2 probability: small means the model hesitates between two values."""
        return self.top[0].probability - self.top[1].probability if len(self.top) > 1 else self.confidence


@dataclass(frozen=True)
class AttributeRequest:
    image: Any  # path, bytes or PIL image
    groups: tuple[str, ...] | None = None  # None = every group
    top_k: int = 3


@dataclass(frozen=True)
class AttributeResult:
    groups: dict[str, GroupPrediction]
    provenance: Provenance = field(default_factory=Provenance)

    def entries(self) -> list[dict[str, Any]]:
        """Rows for the attribute sheet: group, value (en), value_zh, confidence, source="clip"."""
        return [
            {
                "group": g.group,
                "value": p.value,
                "value_zh": p.value_zh,
                "confidence": round(p.probability, 4),
                "rank": p.rank,
                "source": p.source,
            }
            for g in self.groups.values()
            for p in g.top
        ]


def softmax(logits: np.ndarray, axis: int = -1) -> np.ndarray:
    z = logits - logits.max(axis=axis, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def calibrate_temperature(logits: np.ndarray, targets: Sequence[int], lo: float = 0.05, hi: float = 20.0) -> float:
    """Temperature T minimizing the negative log-likelihood of `softmax(logits / T)` (Guo et al. 2017).

    Args:
        logits: [n, k] uncalibrated logits for n labelled examples.
        targets: the correct label index of each example.
    """
    logits = np.asarray(logits, dtype=np.float64)
    idx = np.asarray(targets, dtype=np.int64)

    def nll(log_t: float) -> float:
        z = logits / math.exp(log_t)
        z = z - z.max(axis=1, keepdims=True)
        return float(-(z[np.arange(len(idx)), idx] - np.log(np.exp(z).sum(axis=1))).mean())

    a, b = math.log(lo), math.log(hi)
    g = (math.sqrt(5) - 1) / 2
    c, d = b - g * (b - a), a + g * (b - a)
    for _ in range(60):  # golden-section search: NLL is unimodal in log T
        if nll(c) < nll(d):
            b, d = d, c
            c = b - g * (b - a)
        else:
            a, c = c, d
            d = a + g * (b - a)
    return math.exp((a + b) / 2)


class AttributeClassifier:
    """Zero-shot attribute tagging with one `ClipScorer`. `run(request)` tags one image."""

    def __init__(self, scorer: ClipScorer, vocabulary: dict[str, AttributeGroup] | None = None) -> None:
        self.scorer = scorer
        self.vocabulary = vocabulary or load_vocabulary()
        self._label_vectors: dict[str, np.ndarray] = {}

    def group(self, name: str) -> AttributeGroup:
        if name not in self.vocabulary:
            raise UnknownNameError("attribute group", name, sorted(self.vocabulary))
        return self.vocabulary[name]

    def label_vectors(self, name: str) -> np.ndarray:
        """[labels, d] unit vectors: each label's prompt-ensemble mean, renormalized."""
        if name not in self._label_vectors:
            grp = self.group(name)
            prompts = [p for lab in grp.labels for p in grp.prompts(lab)]
            vecs = self.scorer.embed_texts(prompts).numpy().reshape(len(grp.labels), len(grp.templates), -1)
            mean = vecs.mean(axis=1)
            self._label_vectors[name] = mean / np.linalg.norm(mean, axis=1, keepdims=True)
        return self._label_vectors[name]

    @property
    def logit_scale(self) -> float:
        scale = getattr(self.scorer.components.model, "logit_scale", None)
        value = float(scale.exp().item()) if scale is not None else MAX_LOGIT_SCALE
        return min(value, MAX_LOGIT_SCALE)

    def logits(self, image_vectors: np.ndarray, name: str) -> np.ndarray:
        """Uncalibrated logits [n, labels] (logit scale × cosine), e.g. for `calibrate_temperature`."""
        return self.logit_scale * (np.asarray(image_vectors, dtype=np.float64) @ self.label_vectors(name).T)

    def classify_vectors(
        self, image_vectors: np.ndarray, groups: Sequence[str] | None = None, top_k: int = 3
    ) -> list[dict[str, GroupPrediction]]:
        """Tag already-embedded images (rows of unit vectors); one dict of group predictions per image."""
        names = list(groups) if groups else list(self.vocabulary)
        out: list[dict[str, GroupPrediction]] = [{} for _ in range(len(image_vectors))]
        for name in names:
            grp = self.group(name)
            probs = softmax(self.logits(image_vectors, name) / grp.temperature)
            for row, p in enumerate(probs):
                order = np.argsort(-p, kind="stable")[: max(1, top_k)]
                top = tuple(
                    AttributePrediction(name, grp.labels[j].en, grp.labels[j].zh, float(p[j]), r + 1)
                    for r, j in enumerate(order)
                )
                dist = {lab.en: float(p[j]) for j, lab in enumerate(grp.labels)}
                out[row][name] = GroupPrediction(name, top, dist, grp.temperature)
        return out

    def run(
        self, request: AttributeRequest, *, progress: ProgressFn | None = None, cancel: CancelToken | None = None
    ) -> AttributeResult:
        """Tag one image with the requested groups; raises `ImageLoadError` for an unreadable image."""
        start = time.perf_counter()
        names = list(request.groups) if request.groups else list(self.vocabulary)
        for name in names:
            self.group(name)
        report(progress, 0, 2, "embedding image")
        vec = self.scorer.embed_images([request.image])
        check(cancel)
        report(progress, 1, 2, "matching attributes")
        preds = self.classify_vectors(vec.numpy(), names, request.top_k)[0]
        report(progress, 2, 2, "done")
        prov = Provenance(
            models=(self.scorer.ref,),
            params=request_params(
                request,
                groups_used=names,
                logit_scale=self.logit_scale,
                temperatures={n: self.vocabulary[n].temperature for n in names},
            ),
            timings={"attributes": time.perf_counter() - start},
            scores={f"{n}:{g.top[0].value}": g.confidence for n, g in preds.items()},
        )
        return AttributeResult(preds, prov)

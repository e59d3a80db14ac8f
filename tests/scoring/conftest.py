"""Fixtures for scoring tests: a tiny fp32 CLIP scorer with a throwaway cache, and distinct test images."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest


def make_image(path: Path, seed: int, size: tuple[int, int] = (48, 40), fmt: str | None = None) -> Path:
    """A distinct image: a few random colour blocks (so CLIP features differ between seeds)."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    k = 2 + seed % 4
    blocks = (rng.random((k, k, 3)) * 255).astype(np.uint8)
    img = Image.fromarray(blocks).resize(size, Image.Resampling.NEAREST)
    img.save(path, format=fmt)
    return path


@pytest.fixture(scope="session")
def image_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("candidates")
    for i in range(6):
        make_image(folder / f"cand{i}.png", seed=i)
    return folder


@pytest.fixture(scope="session")
def scorer(settings, tmp_path_factory):
    """fp32 tiny scorer (deterministic on every machine) caching inside a throwaway project folder."""
    from scoring.scorer import ClipScorer, Precision

    project = tmp_path_factory.mktemp("project")
    return ClipScorer.from_profile("tiny", precision=Precision.EXACT, project_dir=project, settings=settings)


class ForwardCounter:
    """Counts real forward passes of the image and text towers via module hooks."""

    def __init__(self, model) -> None:
        self.image = 0
        self.text = 0
        self._handles = [
            model.visual.register_forward_hook(self._on_image),
            model.transformer.register_forward_hook(self._on_text),
        ]

    def _on_image(self, *_args) -> None:
        self.image += 1

    def _on_text(self, *_args) -> None:
        self.text += 1

    @property
    def total(self) -> int:
        return self.image + self.text

    def close(self) -> None:
        for h in self._handles:
            h.remove()

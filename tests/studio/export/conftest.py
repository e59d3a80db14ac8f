"""Small products with real image files for the export tests (tier 1: Pillow only, no models)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from scoring.scores import ScoreKey
from studio.export import (
    Attribute,
    CaptionCandidate,
    CopyCandidate,
    ExportProduct,
    MediaCandidate,
    MediaKind,
)

PLACEHOLDER_PROV = {
    "placeholder": True,
    "seed": 7,
    "models": [{"role": "copywriter", "model_id": "tiny-lm", "source": "placeholder", "profile": "tiny"}],
}
REAL_PROV = {
    "placeholder": False,
    "seed": 3,
    "models": [{"role": "copywriter", "model_id": "smollm2-135m", "source": "packaged", "profile": "packaged"}],
}


def make_photo(path: Path, size: tuple[int, int] = (320, 240), bg=(255, 255, 255), fg=(200, 30, 40)) -> Path:
    """A product on a plain background: a filled rectangle in the middle."""
    img = Image.new("RGB", size, bg)
    w, h = size
    img.paste(Image.new("RGB", (w // 2, h // 2), fg), (w // 4, h // 4))
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, "JPEG", quality=90)
    return path


@pytest.fixture
def products(tmp_path: Path) -> tuple[ExportProduct, ...]:
    src = tmp_path / "src"
    tee = ExportProduct(
        sku="TEE-1",
        title="Red Tee",
        description="Soft cotton tee.\n\nMachine washable.",
        category="tops",
        price="19.90",
        currency="USD",
        sizes=("S", "M", "L"),
        attributes=(Attribute("color", "red", "catalog", 1.0), Attribute("material", "cotton", "clip", 0.4, True)),
        images=(make_photo(src / "tee.jpg"), make_photo(src / "tee-back.jpg", bg=(235, 233, 230))),
        captions=(
            CaptionCandidate(
                text="a red t-shirt on white", rank=1, scores={ScoreKey.CLIP_SCORE: 0.31}, provenance=REAL_PROV
            ),
            CaptionCandidate(text="a shirt", rank=2, scores={ScoreKey.CLIP_SCORE: 0.22}, provenance=REAL_PROV),
        ),
        copy=(
            CopyCandidate(
                platform="shopify",
                title="=cmd|' /C calc'!A0",
                bullets=("+1 soft", "@sum(A1)", "-3 d"),
                description="-minus first",
                tags=("summer", "=evil"),
                rank=1,
                scores={ScoreKey.CLIP_SCORE: 0.3},
                approved=True,
                provenance=REAL_PROV,
            ),
            CopyCandidate(
                platform="shopify",
                title="Second best tee",
                rank=2,
                scores={ScoreKey.CLIP_SCORE: 0.2},
                provenance=PLACEHOLDER_PROV,
            ),
            CopyCandidate(
                platform="amazon",
                title="Red Tee for Amazon",
                bullets=tuple(f"point {i}" for i in range(7)),
                description="Amazon description",
                rank=1,
                provenance=PLACEHOLDER_PROV,
            ),
            CopyCandidate(
                platform="taobao",
                language="zh",
                title="经典圆领纯棉T恤红色夏季新款男女同款宽松百搭短袖上衣打底衫春夏情侣装",
                bullets=("纯棉", "透气"),
                description="柔软舒适",
                hashtags=("穿搭", "#夏日"),
                rank=1,
                approved=True,
                provenance=REAL_PROV,
            ),
        ),
        image_candidates=(
            MediaCandidate(
                path=make_photo(src / "gen1.png", (256, 256)),
                caption="outfit",
                rank=1,
                scores={ScoreKey.CLIP_SCORE: 0.27},
                provenance=PLACEHOLDER_PROV,
            ),
            MediaCandidate(
                path=make_photo(src / "gen2.png", (256, 256)),
                rank=2,
                rejected=True,
                reason="blurry",
                provenance=PLACEHOLDER_PROV,
            ),
        ),
        video_candidates=(
            MediaCandidate(
                path=_fake_video(src / "clip.mp4"), kind=MediaKind.VIDEO, rank=1, approved=True, provenance=REAL_PROV
            ),
        ),
    )
    mug = ExportProduct(
        sku="MUG<script>alert(1)</script>",
        title='Mug "<img src=x onerror=alert(1)>"',
        description="Ceramic mug",
        category="home",
        price="9.5",
        images=(make_photo(src / "mug.png", (1200, 900)),),
    )
    return (tee, mug)


def _fake_video(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(64))
    return path

"""person_mask role: where the person (and each garment) is in a photo.

Two backends behind one interface (`PersonMasker.segment(image) -> (H, W) float mask in [0, 1]`):
- SegFormer clothes parsing (standard `mattmdjaga/segformer_b2_clothes`; tiny/perf random placeholders with the
  same 18 labels): soft person mask plus a per-pixel class map, which try-on needs for the garment region.
- MediaPipe selfie segmentation (packaged, optional extra): real weights offline, person mask only.

Try-on never draws through a placeholder's random mask: without real SegFormer weights it uses the offline
face + body-layout + GrabCut mask of `generators.person_layout`. That one is not a role profile: it has no
weights to resolve, hash or pull, and it gives a garment region per garment type rather than this role's
per-pixel classes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generators.runtime.errors import ModelNotAvailableError
from generators.runtime.roles import Profile, Role

if TYPE_CHECKING:
    import numpy as np
    import torch
    from PIL import Image

    from generators.runtime.settings import Settings


class ClothesClass(IntEnum):
    """The 18 classes of `mattmdjaga/segformer_b2_clothes`, by id."""

    BACKGROUND = 0
    HAT = 1
    HAIR = 2
    SUNGLASSES = 3
    UPPER_CLOTHES = 4
    SKIRT = 5
    PANTS = 6
    DRESS = 7
    BELT = 8
    LEFT_SHOE = 9
    RIGHT_SHOE = 10
    FACE = 11
    LEFT_LEG = 12
    RIGHT_LEG = 13
    LEFT_ARM = 14
    RIGHT_ARM = 15
    BAG = 16
    SCARF = 17

    @property
    def label(self) -> str:
        """The model's own label, e.g. 'Upper-clothes'."""
        return _LABELS[self.value]


_LABELS = (
    "Background",
    "Hat",
    "Hair",
    "Sunglasses",
    "Upper-clothes",
    "Skirt",
    "Pants",
    "Dress",
    "Belt",
    "Left-shoe",
    "Right-shoe",
    "Face",
    "Left-leg",
    "Right-leg",
    "Left-arm",
    "Right-arm",
    "Bag",
    "Scarf",
)


class MaskBackend(StrEnum):
    """Which model produced a mask."""

    SEGFORMER = "segformer"
    MEDIAPIPE = "mediapipe"


# Placeholder architectures: tiny as transformers' own tests; perf = SegFormer-B2 (mit-b2 encoder).
_TINY_SEGFORMER = dict(
    hidden_sizes=[8, 16, 32, 64], depths=[1, 1, 1, 1], num_attention_heads=[1, 1, 2, 4], decoder_hidden_size=32
)
_PERF_SEGFORMER = dict(
    hidden_sizes=[64, 128, 320, 512], depths=[3, 4, 6, 3], num_attention_heads=[1, 2, 5, 8], decoder_hidden_size=768
)
_INPUT_SIDE = {Profile.TINY: 64, Profile.PERF: 512}  # the hub model's processor resizes to 512x512


@dataclass(frozen=True)
class Segmentation:
    """One image's masks, at the image's own size.

    Attributes:
        person: (H, W) float32 in [0, 1]: how likely each pixel belongs to the person (body, hair, clothes, bag).
        labels: (H, W) uint8 `ClothesClass` ids, or None when the backend has no classes (MediaPipe).
    """

    person: np.ndarray
    labels: np.ndarray | None

    def region(self, *classes: ClothesClass) -> np.ndarray:
        """(H, W) float32 mask, 1.0 where the pixel's class is one of `classes` (e.g. UPPER_CLOTHES)."""
        import numpy as np

        if self.labels is None:
            raise ModelNotAvailableError(
                "this person mask model finds the person but not garments; use the standard "
                "person_mask model (`vitrine models pull person_mask`) for garment regions"
            )
        return np.isin(self.labels, [int(c) for c in classes]).astype(np.float32)


class PersonMasker:
    """Common interface of the two backends; `load()` returns one of its subclasses."""

    backend: MaskBackend
    has_labels: bool

    def parse(self, image: Image.Image) -> Segmentation:
        """Person mask and (where the backend has them) per-pixel clothes classes."""
        raise NotImplementedError

    def segment(self, image: Image.Image) -> np.ndarray:
        """(H, W) float32 person mask in [0, 1] at the image's size."""
        return self.parse(image).person


class SegformerMasker(PersonMasker):
    """SegFormer clothes parsing. Person = 1 - P(background), so edges stay soft."""

    backend = MaskBackend.SEGFORMER
    has_labels = True

    def __init__(self, model: Any, processor: Any, device: torch.device, dtype: torch.dtype) -> None:
        self.model, self.processor, self.device, self.dtype = model, processor, device, dtype
        id2label = {int(k): v for k, v in model.config.id2label.items()}
        self.id2label = id2label
        self._background = next((i for i, name in id2label.items() if name.lower() == "background"), 0)

    def parse(self, image: Image.Image) -> Segmentation:
        import numpy as np
        import torch
        import torch.nn.functional as F

        rgb = image.convert("RGB")
        pixels = self.processor(images=rgb, return_tensors="pt")["pixel_values"].to(self.device, self.dtype)
        with torch.inference_mode():
            logits = self.model(pixel_values=pixels).logits  # (1, classes, side/4, side/4)
            # Upsample logits (not labels) so class borders land between pixels, as the model card does.
            logits = F.interpolate(logits.float(), size=(rgb.height, rgb.width), mode="bilinear", align_corners=False)
            probs = logits[0].softmax(dim=0)
            person = (1.0 - probs[self._background]).clamp_(0.0, 1.0)
            labels = probs.argmax(dim=0).to(torch.uint8)
        return Segmentation(person=person.cpu().numpy().astype(np.float32), labels=labels.cpu().numpy())


class MediaPipeMasker(PersonMasker):
    """MediaPipe selfie segmentation (general model, 256x256 input). Its graph is not thread-safe: one lock."""

    backend = MaskBackend.MEDIAPIPE
    has_labels = False

    def __init__(self) -> None:
        try:
            import mediapipe as mp

            self._segmenter = mp.solutions.selfie_segmentation.SelfieSegmentation(model_selection=0)
        except (ImportError, AttributeError) as exc:  # e.g. built for another numpy, or a release without solutions
            raise ModelNotAvailableError(
                f"mediapipe is installed but its selfie segmentation does not start ({exc}); "
                "reinstall the mask extra: pip install 'vitrine[mask]'"
            ) from exc
        self._lock = threading.Lock()

    def parse(self, image: Image.Image) -> Segmentation:
        import numpy as np

        rgb = np.ascontiguousarray(np.asarray(image.convert("RGB")))
        with self._lock:
            mask = self._segmenter.process(rgb).segmentation_mask
        return Segmentation(person=np.clip(mask, 0.0, 1.0).astype(np.float32), labels=None)


def _mediapipe_folder() -> Path | None:
    """The installed mediapipe package, if it still has the selfie-segmentation solution (0.10.21 does)."""
    spec = find_spec("mediapipe")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations)))
    if not (folder / "modules" / "selfie_segmentation" / "selfie_segmentation.tflite").is_file():
        return None  # later releases dropped `mp.solutions` and ship no models
    return folder


class PersonMaskAdapter:
    """RoleAdapter for person_mask."""

    role = Role.PERSON_MASK
    builder_version = "1"

    def build(self, dest: Path, profile: Profile, seed: int = 0) -> None:
        """Random-weight SegFormer with the clothes model's 18 labels, and its image processor."""
        import torch
        from transformers import SegformerConfig, SegformerForSemanticSegmentation, SegformerImageProcessor

        profile = Profile.parse(profile)
        if profile not in (Profile.TINY, Profile.PERF):
            raise ValueError(f"only tiny and perf person_mask models are built locally, not {profile.value}")
        arch = _TINY_SEGFORMER if profile is Profile.TINY else _PERF_SEGFORMER
        config = SegformerConfig(
            **arch,
            num_labels=len(_LABELS),
            id2label=dict(enumerate(_LABELS)),
            label2id={name: i for i, name in enumerate(_LABELS)},
        )
        torch.manual_seed(seed)
        model = SegformerForSemanticSegmentation(config).eval()
        model.save_pretrained(str(dest), safe_serialization=True)
        side = _INPUT_SIDE[profile]
        SegformerImageProcessor(size={"height": side, "width": side}, do_reduce_labels=False).save_pretrained(str(dest))

    def packaged_folder(self, settings: Settings) -> Path | None:
        """The mediapipe package folder when the optional extra is installed, else None."""
        return _mediapipe_folder()

    def load(self, folder: Path, device: torch.device, dtype: torch.dtype) -> PersonMasker:
        """A SegFormer folder (config.json) or the mediapipe package folder."""
        if (folder / "config.json").is_file():
            from transformers import SegformerForSemanticSegmentation, SegformerImageProcessor

            model = SegformerForSemanticSegmentation.from_pretrained(
                str(folder), local_files_only=True, use_safetensors=True, dtype=dtype
            )
            processor = SegformerImageProcessor.from_pretrained(str(folder), local_files_only=True)
            return SegformerMasker(model.to(device).eval(), processor, device, dtype)
        if (folder / "modules" / "selfie_segmentation").is_dir():
            return MediaPipeMasker()
        raise ModelNotAvailableError(f"'{folder}' holds neither a SegFormer model nor MediaPipe's selfie segmentation")

    def smoke(self, components: PersonMasker) -> str:
        """Segment a small synthetic image: a figure-like ellipse on a plain background."""
        from PIL import Image, ImageDraw

        image = Image.new("RGB", (64, 96), (235, 235, 230))
        ImageDraw.Draw(image).ellipse((16, 8, 48, 90), fill=(60, 80, 140))
        mask = components.segment(image)
        return f"mask {mask.shape[1]}x{mask.shape[0]} ({components.backend.value}), person {float(mask.mean()):.0%}"


ADAPTER = PersonMaskAdapter()

"""Where a garment goes on a person photo, with no model download: faces, body layout, GrabCut, protected parts.

The try-on's automatic mask on a fresh install. It is classical computer vision that ships inside OpenCV's
wheel (the Haar cascades under `cv2.data.haarcascades`, Intel's BSD-style licence, and GrabCut), so it gives
a real, reproducible mask offline:

1. **Faces**: OpenCV's frontal-face cascade, plus its profile cascade on the photo and its mirror image (the
   profile cascade only sees faces turned one way). Each face is a person; the largest is person 0.
2. **Body layout from the face**: chin, shoulder line, torso and hips follow from the face box with an
   average adult's proportions (a shoulder line about half a face below the chin, shoulders about 3.4 face
   widths across, a torso about three face heights long). That prior seeds GrabCut on the photo, which moves
   the outline to the person's real edge (a bulky jacket, a raised arm).
3. **Garment region** for upper / lower / full from the layout's bands, dilated and feathered.
4. **Protected**: the face (with hair), the neck and the hands are never inside an automatic mask. Hands are
   the skin-coloured blobs (colour learnt from the face's own skin, in YCrCb) below the shoulders and of a
   hand's size.

No face found means no guess: `NoPersonFoundError` asks for a painted mask. When SegFormer's clothes parser is
pulled (`vitrine models pull person_mask`) the try-on uses its classes instead (see `generators.tryon`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from generators.runtime.errors import VitrineError

if TYPE_CHECKING:
    from generators.runtime.models.person_mask import Segmentation

GRABCUT_SIDE = 320  # GrabCut's working short side
WORK_SIDE = 512  # detection and GrabCut run at this short side; masks are scaled back to the photo's size
MAX_WORK_SIDE = 3 * WORK_SIDE  # ... with the long side at most this
MIN_FACE_SHARE = 0.04  # a face narrower than this share of the working image's short side is not looked for
CHIN_BELOW_FACE = 0.2  # the cascade's box stops at the mouth: the chin is this many face heights lower
SHOULDER_BELOW_CHIN = 0.45  # face heights from the chin to the shoulder line
SHOULDER_HALF_WIDTH = 1.7  # face widths from the body's centre to a shoulder's edge
TORSO_LENGTH = 3.2  # face heights from the shoulder line to the hips
LEG_LENGTH = 4.5  # face heights from the hips to the ankles
NECK_HALF_WIDTH = 0.5  # face widths either side of the centre kept as neck
NECK_LENGTH = 0.35  # face heights below the chin kept as neck
DILATE = 0.08  # face widths the garment region grows by (a new garment may be a little looser)
FEATHER = 0.06  # face widths of the feathered edge (Gaussian sigma)
SKIN_DISTANCE = 6.0  # squared Mahalanobis distance in (Cr, Cb) under which a pixel has the face's skin colour
MIN_REGION_SHARE = 0.005  # a garment region smaller than this share of the photo means that body part is not in it
HAND_AREA = (0.03, 1.2)  # a hand blob's area, in face-box areas
HAND_SIDE = 0.5  # share of the shoulders' half-width around the body's centre line where hands are not looked for


class GarmentType(StrEnum):
    """Which part of the body a garment covers."""

    UPPER = "upper"  # tops, shirts, jackets: shoulders to hips, arms included, hands excluded
    LOWER = "lower"  # trousers, skirts, shorts: hips to ankles
    FULL = "full"  # dresses, jumpsuits, coats worn long: shoulders to ankles


# Category words (any language the catalog vocabularies use) -> garment type; the first match wins.
_CATEGORY_WORDS: tuple[tuple[GarmentType, tuple[str, ...]], ...] = (
    (GarmentType.FULL, ("dress", "jumpsuit", "romper", "overall", "gown", "playsuit", "连衣裙", "连体")),
    (
        GarmentType.LOWER,
        ("pant", "trouser", "jean", "short", "skirt", "legging", "chino", "jogger", "bottom", "裤", "裙"),
    ),
    (
        GarmentType.UPPER,
        (
            "top", "shirt", "tee", "blouse", "sweater", "jumper", "hoodie", "sweatshirt", "cardigan", "jacket",
            "coat", "blazer", "vest", "polo", "knit", "parka", "上衣", "衬衫", "外套", "毛衣", "卫衣", "夹克",
        ),
    ),
)  # fmt: skip


class NoPersonFoundError(VitrineError):
    """No person (no face) in the photo: the garment region cannot be placed automatically."""


class UnknownGarmentTypeError(VitrineError):
    """The product's category does not say which part of the body it covers."""


def garment_type_for(category: str) -> GarmentType:
    """The garment type a catalog category implies ("tops" -> upper, "jeans" -> lower, "dresses" -> full).

    Raises:
        UnknownGarmentTypeError: the category names no garment (a mug, a bag, or nothing).
    """
    text = (category or "").strip().lower()
    for kind, words in _CATEGORY_WORDS:
        if any(word in text for word in words):
            return kind
    raise UnknownGarmentTypeError(
        f"the category '{category}' does not say whether the garment is worn on the upper body, the lower body "
        "or both; choose the garment type (--garment-type upper|lower|full)"
    )


@dataclass(frozen=True)
class BodyLayout:
    """One person's body lines in photo pixels (y grows downwards); `face` is (left, top, right, bottom)."""

    face: tuple[int, int, int, int]
    centre_x: float
    chin: float
    shoulders: float
    hips: float
    ankles: float
    shoulder_half_width: float


@dataclass(frozen=True)
class PersonMask:
    """The garment region on one person, at the photo's size.

    Attributes:
        mask: (H, W) float32 in [0, 1], feathered: the compositing alpha (0 on every protected pixel).
        region: (H, W) bool: the hard region the generator redraws (the mask before feathering).
        protected: (H, W) bool: face with hair, neck and hands, never inside the mask.
        layout: the body lines the region came from.
        people: how many people were found.
    """

    mask: np.ndarray
    region: np.ndarray
    protected: np.ndarray
    layout: BodyLayout
    people: int


_CASCADE_LOCK = threading.Lock()  # detectMultiScale on one classifier object is not documented thread-safe


@cache
def _cascade(name: str):
    import cv2

    classifier = cv2.CascadeClassifier(cv2.data.haarcascades + name)
    if classifier.empty():
        raise VitrineError(f"OpenCV's face detector '{name}' is missing from this installation of opencv-python")
    return classifier


def detect_faces(gray: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Face boxes (x, y, w, h) in a grayscale image, largest first, overlapping detections merged."""
    h, w = gray.shape
    side = max(16, int(MIN_FACE_SHARE * min(h, w)))
    found: list[tuple[int, int, int, int]] = []
    with _CASCADE_LOCK:
        for name, flip in (
            ("haarcascade_frontalface_default.xml", False),
            ("haarcascade_profileface.xml", False),
            ("haarcascade_profileface.xml", True),
        ):
            if found and "profile" in name:
                break  # frontal faces found: the profile passes would only find them again (and cost twice)
            image = gray[:, ::-1] if flip else gray
            boxes = _cascade(name).detectMultiScale(np.ascontiguousarray(image), 1.15, 5, minSize=(side, side))
            for x, y, bw, bh in np.asarray(boxes).reshape(-1, 4).tolist():
                found.append((w - x - bw if flip else x, y, bw, bh))
    found.sort(key=lambda b: -b[2] * b[3])
    kept: list[tuple[int, int, int, int]] = []
    for box in found:
        if all(_iou(box, other) < 0.3 for other in kept):
            kept.append(box)
    return kept


def _iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    ix = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    iy = max(0, min(ay + ah, by + bh) - max(ay, by))
    inter = ix * iy
    return inter / float(aw * ah + bw * bh - inter)


def layout_from_face(face: tuple[int, int, int, int]) -> BodyLayout:
    """Body lines from a face box (x, y, w, h) with an average adult's proportions."""
    x, y, w, h = face
    chin = y + h * (1 + CHIN_BELOW_FACE)
    shoulders = chin + SHOULDER_BELOW_CHIN * h
    hips = shoulders + TORSO_LENGTH * h
    return BodyLayout(
        face=(x, y, x + w, y + h),
        centre_x=x + w / 2,
        chin=chin,
        shoulders=shoulders,
        hips=hips,
        ankles=hips + LEG_LENGTH * h,
        shoulder_half_width=SHOULDER_HALF_WIDTH * w,
    )


def find_person_mask(
    photo: Image.Image, garment_type: GarmentType, *, person_index: int = 0, name: str = "the photo"
) -> PersonMask:
    """The garment region of one person in `photo` (upright RGB), at the photo's size.

    Args:
        photo: the person photo (upright; any size).
        garment_type: which part of the body the garment covers.
        person_index: which person when there are several (0: the largest face).
        name: how to name the photo in messages.

    Raises:
        NoPersonFoundError: no face in the photo, or fewer people than `person_index` asks for.
    """
    import cv2

    rgb = np.asarray(photo.convert("RGB"))
    full_h, full_w = rgb.shape[:2]
    # The short side sets the scale (a panorama's people stay big enough to detect), within a cap on the long side.
    scale = min(WORK_SIDE / min(full_h, full_w), MAX_WORK_SIDE / max(full_h, full_w))
    size = (max(1, round(full_w * scale)), max(1, round(full_h * scale)))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    small = cv2.resize(rgb, size, interpolation=interpolation)
    faces = detect_faces(cv2.equalizeHist(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)))
    if not faces:
        raise NoPersonFoundError(
            f"no person found in {name} (no face was detected); paint the garment region as a mask PNG "
            "(white where the garment goes, same size as the photo) and pass it with --mask"
        )
    if person_index >= len(faces):
        raise NoPersonFoundError(
            f"{name} shows {len(faces)} person(s); person index {person_index} does not exist (0 is the largest)"
        )
    layout = layout_from_face(faces[person_index])
    body = _grabcut_body(small, layout)
    protected = _protected(small, layout, body)
    region = body & _band(layout, garment_type, small.shape[:2])
    w = layout.face[2] - layout.face[0]
    grow = max(1, round(DILATE * w))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1, 2 * grow + 1))
    region = cv2.dilate(region.astype(np.uint8), kernel).astype(bool) & ~protected
    region = _largest_parts(region)
    if region.mean() < MIN_REGION_SHARE:
        raise NoPersonFoundError(
            f"{name} shows too little of the body for a {garment_type.value}-body garment (the person is cut off "
            "there); choose another photo, another garment type (--garment-type), or paint the region as a mask"
        )
    # Feather on the working copy (cheap at any photo size), then scale up; protected pixels are zeroed at full
    # size so no interpolated edge leaks into the face.
    soft = cv2.resize(feather(region, protected, FEATHER * w), (full_w, full_h), interpolation=cv2.INTER_LINEAR)
    region_full = cv2.resize(region.astype(np.uint8), (full_w, full_h), interpolation=cv2.INTER_NEAREST)
    protected_full = cv2.resize(protected.astype(np.uint8), (full_w, full_h), interpolation=cv2.INTER_NEAREST)
    protected_full = protected_full.astype(bool)
    region_full = region_full.astype(bool) & ~protected_full
    soft = np.maximum(soft, region_full * np.float32(0.5))
    soft[protected_full] = 0.0
    return PersonMask(soft, region_full, protected_full, _scaled(layout, scale), len(faces))


def feather(region: np.ndarray, protected: np.ndarray, sigma: float) -> np.ndarray:
    """The soft compositing mask of a hard region: a Gaussian edge of `sigma` pixels, 0 on protected pixels."""
    import cv2

    mask = cv2.GaussianBlur(region.astype(np.float32), (0, 0), max(0.5, sigma))
    mask = np.maximum(mask, region.astype(np.float32) * 0.5)  # the region itself stays at least half
    mask[protected] = 0.0
    return np.clip(mask, 0.0, 1.0).astype(np.float32)


def segformer_garment_mask(segmentation: Segmentation, found: PersonMask, garment_type: GarmentType) -> np.ndarray:
    """The garment mask from SegFormer's clothes classes (the pulled, real person_mask model).

    The classes give the garment's own outline; the layout's protected parts (neck, hands) and the parser's
    face, hair, hat and sunglasses stay out. A parse that finds none of the garment's classes (the person
    wears something else there) falls back to the layout's mask.
    """
    import cv2

    from generators.runtime.models.person_mask import ClothesClass as C

    classes = {
        GarmentType.UPPER: (C.UPPER_CLOTHES, C.SCARF),
        GarmentType.LOWER: (C.PANTS, C.SKIRT, C.BELT),
        GarmentType.FULL: (C.UPPER_CLOTHES, C.DRESS, C.PANTS, C.SKIRT, C.BELT, C.SCARF),
    }[garment_type]
    region = segmentation.region(*classes) > 0.5
    if region.mean() < 0.002:
        return found.mask
    protected = found.protected | (segmentation.region(C.FACE, C.HAIR, C.HAT, C.SUNGLASSES) > 0.5)
    face_w = found.layout.face[2] - found.layout.face[0]
    grow = max(1, round(DILATE * face_w))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1, 2 * grow + 1))
    region = cv2.dilate(region.astype(np.uint8), kernel).astype(bool) & ~protected
    return feather(region, protected, FEATHER * face_w)


def _scaled(layout: BodyLayout, scale: float) -> BodyLayout:
    """The layout in photo pixels (it was found on the working copy)."""
    f = 1.0 / scale
    face = tuple(round(v * f) for v in layout.face)
    return BodyLayout(
        face,  # type: ignore[arg-type]
        layout.centre_x * f,
        layout.chin * f,
        layout.shoulders * f,
        layout.hips * f,
        layout.ankles * f,
        layout.shoulder_half_width * f,
    )


def _prior(layout: BodyLayout, shape: tuple[int, int]) -> np.ndarray:
    """The average body as a polygon mask: head, trapezoid torso, legs."""
    import cv2

    h, w = shape
    prior = np.zeros(shape, np.uint8)
    left, top, right, bottom = layout.face
    fw, fh = right - left, bottom - top
    cx, sw = layout.centre_x, layout.shoulder_half_width
    cv2.ellipse(prior, (round(cx), round(top + fh * 0.45)), (round(fw * 0.6), round(fh * 0.85)), 0, 0, 360, 1, -1)
    neck = [(cx - NECK_HALF_WIDTH * fw, layout.chin - 0.2 * fh), (cx + NECK_HALF_WIDTH * fw, layout.chin - 0.2 * fh)]
    torso = [
        neck[1],
        (cx + sw, layout.shoulders + 0.25 * fh),
        (cx + 0.85 * sw, layout.hips),
        (cx + 0.6 * sw, layout.ankles),
        (cx - 0.6 * sw, layout.ankles),
        (cx - 0.85 * sw, layout.hips),
        (cx - sw, layout.shoulders + 0.25 * fh),
        neck[0],
    ]
    cv2.fillPoly(prior, [np.array(torso, np.float32).round().astype(np.int32)], 1)
    return prior.astype(bool)


def _grabcut_body(small: np.ndarray, layout: BodyLayout) -> np.ndarray:
    """The person's pixels: the average body refined by GrabCut on the photo's colours."""
    import cv2

    h, w = small.shape[:2]
    prior = _prior(layout, (h, w))
    left, top, right, bottom = layout.face
    fw = right - left
    reach = round(0.6 * fw)  # how far the person's real edge may lie outside the average body
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * reach + 1, 2 * reach + 1))
    maybe = cv2.dilate(prior.astype(np.uint8), kernel).astype(bool)
    core = np.zeros((h, w), bool)  # the torso's middle and the face's middle are surely the person
    cx = layout.centre_x
    y0, y1 = round(layout.shoulders + 0.3 * fw), round(min(layout.hips, h) - 0.2 * fw)
    core[max(0, y0) : max(0, y1), max(0, round(cx - 0.6 * fw)) : round(cx + 0.6 * fw)] = True
    core[top + (bottom - top) // 4 : bottom - (bottom - top) // 4, left + fw // 4 : right - fw // 4] = True
    gc = np.full((h, w), cv2.GC_BGD, np.uint8)
    gc[maybe] = cv2.GC_PR_BGD
    gc[prior] = cv2.GC_PR_FGD
    gc[core] = cv2.GC_FGD
    if (gc == cv2.GC_BGD).sum() < 64:  # the person fills the frame: nothing to learn the background from
        return prior | maybe
    # GrabCut's graph cut is the slow part: it runs at a smaller size (the prior is coarse anyway).
    f = min(1.0, GRABCUT_SIDE / min(h, w))
    size = (max(1, round(w * f)), max(1, round(h * f)))
    photo = cv2.resize(small, size, interpolation=cv2.INTER_AREA)
    seeds = cv2.resize(gc, size, interpolation=cv2.INTER_NEAREST)
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.setRNGSeed(0)  # GrabCut's GMM initialisation is random: the same photo gives the same mask
    cv2.grabCut(np.ascontiguousarray(photo), seeds, None, bgd, fgd, 4, cv2.GC_INIT_WITH_MASK)
    body = ((seeds == cv2.GC_FGD) | (seeds == cv2.GC_PR_FGD)).astype(np.uint8)
    body = cv2.resize(body, (w, h), interpolation=cv2.INTER_LINEAR).astype(bool)
    return _largest_parts(body)


def _band(layout: BodyLayout, garment_type: GarmentType, shape: tuple[int, int]) -> np.ndarray:
    """Rows (and the shoulders' reach) a garment type may cover."""
    h, w = shape
    fh = layout.face[3] - layout.face[1]
    top = layout.chin + 0.1 * fh if garment_type is not GarmentType.LOWER else layout.hips - 0.4 * fh
    bottom = layout.hips + 0.3 * fh if garment_type is GarmentType.UPPER else layout.ankles
    band = np.zeros(shape, bool)
    band[max(0, round(top)) : max(0, min(h, round(bottom)))] = True
    return band


def _protected(small: np.ndarray, layout: BodyLayout, body: np.ndarray) -> np.ndarray:
    """Face with hair, neck and hands: never redrawn."""
    import cv2

    h, w = small.shape[:2]
    left, top, right, bottom = layout.face
    fw, fh = right - left, bottom - top
    protected = np.zeros((h, w), np.uint8)
    head_centre = (round(layout.centre_x), round(top + 0.4 * fh))
    cv2.ellipse(protected, head_centre, (round(0.8 * fw), round(fh * 1.05)), 0, 0, 360, 1, -1)
    x0, x1 = round(layout.centre_x - NECK_HALF_WIDTH * fw), round(layout.centre_x + NECK_HALF_WIDTH * fw)
    protected[max(0, top) : max(0, round(layout.chin + NECK_LENGTH * fh)), max(0, x0) : max(0, x1)] = 1
    protected = protected.astype(bool) | _hands(small, layout, body)
    return protected


def _hands(small: np.ndarray, layout: BodyLayout, body: np.ndarray) -> np.ndarray:
    """Skin-coloured blobs of a hand's size below the shoulders, near the body (colour from the face)."""
    import cv2

    left, top, right, bottom = layout.face
    fw, fh = right - left, bottom - top
    ycrcb = cv2.cvtColor(small, cv2.COLOR_RGB2YCrCb).astype(np.float32)
    patch = ycrcb[top + fh // 4 : bottom - fh // 4, left + fw // 4 : right - fw // 4, 1:].reshape(-1, 2)
    if len(patch) < 16:
        return np.zeros(body.shape, bool)
    mean = patch.mean(axis=0)
    cov = np.cov(patch, rowvar=False) + np.eye(2) * 4.0  # a floor: a face patch of one flat colour
    diff = ycrcb[..., 1:] - mean
    distance = np.einsum("...i,ij,...j->...", diff, np.linalg.inv(cov), diff)
    skin = (distance < SKIN_DISTANCE).astype(np.uint8)
    grow = max(1, round(0.3 * fw))
    near_body = cv2.dilate(body.astype(np.uint8), np.ones((2 * grow + 1, 2 * grow + 1), np.uint8)).astype(bool)
    skin[: max(0, round(layout.shoulders))] = 0
    skin[~near_body] = 0
    # Hands hang or rest at the body's sides; a skin-toned print or strap down the chest is not one.
    centre = round(layout.centre_x)
    inner = round(HAND_SIDE * layout.shoulder_half_width)
    skin[:, max(0, centre - inner) : max(0, centre + inner)] = 0
    count, labels, stats, _ = cv2.connectedComponentsWithStats(skin, connectivity=8)
    face_area = float(fw * fh)
    hands = np.zeros(body.shape, bool)
    for i in range(1, count):
        if HAND_AREA[0] * face_area <= stats[i, cv2.CC_STAT_AREA] <= HAND_AREA[1] * face_area:
            hands |= labels == i
    if hands.any():
        pad = max(1, round(0.12 * fw))
        hands = cv2.dilate(hands.astype(np.uint8), np.ones((2 * pad + 1, 2 * pad + 1), np.uint8)).astype(bool)
    return hands


def _largest_parts(mask: np.ndarray) -> np.ndarray:
    """Drop specks: keep connected parts of at least a tenth of the largest."""
    import cv2

    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if count <= 2:
        return mask.astype(bool)
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = np.zeros(count, bool)
    keep[1:] = areas >= 0.1 * areas.max()
    return keep[labels]

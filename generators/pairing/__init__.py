"""Outfit pairing: catalog flat-lays of an anchor product with its complements, and generated looks.

`build_pipeline(shared, *, clip)` is the pipeline's builder (`generators.factory` finds it by this package's
name); the request, result and pipeline live in `generators.pairing.pipeline`.
"""

from generators.pairing.outfit import ComplementSlot, PairingItem, pick_complements
from generators.pairing.pipeline import (
    LookKind,
    PairingCandidate,
    PairingError,
    PairingMode,
    PairingPipeline,
    PairingRequest,
    PairingResult,
    build_pipeline,
)
from generators.pairing.styles import pairing_style, style_names

__all__ = [
    "ComplementSlot",
    "LookKind",
    "PairingCandidate",
    "PairingError",
    "PairingItem",
    "PairingMode",
    "PairingPipeline",
    "PairingRequest",
    "PairingResult",
    "build_pipeline",
    "pairing_style",
    "pick_complements",
    "style_names",
]

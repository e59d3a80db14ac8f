"""Package data: sample catalog, attribute vocabularies, platform presets, brand kit, fonts."""

from pathlib import Path

ASSETS_DIR = Path(__file__).resolve().parent

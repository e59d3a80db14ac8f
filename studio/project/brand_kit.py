"""The project's brand kit file (`brand_kit.json` in the project folder): the one loader and saver.

The Settings page edits it and the copy step follows it; both read it here, so a broken file is the same
`BrandKitError` everywhere (the page shows it, the batch fails with it) instead of a silent default.
A project without the file follows the brand kit shipped in `assets/presets/brand_kit.json`.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from generators.runtime.errors import VitrineError
from generators.words.presets import DEFAULT_BRAND_KIT_FILE, BrandKit, default_brand_kit, preset_asset

BRAND_KIT_FILE = "brand_kit.json"  # inside the project folder
LIST_FIELDS = ("voice_words", "banned_words", "required_phrases")
KNOWN_FIELDS = ("name", "brand", *LIST_FIELDS)
BROKEN_SUFFIX = ".broken"  # a broken file replaced from Settings is kept beside it under this suffix


class BrandKitError(VitrineError):
    """A brand kit file that cannot be used: says which file and what is wrong with it."""

    def __init__(self, path: Path | str, problem: str) -> None:
        super().__init__(f"brand kit '{path}' cannot be used: {problem}")
        self.path, self.problem = Path(path), problem


def brand_kit_path(folder: Path) -> Path:
    """Where a project keeps its brand kit."""
    return Path(folder) / BRAND_KIT_FILE


def _strings(path: Path, key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):  # one phrase written without brackets
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BrandKitError(path, f"'{key}' must be a list of words or phrases in quotes")
    return tuple(v.strip() for v in value if v.strip())


def parse_brand_kit(data: bytes, path: Path | str) -> BrandKit:
    """A brand kit from a file's bytes; `path` only names the file in errors.

    Raises:
        BrandKitError: not UTF-8 JSON, not an object, an unknown key (a typo would otherwise be ignored),
            or a field of the wrong type.
    """
    path = Path(path)
    try:
        raw = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise BrandKitError(path, "it is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise BrandKitError(path, f"it is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    if not isinstance(raw, dict):
        raise BrandKitError(path, f"it must be a JSON object with the keys {', '.join(KNOWN_FIELDS)}")
    unknown = sorted(set(raw) - set(KNOWN_FIELDS))
    if unknown:
        raise BrandKitError(path, f"unknown key '{unknown[0]}' (the keys are {', '.join(KNOWN_FIELDS)})")
    name, brand = raw.get("name", ""), raw.get("brand", "")
    for key, value in (("name", name), ("brand", brand)):
        if not isinstance(value, str):
            raise BrandKitError(path, f"'{key}' must be text in quotes")
    lists = {key: _strings(path, key, raw[key]) for key in LIST_FIELDS if raw.get(key) is not None}
    return BrandKit(name=name.strip() or "Custom", brand=brand.strip(), **lists)


def read_brand_kit_file(path: Path) -> BrandKit:
    """The brand kit in the file at `path` (e.g. `vitrine copy --brand-kit FILE`).

    Raises:
        BrandKitError: the file cannot be read or is not a valid brand kit.
    """
    path = Path(path).expanduser()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BrandKitError(path, exc.strerror or str(exc)) from None
    return parse_brand_kit(data, path)


def load_brand_kit(folder: Path | None) -> BrandKit:
    """The project's brand kit, else the shipped default (also when no project is open: `folder` None).

    Raises:
        BrandKitError: the project has a brand kit file and it is broken (never replaced by the default).
    """
    if folder is not None and brand_kit_path(folder).exists():
        return read_brand_kit_file(brand_kit_path(folder))
    return default_brand_kit()


def brand_kit_digest(folder: Path) -> str:
    """Digest of the brand kit `load_brand_kit` reads: the project's file, else the shipped default.

    It hashes the file's bytes, not the parsed kit, so a broken file never stops a batch here (the copy step
    reports it) and any edit, even one that only reformats, redoes copy: stale copy is worse than a redo.
    """
    path = brand_kit_path(folder)
    try:
        data = path.read_bytes() if path.is_file() else preset_asset(DEFAULT_BRAND_KIT_FILE).read_bytes()
    except OSError as exc:  # the copy step fails on it with the reason; a later fix changes the digest
        return f"unreadable: {exc.strerror}"
    return hashlib.sha256(data).hexdigest()[:16]


def brand_kit_json(kit: BrandKit) -> str:
    """A brand kit as the file holds it."""
    data: dict[str, Any] = {"name": kit.name.strip() or "Custom", "brand": kit.brand.strip()}
    data.update({key: list(getattr(kit, key)) for key in LIST_FIELDS})
    return json.dumps(data, ensure_ascii=False, indent=1)


def save_brand_kit(folder: Path, kit: BrandKit, *, replace_broken: bool = False) -> Path:
    """Write the project's brand kit atomically and return its path.

    A broken file there is a person's work too: it is refused (BrandKitError) unless `replace_broken`,
    and then kept beside the new one as `brand_kit.json.broken` rather than overwritten.
    """
    from studio.atomic_files import atomic_write_text

    path = brand_kit_path(folder)
    if path.exists():
        try:
            read_brand_kit_file(path)
        except BrandKitError:
            if not replace_broken:
                raise
            path.replace(broken_copy_path(folder))
    return atomic_write_text(path, brand_kit_json(kit))


def broken_copy_path(folder: Path) -> Path:
    """Where `save_brand_kit(..., replace_broken=True)` keeps the broken file it replaces."""
    return brand_kit_path(folder).with_name(BRAND_KIT_FILE + BROKEN_SUFFIX)

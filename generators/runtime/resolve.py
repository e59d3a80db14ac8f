"""Resolve a role + profile to a local folder of weights, building placeholders when needed."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from generators.runtime.adapter import adapter_for
from generators.runtime.errors import ModelNotAvailableError
from generators.runtime.quiet import quiet_ml_libraries
from generators.runtime.registry import spec_for
from generators.runtime.roles import Profile, Role, Source
from generators.runtime.settings import Settings, get_settings

COMPLETE_MARKER = ".vitrine-complete.json"  # written last by builds and pulls: a folder without it is unfinished


@dataclass(frozen=True)
class ResolvedModel:
    """A concrete local folder for a role, and what kind of weights it holds."""

    role: Role
    profile: Profile  # the concrete profile (never AUTO)
    source: Source
    folder: Path
    model_id: str
    revision: str | None

    @property
    def placeholder(self) -> bool:
        return self.source.is_placeholder


def override_folder(role: Role, settings: Settings) -> Path | None:
    """A user-chosen local folder: env `VITRINE_MODEL_<ROLE>` or `[models] <role> = "..."` in settings."""
    env = os.environ.get(f"VITRINE_MODEL_{role.value.upper()}")
    if env:
        return Path(env).expanduser().resolve()
    table = settings.extra.get("models")
    if isinstance(table, dict) and table.get(role.value):
        return Path(str(table[role.value])).expanduser().resolve()
    return None


def standard_folder(role: Role, settings: Settings) -> Path:
    return settings.models_dir / "standard" / role.value


def placeholder_folder(role: Role, profile: Profile, settings: Settings) -> Path:
    version = adapter_for(role).builder_version
    return settings.models_dir / profile.value / f"{role.value}-{version}"


def is_complete(folder: Path) -> bool:
    return (folder / COMPLETE_MARKER).is_file()


def read_marker(folder: Path) -> dict:
    try:
        return json.loads((folder / COMPLETE_MARKER).read_text())
    except (OSError, json.JSONDecodeError):
        return {}


def write_marker(folder: Path, **info: object) -> None:
    (folder / COMPLETE_MARKER).write_text(json.dumps({"finished_at": time.time(), **info}, indent=1))


def build_placeholder(role: Role, profile: Profile, settings: Settings | None = None, *, force: bool = False) -> Path:
    """Build (or reuse) the tiny/perf model for `role`. Built in a temp folder, renamed into place when done."""
    if profile not in (Profile.TINY, Profile.PERF):
        raise ValueError(f"only tiny and perf models are built locally, not {profile.value}")
    settings = settings or get_settings()
    folder = placeholder_folder(role, profile, settings)
    if is_complete(folder) and not force:
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        with quiet_ml_libraries():
            adapter_for(role).build(tmp, profile, seed=0)
        write_marker(tmp, role=role.value, profile=profile.value, builder_version=adapter_for(role).builder_version)
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(tmp, folder)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return folder


def resolve(
    role: Role | str, profile: Profile | str = Profile.AUTO, settings: Settings | None = None, *, build: bool = True
) -> ResolvedModel:
    """Find local weights for `role`. AUTO: user folder -> pulled standard -> packaged -> tiny.

    Never downloads. Raises `ModelNotAvailableError` with the command that would fix it.
    """
    role, profile = Role.parse(role), Profile.parse(profile)
    settings = settings or get_settings()
    if profile is Profile.AUTO:
        override = override_folder(role, settings)
        if override is not None:
            return ResolvedModel(role, Profile.STANDARD, Source.REAL, override, f"local:{override}", None)
        for candidate in (Profile.STANDARD, Profile.PACKAGED):
            try:
                return resolve(role, candidate, settings, build=build)
            except ModelNotAvailableError:
                continue
        return resolve(role, Profile.TINY, settings, build=build)

    spec = spec_for(role, profile)
    if profile in (Profile.TINY, Profile.PERF):
        folder = placeholder_folder(role, profile, settings)
        if not is_complete(folder):
            if not build:
                raise ModelNotAvailableError(
                    f"the {profile.value} {role.value} model is not built yet; "
                    f"run `vitrine models build {profile.value}`"
                )
            folder = build_placeholder(role, profile, settings)
        return ResolvedModel(role, profile, Source.PLACEHOLDER, folder, spec.model_id if spec else role.value, None)
    if profile is Profile.PACKAGED:
        with quiet_ml_libraries(bars_only=True):  # a first use converts packaged weights once
            folder = adapter_for(role).packaged_folder(settings)
        if folder is None:
            hint = f" ({spec.note})" if spec and spec.note else ""
            raise ModelNotAvailableError(f"no packaged weights for {role.value}{hint}")
        return ResolvedModel(role, profile, Source.PACKAGED, folder, spec.model_id if spec else role.value, None)
    # STANDARD
    folder = standard_folder(role, settings)
    if not is_complete(folder):
        raise ModelNotAvailableError(
            f"real {role.value} weights are not on this machine; run `vitrine models pull {role.value}` "
            f"(needs a network) or set VITRINE_MODEL_{role.value.upper()} to a local folder"
        )
    marker = read_marker(folder)
    assert spec is not None
    return ResolvedModel(role, profile, Source.REAL, folder, spec.model_id, marker.get("revision", spec.revision))

"""Per-role model status for `vitrine models status` and the GUI's Models page (Qt-free)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from generators.runtime.errors import VitrineError
from generators.runtime.progress import CancelToken, ProgressFn, check, report
from generators.runtime.registry import spec_for
from generators.runtime.roles import Profile, Role


@dataclass(frozen=True)
class RoleStatus:
    """One row of the role table."""

    role: str
    profile: str  # the concrete profile the role resolved to
    model_id: str
    source: str  # real | packaged | placeholder | missing
    size_mb: float | None
    folder: str | None
    loaded: bool = False
    load_s: float | None = None
    forward_s: float | None = None
    detail: str = ""  # what the forward pass produced, or why the role is unavailable
    error: str | None = None

    @property
    def placeholder(self) -> bool:
        return self.source == "placeholder"

    def to_dict(self) -> dict:
        return {**asdict(self), "placeholder": self.placeholder}


def _size_mb(folder) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def role_status(role: Role, profile: Profile, *, load: bool = False) -> RoleStatus:
    """Resolve (building a placeholder if that is what `profile` leads to) and optionally load + forward."""
    from generators.runtime.resolve import resolve

    try:
        resolved = resolve(role, profile)
    except VitrineError as exc:
        spec = spec_for(role, profile) if profile is not Profile.AUTO else None
        return RoleStatus(
            role.value,
            profile.value,
            spec.model_id if spec else "-",
            "missing",
            None,
            None,
            detail=str(exc),
            error=str(exc),
        )
    row = RoleStatus(
        role.value,
        resolved.profile.value,
        resolved.model_id,
        resolved.source.value,
        round(_size_mb(resolved.folder), 1),
        str(resolved.folder),
    )
    if not load:
        return row
    from generators.runtime.adapter import adapter_for
    from generators.runtime.loading import load_model

    try:
        loaded = load_model(role, resolved.profile if profile is not Profile.AUTO else profile)
        start = time.perf_counter()
        detail = adapter_for(role).smoke(loaded.components)
        forward_s = time.perf_counter() - start
    except VitrineError as exc:
        return RoleStatus(**{**asdict(row), "detail": str(exc), "error": str(exc)})
    except Exception as exc:  # a broken model folder must not hide the other roles' rows
        msg = f"{exc.__class__.__name__}: {exc}"
        return RoleStatus(**{**asdict(row), "detail": msg, "error": msg})
    return RoleStatus(
        **{
            **asdict(row),
            "loaded": True,
            "load_s": round(loaded.load_s, 3),
            "forward_s": round(forward_s, 3),
            "detail": detail,
        }
    )


def role_statuses(
    profile: Profile | str = Profile.AUTO,
    *,
    load: bool = False,
    roles: Iterable[Role | str] | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> list[RoleStatus]:
    """Status rows for every role (or `roles`), in registry order."""
    profile = Profile.parse(profile)
    chosen = [Role.parse(r) for r in roles] if roles is not None else list(Role)
    rows = []
    for i, role in enumerate(chosen):
        check(cancel)
        report(progress, i, len(chosen), f"{'loading' if load else 'resolving'} {role.value}")
        rows.append(role_status(role, profile, load=load))
    report(progress, len(chosen), len(chosen), "done")
    return rows

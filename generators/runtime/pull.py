"""`vitrine models pull`: download real weights with huggingface_hub, and only when asked.

Files land in a staging folder (huggingface_hub resumes interrupted files there) and move into
`models/standard/<role>` only once every file is present, checked and marked complete, so a failed or
interrupted pull never leaves a half-written model where loading would find it.
"""

from __future__ import annotations

import os
import shutil
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from generators.runtime.errors import DownloadError
from generators.runtime.progress import ProgressFn, report
from generators.runtime.registry import ModelSpec, spec_for
from generators.runtime.resolve import standard_folder, write_marker
from generators.runtime.roles import Profile, Role
from generators.runtime.safety import check_model_folder
from generators.runtime.settings import Settings, get_settings

DEFAULT_ENDPOINT = "https://huggingface.co"
REACH_TIMEOUT_S = 3.0  # a blocked network should fail the pull in seconds, not after a 20 s+ hub timeout


@dataclass(frozen=True)
class PullResult:
    """What one pull put on disk."""

    role: Role
    model_id: str
    revision: str
    folder: Path
    bytes: int
    seconds: float


def endpoint(settings: Settings) -> str:
    return (settings.hf_endpoint or os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


def check_reachable(url: str, timeout: float = REACH_TIMEOUT_S) -> None:
    """Fail fast with a clear message when the hub's host cannot even be connected to."""
    parsed = urlparse(url)
    host = parsed.hostname or ""
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return
    except OSError as exc:
        raise DownloadError(
            f"cannot reach {parsed.scheme}://{host} ({exc.strerror or exc.__class__.__name__}); "
            "this machine looks offline. Connect to a network, set HF_ENDPOINT to a reachable mirror, "
            "or point VITRINE_MODEL_<ROLE> at a folder of weights you already have"
        ) from None


@contextmanager
def _online() -> Iterator[None]:
    """Lift huggingface_hub's offline switch for the duration of an explicit pull."""
    from huggingface_hub import constants

    previous = constants.HF_HUB_OFFLINE
    constants.HF_HUB_OFFLINE = False
    try:
        yield
    finally:
        constants.HF_HUB_OFFLINE = previous


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.exists() else 0


def pull_role(
    role: Role | str,
    settings: Settings | None = None,
    *,
    progress: ProgressFn | None = None,
    show_bar: bool = True,
    force: bool = False,
) -> PullResult:
    """Download the standard model of `role` into the models folder. Resumable; atomic on success."""
    from huggingface_hub import HfApi, snapshot_download
    from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError, RevisionNotFoundError

    role = Role.parse(role)
    settings = settings or get_settings()
    spec: ModelSpec | None = spec_for(role, Profile.STANDARD)
    if spec is None:
        raise DownloadError(f"no downloadable model is registered for {role.value}")
    target = standard_folder(role, settings)
    if (target / ".vitrine-complete.json").is_file() and not force:
        return PullResult(role, spec.model_id, spec.revision or "main", target, _folder_bytes(target), 0.0)

    url = endpoint(settings)
    check_reachable(url)
    staging = settings.models_dir / ".staging" / role.value
    staging.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    patterns = list(spec.allow_patterns) or None
    try:
        with _online():
            # Resolve the branch to a commit first: the download is then pinned to exactly that snapshot.
            info = HfApi(endpoint=url).repo_info(spec.model_id, revision=spec.revision)
            commit = info.sha or (spec.revision or "main")
            plan = snapshot_download(
                spec.model_id, revision=commit, local_dir=staging, endpoint=url, allow_patterns=patterns, dry_run=True
            )
            total = sum(int(f.file_size or 0) for f in plan)
            free = shutil.disk_usage(staging).free
            if total > free:
                raise DownloadError(
                    f"{spec.model_id} needs {total / 1e9:.1f} GB but only {free / 1e9:.1f} GB is free in {staging}"
                )
            report(progress, 0, max(total, 1), f"downloading {spec.model_id}")
            tqdm_class = None
            if not show_bar:
                from tqdm.auto import tqdm as _tqdm

                class _Quiet(_tqdm):  # huggingface_hub wants a class; this one stays silent
                    def __init__(self, *a: object, **k: object) -> None:
                        k["disable"] = True
                        super().__init__(*a, **k)

                tqdm_class = _Quiet
            snapshot_download(
                spec.model_id,
                revision=commit,
                local_dir=staging,
                endpoint=url,
                allow_patterns=patterns,
                tqdm_class=tqdm_class,
                max_workers=4,
            )
    except (RepositoryNotFoundError, RevisionNotFoundError) as exc:
        _drop_if_empty(staging)
        raise DownloadError(f"{spec.model_id}@{spec.revision} was not found on {url}: {exc}") from None
    except (HfHubHTTPError, OSError) as exc:
        _drop_if_empty(staging)
        response = getattr(exc, "response", None)
        if response is not None and response.status_code == 404:
            raise DownloadError(f"{spec.model_id}@{spec.revision} was not found on {url}") from None
        raise DownloadError(
            f"downloading {spec.model_id} failed ({exc.__class__.__name__}: {exc}); run the same command again "
            "to resume"
        ) from None

    got = {
        p.relative_to(staging).as_posix(): p.stat().st_size
        for p in staging.rglob("*")
        if p.is_file() and ".cache" not in p.relative_to(staging).parts
    }
    for info in plan:
        size = got.get(info.filename)
        if size is None or (info.file_size is not None and size != info.file_size):
            raise DownloadError(
                f"{spec.model_id}: '{info.filename}' is incomplete ({size} of {info.file_size} bytes);"
                " run the same command again to resume"
            )
    check_model_folder(staging)  # refuses pickle-only repos, catches truncated safetensors
    shutil.rmtree(staging / ".cache", ignore_errors=True)
    write_marker(staging, role=role.value, model_id=spec.model_id, revision=commit, bytes=sum(got.values()))
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staging, target)
    report(progress, max(total, 1), max(total, 1), f"downloaded {spec.model_id}")
    return PullResult(role, spec.model_id, commit, target, sum(got.values()), time.perf_counter() - start)


def _drop_if_empty(staging: Path) -> None:
    """Keep partial downloads (they resume) but leave no empty staging folders behind."""
    payload = [p for p in staging.rglob("*") if p.is_file() and ".cache" not in p.relative_to(staging).parts]
    incomplete = list((staging / ".cache").rglob("*.incomplete")) if (staging / ".cache").exists() else []
    if not payload and not any(p.stat().st_size for p in incomplete):
        shutil.rmtree(staging, ignore_errors=True)


def roles_for_target(target: str | None) -> list[Role]:
    """`pull` takes a profile name (standard: every role) or one role name."""
    if target is None or target.strip().lower() in {"standard", "all", "auto"}:
        return [r for r in Role if spec_for(r, Profile.STANDARD) is not None]
    try:
        profile = Profile(target.strip().lower())
    except ValueError:
        return [Role.parse(target)]
    raise DownloadError(
        f"only the standard profile is downloaded; '{profile.value}' models are "
        + (
            "built locally: run `vitrine models build " + profile.value + "`"
            if profile in (Profile.TINY, Profile.PERF)
            else "installed with pip"
        )
    )

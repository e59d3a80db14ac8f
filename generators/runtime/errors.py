"""Specific errors with messages a marketer can act on."""

from __future__ import annotations


class VitrineError(Exception):
    """Base class: its message is shown to people as is, without a traceback."""


class UnknownNameError(VitrineError, ValueError):
    """An unknown role, profile or other named choice; the message lists the valid ones."""

    def __init__(self, kind: str, name: str, valid: list[str]) -> None:
        super().__init__(f"unknown {kind} '{name}'; valid {kind}s: {', '.join(valid)}")
        self.kind, self.name, self.valid = kind, name, valid


class ModelNotAvailableError(VitrineError):
    """No local weights for a role in the requested profile."""


class UnsafeModelFileError(VitrineError):
    """A model folder holds pickle-based weights (.bin/.pt/.ckpt/.pkl) and no safetensors."""


class CorruptModelFileError(VitrineError):
    """A weights file is truncated or unreadable."""


class DownloadError(VitrineError):
    """A model download failed (offline, missing repo, size mismatch)."""


class SettingsError(VitrineError):
    """Settings or paths are unusable (e.g. VITRINE_HOME not writable)."""


def describe_error(exc: BaseException) -> str:
    """A one-line message for `exc` to show a person: a VitrineError's own message, else the error's type
    and text (never a traceback; keep that for a details view or the log)."""
    if isinstance(exc, VitrineError):
        return str(exc)
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__

"""Typed settings: defaults < TOML file < `VITRINE_*` environment variables.

`VITRINE_HOME` overrides every path (config, cache, models), which is how tests stay away from the
user's real config and cache. The settings object is cached; `reload_settings()` drops the cache.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path

from generators.runtime.errors import SettingsError

ENV_PREFIX = "VITRINE_"
APP_NAME = "vitrine"


@dataclass(frozen=True)
class Settings:
    """Every user-tunable knob. Paths are resolved, absolute."""

    home: Path
    config_file: Path
    cache_dir: Path
    models_dir: Path
    profile: str = "auto"  # default model profile: auto|tiny|perf|packaged|standard
    device: str = "auto"  # auto|cpu|cuda
    threads: int = 0  # 0 = let torch decide (all cores)
    memory_budget_mb: int = 8192  # loaded-model cache budget; least recently used is evicted
    allow_downloads: bool = False  # nothing downloads implicitly
    ui_language: str = "en"  # en|zh
    hf_endpoint: str = ""  # optional mirror, passed to huggingface_hub
    extra: dict = field(default_factory=dict)  # unknown keys from the TOML file, kept, not used

    def with_changes(self, **changes: object) -> Settings:
        return dataclasses.replace(self, **changes)


_TUNABLE = {
    "profile": str,
    "device": str,
    "threads": int,
    "memory_budget_mb": int,
    "allow_downloads": bool,
    "ui_language": str,
    "hf_endpoint": str,
}


def _default_dirs() -> tuple[Path, Path, Path]:
    """(home, config_dir, cache_dir): VITRINE_HOME wins; otherwise platformdirs."""
    home_env = os.environ.get(ENV_PREFIX + "HOME")
    if home_env:
        home = Path(home_env).expanduser().resolve()
        return home, home, home / "cache"
    import platformdirs

    config = Path(platformdirs.user_config_dir(APP_NAME))
    cache = Path(platformdirs.user_cache_dir(APP_NAME))
    data = Path(platformdirs.user_data_dir(APP_NAME))
    return data, config, cache


def _coerce(name: str, raw: object, kind: type) -> object:
    if kind is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off", ""}:
            return False
        raise SettingsError(f"setting '{name}' must be true or false, got {raw!r}")
    if kind is int:
        try:
            return int(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise SettingsError(f"setting '{name}' must be a whole number, got {raw!r}") from None
    return str(raw)


def _ensure_writable(path: Path, what: str) -> None:
    import tempfile

    try:
        path.mkdir(parents=True, exist_ok=True)
        # A probe of its own: processes starting together (Ray workers) check the same home at once, and with
        # one shared name one unlinked the other's probe and that check failed.
        with tempfile.NamedTemporaryFile(dir=path, prefix=".vitrine-write-test-"):
            pass
    except OSError as exc:
        raise SettingsError(
            f"{what} '{path}' is not writable ({exc.strerror or exc}); set VITRINE_HOME to a writable folder"
        ) from None


def load_settings(check_writable: bool = True) -> Settings:
    """Build settings from defaults, the TOML file and the environment (in that order)."""
    home, config_dir, cache_dir = _default_dirs()
    config_file = config_dir / "settings.toml"
    values: dict[str, object] = {}
    extra: dict[str, object] = {}
    if config_file.is_file():
        try:
            data = tomllib.loads(config_file.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise SettingsError(f"settings file '{config_file}' is not valid TOML: {exc}") from None
        for key, raw in data.items():
            if key in _TUNABLE:
                values[key] = _coerce(key, raw, _TUNABLE[key])
            elif key == "models_dir":
                values[key] = Path(str(raw)).expanduser()
            else:
                extra[key] = raw
    for key, kind in _TUNABLE.items():
        env = os.environ.get(ENV_PREFIX + key.upper())
        if env is not None:
            values[key] = _coerce(key, env, kind)
    models_env = os.environ.get(ENV_PREFIX + "MODELS_DIR")
    models_dir = Path(models_env).expanduser() if models_env else values.pop("models_dir", None)
    values.pop("models_dir", None)
    settings = Settings(
        home=home,
        config_file=config_file,
        cache_dir=cache_dir,
        models_dir=Path(models_dir).resolve() if models_dir else (home / "models"),
        extra=extra,
        **values,  # type: ignore[arg-type]
    )
    if settings.device not in {"auto", "cpu", "cuda"}:
        raise SettingsError(f"setting 'device' must be auto, cpu or cuda, got {settings.device!r}")
    if settings.ui_language not in {"en", "zh"}:
        raise SettingsError(f"setting 'ui_language' must be en or zh, got {settings.ui_language!r}")
    if check_writable:
        _ensure_writable(settings.home if os.environ.get(ENV_PREFIX + "HOME") else settings.cache_dir, "Vitrine home")
        _ensure_writable(settings.models_dir, "models folder")
    return settings


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The cached settings object (the only global state besides the model cache)."""
    return load_settings()


def reload_settings() -> Settings:
    get_settings.cache_clear()
    return get_settings()


def save_settings(settings: Settings) -> Path:
    """Write the tunable fields back to the TOML file atomically; returns its path."""
    lines = []
    for f in fields(Settings):
        if f.name in _TUNABLE:
            value = getattr(settings, f.name)
            if isinstance(value, bool):
                lines.append(f"{f.name} = {'true' if value else 'false'}")
            elif isinstance(value, int):
                lines.append(f"{f.name} = {value}")
            else:
                escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
                lines.append(f'{f.name} = "{escaped}"')
    lines.append(f'models_dir = "{settings.models_dir.as_posix()}"')
    settings.config_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = settings.config_file.with_suffix(".toml.tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, settings.config_file)
    get_settings.cache_clear()
    return settings.config_file

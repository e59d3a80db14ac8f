"""Load a role's model: resolve, check the files, `from_pretrained`, and keep it in the LRU cache."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from generators.runtime.adapter import adapter_for
from generators.runtime.device import configure_threads, default_dtype, pick_device
from generators.runtime.provenance import ModelRef
from generators.runtime.quiet import quiet_ml_libraries
from generators.runtime.resolve import ResolvedModel, resolve
from generators.runtime.roles import Profile, Role
from generators.runtime.safety import check_model_folder, folder_hash
from generators.runtime.settings import Settings, get_settings

if TYPE_CHECKING:
    import torch


@dataclass
class LoadedModel:
    """A role's loaded components plus what provenance needs to know about them."""

    resolved: ResolvedModel
    components: Any
    device: str
    dtype: str
    file_hash: str | None
    load_s: float
    nbytes: int

    @property
    def role(self) -> Role:
        return self.resolved.role

    @property
    def placeholder(self) -> bool:
        return self.resolved.placeholder

    def ref(self) -> ModelRef:
        r = self.resolved
        return ModelRef(r.role.value, r.model_id, r.revision, self.file_hash, r.source.value, r.profile.value)


def _module_bytes(obj: Any, seen: set[int] | None = None, depth: int = 0) -> int:
    """Bytes held by torch parameters and buffers reachable from `obj` (modules, pipelines, dataclasses)."""
    import torch

    seen = seen if seen is not None else set()
    if id(obj) in seen or depth > 3:
        return 0
    seen.add(id(obj))
    if isinstance(obj, torch.nn.Module):
        return sum(t.numel() * t.element_size() for t in [*obj.parameters(), *obj.buffers()])
    children: list[Any] = []
    if isinstance(obj, dict):
        children = list(obj.values())
    elif isinstance(obj, (list, tuple)):
        children = list(obj)
    elif hasattr(obj, "components") and isinstance(obj.components, dict):  # diffusers pipelines
        children = list(obj.components.values())
    elif hasattr(obj, "__dict__"):
        children = list(vars(obj).values())
    return sum(_module_bytes(c, seen, depth + 1) for c in children)


class ModelCache:
    """Loaded models kept by (role, folder, device, dtype), evicting least recently used past a byte budget."""

    def __init__(self) -> None:
        self._items: OrderedDict[tuple, LoadedModel] = OrderedDict()
        self._lock = threading.RLock()

    def get(self, key: tuple) -> LoadedModel | None:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: tuple, item: LoadedModel, budget_bytes: int) -> None:
        with self._lock:
            self._items[key] = item
            self._items.move_to_end(key)
            while len(self._items) > 1 and self.total_bytes() > budget_bytes:
                self._items.popitem(last=False)

    def total_bytes(self) -> int:
        with self._lock:
            return sum(i.nbytes for i in self._items.values())

    def keys(self) -> list[tuple]:
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


MODEL_CACHE = ModelCache()


def load_model(
    role: Role | str,
    profile: Profile | str = Profile.AUTO,
    *,
    device: torch.device | str | None = None,
    dtype: torch.dtype | None = None,
    settings: Settings | None = None,
    use_cache: bool = True,
) -> LoadedModel:
    """Resolve and load `role`; cached models are returned without touching the disk."""
    import torch

    settings = settings or get_settings()
    configure_threads(settings)
    resolved = resolve(role, profile, settings)
    dev = torch.device(device) if device is not None else pick_device(settings)
    dt = dtype or default_dtype(dev)
    key = (resolved.role, str(resolved.folder), str(dev), str(dt))
    if use_cache and (hit := MODEL_CACHE.get(key)) is not None:
        return hit
    start = time.perf_counter()
    safe_files = check_model_folder(resolved.folder)  # refuses pickle-only folders and truncated files
    with quiet_ml_libraries(bars_only=True):
        components = adapter_for(resolved.role).load(resolved.folder, dev, dt)
    load_s = time.perf_counter() - start
    loaded = LoadedModel(
        resolved=resolved,
        components=components,
        device=str(dev),
        dtype=str(dt).replace("torch.", ""),
        file_hash=folder_hash(resolved.folder, safe_files) if safe_files else None,
        load_s=load_s,
        nbytes=_module_bytes(components),
    )
    if use_cache:
        MODEL_CACHE.put(key, loaded, settings.memory_budget_mb * 1024 * 1024)
    return loaded

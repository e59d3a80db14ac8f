"""The contract every role's module in `generators/runtime/models/` fulfils."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from generators.runtime.roles import Profile, Role

if TYPE_CHECKING:
    import torch

    from generators.runtime.settings import Settings


class RoleAdapter(Protocol):
    """Builds, locates and loads the models of one role through the library's own `from_pretrained`."""

    role: Role
    #: Bump when a builder's config changes: tiny/perf builds are cached under this version.
    builder_version: str

    def build(self, dest: Path, profile: Profile, seed: int = 0) -> None:
        """Write a random-weight model of the `tiny` or `perf` profile into the empty folder `dest`.

        Deterministic for a seed; safetensors only; real (or trained-offline) tokenizers.
        """

    def packaged_folder(self, settings: Settings) -> Path | None:
        """Folder of real weights shipped inside an installed package (converted once if needed), or None."""

    def load(self, folder: Path, device: torch.device, dtype: torch.dtype) -> Any:
        """Load the role's components from a local folder (`local_files_only`)."""

    def smoke(self, components: Any) -> str:
        """Run one small forward pass; return a short description of what came out."""


_MODULES = {
    Role.CLIP: "generators.runtime.models.clip",
    Role.CAPTIONER: "generators.runtime.models.captioner",
    Role.COPYWRITER: "generators.runtime.models.copywriter",
    Role.TXT2IMG: "generators.runtime.models.txt2img",
    Role.INPAINT: "generators.runtime.models.inpaint",
    Role.PERSON_MASK: "generators.runtime.models.person_mask",
    Role.TEXT_EMBEDDER: "generators.runtime.models.text_embedder",
}


def adapter_for(role: Role) -> RoleAdapter:
    """Import the role's module lazily (heavy ML imports happen only here) and return its ADAPTER."""
    name = _MODULES[role]
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise  # a missing dependency inside the adapter is a real error
        from generators.runtime.errors import ModelNotAvailableError

        raise ModelNotAvailableError(f"no model adapter for {role.value} in this installation ({name})") from None
    return module.ADAPTER

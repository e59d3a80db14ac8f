"""The one place a pipeline is built from a profile: device, dtype and shared models included.

    shared = SharedModels("tiny")                    # one per batch / CLI command / worker job
    captions = build_pipeline("caption", shared=shared)
    copy = build_pipeline("copy", shared=shared)     # reuses the CLIP scorer the caption pipeline loaded

The CLI, the batch steps and (through the batch) the studio's worker all build pipelines here, so a model is
loaded the same way everywhere: on `pick_device(settings)`, in the dtype its pipeline prefers
(`preferred_dtype`, which follows `generators.runtime.device`'s policy), and the CLIP scorer once per
`SharedModels`, caching embeddings in the project when one is given.

A new pipeline plugs in by convention, with no edit here: module `generators.<name>` defines
`build_pipeline(shared: SharedModels, *, clip: bool) -> Pipeline` (e.g. `generators.tryon.build_pipeline`).
`PIPELINES` lists only the pipelines whose builders live elsewhere (here, for the words and scoring ones).
A pipeline whose module is not written yet is reported unavailable (`pipeline_availability`), never faked.
"""

from __future__ import annotations

import importlib
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generators.runtime.errors import UnknownNameError, VitrineError

if TYPE_CHECKING:
    from generators.runtime.loading import LoadedModel
    from generators.runtime.pipeline import EmbeddingScorer, Pipeline
    from generators.runtime.settings import Settings

# name -> "module:builder" where the builder is not `generators.<name>:build_pipeline`. A builder takes
# (shared: SharedModels, *, clip: bool) and returns the pipeline.
PIPELINES: dict[str, str] = {
    "caption": "generators.factory:build_caption",
    "copy": "generators.factory:build_copy",
    "attributes": "generators.factory:build_attributes",
    "ranking": "generators.factory:build_ranking",
}
_NAME = re.compile(r"[a-z][a-z0-9_]*")


def builder_path(name: str) -> str:
    """Where pipeline `name`'s builder is: its `PIPELINES` entry, else `generators.<name>:build_pipeline`."""
    if name in PIPELINES:
        return PIPELINES[name]
    if not _NAME.fullmatch(name):
        raise UnknownNameError("pipeline", name, sorted(PIPELINES))
    return f"generators.{name}:build_pipeline"


@dataclass(frozen=True)
class Availability:
    """Whether something can run here; `reason` says why not."""

    available: bool
    reason: str = ""


def import_target(path: str) -> Any:
    """The object a `module:attribute` path names (imports the module)."""
    module_name, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


def target_availability(path: str, what: str) -> Availability:
    """Import a `module:attribute` path; a module or attribute that does not exist is "not built yet"."""
    module_name, _, attribute = path.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            return Availability(False, f"{module_name}.{attribute} ({what}) is not built yet")
        return Availability(False, f"{module_name} cannot be imported: {exc}")
    except ImportError as exc:
        return Availability(False, f"{module_name} cannot be imported: {exc}")
    if not hasattr(module, attribute):
        return Availability(False, f"{module_name}.{attribute} ({what}) is not built yet")
    return Availability(True)


def pipeline_availability(name: str) -> Availability:
    """Whether pipeline `name` can be built here (its module imports and defines its builder)."""
    return target_availability(builder_path(name), "pipeline")


class SharedModels:
    """Models that several pipelines share, each loaded once and handed out to any thread.

    Args:
        profile: model profile (None: `settings.profile`).
        device: where models run (None: `pick_device(settings)`).
        project_dir: the project whose folder caches CLIP embeddings (None: the user cache).
        settings: settings to resolve with (None: the global ones).
    """

    def __init__(
        self,
        profile: str | None = None,
        *,
        device: Any = None,
        project_dir: str | Path | None = None,
        settings: Settings | None = None,
    ) -> None:
        from generators.runtime.settings import get_settings

        self.settings = settings or get_settings()
        self.profile = profile or self.settings.profile
        self.project_dir = Path(project_dir) if project_dir is not None else None
        self._device = device
        self._items: dict[Any, Any] = {}
        self._lock = threading.RLock()  # a builder may ask for another shared model while holding it

    @property
    def device(self) -> Any:
        if self._device is None:
            from generators.runtime.device import pick_device

            self._device = pick_device(self.settings)
        return self._device

    def _once(self, key: Any, build: Any) -> Any:
        with self._lock:
            if key not in self._items:
                self._items[key] = build()
            return self._items[key]

    def model(self, role: str, dtype: Any = None) -> LoadedModel:
        """The loaded `role` (on this device, in `dtype`; None: the device's default)."""
        from generators.runtime.loading import load_model

        key = ("model", role, str(dtype))
        return self._once(
            key, lambda: load_model(role, self.profile, device=self.device, dtype=dtype, settings=self.settings)
        )

    def shared(self, key: str, build: Any) -> Any:
        """Whatever `build()` makes, made once under `key` and handed to every later caller."""
        return self._once(("shared", key), build)

    def scorer(self) -> EmbeddingScorer:
        """The CLIP scorer (its precision chosen by `scoring.api.get_scorer`), loaded once."""
        from scoring.api import get_scorer

        return self._once(
            "scorer", lambda: get_scorer(self.profile, project_dir=self.project_dir, settings=self.settings)
        )

    def pipeline(self, name: str, *, clip: bool = True) -> Pipeline:
        """Pipeline `name` built with these shared models, once (later calls return the same object)."""
        return self._once(("pipeline", name, clip), lambda: build_pipeline(name, shared=self, clip=clip))


def build_pipeline(
    name: str,
    profile: str | None = None,
    *,
    device: Any = None,
    shared: SharedModels | None = None,
    clip: bool = True,
) -> Pipeline:
    """Build pipeline `name` ("caption", "copy", "attributes", "ranking", …) for `profile`.

    Args:
        name: the pipeline's name (a `PIPELINES` key, or a module `generators.<name>`).
        profile: model profile; ignored when `shared` is given (its profile is used).
        device: where to run (None: `pick_device(settings)`); ignored when `shared` is given.
        shared: models to share with other pipelines (a new set when None).
        clip: rank with the CLIP scorer where the pipeline can do without (`vitrine caption --no-clip`).

    Raises:
        VitrineError: the pipeline is not built yet or cannot be imported (the reason says which).
    """
    availability = pipeline_availability(name)
    if not availability.available:
        raise VitrineError(f"the {name} pipeline cannot be built: {availability.reason}")
    shared = shared or SharedModels(profile, device=device)
    return import_target(builder_path(name))(shared, clip=clip)


# ---- builders of the pipelines that live in generators/ and scoring/ ---------------------------------------
def build_caption(shared: SharedModels, *, clip: bool = True) -> Pipeline:
    """BLIP captions ranked by CLIPScore; the captioner in the dtype `generators.caption` prefers."""
    from generators.caption import CaptionPipeline, preferred_dtype

    captioner = shared.model("captioner", preferred_dtype(shared.device))
    return CaptionPipeline(captioner, scorer=shared.scorer() if clip else None)


def build_copy(shared: SharedModels, *, clip: bool = True) -> Pipeline:
    """The copywriter with the MiniLM embedder (when its role loads) and the CLIP scorer.

    Its sampling engine is chosen here, by `generators.runtime.llm_engine.copy_engine_name`: the int4 decode
    loop for a real model on the CPU, else transformers `generate`.
    """
    from generators.copywriter import CopyPipeline, preferred_dtype
    from generators.runtime.llm_engine import TRANSFORMERS, copy_engine_name, load_copy_engine

    copywriter = shared.model("copywriter", preferred_dtype(shared.device))
    try:
        embedder = shared.model("text_embedder")
    except VitrineError:  # near-duplicates then count exact repeats only
        embedder = None
    engine = None
    name = copy_engine_name(shared.device, copywriter)
    if name != TRANSFORMERS:  # packed (or converted) once, shared by every copy pipeline of this process
        engine = shared.shared(
            f"copy_engine:{name}", lambda: load_copy_engine(name, copywriter, shared.settings.threads)
        )
    return CopyPipeline(copywriter, embedder=embedder, scorer=shared.scorer() if clip else None, engine=engine)


def build_attributes(shared: SharedModels, *, clip: bool = True) -> Pipeline:
    """Zero-shot attributes with the shared CLIP scorer (CLIP is what it runs on: `clip` is ignored)."""
    from scoring.attributes import AttributeClassifier

    return AttributeClassifier(shared.scorer())  # type: ignore[arg-type]


def build_ranking(shared: SharedModels, *, clip: bool = True) -> Pipeline:
    """CLIP ranking of image or text candidates (`scoring.ranking.Ranker`)."""
    from scoring.ranking import Ranker

    return Ranker(shared.scorer())  # type: ignore[arg-type]

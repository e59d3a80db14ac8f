"""ClipScorer: batched, cached, L2-normalized CLIP embeddings for images and texts, and CLIPScore.

Any CLIP the registry resolves (tiny, perf, a pulled hub model or a user folder) goes through here. Images and
texts are embedded once each (never pair by pair), in the fastest precision that keeps rankings intact (bf16 on
CPUs with native bf16, an int8 image tower on other CPUs, fp16 on CUDA); `exact()` gives the fp32 twin used to
double-check close calls.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from generators.runtime.errors import VitrineError
from generators.runtime.images import ImageLoadError, content_hash, pil_content_hash, read_image_bytes
from generators.runtime.progress import CancelToken, ProgressFn, check, report
from generators.runtime.provenance import ModelRef
from scoring.cache import EmbeddingCache, default_cache_path, model_cache_key
from scoring.clip_fast_paths import encode_pixels, encode_tokens
from scoring.preprocess import PREPROCESS_VERSION, PreprocessSpec, iter_pixel_batches, normalize_batch
from scoring.scores import clip_score, clip_score_display

if TYPE_CHECKING:
    import torch

    from generators.runtime.models.clip import ClipComponents
    from generators.runtime.settings import Settings

TEXT_WINDOW_VERSION = "1"
#: Overlap between consecutive windows of a long text, in tokens.
WINDOW_OVERLAP = 25


class EmptyTextError(VitrineError, ValueError):
    """A text to score is empty (or only whitespace)."""


class Precision(StrEnum):
    """FAST: fp16 on CUDA, bf16 on CPUs with native bf16, else an int8 image tower. EXACT: always fp32.

    The choice follows `generators.runtime.device` (`cpu_bf16_or_default`, `cpu_int8_preferred`).
    """

    FAST = "fast"
    EXACT = "exact"


#: Cosine gap two items' bf16/fp16/int8 errors could bridge: closer calls get an fp32 check. Per image-text
#: cosine, ViT-B-32's error was <= 0.002 in bf16 and <= 0.0034 with the int8 image tower (0.0065 on the tiny
#: test CLIP), so each tolerance is about twice the per-item error.
REFINE_TOLERANCE = {"bfloat16": 0.004, "float16": 0.002, "int8": 0.01, "float32": 0.0}


@dataclass(frozen=True)
class TextEmbeddings:
    """L2-normalized text vectors [n, d] (float32) and, per text, how many 77-token windows it needed."""

    vectors: torch.Tensor
    windows: tuple[int, ...]
    n_tokens: tuple[int, ...]

    @property
    def windowed(self) -> tuple[bool, ...]:
        """True where a text was longer than CLIP's context and scored as averaged overlapping windows."""
        return tuple(w > 1 for w in self.windows)


@dataclass(frozen=True)
class ImageEmbeddings:
    """L2-normalized image vectors [n, d] (float32; zero rows where an image failed) and the failures."""

    vectors: torch.Tensor
    keys: tuple[str | None, ...]
    errors: dict[int, ImageLoadError] = field(default_factory=dict)

    @property
    def ok(self) -> list[bool]:
        return [i not in self.errors for i in range(len(self.keys))]


@dataclass(frozen=True)
class ClipScoreTable:
    """Every image against every text: cosine, CLIPScore (Hessel et al.) and the 0–100 display score."""

    cos: np.ndarray  # [n_images, n_texts]
    windowed: tuple[bool, ...]  # per text
    errors: dict[int, ImageLoadError]  # per image index

    @property
    def clip_score(self) -> np.ndarray:
        return 2.5 * np.maximum(self.cos, 0.0)

    @property
    def display(self) -> np.ndarray:
        return np.minimum(100.0, 100.0 * self.clip_score)


@dataclass
class ScorerStats:
    """Counters: model forward calls and items encoded vs served from cache."""

    image_forwards: int = 0
    text_forwards: int = 0
    images_encoded: int = 0
    texts_encoded: int = 0
    cache_hits: int = 0


def _default_workers() -> int:
    return max(1, min(4, (os.cpu_count() or 2)))


class ClipScorer:
    """Embeds images and texts with one CLIP model; every vector is cached on disk by content hash.

    Args:
        components: loaded `ClipComponents` (see `generators.runtime.models.clip`).
        ref: the model's provenance reference (id, revision, weights hash, placeholder flag).
        cache: embedding cache; None disables caching.
        batch_size: images per forward.
        workers: decode threads (1 = decode inline).
        exact_factory: builds the fp32 twin for `exact()` (from the same weights file).
    """

    def __init__(
        self,
        components: ClipComponents,
        ref: ModelRef,
        *,
        cache: EmbeddingCache | None = None,
        batch_size: int = 32,
        workers: int | None = None,
        exact_factory: Any = None,
    ) -> None:
        self.components = components
        self.ref = ref
        self.cache = cache
        self.batch_size = batch_size
        self.workers = workers if workers is not None else _default_workers()
        self.stats = ScorerStats()
        self._exact_factory = exact_factory
        self._exact: ClipScorer | None = None
        c = components
        self.spec = PreprocessSpec(c.image_size, c.mean, c.std, c.interpolation, c.resize_mode)
        dtype = str(c.dtype).replace("torch.", "")
        if dtype == "float32":
            from scoring.clip_int8 import INT8, has_int8_image_tower

            dtype = INT8 if has_int8_image_tower(c.model) else dtype
        self.dtype_name = dtype
        self.model_key = model_cache_key(ref.model_id, ref.revision, ref.file_hash, dtype, PREPROCESS_VERSION)

    # ---- construction -------------------------------------------------------------------------------
    @classmethod
    def from_profile(
        cls,
        profile: str | None = None,
        *,
        precision: Precision = Precision.FAST,
        project_dir: str | Path | None = None,
        settings: Settings | None = None,
        use_cache: bool = True,
        batch_size: int = 32,
    ) -> ClipScorer:
        """Resolve and load the `clip` role (profile defaults to `settings.profile`) and wrap it."""
        import torch

        from generators.runtime.device import cpu_bf16_or_default, cpu_int8_preferred, pick_device
        from generators.runtime.loading import load_model
        from generators.runtime.settings import get_settings

        settings = settings or get_settings()
        profile = profile or settings.profile
        device = pick_device(settings)
        exact = precision is Precision.EXACT
        dtype = torch.float32 if exact else cpu_bf16_or_default(device)
        int8 = not exact and dtype == torch.float32 and cpu_int8_preferred(device)
        cache = EmbeddingCache(default_cache_path(project_dir, settings)) if use_cache else None

        def make(dt: torch.dtype, int8: bool = False) -> ClipScorer:
            loaded = load_model("clip", profile, device=device, dtype=dt, settings=settings)
            components = loaded.components
            if int8:
                from scoring.clip_int8 import int8_components

                components = int8_components(components)
            fast = int8 or dt != torch.float32
            factory = (lambda: make(torch.float32)) if fast else None
            return cls(components, loaded.ref(), cache=cache, batch_size=batch_size, exact_factory=factory)

        return make(dtype, int8)

    def exact(self) -> ClipScorer:
        """The fp32 twin of this scorer (itself when already fp32), sharing the cache."""
        if self.dtype_name == "float32" or self._exact_factory is None:
            return self
        if self._exact is None:
            self._exact = self._exact_factory()
        return self._exact

    @property
    def refine_tolerance(self) -> float:
        """Cosine gap under which this scorer's dtype could swap two items (0 for fp32)."""
        return REFINE_TOLERANCE.get(self.dtype_name, 0.0)

    @property
    def placeholder(self) -> bool:
        return self.ref.placeholder

    @property
    def multilingual(self) -> bool:
        """True when the text tower reads more than English.

        OpenAI and LAION CLIPs use open_clip's own BPE tokenizer and learned from English captions: Chinese
        text gets tokens but no meaning, and its scores are noise. Towers with a Hugging Face tokenizer
        (XLM-RoBERTa, mT5 and the like) are the multilingual ones.
        """
        from open_clip.tokenizer import SimpleTokenizer

        return not isinstance(self.components.tokenizer, SimpleTokenizer)

    def language_notice(self, texts: Sequence[str]) -> str | None:
        """A warning when Chinese, Japanese or Korean text is given to an English-only CLIP, else None."""
        from generators.runtime.lexicon import has_cjk

        if self.multilingual or not any(has_cjk(t or "") for t in texts):
            return None
        return (
            f"{self.ref.model_id} reads English only: scores of Chinese (CJK) text are not meaningful; "
            "write it in English"
        )

    @property
    def context_length(self) -> int:
        return int(self.components.context_length)

    # ---- images -------------------------------------------------------------------------------------
    def _image_keys(self, images: Sequence[Any], names: Sequence[str | None]) -> tuple[list[str | None], dict]:
        """Content-hash keys for images; a file's hash is remembered by (size, mtime, inode) in the cache.

        Files modified in the last two seconds are always re-hashed (their mtime may not have ticked yet).
        """
        from PIL import Image

        keys: list[str | None] = [None] * len(images)
        errors: dict[int, ImageLoadError] = {}
        stamps: dict[int, tuple[str, tuple[int, int, int]]] = {}
        for i, src in enumerate(images):
            if isinstance(src, Image.Image):
                keys[i] = "img:" + pil_content_hash(src)
            elif isinstance(src, (bytes, bytearray, memoryview)):
                keys[i] = "img:" + content_hash(bytes(src))
            else:
                try:
                    path = os.path.abspath(src)
                    st = os.stat(path)
                    stamps[i] = (path, (st.st_size, st.st_mtime_ns, st.st_ino))
                except OSError:
                    stamps[i] = (str(src), (-1, -1, -1))  # read_image_bytes below names the problem
        known = self.cache.known_file_hashes(dict(stamps.values())) if self.cache and stamps else {}
        todo = [i for i, (path, _) in stamps.items() if path not in known]

        def hash_file(i: int) -> str | ImageLoadError:
            try:
                return content_hash(read_image_bytes(images[i]))
            except ImageLoadError as exc:
                return ImageLoadError(names[i] or str(images[i]), exc.problem)

        if len(todo) > 1 and self.workers > 1:
            with ThreadPoolExecutor(max_workers=self.workers) as pool:  # hashlib releases the GIL
                hashed = dict(zip(todo, pool.map(hash_file, todo), strict=True))
        else:
            hashed = {i: hash_file(i) for i in todo}
        fresh = {}
        now_ns = time.time_ns()
        for i, (path, stamp) in stamps.items():
            value = known.get(path) or hashed.get(i)
            if isinstance(value, ImageLoadError):
                errors[i] = value
                continue
            keys[i] = "img:" + value
            if i in hashed and now_ns - stamp[1] > 2_000_000_000:
                fresh[path] = (stamp, value)
        if self.cache and fresh:
            self.cache.remember_file_hashes(fresh)
        return keys, errors

    def encode_images(
        self,
        images: Sequence[Any],
        *,
        names: Sequence[str | None] | None = None,
        progress: ProgressFn | None = None,
        cancel: CancelToken | None = None,
    ) -> ImageEmbeddings:
        """Embed images (paths, bytes or PIL images); a bad image is recorded in `errors`, never fatal.

        Cached vectors are used without touching the model; the rest are decoded in threads while the
        model runs on the previous batch.
        """
        import torch

        n = len(images)
        names = list(names) if names is not None else [str(s) if isinstance(s, (str, Path)) else None for s in images]
        keys, errors = self._image_keys(images, names)
        found = self.cache.get_many(self.model_key, [k for k in keys if k]) if self.cache else {}
        vectors: list[np.ndarray | None] = [found.get(k) if k else None for k in keys]
        self.stats.cache_hits += sum(v is not None for v in vectors)
        todo = [i for i in range(n) if vectors[i] is None and i not in errors]
        # identical content appears once in the work list
        first_of: dict[str, int] = {}
        unique = [i for i in todo if first_of.setdefault(keys[i], i) == i]  # type: ignore[arg-type]
        done = n - len(todo)
        report(progress, done, n, "embedding images")
        new: dict[str, np.ndarray] = {}
        batches = iter_pixel_batches(
            [images[i] for i in unique], self.spec, self.batch_size, self.workers, [names[i] for i in unique]
        )
        c = self.components
        for batch in batches:
            check(cancel)
            good = [(unique[j], px) for j, px in batch if not isinstance(px, ImageLoadError)]
            for j, px in batch:
                if isinstance(px, ImageLoadError):
                    errors[unique[j]] = px
            if good:
                x = normalize_batch([px for _, px in good], self.spec, c.device, c.dtype)
                with torch.inference_mode():
                    emb = encode_pixels(c.model, x).float()
                    emb = torch.nn.functional.normalize(emb, dim=-1).cpu().numpy()
                self.stats.image_forwards += 1
                self.stats.images_encoded += len(good)
                for (i, _), vec in zip(good, emb, strict=True):
                    new[keys[i]] = vec  # type: ignore[index]
            done += len(batch)
            report(progress, done, n, "embedding images")
        if self.cache and new:
            self.cache.put_many(self.model_key, new)
        dim = self.embed_dim
        out = np.zeros((n, dim), dtype=np.float32)
        for i in range(n):
            if i in errors:
                continue
            vec = vectors[i] if vectors[i] is not None else new.get(keys[i])  # type: ignore[arg-type]
            if vec is None:  # a duplicate of an image that failed
                errors[i] = errors[first_of[keys[i]]]  # type: ignore[index]
                continue
            out[i] = vec
        report(progress, n, n, "embedding images")
        return ImageEmbeddings(torch.from_numpy(out), tuple(keys), dict(sorted(errors.items())))

    def embed_images(self, images: Sequence[Any], **kwargs: Any) -> torch.Tensor:
        """L2-normalized image vectors [n, d]; raises the first `ImageLoadError` (use `encode_images` to go on)."""
        result = self.encode_images(images, **kwargs)
        if result.errors:
            raise next(iter(result.errors.values()))
        return result.vectors

    @property
    def embed_dim(self) -> int:
        model = self.components.model
        proj = getattr(model, "text_projection", None)
        if proj is not None and hasattr(proj, "shape"):
            return int(proj.shape[-1])
        return int(model.visual.output_dim)

    # ---- texts --------------------------------------------------------------------------------------
    def _token_windows(self, text: str) -> tuple[list[list[int]], int]:
        """Split a text's BPE tokens into windows that fit the context; returns (windows, n_tokens)."""
        tok = self.components.tokenizer
        ids = list(tok.encode(text))
        room = self.context_length - 2  # start and end tokens
        if len(ids) <= room:
            return [ids], len(ids)
        stride = room - WINDOW_OVERLAP
        starts = list(range(0, len(ids) - room + 1, stride))
        if starts[-1] + room < len(ids):
            starts.append(len(ids) - room)  # the last window ends exactly at the text's end
        return [ids[s : s + room] for s in starts], len(ids)

    def encode_texts(self, texts: Sequence[str], *, cancel: CancelToken | None = None) -> TextEmbeddings:
        """Embed texts; texts longer than the context are averaged over overlapping windows (flagged)."""
        import torch

        cleaned = []
        for i, text in enumerate(texts):
            if text is None or not str(text).strip():
                raise EmptyTextError(f"text {i + 1} is empty; give CLIP something to compare with")
            cleaned.append(" ".join(str(text).split()))
        windows = [self._token_windows(t) for t in cleaned]
        keys = ["txt:" + TEXT_WINDOW_VERSION + ":" + content_hash(t.encode("utf-8")) for t in cleaned]
        found = self.cache.get_many(self.model_key, keys) if self.cache else {}
        self.stats.cache_hits += sum(k in found for k in set(keys))
        todo = [i for i, k in enumerate(keys) if k not in found and keys.index(k) == i]
        new: dict[str, np.ndarray] = {}
        if todo:
            c = self.components
            seqs, owner = [], []
            for i in todo:
                for w in windows[i][0]:
                    seqs.append([c.tokenizer.sot_token_id, *w, c.tokenizer.eot_token_id])
                    owner.append(i)
            tokens = torch.zeros(len(seqs), self.context_length, dtype=torch.long)
            for r, s in enumerate(seqs):
                tokens[r, : len(s)] = torch.tensor(s)
            parts = []
            for start in range(0, len(seqs), 64):
                check(cancel)
                length = max(len(q) for q in seqs[start : start + 64])
                with torch.inference_mode():
                    emb = encode_tokens(c.model, tokens[start : start + 64].to(c.device), length).float()
                parts.append(torch.nn.functional.normalize(emb, dim=-1).cpu())
                self.stats.text_forwards += 1
            flat = torch.cat(parts)
            owner_t = torch.tensor(owner)
            for i in todo:
                mean = flat[owner_t == i].mean(0)  # average of the windows' unit vectors, renormalized
                new[keys[i]] = torch.nn.functional.normalize(mean, dim=-1).numpy()
            self.stats.texts_encoded += len(todo)
            if self.cache:
                self.cache.put_many(self.model_key, new)
        vecs = np.stack([found[k] if k in found else new[k] for k in keys]).astype(np.float32)
        return TextEmbeddings(torch.from_numpy(vecs), tuple(len(w[0]) for w in windows), tuple(w[1] for w in windows))

    def embed_texts(self, texts: Sequence[str]) -> torch.Tensor:
        """L2-normalized text vectors [n, d]."""
        return self.encode_texts(texts).vectors

    # ---- scores -------------------------------------------------------------------------------------
    @staticmethod
    def similarity(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        """Cosine similarity matrix [len(a), len(b)] of two sets of L2-normalized vectors."""
        return a.float() @ b.float().T

    def score(self, images: Sequence[Any], texts: Sequence[str], **kwargs: Any) -> ClipScoreTable:
        """Every image against every text; bad images are listed in `errors` (their row is NaN)."""
        img = self.encode_images(images, **kwargs)
        txt = self.encode_texts(texts)
        cos = self.similarity(img.vectors, txt.vectors).numpy().astype(np.float64)
        for i in img.errors:
            cos[i] = np.nan
        return ClipScoreTable(cos, txt.windowed, img.errors)

    def clip_score(self, image: Any, text: str) -> float:
        """CLIPScore (Hessel et al. 2021, w = 2.5) of one image and one text."""
        table = self.score([image], [text])
        if table.errors:
            raise table.errors[0]
        return clip_score(float(table.cos[0, 0]))

    def clip_score_display(self, image: Any, text: str) -> float:
        """The 0–100 display score of one image and one text."""
        table = self.score([image], [text])
        if table.errors:
            raise table.errors[0]
        return clip_score_display(float(table.cos[0, 0]))

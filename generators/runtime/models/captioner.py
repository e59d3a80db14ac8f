"""Captioner role: BLIP (`BlipForConditionalGeneration` + `BlipProcessor`).

Tiny: a 2-layer BLIP at 32 px with a WordPiece tokenizer trained offline. Perf: transformers' default
`BlipConfig` (ViT-B/16 at 384 px, BERT-base text, vocab 30524) with random weights. No registry package
carries BLIP weights, so there is no packaged folder; real weights come from `vitrine models pull captioner`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generators.runtime.models._tokenizers import bert_tokenizer, bert_vocab
from generators.runtime.roles import Profile, Role

if TYPE_CHECKING:
    import torch

    from generators.runtime.settings import Settings

DEC_TOKEN = "[DEC]"  # BLIP's decoder start token; generate() writes its id over [CLS]


@dataclass
class CaptionerComponents:
    """A loaded BLIP captioner: the model and its processor (image processor + BERT tokenizer)."""

    model: Any
    processor: Any


def _blip_config(profile: Profile, vocab: dict) -> Any:
    from transformers import BlipConfig

    ids = {
        "vocab_size": len(vocab),
        "pad_token_id": vocab["[PAD]"],
        "sep_token_id": vocab["[SEP]"],
        "bos_token_id": vocab[DEC_TOKEN],
        "eos_token_id": vocab["[SEP]"],
    }
    if profile is Profile.PERF:
        # The defaults are BLIP base (ViT-B/16 at 384 px, BERT-base text); only the token ids are ours.
        return BlipConfig(text_config=ids)
    text = {
        **ids,
        "hidden_size": 32,
        "intermediate_size": 64,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "encoder_hidden_size": 32,
        "max_position_embeddings": 64,
    }
    vision = {
        "hidden_size": 32,
        "intermediate_size": 64,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "image_size": 32,
        "patch_size": 8,
    }
    return BlipConfig(text_config=text, vision_config=vision, projection_dim=32)


class CaptionerAdapter:
    """RoleAdapter for the captioner role."""

    role = Role.CAPTIONER
    builder_version = "1"

    def build(self, dest: Path, profile: Profile, seed: int = 0) -> None:
        import torch
        from transformers import BlipForConditionalGeneration, BlipImageProcessor, BlipProcessor

        if profile is Profile.PERF:
            vocab = bert_vocab(2000, 30524, bert_layout=True, extra=(DEC_TOKEN, "[unused_last]"))
            size = 384
        else:
            vocab = bert_vocab(600, bert_layout=False, extra=(DEC_TOKEN,))
            size = 32
        tokenizer = bert_tokenizer(vocab, bos_token=DEC_TOKEN)
        image_processor = BlipImageProcessor(size={"height": size, "width": size})
        config = _blip_config(profile, vocab)
        torch.manual_seed(seed)
        model = BlipForConditionalGeneration(config).eval()
        model.save_pretrained(dest)
        BlipProcessor(image_processor=image_processor, tokenizer=tokenizer).save_pretrained(dest)

    def packaged_folder(self, settings: Settings) -> Path | None:
        return None  # no registry package carries BLIP weights

    def load(self, folder: Path, device: torch.device, dtype: torch.dtype) -> CaptionerComponents:
        from transformers import BlipForConditionalGeneration, BlipProcessor

        from generators.runtime.models.blip_sdpa import share_cross_attention_projections, use_sdpa_vision_attention

        model = BlipForConditionalGeneration.from_pretrained(
            folder, dtype=dtype, local_files_only=True, use_safetensors=True
        )
        use_sdpa_vision_attention(model)  # fused vision attention: ~10% of a batched caption, same outputs
        share_cross_attention_projections(model)  # beams/samples of one image: its K/V projected once (~13%)
        processor = BlipProcessor.from_pretrained(folder, local_files_only=True)
        return CaptionerComponents(model=model.to(device).eval(), processor=processor)

    def smoke(self, components: CaptionerComponents) -> str:
        import torch
        from PIL import Image

        proc = components.processor
        image = Image.new("RGB", (48, 48), (200, 30, 30))
        inputs = proc(images=image, return_tensors="pt").to(components.model.device)
        with torch.inference_mode():
            out = components.model.generate(
                pixel_values=inputs["pixel_values"].to(components.model.dtype), max_new_tokens=5, do_sample=False
            )
        text = proc.decode(out[0], skip_special_tokens=True)
        return f"caption of a red square: {text!r} ({out.shape[1]} tokens)"


ADAPTER = CaptionerAdapter()

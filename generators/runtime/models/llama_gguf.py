"""Write a transformers Llama checkpoint (weights, tokenizer, chat template) as a GGUF file for llama.cpp.

The packaged copywriter already is a GGUF file; this covers the others llama.cpp may run: the tiny test model
and Llama-architecture models pulled as safetensors folders. Matrices whose rows split into 32-value blocks
are stored Q8_0 (llama.cpp's 8-bit format, close to the float weights), the rest float32.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# transformers Llama tensor names -> GGUF names ({i}: the layer).
_NAMES = {
    "model.embed_tokens.weight": "token_embd.weight",
    "model.norm.weight": "output_norm.weight",
    "lm_head.weight": "output.weight",
    "model.layers.{i}.input_layernorm.weight": "blk.{i}.attn_norm.weight",
    "model.layers.{i}.self_attn.q_proj.weight": "blk.{i}.attn_q.weight",
    "model.layers.{i}.self_attn.k_proj.weight": "blk.{i}.attn_k.weight",
    "model.layers.{i}.self_attn.v_proj.weight": "blk.{i}.attn_v.weight",
    "model.layers.{i}.self_attn.o_proj.weight": "blk.{i}.attn_output.weight",
    "model.layers.{i}.post_attention_layernorm.weight": "blk.{i}.ffn_norm.weight",
    "model.layers.{i}.mlp.gate_proj.weight": "blk.{i}.ffn_gate.weight",
    "model.layers.{i}.mlp.up_proj.weight": "blk.{i}.ffn_up.weight",
    "model.layers.{i}.mlp.down_proj.weight": "blk.{i}.ffn_down.weight",
}


def _gguf_name(name: str, layers: int) -> str | None:
    if name in _NAMES:
        return _NAMES[name]
    for i in range(layers):
        for source, target in _NAMES.items():
            if "{i}" in source and source.format(i=i) == name:
                return target.format(i=i)
    return None


def _unrotate(weights: Any, heads: int) -> Any:
    """transformers' q/k rows (rotary halves per head) in llama.cpp's order (rotary pairs interleaved)."""
    rows = weights.shape[0]
    return weights.reshape(heads, 2, rows // heads // 2, *weights.shape[1:]).swapaxes(1, 2).reshape(weights.shape)


def _tensors(source: Path) -> dict[str, Any]:
    from safetensors import safe_open

    out: dict[str, Any] = {}
    for file in sorted(source.glob("*.safetensors")):
        with safe_open(str(file), framework="pt") as fh:
            for key in fh.keys():  # noqa: SIM118  (safe_open is not a mapping)
                out[key] = fh.get_tensor(key).float().numpy()
    return out


def _tokenizer_fields(writer: Any, tokenizer: Any, vocab_size: int) -> None:
    import gguf

    specials = set(tokenizer.all_special_ids)
    tokens = tokenizer.convert_ids_to_tokens(list(range(len(tokenizer))))
    tokens += [f"[PAD{i}]" for i in range(len(tokens), vocab_size)]  # rows the embedding has beyond the vocab
    types = [
        gguf.TokenType.CONTROL
        if i in specials
        else gguf.TokenType.NORMAL
        if i < len(tokenizer)
        else gguf.TokenType.UNUSED
        for i in range(vocab_size)
    ]
    merges = json.loads(tokenizer.backend_tokenizer.to_str())["model"].get("merges", [])
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("default")
    writer.add_token_list(tokens[:vocab_size])
    writer.add_token_types(types)
    writer.add_token_merges([m if isinstance(m, str) else " ".join(m) for m in merges])
    for setter, token_id in (
        (writer.add_bos_token_id, tokenizer.bos_token_id),
        (writer.add_eos_token_id, tokenizer.eos_token_id),
        (writer.add_pad_token_id, tokenizer.pad_token_id),
    ):
        if token_id is not None:
            setter(token_id)
    if tokenizer.chat_template:
        writer.add_chat_template(tokenizer.chat_template)


def write_llama_gguf(source: Path, dest: Path) -> None:
    """Write the Llama checkpoint in `source` (a transformers folder) to the GGUF file `dest`.

    Raises:
        ValueError: the checkpoint is not a Llama architecture llama.cpp would run from these tensors.
    """
    import gguf
    from transformers import AutoTokenizer

    config = json.loads((source / "config.json").read_text(encoding="utf-8"))
    if config.get("model_type") != "llama":
        raise ValueError(f"{source.name} is a {config.get('model_type')!r} model; only llama converts to GGUF here")
    layers, heads = int(config["num_hidden_layers"]), int(config["num_attention_heads"])
    kv_heads = int(config.get("num_key_value_heads") or heads)
    hidden = int(config["hidden_size"])
    rope = config.get("rope_parameters") or {}
    tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=True)

    writer = gguf.GGUFWriter(str(dest), "llama")
    writer.add_context_length(int(config["max_position_embeddings"]))
    writer.add_embedding_length(hidden)
    writer.add_block_count(layers)
    writer.add_feed_forward_length(int(config["intermediate_size"]))
    writer.add_head_count(heads)
    writer.add_head_count_kv(kv_heads)
    writer.add_rope_dimension_count(int(config.get("head_dim") or hidden // heads))
    writer.add_rope_freq_base(float(rope.get("rope_theta", config.get("rope_theta", 10000.0))))
    writer.add_layer_norm_rms_eps(float(config["rms_norm_eps"]))
    writer.add_vocab_size(int(config["vocab_size"]))
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_Q8_0)
    _tokenizer_fields(writer, tokenizer, int(config["vocab_size"]))
    for name, weights in _tensors(source).items():
        target = _gguf_name(name, layers)
        if target is None:
            raise ValueError(f"{source.name}: no GGUF name for tensor {name}")
        if target.endswith("attn_q.weight"):
            weights = _unrotate(weights, heads)
        elif target.endswith("attn_k.weight"):
            weights = _unrotate(weights, kv_heads)
        if weights.ndim == 2 and weights.shape[1] % 32 == 0:
            q8 = gguf.GGMLQuantizationType.Q8_0
            writer.add_tensor(target, gguf.quants.quantize(weights, q8), raw_dtype=q8)
        else:
            writer.add_tensor(target, weights.astype("float32"))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()

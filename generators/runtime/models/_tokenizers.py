"""Tokenizers trained offline in about a second on a small built-in corpus of product words.

Placeholder (tiny/perf) models need real tokenizers so the pipelines around them run unchanged; no
tokenizer ships offline for BLIP or a BERT encoder, so we train WordPiece (BERT-style) and byte-level
BPE (causal LM) with the `tokenizers` library. The corpus is deterministic, so builds are too.
"""

from __future__ import annotations

from typing import Any

_EN_WORDS = (
    "a product photo of the with and in on for to is are this that new best quality soft cotton linen wool "
    "silk leather denim polyester nylon cashmere canvas suede velvet satin bamboo steel ceramic glass wood "
    "plastic rubber red crimson scarlet blue navy teal green olive yellow gold orange pink purple black white "
    "grey gray beige brown cream ivory silver shirt t-shirt dress skirt jeans trousers pants shorts jacket coat "
    "sweater hoodie cardigan blouse top tee sneakers shoes boots sandals heels bag handbag backpack tote wallet "
    "belt hat cap scarf gloves socks watch ring necklace earrings bracelet sunglasses mug bottle lamp chair "
    "table sofa pillow blanket towel candle vase plate bowl phone case headphones small medium large xl xxl "
    "size fit slim regular oversized relaxed classic modern vintage elegant casual sporty luxury minimal "
    "playful professional comfortable breathable durable lightweight waterproof stretch warm cool everyday "
    "gift perfect summer winter spring autumn women men kids unisex pack set pair piece pieces one two three "
    "four five six 100% percent made from premium handmade organic recycled sustainable design style wear "
    "work travel home office party wedding beach outdoor title bullet description hashtags tags shop buy now "
    "free shipping sale limited edition collection features benefits details care machine wash dry clean "
    "a an of by at as it its from your our you we they look feel easy fits pocket pockets zipper button collar "
    "sleeve sleeves long short neck round v-neck hood lined pattern striped floral plain solid check plaid"
)
_ZH_TEXT = (
    "产品照片 新款 优质 柔软 纯棉 棉 麻 亚麻 羊毛 真丝 丝绸 皮革 真皮 牛仔 涤纶 聚酯纤维 尼龙 羊绒 帆布 红色 大红 "
    "蓝色 藏青 绿色 黄色 金色 橙色 粉色 紫色 黑色 白色 灰色 米色 棕色 银色 衬衫 T恤 连衣裙 半身裙 牛仔裤 裤子 短裤 "
    "夹克 外套 毛衣 卫衣 开衫 鞋 运动鞋 靴子 凉鞋 包 手提包 双肩包 钱包 腰带 帽子 围巾 手套 袜子 手表 戒指 项链 "
    "耳环 手链 太阳镜 杯子 水杯 台灯 椅子 桌子 沙发 枕头 毯子 毛巾 蜡烛 花瓶 盘子 碗 手机壳 耳机 小号 中号 大号 "
    "尺码 修身 宽松 经典 时尚 复古 优雅 休闲 运动 奢华 简约 舒适 透气 耐用 轻便 防水 弹力 保暖 百搭 礼物 夏季 "
    "冬季 春季 秋季 女款 男款 儿童 一件 两件 三件 套装 卖点 标题 描述 话题 推荐 好物 分享 种草 必入 限时 包邮"
)
_SENTENCES = (
    "a product photo of a red cotton shirt",
    "a blue denim jacket with two pockets",
    "soft wool sweater in cream, perfect gift for winter",
    "TITLE: Classic Leather Tote Bag - Black",
    "BULLET: made from 100% organic cotton",
    "DESCRIPTION: a lightweight, breathable dress for summer days.",
    "HASHTAGS: #style #fashion #ootd #gift",
    "<p>Elegant silk scarf</p> <ul><li>hand made</li></ul>",
)


def product_corpus(repeat: int = 3) -> list[str]:
    """A small deterministic corpus: product words (en + zh) and a few listing-shaped lines."""
    words = _EN_WORDS.split()
    lines = [" ".join(words[i : i + 12]) for i in range(0, len(words), 12)]
    zh = _ZH_TEXT.split()
    lines += [" ".join(zh[i : i + 8]) for i in range(0, len(zh), 8)]
    lines += list(_SENTENCES)
    return lines * repeat


def _train_wordpiece_tokens(vocab_size: int) -> list[str]:
    """Tokens (specials excluded) of a WordPiece model trained BERT-style on the product corpus."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers

    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trainer = trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=["[UNK]"], show_progress=False)
    tok.train_from_iterator(product_corpus(), trainer=trainer)
    vocab = tok.get_vocab()
    return [t for t, _ in sorted(vocab.items(), key=lambda kv: kv[1]) if t != "[UNK]"]


def bert_vocab(
    trained_size: int, total_size: int | None = None, *, bert_layout: bool, extra: tuple[str, ...] = ()
) -> dict:
    """A WordPiece vocab dict with special tokens where BERT-style models expect them.

    Args:
        trained_size: size asked of the WordPiece trainer.
        total_size: pad the vocab to exactly this size with `[unusedN]` tokens (e.g. 30522 or 30524).
        bert_layout: put [PAD]=0, [UNK]=100, [CLS]=101, [SEP]=102, [MASK]=103 as bert-base-uncased does;
            otherwise the specials take ids 0-4.
        extra: further special tokens appended (e.g. BLIP's "[DEC]" at id 30522 in the full layout).
    """
    trained = _train_wordpiece_tokens(trained_size)
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    # bert-base-uncased puts [unused0-98] between [PAD] and [UNK]; models with its ids expect that.
    layout = ["[PAD]"] + [f"[unused{i}]" for i in range(99)] + specials[1:] if bert_layout else list(specials)
    layout += [t for t in trained if t not in layout]
    if total_size is not None:
        free = total_size - len(extra)
        if len(layout) > free:
            layout = layout[:free]
        layout += [f"[unused{i}]" for i in range(99, 99 + free - len(layout))]
    layout += list(extra)
    return {tok: i for i, tok in enumerate(layout)}


def bert_tokenizer(vocab: dict, **kwargs: Any) -> Any:
    """Wrap a vocab dict as a transformers BERT tokenizer (lower-casing, Chinese characters split)."""
    from transformers import BertTokenizer

    return BertTokenizer(vocab=vocab, do_lower_case=True, model_max_length=512, **kwargs)


CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\nYou are a helpful AI assistant.<|im_end|>\n' }}{% endif %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)


def chatml_bpe_tokenizer(vocab_size: int = 800) -> Any:
    """A byte-level BPE tokenizer with ChatML specials and chat template (SmolLM2's conventions)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(product_corpus(), trainer=trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token="<|im_start|>",
        eos_token="<|im_end|>",
        pad_token="<|im_end|>",
        unk_token="<|endoftext|>",
        chat_template=CHATML_TEMPLATE,
        model_max_length=2048,
    )

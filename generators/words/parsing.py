"""Parse a small model's line-based copy (TITLE:/BULLET:/DESCRIPTION:/HASHTAGS:) robustly, repairing what it can.

Small LMs drift: markdown bold keys, numbered or dashed bullets, Chinese keys and full-width colons,
hashtags inside the body, no keys at all. The parser accepts all of that and records each repair.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from enum import StrEnum


class Section(StrEnum):
    TITLE = "title"
    BULLET = "bullet"
    DESCRIPTION = "description"
    HASHTAGS = "hashtags"
    TAGS = "tags"


_KEYS = {
    Section.TITLE: ("title", "headline", "hook", "product title", "标题", "题目"),
    Section.BULLET: (
        "bullet",
        "bullets",
        "bullet point",
        "bullet points",
        "feature",
        "features",
        "key features",
        "selling point",
        "selling points",
        "卖点",
        "亮点",
    ),
    Section.DESCRIPTION: (
        "description",
        "product description",
        "body",
        "post",
        "caption",
        "text",
        "描述",
        "正文",
        "文案",
        "详情",
    ),
    Section.HASHTAGS: ("hashtags", "hashtag", "话题", "话题标签"),
    Section.TAGS: ("tags", "keywords", "tag", "标签", "关键词"),
}
_KEY_TO_SECTION = {alias: section for section, aliases in _KEYS.items() for alias in aliases}
_KEY_LINE = re.compile(
    r"^\s*(?:[#>*\-•]+\s*|\d+[.)]\s*)?\**\s*("
    + "|".join(sorted((re.escape(k) for k in _KEY_TO_SECTION), key=len, reverse=True))
    + r")\s*\d*\s*\**\s*[:：]\s*\**\s*(.*)$",
    re.IGNORECASE,
)
_BULLET_LINE = re.compile(r"^\s*(?:[-*•·●▪✓✔]|\d{1,2}[.)、]|[①②③④⑤⑥⑦⑧⑨])\s*(.+)$")
_HASHTAG = re.compile(r"#([\w\u3400-\u9fff][\w\u3400-\u9fff'-]*)")
_SPECIAL_TOKENS = re.compile(r"<\|[^|>]{1,20}\|>|\[(?:CLS|SEP|PAD|UNK|MASK|DEC)\]")
_TAGS_RE = re.compile(r"<[^>]{0,200}>")


@dataclass(frozen=True)
class CopyFields:
    """The structured parts of one piece of copy."""

    title: str = ""
    bullets: tuple[str, ...] = ()
    description: str = ""
    hashtags: tuple[str, ...] = ()  # without '#'
    tags: tuple[str, ...] = ()

    def field_texts(self) -> dict[str, str]:
        """Named texts for grounding and display: title, bullet 1..n, description, hashtags."""
        out = {"title": self.title}
        out.update({f"bullet {i + 1}": b for i, b in enumerate(self.bullets)})
        out["description"] = self.description
        if self.hashtags:
            out["hashtags"] = " ".join("#" + h for h in self.hashtags)
        if self.tags:
            out["tags"] = ", ".join(self.tags)
        return out

    def all_text(self) -> str:
        return "\n".join(v for v in self.field_texts().values() if v)


@dataclass(frozen=True)
class ParsedCopy:
    fields: CopyFields
    repairs: tuple[str, ...] = field(default_factory=tuple)
    keyed: bool = True  # False when the text had no recognizable keys at all


def clean_text(text: str) -> str:
    """Plain text: no HTML tags or entities, no chat special tokens, no control characters, single spaces."""
    text = _SPECIAL_TOKENS.sub(" ", text)
    text = html.unescape(_TAGS_RE.sub(" ", text))
    text = "".join(ch if ch.isprintable() or ch in "\n" else " " for ch in text)
    return re.sub(r"[ \t\u3000]+", " ", text).strip()


def _strip_markup(value: str) -> str:
    value = clean_text(value).strip()
    value = re.sub(r"^\*+|\*+$", "", value).strip()
    if len(value) >= 2 and value[0] in "\"'“「《" and value[-1] in "\"'”」》":
        value = value[1:-1].strip()
    return value


def split_hashtags(text: str) -> list[str]:
    """Hashtags from "#a #b" or "a, b" forms, without '#', deduplicated in order."""
    found = _HASHTAG.findall(text) if "#" in text else re.split(r"[\s,，、;]+", text)
    out: list[str] = []
    for tag in found:
        tag = re.sub(r"[^\w\u3400-\u9fff-]", "", tag).strip("-_")
        if tag and tag.lower() not in {t.lower() for t in out}:
            out.append(tag)
    return out


def parse_copy(text: str) -> ParsedCopy:
    """Parse model output into CopyFields; never raises, records repairs."""
    repairs: list[str] = []
    title = ""
    bullets: list[str] = []
    description: list[str] = []
    hashtags: list[str] = []
    tags: list[str] = []
    loose: list[str] = []  # lines before any key
    section: Section | None = None
    keyed = False
    for raw_line in text.replace("\r", "\n").split("\n"):
        line = clean_text(raw_line)
        if not line:
            continue
        key = _KEY_LINE.match(line)
        if key:
            keyed = True
            section = _KEY_TO_SECTION[key.group(1).lower()]
            line = key.group(2).strip()
            if not line:
                continue
        if section is None:
            loose.append(line)
        elif section is Section.TITLE:
            if title:  # a second line after TITLE: belongs to the description
                description.append(_strip_markup(line))
                section = Section.DESCRIPTION
            else:
                title = _strip_markup(line)
        elif section is Section.BULLET:
            bullet = _BULLET_LINE.match(line)
            bullets.append(_strip_markup(bullet.group(1) if bullet else line))
        elif section is Section.DESCRIPTION:
            description.append(_strip_markup(line))
        elif section is Section.HASHTAGS:
            hashtags += split_hashtags(line)
        else:
            tags += [t for t in (_strip_markup(x) for x in re.split(r"[,，、;]+", line)) if t]
    if loose:
        if not title:
            title = _strip_markup(loose.pop(0))
            repairs.append("title taken from the first line" if keyed else "no keys found: first line used as title")
        for line in loose:
            bullet = _BULLET_LINE.match(line)
            if bullet and not line.startswith("#"):
                bullets.append(_strip_markup(bullet.group(1)))
            else:
                description.append(_strip_markup(line))
    desc = " ".join(d for d in description if d)
    # Hashtags the model wrote into the body (common in posts) move to the hashtag list.
    inline = _HASHTAG.findall(desc)
    if inline:
        desc = re.sub(r"\s*" + _HASHTAG.pattern, "", desc).strip()
        before = len(hashtags)
        hashtags += [t for t in split_hashtags(" ".join("#" + t for t in inline)) if t not in hashtags]
        if len(hashtags) > before:
            repairs.append("hashtags moved out of the body")
    title_tags = _HASHTAG.findall(title)
    if title_tags:
        title = re.sub(r"\s*" + _HASHTAG.pattern, "", title).strip()
        hashtags += [t for t in title_tags if t not in hashtags]
    fields = CopyFields(
        title=title,
        bullets=tuple(b for b in bullets if b),
        description=desc,
        hashtags=tuple(split_hashtags(" ".join("#" + h for h in hashtags))),
        tags=tuple(dict.fromkeys(tags)),
    )
    return ParsedCopy(fields, tuple(repairs), keyed)

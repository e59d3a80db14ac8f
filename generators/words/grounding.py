"""Grounding: every colour, material, fit, design detail, size, count, price, figure and claim is checked.

A contradiction (copy says "100% cotton", catalog says polyester) rejects or flags the candidate with the
offending phrase marked; a mention the sheet cannot confirm ("waterproof" when nothing says so) is
flagged as unverified. Synonyms come from the lexicon (crimson ≈ red, 棉 ≈ cotton).

Fit is judged as a merchandiser would, since a wrong fit sends shoppers to the wrong size: slim (skinny,
修身, 紧身), regular (classic fit, 常规版型) and loose (relaxed fit, baggy, oversized, 宽松, 落肩) exclude each
other. "Relaxed fit" is a loose fit, a named cut roomier than regular, so it contradicts a regular-fit sheet;
loose and oversized are one value, because copy (Chinese copy above all) uses them interchangeably. Only fit
phrases count: "relaxed weekends" or "a classic tee" claim no fit, though a catalog's fit cell may say just
"Regular", "Relaxed" or 常规. "Cropped" is about length, so a width fit neither confirms nor contradicts it
(unverified). Catalogs rarely give a fit, so a fit mention is checked only when the sheet has one.

Design details (shoe height, sleeve, neckline, rise, closure) are read from the catalog's title, description and
columns; each axis is checked on its own: "high-top" contradicts a low-top sneaker, while "short sleeve" on a tee
whose catalog names only its crew neck is neither confirmed nor denied. Size ranges count whole: a catalog's
"38-44" supports size 40 and "sizes 38-44", not "sizes 38-85". Claims a shopper relies on that the catalog never
makes ("up to 10 times faster", "2025 model", "3.5 GHz", "#1 best seller") are *invented* and disqualify a
candidate like a contradiction; so do made-up product names ("Crew-Nine" for a crew-neck tee) count as unverified.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from generators.runtime.lexicon import Lexicon, Mention, MentionKind, default_lexicon
from generators.words.attributes import AttributeSheet


class Severity(StrEnum):
    CONTRADICTION = "contradiction"  # the sheet says otherwise
    INVENTED = "invented"  # a claim a shopper would rely on that the catalog never makes ("10x faster", "2025 model")
    UNVERIFIED = "unverified"  # nothing on the sheet supports it


@dataclass(frozen=True)
class GroundingIssue:
    """One problem mention; `field` and `start:end` mark the offending phrase."""

    kind: MentionKind
    severity: Severity
    field: str
    phrase: str
    start: int
    end: int
    expected: str  # what the sheet says ("" when it says nothing)

    @property
    def message(self) -> str:
        if self.severity is Severity.CONTRADICTION:
            return f"{self.field}: '{self.phrase}' contradicts the product's {self.kind.value} ({self.expected})"
        if self.kind is MentionKind.WORDING:
            return f"{self.field}: not words: {self.phrase}"
        if self.severity is Severity.INVENTED:
            return f"{self.field}: '{self.phrase}' is a claim the product data never makes"
        return f"{self.field}: '{self.phrase}' ({self.kind.value}) is not supported by the product data"


@dataclass(frozen=True)
class GroundingReport:
    """All issues of one candidate and a 0..1 score (1: every mention supported)."""

    issues: tuple[GroundingIssue, ...]
    mentions: int

    @property
    def contradictions(self) -> tuple[GroundingIssue, ...]:
        """The issues that disqualify a candidate: contradictions and invented claims."""
        return tuple(i for i in self.issues if i.severity is not Severity.UNVERIFIED)

    @property
    def reason(self) -> str:
        """Why the candidate is not grounded, in a few words ("" when it is)."""
        kinds = {i.severity for i in self.contradictions}
        if Severity.CONTRADICTION in kinds:
            return "contradicts the product data"
        return "makes claims the product data never makes" if kinds else ""

    @property
    def ok(self) -> bool:
        return not self.contradictions

    @property
    def score(self) -> float:
        if self.mentions == 0:
            return 1.0
        penalty = len(self.contradictions) + 0.3 * (len(self.issues) - len(self.contradictions))
        return max(0.0, 1.0 - penalty / self.mentions)


_NUM_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "eight": 8,
    "ten": 10,
    "twelve": 12,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "八": 8,
    "十": 10,
}
_NUM = r"(\d{1,3}|one|two|three|four|five|six|eight|ten|twelve|[一二两三四五六八十])"
_COUNT_PATTERNS = (
    re.compile(rf"\b(?:pack|set|bundle|box) of {_NUM}\b", re.IGNORECASE),
    re.compile(rf"\b{_NUM}[- ]?(?:pack|pcs|pieces|piece set|count|ct)\b", re.IGNORECASE),
    re.compile(rf"{_NUM}\s*(?:件|只|个|双|条|支|片|瓶|盒)装"),
)
_SIZE_NUMBER = r"\d{1,3}(?:\.5)?"
_SIZE_JOIN = r"\s*(?:-|–|—|~|～|to|至|…|\.\.\.|,|/|and)\s*"
_SIZE_RANGE = re.compile(rf"({_SIZE_NUMBER})\s*(?:-|–|—|~|～|to|至|…|\.\.\.)\s*({_SIZE_NUMBER})", re.IGNORECASE)
# "sizes 38-44", "size 38, 39, 40", "38-44码", "尺码：38-44": one mention, judged as a whole (a list is not 20 mentions).
_SIZE_LISTS = (
    re.compile(rf"\bsizes?:?\s+({_SIZE_NUMBER}(?:{_SIZE_JOIN}{_SIZE_NUMBER})+)", re.IGNORECASE),
    re.compile(rf"({_SIZE_NUMBER}(?:{_SIZE_JOIN}{_SIZE_NUMBER})+)\s*码"),
    re.compile(rf"(?:尺码|尺寸)\s*[:：]?\s*({_SIZE_NUMBER}(?:{_SIZE_JOIN}{_SIZE_NUMBER})+)"),  # "尺码：28, 30, 32"
)
_SIZE_PATTERNS = (
    # A size token, not any word: "true to size: size 40" names 40, not "size".
    re.compile(r"\bsize:?\s+(\d{1,3}(?:\.5)?|[2-5]?X{0,3}[SML]|XXS|XS|OS|ONE)\b", re.IGNORECASE),
    re.compile(r"\b(XXS|XS|XL|XXL|XXXL|2XL|3XL|4XL)\b"),
    re.compile(r"([A-Za-z0-9]{1,4})\s*码"),
    re.compile(r"(?:尺码|尺寸)\s*[:：]?\s*(\d{1,3}(?:\.5)?)(?![\d.])"),  # "尺码：40"
)
_PRICE = re.compile(
    r"[$€£¥￥]\s?\d+(?:[.,]\d{1,2})?|\b\d+(?:[.,]\d{1,2})?\s?(?:USD|EUR|GBP|RMB|CNY|dollars?)\b|\d+(?:\.\d{1,2})?\s?[元块]",
    re.IGNORECASE,
)
_DISCOUNT = re.compile(r"\b\d{1,2}\s?%\s?off\b|\bon sale\b|\bsale:|打\d折|\d折|半价|限时特价", re.IGNORECASE)
# Claims a shopper relies on that small models invent: performance comparisons, rankings, endorsements, model
# years. They stand only when the catalog's own text says the same; otherwise they disqualify the candidate.
_INVENTED_CLAIMS = (
    re.compile(r"\bup to \d+(?:\.\d+)?\s*(?:x|×|times)\b[^.,;!]*", re.IGNORECASE),
    re.compile(
        r"\b\d+(?:\.\d+)?\s*(?:x|×|times)\s+(?:faster|more|longer|stronger|better|warmer|lighter|softer|brighter)\b",
        re.IGNORECASE,
    ),
    re.compile(r"\b(?:faster|better|stronger|longer[- ]lasting|more durable) than\b[^.,;!]*", re.IGNORECASE),
    re.compile(
        r"#\s?1\b|\bnumber one\b|\bbest[- ]?sell(?:ing|er)\b|\bclinically (?:proven|tested)\b|"
        r"\bdermatologist[- ](?:tested|approved|recommended)\b|\blab[- ]tested\b|\baward[- ]winning\b|"
        r"\bcertified\b|\bpatented\b|\bguaranteed\b",
        re.IGNORECASE,
    ),
    re.compile(r"\b(?:19|20)\d{2}\s*(?:model|edition|version|release)\b|\bnew for (?:19|20)\d{2}\b", re.IGNORECASE),
    re.compile(r"(?:19|20)\d{2}\s*年?\s*(?:新款|款)|销量第一|全网第一|最畅销|\d+倍"),
    re.compile(r"\b\d+(?:\.\d+)?\s?(?:GHz|MHz|mAh|Wh|watts?|W)\b", re.IGNORECASE),
)
# A Title-Case hyphenated coinage ("Crew-Nine", "Ultra-Flex") the catalog never uses: a made-up product name.
GARBLE_SHARE = 0.4  # share of a field's words (4+ letters) that are not words from which the field is garble
_COINED_NAME = re.compile(r"\b[A-Z][a-z]+(?:-[A-Z][a-z]+)+\b")
_PERCENT = re.compile(r"(\d{1,3})\s*%\s*$")
# Digits only as boundaries: Chinese copy writes figures between characters (克重250克), and \w matches those.
_FIGURE = re.compile(r"(?<![\d.,])(?:\d{2,}(?:[.,]\d+)*|\d+[.,]\d+)(?!\d)")
_PURE = re.compile(r"(?:\bpure\s*|\ball[- ]|\bsolid\s*)$", re.IGNORECASE)
_FREE_SIZE = {"ONE", "OS", "FREE", "均"}
# Kinds most catalogs leave out: a mention is checked only against a value the sheet has, never "unverified".
_CHECKED_ONLY_WHEN_KNOWN = frozenset({MentionKind.FIT})


def _number(token: str) -> int:
    return int(token) if token.isdigit() else _NUM_WORDS.get(token.lower(), -1)


def extract_counts(text: str) -> list[tuple[int, int, int, str]]:
    """(count, start, end, phrase) for "pack of 3", "3-pack", "3件装"."""
    out = []
    for pattern in _COUNT_PATTERNS:
        for m in pattern.finditer(text):
            out.append((_number(m.group(1)), m.start(), m.end(), m.group(0)))
    return out


def extract_sizes(text: str) -> list[tuple[tuple[str, ...], int, int, str]]:
    """(sizes, start, end, phrase) for "size M", "XL", "M码", "sizes 38-44"; overlapping matches count once.

    A list or range is one mention; a range stands for its two ends ("38-44" -> 38, 44), a list for each size.
    """
    out: list[tuple[tuple[str, ...], int, int, str]] = []

    def free(start: int, end: int) -> bool:
        return not any(start < e and end > s for _, s, e, _ in out)

    for pattern in _SIZE_LISTS:
        for m in pattern.finditer(text):
            if free(m.start(), m.end()):
                values = tuple(_size_token(t) for t in re.findall(_SIZE_NUMBER, m.group(1)))
                out.append((values, m.start(), m.end(), m.group(0)))
    for pattern in _SIZE_PATTERNS:
        for m in pattern.finditer(text):
            if free(m.start(), m.end()):
                out.append(((m.group(1).upper(),), m.start(), m.end(), m.group(0)))
    return out


def _size_token(token: str) -> str:
    return f"{float(token):g}" if re.fullmatch(r"\d+(?:\.\d)?", token) else token.upper()


def expand_sizes(value: str) -> set[str]:
    """The sizes a catalog cell names: "S, M, L" -> {S, M, L}; "38-44" or "38~44" -> {38, 39, ..., 44}."""
    sizes: set[str] = set()
    for m in _SIZE_RANGE.finditer(value):
        low, high = float(m.group(1)), float(m.group(2))
        step = 0.5 if (low % 1 or high % 1) else 1.0
        if low < high and (high - low) / step <= 80:
            sizes.update(f"{low + i * step:g}" for i in range(int((high - low) / step) + 1))
    rest = _SIZE_RANGE.sub(" ", value)
    sizes.update(_size_token(s) for s in re.split(r"[\s,/;|]+", rest) if s)
    return sizes


def _sheet_sizes(sheet: AttributeSheet) -> set[str]:
    sizes: set[str] = set()
    for value in sheet.raw_values("size"):
        sizes |= expand_sizes(value)
    return sizes


def _describe_sizes(sizes: set[str]) -> str:
    """ "38-44" for a run of numeric sizes, else the sizes joined: what a contradiction says was expected."""
    numbers = sorted(float(s) for s in sizes if re.fullmatch(r"\d+(?:\.\d)?", s))
    if len(numbers) == len(sizes) and len(numbers) > 3:
        return f"{numbers[0]:g}-{numbers[-1]:g}"
    return "/".join(sorted(sizes))


def _amount(text: str) -> float | None:
    m = re.search(r"\d+(?:[.,]\d{1,2})?", text)
    return float(m.group(0).replace(",", ".")) if m else None


def _check_prices(field: str, text: str, sheet: AttributeSheet) -> tuple[int, list[GroundingIssue]]:
    """Prices must be the catalog's; discounts are never in the catalog, so they are always unverified."""
    prices = {a for a in (_amount(v) for v in sheet.raw_values("price")) if a is not None}
    issues, seen = [], 0
    for m in _PRICE.finditer(text):
        seen += 1
        amount = _amount(m.group(0))
        if not prices:
            issues.append(
                GroundingIssue(MentionKind.PRICE, Severity.UNVERIFIED, field, m.group(0), m.start(), m.end(), "")
            )
        elif amount is None or all(abs(amount - p) > 0.005 for p in prices):
            expected = "/".join(f"{p:g}" for p in sorted(prices))
            issues.append(
                GroundingIssue(
                    MentionKind.PRICE, Severity.CONTRADICTION, field, m.group(0), m.start(), m.end(), expected
                )
            )
    for m in _DISCOUNT.finditer(text):
        seen += 1
        issues.append(GroundingIssue(MentionKind.PRICE, Severity.UNVERIFIED, field, m.group(0), m.start(), m.end(), ""))
    return seen, issues


def _check_invented_claims(field: str, text: str, sheet: AttributeSheet) -> tuple[int, list[GroundingIssue]]:
    """Comparisons, rankings, endorsements, model years and tech specs the catalog's own text never states."""
    issues, seen, spans = [], 0, []
    for pattern in _INVENTED_CLAIMS:
        for m in pattern.finditer(text):
            if any(m.start() < b and a < m.end() for a, b in spans):
                continue
            spans.append((m.start(), m.end()))
            seen += 1
            phrase = m.group(0).strip()
            if phrase.lower() not in sheet.text:
                issues.append(
                    GroundingIssue(
                        MentionKind.CLAIM, Severity.INVENTED, field, phrase, m.start(), m.start() + len(phrase), ""
                    )
                )
    for m in _COINED_NAME.finditer(text):
        seen += 1
        if m.group(0).lower() not in sheet.text:
            issues.append(
                GroundingIssue(MentionKind.CLAIM, Severity.UNVERIFIED, field, m.group(0), m.start(), m.end(), "")
            )
    return seen, issues


def _check_wording(field: str, text: str, sheet: AttributeSheet) -> list[GroundingIssue]:
    """A field whose words are largely not words (a small model's garble) disqualifies its candidate."""
    from generators.words.wordlist import unknown_words

    words = [w for w in re.findall(r"[A-Za-z]{4,}", text)]
    if len(words) < 2:
        return []
    bad = unknown_words(text, _catalog_words(sheet))
    if len(bad) < 2 or len(bad) < GARBLE_SHARE * len(words):
        return []
    start = text.find(bad[0])
    return [
        GroundingIssue(
            MentionKind.WORDING, Severity.INVENTED, field, ", ".join(bad[:5]), start, start + len(bad[0]), ""
        )
    ]


def _catalog_words(sheet: AttributeSheet) -> frozenset[str]:
    return frozenset(re.findall(r"[a-z]+", sheet.text))


def _figure_value(token: str) -> float | None:
    """1,299 and 1,299.50 (thousands) or 19,90 (decimal comma) as a number."""
    thousands = re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", token)
    try:
        return float(token.replace(",", "") if thousands else token.replace(",", "."))
    except ValueError:
        return None


def _check_figures(
    field: str, text: str, known: set[float], claimed: list[tuple[int, int]]
) -> tuple[int, list[GroundingIssue]]:
    """Figures of two or more digits the catalog never states ("100% 2601802834", "500 ml") are unverified.

    Small models invent model numbers and dimensions; a figure is supported when the same value appears in
    the catalog's own text (`known`, from `_sheet_figures`, read once per candidate). Figures already judged
    as a price, size or count (`claimed` spans) are skipped, and "100%" before a material is the material
    check's business.
    """
    issues, seen = [], 0
    for m in _FIGURE.finditer(text):
        if any(a < m.end() and m.start() < b for a, b in claimed):
            continue
        if m.group(0) == "100" and text[m.end() : m.end() + 2].lstrip().startswith("%"):
            continue
        seen += 1
        if _figure_value(m.group(0)) not in known:
            issues.append(
                GroundingIssue(MentionKind.NUMBER, Severity.UNVERIFIED, field, m.group(0), m.start(), m.end(), "")
            )
    return seen, issues


def _sheet_figures(sheet: AttributeSheet) -> set[float]:
    """Every figure in the catalog's own text, as numbers."""
    return {v for v in (_figure_value(t) for t in re.findall(r"\d+(?:[.,]\d+)*", sheet.text)) if v is not None}


def _sheet_count(sheet: AttributeSheet) -> int | None:
    for value in sheet.raw_values("count"):
        m = re.search(r"\d+", value)
        if m:
            return int(m.group(0))
    found = extract_counts(sheet.text)
    return found[0][0] if found else None


def _check_lexicon_mention(
    m: Mention, field: str, text: str, sheet: AttributeSheet, lex: Lexicon
) -> GroundingIssue | None:
    if m.kind is MentionKind.CLAIM:
        if m.canonical in sheet.claims:
            return None
        return GroundingIssue(m.kind, Severity.UNVERIFIED, field, m.phrase, m.start, m.end, "")
    supported = sheet.supported(m.kind)
    raw = sheet.raw_values(m.kind.value)
    if not supported and not raw and m.kind in _CHECKED_ONLY_WHEN_KNOWN:
        return None
    peers = lex.same_axis(m.kind, supported, m.canonical)
    if not peers and m.kind is MentionKind.DESIGN:
        return None  # catalogs name few details; one on an axis the sheet leaves open is neither confirmed nor denied
    if not peers:
        # Only free-text values the lexicon does not know ("multicolour"), or values about another side of the
        # product (a width fit, copy says "cropped"): cannot confirm either way.
        known = "/".join(sorted(supported) or raw)
        return GroundingIssue(m.kind, Severity.UNVERIFIED, field, m.phrase, m.start, m.end, known)
    expected = "/".join(sorted(peers))
    if m.canonical not in peers:
        return GroundingIssue(m.kind, Severity.CONTRADICTION, field, m.phrase, m.start, m.end, expected)
    before = text[max(0, m.start - 8) : m.start]
    exclusive = _PERCENT.search(before) and _PERCENT.search(before).group(1) == "100"
    exclusive = exclusive or bool(_PURE.search(before)) or m.phrase in ("纯棉", "全棉")
    if m.kind is MentionKind.MATERIAL and exclusive and len(supported) > 1:
        start = m.start - len(before) + (before.rfind("100") if "100" in before else len(before))
        return GroundingIssue(m.kind, Severity.CONTRADICTION, field, text[start : m.end], start, m.end, expected)
    return None


def check_grounding(
    fields: Mapping[str, str], sheet: AttributeSheet, lexicon: Lexicon | None = None
) -> GroundingReport:
    """Check every mention in a candidate's fields ({"title": ..., "bullet 1": ..., ...}) against `sheet`."""
    lex = lexicon or default_lexicon()
    issues: list[GroundingIssue] = []
    mentions = 0
    sizes, count, figures = _sheet_sizes(sheet), _sheet_count(sheet), _sheet_figures(sheet)
    for field, text in fields.items():
        if not text:
            continue
        for m in lex.find(text):
            if m.negated:
                continue
            mentions += 1
            issue = _check_lexicon_mention(m, field, text, sheet, lex)
            if issue:
                issues.append(issue)
        found_sizes, found_counts = extract_sizes(text), extract_counts(text)
        for named, start, end, phrase in found_sizes:
            mentions += 1
            named = tuple(n for n in named if n not in _FREE_SIZE)
            if not named:
                continue
            if not sizes:
                issues.append(GroundingIssue(MentionKind.SIZE, Severity.UNVERIFIED, field, phrase, start, end, ""))
            elif any(n not in sizes for n in named):
                issues.append(
                    GroundingIssue(
                        MentionKind.SIZE, Severity.CONTRADICTION, field, phrase, start, end, _describe_sizes(sizes)
                    )
                )
        seen, price_issues = _check_prices(field, text, sheet)
        mentions += seen
        issues += price_issues
        seen, claim_issues = _check_invented_claims(field, text, sheet)
        mentions += seen
        issues += claim_issues
        issues += _check_wording(field, text, sheet)
        claimed = [(m.start(), m.end()) for m in (*_PRICE.finditer(text), *_DISCOUNT.finditer(text))]
        claimed += [(i.start, i.end) for i in claim_issues]
        claimed += [(start, end) for _, start, end, _ in (*found_sizes, *found_counts)]
        seen, figure_issues = _check_figures(field, text, figures, claimed)
        mentions += seen
        issues += figure_issues
        for n, start, end, phrase in found_counts:
            mentions += 1
            if count is None:
                if n != 1:
                    issues.append(GroundingIssue(MentionKind.COUNT, Severity.UNVERIFIED, field, phrase, start, end, ""))
            elif n != count:
                issues.append(
                    GroundingIssue(MentionKind.COUNT, Severity.CONTRADICTION, field, phrase, start, end, str(count))
                )
    return GroundingReport(tuple(issues), mentions)


def mark_phrase(
    text: str, issue: GroundingIssue, left: str = "[[", right: str = "]]", context: int | None = None
) -> str:
    """`text` with the offending phrase wrapped, for display: "100% [[cotton]] tee".

    With `context`, only that many characters either side are kept ("…SALE: [[$12.99]], $10.99…").
    """
    start, end = issue.start, issue.end
    before, after = text[:start], text[end:]
    if context is not None:
        before = ("…" + before[-context:].lstrip()) if len(before) > context else before
        after = (after[:context].rstrip() + "…") if len(after) > context else after
    return before + left + text[start:end] + right + after

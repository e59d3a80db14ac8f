"""report.html parses, lists every product, escapes catalog/model text and badges placeholder outputs."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from studio.export import ExportRequest, Platform, export_packages

VOID = {"meta", "img", "br", "link", "input", "hr"}


class _Collector(HTMLParser):
    """Checks tags nest properly and collects product sections and badges per section."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.skus: list[str] = []
        self.badges: dict[str, list[str]] = {}
        self.scripts = 0
        self._badge = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if tag == "section" and "data-sku" in a:
            self.skus.append(a["data-sku"])
            self.badges[a["data-sku"]] = []
        self._badge = tag == "span" and "badge" in (a.get("class") or "")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1] if self.stack else None}>"
        self.stack.pop()

    def handle_data(self, data):
        if self._badge and self.skus:
            self.badges[self.skus[-1]].append(data.strip())
        self._badge = False


def _parse(path: Path) -> _Collector:
    parser = _Collector()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    assert parser.stack == [], "unclosed tags"
    return parser


def test_report_lists_every_product_and_badges_placeholders(products, tmp_path: Path):
    res = export_packages(ExportRequest(products, tmp_path / "out", platforms=(Platform.GENERIC,)))
    assert res.report_html == res.package_dir / "report.html" and res.report_html.exists()
    parsed = _parse(res.report_html)
    assert parsed.skus == [p.sku for p in products]
    tee = parsed.badges["TEE-1"]
    assert "PLACEHOLDER" in tee and "REJECTED" in tee and "APPROVED" in tee and "EXPORTED" in tee
    assert "CONFLICT" in tee  # the material attribute sources disagree
    assert "PLACEHOLDER" not in parsed.badges[products[1].sku]  # nothing generated for the mug


def test_report_escapes_everything_and_is_self_contained(products, tmp_path: Path):
    res = export_packages(ExportRequest(products, tmp_path / "out", platforms=(Platform.GENERIC,)))
    html = res.report_html.read_text(encoding="utf-8")
    parsed = _parse(res.report_html)
    assert parsed.scripts == 0
    assert "<script>alert(1)</script>" not in html and "<img src=x onerror" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # Thumbnails are embedded, never linked to files outside the report.
    assert 'src="data:image/jpeg;base64,' in html
    assert "file:" not in html and str(tmp_path) not in html


def test_report_opens_with_readiness_per_product_and_platform(products, tmp_path: Path):
    import dataclasses

    tee, mug = products
    tee = dataclasses.replace(tee, vendor="Acme")
    platforms = (Platform.SHOPIFY, Platform.AMAZON, Platform.TAOBAO, Platform.GENERIC)
    res = export_packages(ExportRequest((tee, mug), tmp_path / "o", platforms=platforms))
    page = res.report_html.read_text(encoding="utf-8")
    table = page[page.index('id="readiness"') : page.index('<section class="product"')]  # before every card
    assert "<th>shopify</th><th>amazon</th><th>taobao</th></tr>" in table  # generic is a folder, not a listing
    rows = table.split("<tr><td>")[1:]
    tee_row, mug_row = rows
    assert 'href="#product-1"' in tee_row and 'href="#product-2"' in mug_row
    states = [
        s.split("<")[0] for s in tee_row.split('">')[1:] if s.split("<")[0] in ("READY", "NEEDS REVIEW", "BLOCKED")
    ]
    # Shopify: approved real copy, photo, price: ready. Amazon: its own copy was a placeholder's (held back), so
    # it borrows Shopify's: needs review. Taobao: approved Chinese copy: ready.
    assert states == ["READY", "NEEDS REVIEW", "READY"]
    assert "uses the copy written for shopify" in tee_row
    assert mug_row.count("BLOCKED") == 3 and "no publishable en copy" in mug_row and "no brand" in mug_row
    assert "2 ready · 1 need review · 3 blocked" in table

"""report.html: one self-contained page listing every product with its ranked candidates, scores, flags and
provenance; outputs of placeholder (random-weight) models carry a visible PLACEHOLDER badge.

Rendered with jinja2 and autoescaping on: every value from a catalog or a model is escaped.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
from PIL import Image

from studio.export.bundle import ExportProduct, MediaCandidate, MediaKind, _Candidate
from studio.export.images import load_srgb
from studio.export.package_writer import PackageWriter, StagedText
from studio.export.readiness import LISTING_COPY, Readiness, listing_readiness
from studio.export.selection import ranked
from studio.project.review import exported

THUMB = 160

HEAD_TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>Vitrine export report</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Sans CJK SC","Microsoft YaHei",sans-serif;
 margin:0;background:#f6f5f3;color:#222}
header,section.product{background:#fff;margin:16px auto;max-width:1100px;padding:16px 24px;border-radius:10px;
 box-shadow:0 1px 3px #0002}
h1{margin:0 0 8px;font-size:22px} h2{margin:0 0 4px;font-size:19px} h3{margin:18px 0 6px;font-size:15px}
table{border-collapse:collapse;width:100%} td,th{border-bottom:1px solid #e6e4e0;padding:5px 6px;text-align:left;
 vertical-align:top} th{font-weight:600;color:#555;font-size:12px;text-transform:uppercase}
.thumbs img,.cand img{border-radius:6px;background:#eee;margin:0 6px 6px 0;max-width:160px;max-height:160px}
.badge{display:inline-block;border-radius:4px;padding:1px 6px;font-size:11px;font-weight:700;margin:0 4px 2px 0}
.placeholder{background:#d93025;color:#fff} .approved{background:#1e8e3e;color:#fff}
.rejected{background:#5f6368;color:#fff} .exported{background:#1a73e8;color:#fff} .conflict{background:#f9ab00;color:#000}
.flag{background:#fce8e6;color:#a50e0e} .warn{color:#a50e0e} .muted{color:#777;font-size:12px}
.state-ready{background:#1e8e3e;color:#fff} .state-needs-review{background:#f9ab00;color:#000}
.state-blocked{background:#d93025;color:#fff} table.ready td{min-width:120px} a{color:#1a73e8}
ul.bul{margin:4px 0;padding-left:18px} .scores span{white-space:nowrap;margin-right:8px}
</style></head><body>
<header>
<h1>Vitrine export report</h1>
<p class="muted">{{ created }} · {{ products|length }} products · mode: {{ mode }} · platforms: {{ platforms|join(", ") }}</p>
<p><span class="badge placeholder">PLACEHOLDER</span> made by a placeholder model (random weights): never publish.
<span class="badge exported">EXPORTED</span> went into the package.</p>
{% if readiness %}<h3 id="readiness">Ready to publish?
<span class="muted">{{ counts.ready }} ready · {{ counts.review }} need review · {{ counts.blocked }} blocked</span></h3>
<table class="ready"><tr><th>product</th>{% for p in readiness_platforms %}<th>{{ p }}</th>{% endfor %}</tr>
{% for row in readiness %}<tr><td><a href="#product-{{ row.index }}">{{ row.sku }}</a><div class="muted">{{ row.title }}</div></td>
{% for cell in row.cells %}<td><span class="badge state-{{ cell.state|replace(" ", "-") }}">{{ cell.state|upper }}</span>
{% for r in cell.reasons %}<div class="muted">{{ r }}</div>{% endfor %}</td>{% endfor %}</tr>{% endfor %}</table>{% endif %}
{% if warnings %}<h3>Warnings ({{ warnings|length }})</h3><ul class="warn">
{% for w in warnings %}<li>{{ w }}</li>{% endfor %}</ul>{% endif %}
</header>
"""
# One product; the page is HEAD, then one SECTION per product, then FOOT (a jinja2 loop over the sections
# rendered exactly this text, so the file is the same, but now only one product is in memory at a time).
SECTION_TEMPLATE = """
<section class="product" id="product-{{ index }}" data-sku="{{ p.sku }}">
<h2>{{ p.title }}</h2>
<p class="muted">SKU {{ p.sku }}{% if p.category %} · {{ p.category }}{% endif %}{% if p.price %} · {{ p.price }} {{ p.currency }}{% endif %}
{% if p.placeholder_count %} · <span class="badge placeholder">PLACEHOLDER</span>{{ p.placeholder_count }} placeholder outputs{% endif %}</p>
<div class="thumbs">{% for t in p.photos %}<img src="{{ t }}" alt="catalog photo {{ loop.index }} of {{ p.sku }}">{% endfor %}</div>
{% if p.warnings %}<ul class="warn">{% for w in p.warnings %}<li>{{ w }}</li>{% endfor %}</ul>{% endif %}
{% if p.attributes %}<h3>Attributes</h3><table><tr><th>name</th><th>value</th><th>source</th><th>confidence</th></tr>
{% for a in p.attributes %}<tr><td>{{ a.name }}</td><td>{{ a.value }}{% if a.conflict %} <span class="badge conflict">CONFLICT</span>{% endif %}</td>
<td>{{ a.source }}{% if a.source.endswith(":placeholder") %} <span class="badge placeholder">PLACEHOLDER</span>{% endif %}</td><td>{% if a.confidence is not none %}{{ "%.2f"|format(a.confidence) }}{% endif %}</td></tr>{% endfor %}</table>{% endif %}
{% for g in p.groups %}<h3>{{ g.label }} ({{ g.rows|length }})</h3>
<table class="cands"><tr><th>#</th><th>candidate</th><th>scores</th><th>status</th><th>provenance</th></tr>
{% for c in g.rows %}<tr class="cand">
<td>{{ c.rank if c.rank is not none else "–" }}</td>
<td>{% if c.thumb %}<img src="{{ c.thumb }}" alt="{{ c.alt }}"><br>{% endif %}
{% if c.title %}<strong>{{ c.title }}</strong><br>{% endif %}{% if c.text %}{{ c.text }}{% endif %}
{% if c.bullets %}<ul class="bul">{% for b in c.bullets %}<li>{{ b }}</li>{% endfor %}</ul>{% endif %}
{% if c.hashtags %}<div class="muted">{% for h in c.hashtags %}#{{ h }} {% endfor %}</div>{% endif %}
{% if c.file %}<div class="muted">{{ c.file }}</div>{% endif %}</td>
<td class="scores">{% for k, v in c.scores %}<span>{{ k }} {{ "%.3f"|format(v) }}</span> {% endfor %}</td>
<td>{% if c.placeholder %}<span class="badge placeholder">PLACEHOLDER</span>{% endif %}
{% if c.exported %}<span class="badge exported">EXPORTED</span>{% endif %}
{% if c.approved %}<span class="badge approved">APPROVED</span>{% endif %}
{% if c.rejected %}<span class="badge rejected">REJECTED</span>{% endif %}
{% for f in c.flags %}<span class="badge flag">{{ f }}</span>{% endfor %}
{% if c.reason %}<div class="muted">{{ c.reason }}</div>{% endif %}</td>
<td class="muted">{% for m in c.models %}{{ m }}<br>{% endfor %}{% if c.seed is not none %}seed {{ c.seed }}{% endif %}</td>
</tr>{% endfor %}</table>{% endfor %}
</section>
"""
FOOT = "\n</body></html>"


def thumbnail(path: Path, edge: int = THUMB) -> str:
    """A small JPEG as a data: URI, so the report works as a single file; empty when unreadable."""
    try:
        img = load_srgb(Path(path))
    except Exception:
        return ""
    img.thumbnail((edge, edge), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _models(prov: Mapping[str, Any]) -> list[str]:
    out = []
    for m in prov.get("models", ()):
        if isinstance(m, Mapping):
            out.append(
                f"{m.get('role', '?')}: {m.get('model_id', '?')} ({m.get('source', '?')}, {m.get('profile', '?')})"
            )
    return out


_CONTENT = {"thumb": "", "alt": "", "title": "", "text": "", "bullets": [], "hashtags": [], "file": ""}


def _row(c: _Candidate, exported: set[int], **content: Any) -> dict[str, Any]:
    return {
        **_CONTENT,
        "rank": c.rank,
        "scores": sorted(c.scores.items()),
        "flags": list(c.flags),
        "reason": c.reason,
        "approved": c.approved,
        "rejected": c.rejected,
        "placeholder": c.placeholder,
        "exported": id(c) in exported,
        "models": _models(c.provenance),
        "seed": c.provenance.get("seed"),
        **content,
    }


def _media_rows(cands: Sequence[MediaCandidate], pw: PackageWriter) -> list[dict[str, Any]]:
    out_ids = {id(c) for c in exported(cands, pw.policy)}
    rows = []
    for c in ranked(cands):
        thumb = thumbnail(c.path) if c.kind is MediaKind.IMAGE else ""
        rows.append(_row(c, out_ids, thumb=thumb, alt=c.caption or c.path.name, text=c.caption, file=c.path.name))
    return rows


def product_view(pw: PackageWriter, p: ExportProduct) -> dict[str, Any]:
    """Everything the template shows for one product."""
    groups = []
    cap_out = {id(c) for c in exported(p.captions, pw.policy)}
    if p.captions:
        groups.append({"label": "Captions", "rows": [_row(c, cap_out, text=c.text) for c in ranked(p.captions)]})
    platforms = list(dict.fromkeys(c.platform for c in p.copy))
    out = {id(c) for c in exported(p.copy, pw.policy)}
    for plat in platforms:
        cands = [c for c in p.copy if c.platform == plat]
        rows = [
            _row(
                c,
                out,
                title=c.title,
                text=c.description,
                bullets=list(c.bullets),
                hashtags=[h.lstrip("#") for h in c.hashtags],
            )
            for c in ranked(cands)
        ]
        groups.append({"label": f"Copy · {plat or 'generic'}", "rows": rows})
    if p.image_candidates:
        groups.append({"label": "Generated images", "rows": _media_rows(p.image_candidates, pw)})
    if p.video_candidates:
        groups.append({"label": "Videos", "rows": _media_rows(p.video_candidates, pw)})
    placeholders = sum(1 for g in groups for r in g["rows"] if r["placeholder"])
    return {
        "sku": p.sku,
        "title": p.title,
        "category": p.category,
        "price": p.price,
        "currency": p.currency,
        "photos": [t for t in (thumbnail(src) for src in p.images) if t],
        "attributes": list(p.attributes),
        "groups": groups,
        "placeholder_count": placeholders,
        "warnings": list(pw.product_warnings),
    }


class ReportWriter:
    """report.html, rendered product by product: sections go to a temp file as they come; `close()` writes the
    header (which needs the count and the package-wide warnings), the sections and the footer."""

    def __init__(self, pw: PackageWriter) -> None:
        self.pw = pw
        # keep_trailing_newline: each part ends in the newline the single-page loop kept between sections.
        env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
        self._head = env.from_string(HEAD_TEMPLATE)
        self._section = env.from_string(SECTION_TEMPLATE)
        self._body = StagedText(pw, ".report-sections.html")
        self._count = 0
        self._readiness: list[dict[str, Any]] = []  # a few short strings per product, for the table up top

    def add(self, product: ExportProduct) -> None:
        """Render one product (call after every platform wrote it, so its warnings are known)."""
        self._count += 1
        cells = [{"state": r.state.value, "reasons": r.reasons} for r in listing_readiness(self.pw, product)]
        if cells:
            self._readiness.append({"index": self._count, "sku": product.sku, "title": product.title, "cells": cells})
        self._body.write(self._section.render(p=product_view(self.pw, product), index=self._count))

    def close(self, count: int) -> Path:
        """Write report.html at the package root and return its path."""
        head = self._head.render(
            created=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            products=range(count),
            mode=self.pw.mode.value,
            platforms=[str(p) for p in self.pw.request.platforms],
            warnings=self.pw.global_warnings,
            readiness=self._readiness,
            readiness_platforms=[p.value for p in self.pw.request.platforms if p in LISTING_COPY],
            counts={
                state.name.lower(): sum(c["state"] == state.value for row in self._readiness for c in row["cells"])
                for state in Readiness
            },
        )
        page = StagedText(self.pw, "report.html")
        page.write(head)
        self._body.move_into(page)
        page.write(FOOT)
        return page.close()

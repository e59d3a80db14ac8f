"""The generic package: products.json (everything chosen, with scores and provenance), products.md, images, videos."""

from __future__ import annotations

from typing import Any

from studio.export.bundle import ExportProduct, _Candidate
from studio.export.images import GENERIC
from studio.export.package_writer import JsonArrayStream, PackageWriter, slug
from studio.export.package_writer import StagedText as _StagedText
from studio.export.selection import alt_text, chosen_media
from studio.project.review import exported


def _meta(c: _Candidate) -> dict[str, Any]:
    return {
        "rank": c.rank,
        "scores": dict(c.scores),
        "flags": list(c.flags),
        "approved": c.approved,
        "placeholder": c.placeholder,
        "provenance": dict(c.provenance),
    }


def _md_escape(text: str) -> str:
    """Markdown-inert text: no headings, links, HTML or emphasis sneak in from generated copy."""
    out = text.replace("\\", "\\\\")
    for ch in "`*_[]<>#|!":
        out = out.replace(ch, "\\" + ch)
    return " ".join(out.split())


def entry(pw: PackageWriter, product: ExportProduct) -> dict[str, Any]:
    folder = slug(product.sku, "item")
    alt = alt_text(product, pw.policy)
    images = []
    for i, src in enumerate(product.images, start=1):
        done = pw.image(product.sku, src, GENERIC, f"generic/images/{folder}/photo-{i}.jpg")
        images.append({"path": pw.rel(done.path, "generic"), "alt": alt, "source": "catalog"})
    for i, cand in enumerate(chosen_media(product.image_candidates, pw.policy), start=1):
        done = pw.image(product.sku, cand.path, GENERIC, f"generic/images/{folder}/generated-{i}.jpg")
        images.append(
            {"path": pw.rel(done.path, "generic"), "alt": cand.caption or alt, "source": "generated", **_meta(cand)}
        )
    videos = []
    for i, cand in enumerate(chosen_media(product.video_candidates, pw.policy), start=1):
        path = pw.video(product.sku, cand.path, f"generic/videos/{folder}-{i}{cand.path.suffix.lower()}")
        videos.append({"path": pw.rel(path, "generic"), **_meta(cand)})
    copies = {}
    for c in exported(product.copy, pw.policy):
        key = f"{c.platform or 'generic'}:{c.language}"
        if key not in copies:
            copies[key] = {
                "platform": c.platform or "generic",
                "language": c.language,
                "title": c.title,
                "bullets": list(c.bullets),
                "description": c.description,
                "hashtags": list(c.hashtags),
                "tags": list(c.tags),
                **_meta(c),
            }
    captions = [{"text": c.text, "language": c.language, **_meta(c)} for c in exported(product.captions, pw.policy)]
    return {
        "sku": product.sku,
        "title": product.title,
        "description": product.description,
        "category": product.category,
        "price": product.price,
        "currency": product.currency,
        "sizes": list(product.sizes),
        "attributes": [
            {"name": a.name, "value": a.value, "source": a.source, "confidence": a.confidence, "conflict": a.conflict}
            for a in product.attributes
        ],
        "captions": captions[:1],
        "copy": list(copies.values()),
        "images": images,
        "videos": videos,
    }


MARKDOWN_HEAD = "# Product listings\n"  # the title line and the blank line after it


def _markdown_lines(e: dict[str, Any]) -> list[str]:
    """The Markdown lines of one product (products.md is MARKDOWN_HEAD, then each line after a newline)."""
    lines: list[str] = []
    lines += [f"## {_md_escape(e['title'])} ({_md_escape(e['sku'])})", ""]
    if e["price"]:
        lines += [f"Price: {_md_escape(e['price'])} {_md_escape(e['currency'])}", ""]
    for c in e["copy"]:
        badge = " — PLACEHOLDER MODEL OUTPUT" if c["placeholder"] else ""
        lines += [
            f"### {_md_escape(c['platform'])} copy ({_md_escape(c['language'])}){badge}",
            "",
            f"**{_md_escape(c['title'])}**",
            "",
        ]
        lines += [f"- {_md_escape(b)}" for b in c["bullets"]]
        lines += ["", _md_escape(c["description"]), ""]
        if c["hashtags"]:
            lines += [" ".join(_md_escape("#" + h.lstrip("#")) for h in c["hashtags"]), ""]
    if e["attributes"]:
        lines += ["| attribute | value | source |", "|---|---|---|"]
        lines += [
            f"| {_md_escape(a['name'])} | {_md_escape(a['value'])} | {_md_escape(a['source'])} |"
            for a in e["attributes"]
        ]
        lines.append("")
    lines += [f"![{_md_escape(i['alt'])}]({i['path']})" for i in e["images"]]
    lines += [f"[video]({v['path']})" for v in e["videos"]]
    lines.append("")
    return lines


class Writer:
    """generic/products.json and products.md (one product appended at a time), generic/images/, generic/videos/."""

    def __init__(self, pw: PackageWriter) -> None:
        self.pw = pw
        head = {"format": "vitrine-generic/1", "review_mode": pw.mode.value}
        self.json = JsonArrayStream(pw, "generic/products.json", head, "products")
        self.md = _StagedText(pw, "generic/products.md")
        self.md.write(MARKDOWN_HEAD)

    def add(self, product: ExportProduct) -> None:
        e = entry(self.pw, product)
        self.json.add(e)
        self.md.write("".join("\n" + line for line in _markdown_lines(e)))

    def close(self) -> None:
        self.json.close()
        self.md.close()

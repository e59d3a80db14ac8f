"""Copy quality benchmark: prints one JSON object.

Writes `--n` candidates per product with the copywriter of `--profile` (default: packaged SmolLM2-135M) for
the first `--limit` products of each catalog (the sample catalog and `bench/data/store_catalog.csv`, a small
real-store catalog written from public product knowledge) and measures each draft twice:

- `before`: the model's text checked as the pipeline did before fact bullets (parsed, brand rules and platform
  limits applied; no bullet repair);
- `after`: the candidate the pipeline returns now (weak bullets replaced by facts from the sheet).

Per side: `bullets_filled` (share of the platform's bullet slots filled), `repeated_sentence_rate` (repeated
sentences / sentences), `filler_rate` (share of drafts with a filler phrase), `filler_per_draft`,
`repeated_phrase_rate` (share of drafts looping on a phrase), `weak_bullets_per_draft` (bullets that repeat an
earlier one, are filler only or copy the prompt's example), `copied_description_rate`, `disqualifying_per_draft`
(contradictions and invented claims), `invented_per_draft`, `unverified_per_draft`. Three `after` drafts are quoted with their flags.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = {
    "sample": ROOT / "assets" / "sample_catalog" / "catalog.csv",
    "store": ROOT / "bench" / "data" / "store_catalog.csv",
}


def _measure(fields: Any, sheet: Any, description: str, bullet_slots: int) -> dict[str, float]:
    from generators.words.copy_style import StyleKind, sentences, style_issues
    from generators.words.fact_bullets import weak_bullet_reason
    from generators.words.grounding import Severity, check_grounding

    issues = style_issues(fields, description)
    report = check_grounding(fields.field_texts(), sheet)
    said = [s for t in (*fields.bullets, fields.description) for s in sentences(t)]
    return {
        "bullets_filled": min(len(fields.bullets), bullet_slots) / bullet_slots if bullet_slots else 1.0,
        "sentences": float(len(said)),
        "repeated": float(sum(1 for i in issues if i.kind is StyleKind.REPEATED)),
        "looping": float(any(i.kind is StyleKind.REPEATED_PHRASE for i in issues)),
        "weak_bullets": float(
            sum(1 for k, b in enumerate(fields.bullets) if weak_bullet_reason(b, list(fields.bullets[:k]), sheet.text))
        ),
        "invented": float(sum(1 for i in report.issues if i.severity is Severity.INVENTED)),
        "filler": float(sum(1 for i in issues if i.kind is StyleKind.FILLER)),
        "copied": float(any(i.kind is StyleKind.COPIED_DESCRIPTION for i in issues)),
        "disqualifying": float(len(report.contradictions)),
        "unverified": float(len(report.issues) - len(report.contradictions)),
    }


def _summary(rows: list[dict[str, float]]) -> dict[str, float]:
    n = max(1, len(rows))
    sentences = sum(r["sentences"] for r in rows)
    return {
        "drafts": len(rows),
        "bullets_filled": round(sum(r["bullets_filled"] for r in rows) / n, 3),
        "repeated_sentence_rate": round(sum(r["repeated"] for r in rows) / max(1.0, sentences), 3),
        "repeated_phrase_rate": round(sum(r["looping"] for r in rows) / n, 3),
        "weak_bullets_per_draft": round(sum(r["weak_bullets"] for r in rows) / n, 3),
        "invented_per_draft": round(sum(r["invented"] for r in rows) / n, 3),
        "filler_rate": round(sum(1 for r in rows if r["filler"]) / n, 3),
        "filler_per_draft": round(sum(r["filler"] for r in rows) / n, 3),
        "copied_description_rate": round(sum(r["copied"] for r in rows) / n, 3),
        "disqualifying_per_draft": round(sum(r["disqualifying"] for r in rows) / n, 3),
        "unverified_per_draft": round(sum(r["unverified"] for r in rows) / n, 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="packaged")
    parser.add_argument("--limit", type=int, default=12, help="products per catalog")
    parser.add_argument("--n", type=int, default=2, help="candidates per product")
    parser.add_argument("--platform", default="amazon")
    parser.add_argument("--lang", default="en")
    parser.add_argument("--catalogs", default="sample,store")
    args = parser.parse_args()

    import csv

    from generators.copywriter import CopyRequest, GroundingPolicy
    from generators.factory import SharedModels
    from generators.words.constraints import apply_constraints
    from generators.words.parsing import parse_copy
    from generators.words.presets import EMPTY_BRAND_KIT, Language, Platform, preset_for
    from studio.project.catalog_product import catalog_product

    platform, language = Platform.parse(args.platform), Language.parse(args.lang)
    preset = preset_for(platform)
    pipe = SharedModels(args.profile).pipeline("copy", clip=False)
    out: dict[str, Any] = {"profile": args.profile, "platform": platform.value, "language": language.value}
    quotes: list[dict[str, Any]] = []
    warnings: set[str] = set()
    start = time.perf_counter()
    for name in args.catalogs.split(","):
        path = CATALOGS[name]
        skus = [row["sku"] for row in csv.DictReader(path.open(encoding="utf-8"))][: args.limit]
        before: list[dict[str, float]] = []
        after: list[dict[str, float]] = []
        for sku in skus:
            product = catalog_product(path, sku, {}).product
            request = CopyRequest(
                product=product,
                platform=platform,
                language=language,
                brand=EMPTY_BRAND_KIT,
                n=args.n,
                seed=0,
                grounding_policy=GroundingPolicy.FLAG,  # measure every draft, contradicting ones too
            )
            result = pipe.run(request)
            warnings.update(result.warnings)
            for c in result.candidates:
                old = apply_constraints(parse_copy(c.raw).fields, preset, EMPTY_BRAND_KIT)
                if old.dropped or c.status.value == "dropped":
                    continue
                before.append(_measure(old.fields, result.sheet, product.description, preset.bullets))
                after.append(_measure(c.fields, result.sheet, product.description, preset.bullets))
                if c.rank == 1 and sum(q["catalog"] == name for q in quotes) < 2:
                    quotes.append(
                        {"catalog": name, "sku": sku, "text": c.text, "flags": list(c.flags), "fixes": list(c.fixes)}
                    )
        out[name] = {"products": len(skus), "before": _summary(before), "after": _summary(after)}
    out["seconds"] = round(time.perf_counter() - start, 1)
    out["small_model_warning"] = next((w for w in sorted(warnings) if w.startswith("draft quality")), "")
    out["quotes"] = quotes
    print(json.dumps(out, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Export packages (Shopify CSV, Amazon JSON, Taobao/Douyin in Chinese, generic Markdown+JSON) and report.html.

Qt-free and store-free: callers build `ExportProduct`s and an `ExportRequest`, then call `export_packages`.
"""

from studio.export.bundle import (
    Attribute,
    CaptionCandidate,
    CopyCandidate,
    ExportProduct,
    ExportRequest,
    ExportResult,
    MediaCandidate,
    MediaKind,
    Platform,
)
from studio.export.package import export_packages
from studio.export.package_writer import ExportError
from studio.project.review import ExportMode

__all__ = [
    "Attribute",
    "CaptionCandidate",
    "CopyCandidate",
    "ExportError",
    "ExportMode",
    "ExportProduct",
    "ExportRequest",
    "ExportResult",
    "MediaCandidate",
    "MediaKind",
    "Platform",
    "export_packages",
]

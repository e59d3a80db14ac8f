"""CSV cells that a spreadsheet will not run as formulas (CSV injection, OWASP)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

# Excel, LibreOffice and Google Sheets treat a cell starting with any of these as a formula (tab and CR
# too: some apps strip them and then see the '=' behind).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: object) -> str:
    """The cell as text, prefixed with an apostrophe when it would start a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]], encoding: str = "utf-8") -> bytes:
    """A whole CSV file, every cell (header included) escaped and quoted where needed."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([escape_cell(h) for h in header])
    w.writerows(escaped_rows(rows, len(header)))
    return buf.getvalue().encode(encoding)


def escaped_rows(rows: Iterable[Sequence[object]], width: int) -> Iterator[list[str]]:
    """Rows with every cell escaped, each checked to have `width` cells (for csv.writer.writerows)."""
    for row in rows:
        if len(row) != width:
            raise ValueError(f"row has {len(row)} cells, header has {width}")
        yield [escape_cell(c) for c in row]

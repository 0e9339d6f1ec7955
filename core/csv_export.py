"""CSV downloads that spreadsheets open as text: a cell that begins with = + - @ (or a tab or carriage
return, which some spreadsheets skip before reading a formula) is prefixed with an apostrophe, the
OWASP "CSV injection" advice, so `=HYPERLINK(...)` shows as the text it is instead of running."""

import csv
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_response(header: Sequence[str], rows: Iterable[Sequence[Any]], filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so spreadsheets read UTF-8 (names with accents)
    writer = csv.writer(response)
    writer.writerow([formula_safe(h) for h in header])
    for row in rows:
        writer.writerow([formula_safe(cell) for cell in row])
    return response

"""What commands print for scripts: JSON that is always valid (a missing number is null, never
NaN), and data frames as lists of records."""

from __future__ import annotations

import json
import math
from typing import Any

import pandas as pd
import typer


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready objects: timestamps as ISO text, missing values as null."""
    return json.loads(frame.to_json(orient="records", date_format="iso"))


def echo_json(value: Any) -> None:
    """Print ``value`` as JSON on stdout; NaN and infinities become null (strict JSON)."""
    typer.echo(json.dumps(_clean(value), allow_nan=False, default=str))

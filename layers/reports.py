"""Intelligence reports: aggregate counts (no narrative, subject or grading leaves this module
except through the access rules)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import text

from layers import vocab
from layers.db import Bind, reading


def counts_by_category_and_status(bind: Bind) -> pd.DataFrame:
    """Number of reports by category and status: counts only, safe for every role."""
    with reading(bind) as conn:
        frame = pd.read_sql(
            text("SELECT category, status, count(*) AS reports FROM report GROUP BY 1, 2"), conn
        )
    return frame.assign(
        category=frame["category"].map(vocab.REPORT_CATEGORIES),
        status=frame["status"].map(vocab.REPORT_STATUSES),
    )

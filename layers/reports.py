"""Intelligence reports: aggregate counts (no narrative, subject or grading leaves this module
except through the access rules)."""

from __future__ import annotations

import pandas as pd

from layers import vocab
from layers.db import Bind, read_frame


def counts_by_category_and_status(bind: Bind) -> pd.DataFrame:
    """Number of reports by category and status: counts only, safe for every role."""
    frame = read_frame(
        bind, "SELECT category, status, count(*) AS reports FROM report GROUP BY 1, 2"
    )
    return vocab.labelled(frame, category=vocab.REPORT_CATEGORIES, status=vocab.REPORT_STATUSES)

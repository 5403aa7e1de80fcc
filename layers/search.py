"""Find a business or a building by name, trading name, postcode or company number, tolerant of
typos (pg_trgm similarity over GIN indexes)."""

from __future__ import annotations

import pandas as pd

from layers.db import Bind, read_frame
from layers.postcodes import normalise_postcode

_SEARCH = """
WITH q AS (SELECT CAST(:q AS text) AS text, upper(regexp_replace(:q, '\\s', '', 'g')) AS compact)
SELECT * FROM (
    SELECT 'site' AS kind, s.id, s.name AS label,
        concat_ws(', ', s.address, s.postcode) AS detail,
        CASE WHEN s.postcode = :postcode THEN 1.05
             ELSE greatest(similarity(s.name, q.text), word_similarity(q.text, s.name)) + 0.1
        END AS score
    FROM site s, q
    WHERE NOT s.archived AND (s.name % q.text OR q.text <% s.name OR s.postcode = :postcode)
    UNION ALL
    SELECT 'business', b.id, b.name,
        concat_ws(', ', b.trading_name, b.address, b.postcode, b.company_number),
        CASE WHEN b.company_number = q.compact OR b.postcode = :postcode THEN 1.0
             ELSE greatest(similarity(b.name, q.text), word_similarity(q.text, b.name),
                           coalesce(similarity(b.trading_name, q.text), 0)) END
    FROM business b, q
    WHERE b.status <> 'archived' AND (
        b.name % q.text OR q.text <% b.name OR b.trading_name % q.text
        OR b.company_number = q.compact OR b.postcode = :postcode
        OR (length(q.compact) >= 3 AND b.postcode LIKE :postcode_prefix))
) found
ORDER BY score DESC, label
LIMIT :limit
"""


def search(bind: Bind, query: str, *, limit: int = 20) -> pd.DataFrame:
    """Businesses and sites matching ``query``, best first: kind ('business' or 'site'), id,
    label, detail, score. Empty for a query under 2 characters."""
    query = query.strip()
    if len(query) < 2:
        return pd.DataFrame(columns=["kind", "id", "label", "detail", "score"])
    prefix = " ".join(query.upper().split()) + "%"
    return read_frame(
        bind,
        _SEARCH,
        {
            "q": query,
            "postcode": normalise_postcode(query),
            "postcode_prefix": prefix,
            "limit": limit,
        },
    )

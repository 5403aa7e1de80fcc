"""Find a business or a building by name, trading name, postcode or company number, tolerant of
typos (pg_trgm similarity over GIN indexes)."""

from __future__ import annotations

import pandas as pd

from layers.core.db import Bind, read_frame
from layers.reference.postcodes import normalise_postcode

# Each branch can use an index (trigram GIN on names, b-tree on numbers and postcodes); values
# are bound parameters, never SQL text, so the planner sees constants it can use.
_SEARCH = """
WITH hits AS (
    SELECT 'site' AS kind, s.id,
        greatest(similarity(s.name, :q), word_similarity(:q, s.name)) + 0.1 AS score
    FROM site s WHERE NOT s.archived AND (s.name % :q OR :q <% s.name)
    UNION ALL
    SELECT 'site', s.id, 1.05 FROM site s WHERE NOT s.archived AND s.postcode = :postcode
    UNION ALL
    SELECT 'business', b.id, greatest(similarity(b.name, :q), word_similarity(:q, b.name))
    FROM business b WHERE b.status <> 'archived' AND (b.name % :q OR :q <% b.name)
    UNION ALL
    SELECT 'business', b.id, similarity(b.trading_name, :q)
    FROM business b WHERE b.status <> 'archived' AND b.trading_name % :q
    UNION ALL
    SELECT 'business', b.id, 1.0
    FROM business b WHERE b.status <> 'archived' AND (b.company_number = :compact
        OR b.postcode = :postcode)
    UNION ALL
    SELECT 'business', b.id, 0.5
    FROM business b WHERE b.status <> 'archived' AND length(:compact) >= 3
        AND b.postcode >= :prefix_low AND b.postcode < :prefix_high
),
best AS (SELECT kind, id, max(score) AS score FROM hits GROUP BY kind, id)
SELECT best.kind, best.id, coalesce(s.name, b.name) AS label,
    CASE WHEN best.kind = 'site' THEN concat_ws(', ', s.address, s.postcode)
         ELSE concat_ws(', ', b.trading_name, b.address, b.postcode, b.company_number) END
        AS detail,
    best.score
FROM best
LEFT JOIN site s ON best.kind = 'site' AND s.id = best.id
LEFT JOIN business b ON best.kind = 'business' AND b.id = best.id
ORDER BY best.score DESC, label
LIMIT :limit
"""


def search(bind: Bind, query: str, *, limit: int = 20) -> pd.DataFrame:
    """Businesses and sites matching ``query``, best first: kind ('business' or 'site'), id,
    label, detail, score. Empty for a query under 2 characters."""
    query = query.strip()
    if len(query) < 2:
        return pd.DataFrame(columns=["kind", "id", "label", "detail", "score"])
    prefix = " ".join(query.upper().split())
    return read_frame(
        bind,
        _SEARCH,
        {
            "q": query,
            "compact": "".join(query.upper().split()),
            "postcode": normalise_postcode(query),
            "prefix_low": prefix,
            "prefix_high": prefix + "\uffff",
            "limit": limit,
        },
    )

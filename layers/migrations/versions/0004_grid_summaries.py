"""grid summaries of businesses and focus-area cell runs, for fast area statistics

Businesses carry the 25 m British National Grid cell they fall in (generated columns). A summary
table holds, per cell, sector and activity, the current businesses (active or dormant) and their
employees; statement-level triggers keep it exact on every insert, update, delete, COPY and
TRUNCATE. Each focus area keeps the cells it covers as runs along grid rows, interior (at least
1 m inside) or on its edge, refreshed by a trigger whenever its outline changes. An area's totals
are then a range scan of the summary per interior run, plus an exact point-in-polygon test of
the businesses in its edge runs only.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 17:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CELL = "floor(ST_{axis}(ST_Transform(geom, 27700)) / 25)::integer"
COVERED = (
    "status", "sector", "activity", "employees_estimate", "employees_low", "employees_high", "geom",
)  # fmt: skip

_SUMMARISE = """
CREATE FUNCTION business_grid_summarise() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO business_grid_summary AS s
            (grid_i, grid_j, sector, activity, businesses, employees, employees_low,
             employees_high)
        SELECT grid_i, grid_j, sector, activity, -count(*),
            -sum(coalesce(employees_estimate, 0)),
            -sum(coalesce(employees_low, employees_estimate, 0)),
            -sum(coalesce(employees_high, employees_estimate, 0))
        FROM old_rows WHERE status IN ('active', 'dormant') AND grid_i IS NOT NULL
        GROUP BY grid_i, grid_j, sector, activity
        ON CONFLICT (grid_i, grid_j, sector, activity) DO UPDATE SET
            businesses = s.businesses + EXCLUDED.businesses,
            employees = s.employees + EXCLUDED.employees,
            employees_low = s.employees_low + EXCLUDED.employees_low,
            employees_high = s.employees_high + EXCLUDED.employees_high;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO business_grid_summary AS s
            (grid_i, grid_j, sector, activity, businesses, employees, employees_low,
             employees_high)
        SELECT grid_i, grid_j, sector, activity, count(*),
            sum(coalesce(employees_estimate, 0)),
            sum(coalesce(employees_low, employees_estimate, 0)),
            sum(coalesce(employees_high, employees_estimate, 0))
        FROM new_rows WHERE status IN ('active', 'dormant') AND grid_i IS NOT NULL
        GROUP BY grid_i, grid_j, sector, activity
        ON CONFLICT (grid_i, grid_j, sector, activity) DO UPDATE SET
            businesses = s.businesses + EXCLUDED.businesses,
            employees = s.employees + EXCLUDED.employees,
            employees_low = s.employees_low + EXCLUDED.employees_low,
            employees_high = s.employees_high + EXCLUDED.employees_high;
    END IF;
    DELETE FROM business_grid_summary WHERE businesses = 0;
    RETURN NULL;
END $$;
"""

#: The cells of an outline (in the British National Grid) as runs of consecutive cells along
#: each grid row, interior or edge. A gaps-and-islands grouping: i - row_number() is constant
#: along a run.
_RUNS = """
SELECT j, min(i), max(i), interior FROM (
    SELECT i, j, interior, i - row_number() OVER (PARTITION BY j, interior ORDER BY i) AS run
    FROM (
        SELECT c.i, c.j, ST_Within(c.geom, ST_Buffer(a.g, -1)) AS interior
        FROM (SELECT ST_Transform({outline}, 27700) AS g) a,
            LATERAL ST_SquareGrid(25, ST_Buffer(a.g, 1)) c
        WHERE ST_Intersects(c.geom, ST_Buffer(a.g, 1))
    ) cells
) numbered GROUP BY j, interior, run
"""

_AREA_RUNS = f"""
CREATE FUNCTION focus_area_runs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM focus_area_run WHERE area_id = NEW.id;
    INSERT INTO focus_area_run (area_id, grid_j, i_from, i_to, interior)
    SELECT NEW.id, runs.* FROM ({_RUNS.format(outline="NEW.geom")}) runs;
    RETURN NULL;
END $$;
"""  # noqa: S608 - constant SQL


def upgrade() -> None:
    for axis, column in (("X", "grid_i"), ("Y", "grid_j")):
        op.add_column(
            "business",
            sa.Column(column, sa.Integer(), sa.Computed(CELL.format(axis=axis), persisted=True)),
        )
    # Row-major (j, then i) for range scans along a run; covering, so edge runs need no heap.
    op.create_index(
        "ix_business_grid",
        "business",
        ["grid_j", "grid_i"],
        postgresql_include=list(COVERED),
    )
    op.create_table(
        "business_grid_summary",
        sa.Column("grid_i", sa.Integer(), nullable=False),
        sa.Column("grid_j", sa.Integer(), nullable=False),
        sa.Column("sector", sa.String(length=8), nullable=False),
        sa.Column("activity", sa.String(length=24), nullable=False),
        sa.Column("businesses", sa.Integer(), nullable=False),
        sa.Column("employees", sa.BigInteger(), nullable=False),
        sa.Column("employees_low", sa.BigInteger(), nullable=False),
        sa.Column("employees_high", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("grid_j", "grid_i", "sector", "activity"),
    )
    # Emptied cells are found (and dropped) without reading the whole summary.
    op.create_index(
        "ix_business_grid_summary_empty",
        "business_grid_summary",
        ["businesses"],
        postgresql_where=sa.text("businesses = 0"),
    )
    op.create_table(
        "focus_area_run",
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("grid_j", sa.Integer(), nullable=False),
        sa.Column("i_from", sa.Integer(), nullable=False),
        sa.Column("i_to", sa.Integer(), nullable=False),
        sa.Column("interior", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["focus_area.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("area_id", "grid_j", "i_from"),
    )
    op.execute(_SUMMARISE)
    for event, tables in (
        ("INSERT", "NEW TABLE AS new_rows"),
        ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        ("DELETE", "OLD TABLE AS old_rows"),
    ):
        op.execute(
            f"CREATE TRIGGER business_grid_{event.lower()} AFTER {event} ON business "
            f"REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION business_grid_summarise()"
        )
    op.execute(
        "CREATE FUNCTION business_grid_empty() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN DELETE FROM business_grid_summary; RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER business_grid_truncate AFTER TRUNCATE ON business "
        "FOR EACH STATEMENT EXECUTE FUNCTION business_grid_empty()"
    )
    op.execute(_AREA_RUNS)
    op.execute(
        "CREATE TRIGGER focus_area_runs AFTER INSERT OR UPDATE OF geom ON focus_area "
        "FOR EACH ROW EXECUTE FUNCTION focus_area_runs()"
    )
    # What is there already.
    op.execute(
        "INSERT INTO business_grid_summary SELECT grid_i, grid_j, sector, activity, count(*), "
        "sum(coalesce(employees_estimate, 0)), sum(coalesce(employees_low, employees_estimate, 0)), "
        "sum(coalesce(employees_high, employees_estimate, 0)) FROM business "
        "WHERE status IN ('active', 'dormant') AND grid_i IS NOT NULL "
        "GROUP BY grid_i, grid_j, sector, activity"
    )
    op.execute(
        "INSERT INTO focus_area_run (area_id, grid_j, i_from, i_to, interior) "  # noqa: S608
        f"SELECT f.id, runs.* FROM focus_area f, LATERAL ({_RUNS.format(outline='f.geom')}) runs"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER focus_area_runs ON focus_area")
    op.execute("DROP FUNCTION focus_area_runs()")
    for event in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER business_grid_{event} ON business")
    op.execute("DROP FUNCTION business_grid_summarise()")
    op.execute("DROP TRIGGER business_grid_truncate ON business")
    op.execute("DROP FUNCTION business_grid_empty()")
    op.drop_table("focus_area_run")
    op.drop_table("business_grid_summary")
    op.drop_index("ix_business_grid", table_name="business")
    op.drop_column("business", "grid_j")
    op.drop_column("business", "grid_i")

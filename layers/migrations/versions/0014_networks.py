"""who is behind the businesses: people with significant control, brands, phoenix pairs

``person`` holds each resolved controller once (an individual by normalised name and month and
year of birth, a corporate controller by its registration number, and so the register business
it is when it is one); ``psc_control`` each control of a register business as Companies House's
snapshot gives it (ended by ``ceased_on``), ``psc_statement`` the statements a company made
instead. ``osh_facility`` holds Open Supply Hub facilities with their match to the register,
``osh_decision`` the officers' decisions on proposed matches (remembered across downloads),
``brand`` and ``facility_brand`` the brands that disclosed each facility and when they were seen.
``phoenix_pair`` holds the detected phoenix patterns; a change of it marks both businesses'
risk for recomputation, as the triggers of 0013 do. Registered addresses are compared by
``sectormap_address_key``, indexed.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 14:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ADDRESS_KEY_FUNCTION = r"""
CREATE FUNCTION sectormap_address_key(address text, postcode text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN
    CASE WHEN coalesce(address, '') = '' OR coalesce(postcode, '') = '' THEN NULL
    ELSE regexp_replace(lower(address), '[^a-z0-9]', '', 'g') || '|'
        || upper(replace(postcode, ' ', '')) END
"""

#: The lists a business may come from before this revision (Open Supply Hub is added).
SOURCES = "'companies_register', 'visits', 'reports', 'business_support', 'rates', 'other'"

TABLES = """
CREATE TABLE person (
    id serial PRIMARY KEY,
    kind varchar(12) NOT NULL CHECK (kind IN ('individual', 'corporate', 'legal', 'protected')),
    person_key text NOT NULL UNIQUE,
    name text NOT NULL,
    birth_year smallint CHECK (birth_year BETWEEN 1850 AND 2100),
    birth_month smallint CHECK (birth_month BETWEEN 1 AND 12),
    nationality text,
    country_of_residence text,
    registration_number varchar(24),
    business_id integer REFERENCES business(id) ON DELETE SET NULL,
    is_demo boolean NOT NULL DEFAULT false
);
CREATE INDEX ix_person_business_id ON person (business_id) WHERE business_id IS NOT NULL;
CREATE INDEX ix_person_registration ON person (registration_number)
    WHERE registration_number IS NOT NULL;

CREATE TABLE psc_control (
    id serial PRIMARY KEY,
    psc_id text NOT NULL UNIQUE,
    business_id integer NOT NULL REFERENCES business(id) ON DELETE CASCADE,
    person_id integer NOT NULL REFERENCES person(id),
    natures text[] NOT NULL DEFAULT '{}',
    notified_on date,
    ceased_on date,
    address text,
    seen_on date NOT NULL DEFAULT current_date,
    CHECK (ceased_on IS NULL OR notified_on IS NULL OR ceased_on >= notified_on)
);
CREATE INDEX ix_psc_control_business ON psc_control (business_id);
CREATE INDEX ix_psc_control_person ON psc_control (person_id) INCLUDE (business_id, ceased_on);

CREATE TABLE psc_statement (
    psc_id text PRIMARY KEY,
    business_id integer NOT NULL REFERENCES business(id) ON DELETE CASCADE,
    statement text NOT NULL,
    notified_on date,
    ceased_on date
);
CREATE INDEX ix_psc_statement_business ON psc_statement (business_id);

CREATE TABLE brand (
    id serial PRIMARY KEY,
    brand_key text NOT NULL UNIQUE,
    name text NOT NULL,
    is_demo boolean NOT NULL DEFAULT false
);

CREATE TABLE osh_facility (
    os_id varchar(24) PRIMARY KEY,
    name text NOT NULL,
    address text NOT NULL DEFAULT '',
    postcode varchar(8),
    country_code varchar(2),
    geom geometry(Point, 4326),
    sector text,
    workers text,
    parent_company text,
    facility_type text,
    processing_type text,
    is_closed boolean NOT NULL DEFAULT false,
    in_region boolean NOT NULL,
    match varchar(10) NOT NULL
        CHECK (match IN ('certain', 'accepted', 'proposed', 'unmatched', 'rejected', 'added')),
    business_id integer REFERENCES business(id) ON DELETE SET NULL,
    proposed_business_id integer REFERENCES business(id) ON DELETE SET NULL,
    score real,
    first_seen date NOT NULL,
    last_seen date NOT NULL,
    is_demo boolean NOT NULL DEFAULT false
);
CREATE INDEX ix_osh_facility_business ON osh_facility (business_id) WHERE business_id IS NOT NULL;
CREATE INDEX idx_osh_facility_geom ON osh_facility USING gist (geom);

CREATE TABLE facility_brand (
    os_id varchar(24) NOT NULL REFERENCES osh_facility(os_id) ON DELETE CASCADE,
    brand_id integer NOT NULL REFERENCES brand(id) ON DELETE CASCADE,
    first_seen date NOT NULL,
    last_seen date NOT NULL,
    PRIMARY KEY (os_id, brand_id)
);
CREATE INDEX ix_facility_brand_brand ON facility_brand (brand_id);

CREATE TABLE osh_decision (
    os_id varchar(24) PRIMARY KEY,
    decision varchar(8) NOT NULL CHECK (decision IN ('accepted', 'rejected')),
    business_id integer REFERENCES business(id) ON DELETE CASCADE,
    decided_by text NOT NULL,
    decided_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((decision = 'accepted') = (business_id IS NOT NULL))
);

CREATE TABLE phoenix_pair (
    predecessor_id integer NOT NULL REFERENCES business(id) ON DELETE CASCADE,
    successor_id integer NOT NULL REFERENCES business(id) ON DELETE CASCADE,
    ceased_on date NOT NULL,
    incorporated_on date NOT NULL,
    gap_days integer NOT NULL,
    place text NOT NULL CHECK (place IN ('same_address', 'same_unit')),
    shares text[] NOT NULL,
    PRIMARY KEY (predecessor_id, successor_id)
);
CREATE INDEX ix_phoenix_pair_successor ON phoenix_pair (successor_id);

CREATE FUNCTION risk_mark_phoenix() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO risk_pending (business_id)
        SELECT successor_id FROM new_rows UNION SELECT predecessor_id FROM new_rows
        ON CONFLICT DO NOTHING;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO risk_pending (business_id)
        SELECT successor_id FROM old_rows UNION SELECT predecessor_id FROM old_rows
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER risk_mark_phoenix_insert AFTER INSERT ON phoenix_pair
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION risk_mark_phoenix();
CREATE TRIGGER risk_mark_phoenix_delete AFTER DELETE ON phoenix_pair
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION risk_mark_phoenix();
"""


def upgrade() -> None:
    op.execute(ADDRESS_KEY_FUNCTION)
    op.execute(
        "CREATE INDEX ix_business_address_key ON business "
        "(sectormap_address_key(address, postcode)) "
        "WHERE sectormap_address_key(address, postcode) IS NOT NULL"
    )
    op.execute("CREATE INDEX ix_business_unit_id ON business (unit_id) WHERE unit_id IS NOT NULL")
    op.execute(TABLES)
    op.execute("ALTER TABLE business_source DROP CONSTRAINT ck_business_source_source")
    op.execute(
        f"ALTER TABLE business_source ADD CONSTRAINT ck_business_source_source "
        f"CHECK (source IN ({SOURCES}, 'open_supply_hub'))"
    )


def downgrade() -> None:
    op.execute("DELETE FROM business_source WHERE source = 'open_supply_hub'")
    op.execute("ALTER TABLE business_source DROP CONSTRAINT ck_business_source_source")
    op.execute(
        f"ALTER TABLE business_source ADD CONSTRAINT ck_business_source_source "
        f"CHECK (source IN ({SOURCES}))"
    )
    for table in (
        "phoenix_pair",
        "osh_decision",
        "facility_brand",
        "osh_facility",
        "brand",
        "psc_statement",
        "psc_control",
        "person",
    ):
        op.execute(f"DROP TABLE {table}")
    op.execute("DROP FUNCTION risk_mark_phoenix()")
    op.execute("DROP INDEX ix_business_unit_id")
    op.execute("DROP INDEX ix_business_address_key")
    op.execute("DROP FUNCTION sectormap_address_key(text, text)")

# Sectormap: `make run` serves the app with demo data; `make test` runs the whole suite.
# Every target is idempotent: work already done is skipped.

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_GET := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get
PORT ?= 8501

.PHONY: setup run test lint bench db-up clean-venv

setup: $(VENV)/.installed static/vendor/.installed db-up

# Python packages, pinned, and the project itself (editable, gives the `sectormap` command).
$(VENV)/.installed: requirements.txt pyproject.toml
	@$(PYTHON) -m venv --help >/dev/null 2>&1 && $(PYTHON) -c "import ensurepip" 2>/dev/null \
	  || { $(APT_GET) update -q && $(APT_GET) install -y -q python3-venv; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $@

# Leaflet and its plugins, served by the app itself so the map works with no internet.
static/vendor/.installed: web/package-lock.json web/package.json scripts/vendor_assets.sh
	@command -v npm >/dev/null || { $(APT_GET) update -q && $(APT_GET) install -y -q npm; }
	bash scripts/vendor_assets.sh
	touch $@

db-up: $(VENV)/.installed
	$(BIN)/sectormap db up

run: setup
	$(BIN)/sectormap demo load --if-empty
	$(BIN)/streamlit run app.py --server.port $(PORT) --server.headless true

# Headless Chromium (Debian's package) for the browser tests.
/usr/bin/chromium:
	$(APT_GET) update -q && $(APT_GET) install -y -q chromium

# A real OpenID Connect provider (npm oidc-provider, pinned) for the single sign-on test.
tests/oidc/node_modules/.installed: tests/oidc/package-lock.json tests/oidc/package.json
	@command -v npm >/dev/null || { $(APT_GET) update -q && $(APT_GET) install -y -q npm; }
	npm ci --prefix tests/oidc --no-audit --no-fund --silent
	touch $@

# axe-core (npm, pinned) for the accessibility scan of the browser tests.
tests/a11y/node_modules/.installed: tests/a11y/package-lock.json tests/a11y/package.json
	@command -v npm >/dev/null || { $(APT_GET) update -q && $(APT_GET) install -y -q npm; }
	npm ci --prefix tests/a11y --no-audit --no-fund --silent
	touch $@

test: setup /usr/bin/chromium tests/oidc/node_modules/.installed tests/a11y/node_modules/.installed lint
	$(BIN)/pytest -n 2 --dist loadgroup

lint: $(VENV)/.installed
	$(BIN)/ruff check .

# GDAL's ogr2ogr, the baseline of the import benchmark.
/usr/bin/ogr2ogr:
	$(APT_GET) update -q && $(APT_GET) install -y -q gdal-bin

bench: setup /usr/bin/ogr2ogr /usr/bin/chromium
	$(BIN)/python -m bench.demo_load
	$(BIN)/python -m bench.map_build
	$(BIN)/python -m bench.search
	$(BIN)/python -m bench.companies_house_import
	$(BIN)/python -m bench.area_stats
	$(BIN)/python -m bench.route_plan
	$(BIN)/python -m bench.sign_in
	$(BIN)/python -m bench.backup_restore
	$(BIN)/python -m bench.hidden_sector
	$(BIN)/python -m bench.osm_import
	$(BIN)/python -m bench.psc_import
	$(BIN)/python -m bench.connections
	$(BIN)/python -m bench.base_layer
	$(BIN)/python -m bench.layer_export
	$(BIN)/python -m bench.sizing_h3
	$(BIN)/python -m bench.map_browser

clean-venv:
	rm -rf $(VENV)

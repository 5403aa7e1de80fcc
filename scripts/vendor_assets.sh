#!/usr/bin/env bash
# Install the pinned Leaflet and Supercluster packages (web/package-lock.json) and copy the files the map needs
# into static/vendor/, which Streamlit serves at /app/static/vendor/.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --prefix web --no-audit --no-fund --silent
rm -rf static/vendor && mkdir -p static/vendor
cp -r web/node_modules/leaflet/dist/{leaflet.js,leaflet.css,images} static/vendor/
cp web/node_modules/supercluster/dist/supercluster.min.js static/vendor/
cp web/node_modules/leaflet-draw/dist/{leaflet.draw.js,leaflet.draw.css} static/vendor/
cp -r web/node_modules/leaflet-draw/dist/images/. static/vendor/images/

#!/usr/bin/env bash
# flame-viewer.sh - embed the flame graph viewer (CSS and JavaScript) in C.
#
# Usage: scripts/flame-viewer.sh [--check]
#
# Writes src/report/flame_viewer.inc from src/report/flame_viewer.css and
# src/report/flame_viewer.js: two C string constants, flame_css and flame_js,
# that flame.c copies into every SVG inside CDATA sections.  The .inc file is
# committed, so building needs no extra tool; run this after editing either
# source.  --check exits 1 when the committed file is stale.
set -euo pipefail
cd "$(dirname "$0")/.."
out=src/report/flame_viewer.inc

for f in src/report/flame_viewer.css src/report/flame_viewer.js; do
	if grep -q ']]>' "$f"; then
		echo "flame-viewer.sh: $f contains ']]>', which would end its CDATA section" >&2
		exit 1
	fi
done

exec scripts/embed-text.sh "$@" flame-viewer.sh "$out" flame_css src/report/flame_viewer.css \
	flame_js src/report/flame_viewer.js

#!/usr/bin/env bash
# web-assets.sh - embed the web UI's stylesheet and script in C.
#
# Usage: scripts/web-assets.sh [--check]
#
# Writes src/web/assets.inc from src/web/ui.css and src/web/ui.js: two C
# string constants, web_ui_css and web_ui_js, that the server answers
# /ui/static/ui.css and /ui/static/ui.js with (pages load nothing from
# elsewhere).  The .inc file is committed, so building needs no extra tool;
# run this after editing either source.  --check exits 1 when the committed
# file is stale.
set -euo pipefail
cd "$(dirname "$0")/.."
out=src/web/assets.inc

exec scripts/embed-text.sh "$@" web-assets.sh "$out" web_ui_css src/web/ui.css \
	web_ui_js src/web/ui.js

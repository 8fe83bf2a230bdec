#!/usr/bin/env bash
# Regenerates docs/export-summary.png, the README's picture of an export:
# the export test imports the simulator's demo company and writes the
# purchase workbook of 2026-08, LibreOffice prints it to PDF, pdftoppm
# (poppler-utils) crops the summary page.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
HOADON_EXPORT_SAMPLE=$tmp/sample.xlsx go test -count=1 -run TestExportsMatchTheSimulator ./cmd/internal/exports/
soffice -env:UserInstallation="file://$tmp/profile" --headless --convert-to pdf --outdir "$tmp" "$tmp/sample.xlsx"
pdftoppm -r 110 -png -f 1 -l 1 -x 50 -y 70 -W 1640 -H 700 -singlefile "$tmp/sample.pdf" docs/export-summary
echo "wrote docs/export-summary.png"

#!/usr/bin/env bash
# Run every benchmark in turn (called by `make bench`). Each prints its own figures and baseline.
# A missed performance target is reported, not fatal; a failed correctness check (gap-free
# numbers, ledger) or a crash makes this script exit non-zero after the remaining benchmarks run.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
status=0
for bench in bench/sktlk_render.py bench/issuance_pg.py bench/ledger.py bench/documents.py \
    bench/intake.py bench/daily_report.py bench/ikm_summary.py bench/fieldhelp_pg.py \
    bench/anev_pg.py bench/push.py bench/webform.py bench/mail_parse.py; do
    echo
    "$PY" "$bench" || { echo "FAILED: $bench" >&2; status=1; }
done
exit "$status"

#!/usr/bin/env bash
# `bash scripts/test-dates.sh [DAY …] [-- pytest args]`: run the whole suite with the clock set to each DAY
# (YYYY-MM-DD), to prove that no test and no demo loader depends on today's date. Without days it uses the
# year-end, new-year, leap-day and mid-year days that broke date arithmetic before:
#   31/12/2026, 01/01/2027, 29/02/2028, 01/07/2030.
# Each day is a full run of scripts/test.sh (same provisioning) with GIAMNGHEO_TEST_TODAY set; the test
# settings move the clock of pytest and of the Celery worker it starts (config/settings/test.py).
# CI keeps running on the real date (scripts/test.sh alone); this script is for developers and releases.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DAYS=()
while (($#)) && [[ "$1" != "--" ]]; do
    DAYS+=("$1")
    shift
done
[[ "${1:-}" == "--" ]] && shift
((${#DAYS[@]})) || DAYS=(2026-12-31 2027-01-01 2028-02-29 2030-07-01)

declare -A RESULT
failed=0
for day in "${DAYS[@]}"; do
    echo "==> Suite on $day"
    if GIAMNGHEO_TEST_TODAY="$day" bash scripts/test.sh --create-db -q "$@"; then
        RESULT[$day]="đạt"
    else
        RESULT[$day]="LỖI"
        failed=1
    fi
done
echo
echo "Kết quả theo ngày:"
for day in "${DAYS[@]}"; do
    printf '  %s  %s\n' "$(date -d "$day" +%d/%m/%Y)" "${RESULT[$day]}"
done
exit "$failed"

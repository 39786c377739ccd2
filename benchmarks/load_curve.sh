#!/usr/bin/env bash
# Load test curve: p95 against concurrent users for the scenario of benchmarks/locustfile.py.
#
#     bash benchmarks/load_curve.sh gn_1m                       # 25, 50, 100 and 200 users, 3 minutes each
#     STEP_TIME=1m USERS="25 50" bash benchmarks/load_curve.sh gn_w3_big
#
# Starts gunicorn as docker-compose.yml's web service runs it (3 workers, 60 s timeout) on the named database with
# DEBUG off, runs Locust headless for each number of users (spawn rate 10/s, --csv into .local/locust/), stops
# gunicorn, and prints one line per step: requests, failures, p50/p95/p99 of all requests and the three slowest
# request kinds by p95, with the load average before and after. Needs the Locust venv
# (python3 -m venv .local/locust && .local/locust/bin/pip install 'locust>=2.31,<3') and the demo accounts in
# the database. A database smaller than a million households has fewer list pages: LOCUST_DEEP_PAGE=20.
#
# SIGNED_IN=1 prints a second line per step, labelled "signed in": the step's requests that started after every user
# had signed in (officers sign in once a working day, so 200 officers at work are 200 signed-in users), from the
# locustfile's LOCUST_SIGNED_IN_CSV (OUT/run<users>_signed_in.csv), with when that happened and the window it covers.
# The step then runs STEP_TIME from the moment every user has signed in, however long the sign-ins took (at most
# SIGN_IN_LIMIT, 10m, before it); the first line is the whole step, sign-ins and that window.
# WORKERS (3) and GUNICORN_ARGS (e.g. "--worker-class gthread --threads 4") change gunicorn's workers from the
# compose settings, to measure alternatives; each line names the workers and their resident memory at its end.
# The numbers go to docs/performance.md ("Load test").
set -euo pipefail
cd "$(dirname "$0")/.."
DB=${1:?database name, e.g. gn_1m}
PORT=${PORT:-8001}
STEP_TIME=${STEP_TIME:-3m}
USERS=${USERS:-"25 50 100 200"}
OUT=${OUT:-.local/locust}
SIGNED_IN=${SIGNED_IN:-0}
SIGN_IN_LIMIT=${SIGN_IN_LIMIT:-10m}
WORKERS=${WORKERS:-3}
GUNICORN_ARGS=${GUNICORN_ARGS:-}
mkdir -p "$OUT"
seconds() {  # 90s, 2m, 1h -> seconds
    case $1 in *h) echo $((${1%h} * 3600)) ;; *m) echo $((${1%m} * 60)) ;; *s) echo "${1%s}" ;; *) echo "$1" ;; esac
}
server=$(echo "${DATABASE_URL:-postgres://giamngheo:giamngheo@127.0.0.1:54329/x}" | sed 's#/[^/]*$##')
export DATABASE_URL="$server/$DB" DJANGO_SETTINGS_MODULE=config.settings.local DJANGO_DEBUG=false
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:63799/0}

# shellcheck disable=SC2086  # GUNICORN_ARGS is a list of arguments
.venv/bin/gunicorn config.wsgi:application --bind "127.0.0.1:$PORT" --workers "$WORKERS" --timeout 60 \
    $GUNICORN_ARGS --pid "$OUT/gunicorn.pid" --error-logfile "$OUT/gunicorn.log" --daemon
stop() {  # gunicorn finishes the requests in flight (up to its 60 s timeout) before it exits
    local pid
    pid=$(cat "$OUT/gunicorn.pid" 2>/dev/null) || return 0
    kill "$pid" 2>/dev/null || return 0
    for _ in $(seq 70); do kill -0 "$pid" 2>/dev/null || return 0; sleep 1; done
}
trap stop EXIT
for _ in $(seq 30); do curl -fsS -o /dev/null "http://127.0.0.1:$PORT/dang-nhap/" && break; sleep 1; done

for users in $USERS; do
    before=$(cut -d' ' -f1-3 /proc/loadavg)
    rm -f "$OUT/run${users}_signed_in.csv"
    run_time=$STEP_TIME
    if [ "$SIGNED_IN" = 1 ]; then
        LOCUST_SIGNED_IN_SECONDS=$(seconds "$STEP_TIME")
        export LOCUST_SIGNED_IN_CSV="$OUT/run${users}_signed_in.csv" LOCUST_SIGNED_IN_SECONDS
        run_time=$((LOCUST_SIGNED_IN_SECONDS + $(seconds "$SIGN_IN_LIMIT")))s
    fi
    .local/locust/bin/locust -f benchmarks/locustfile.py --host "http://127.0.0.1:$PORT" --headless \
        --users "$users" --spawn-rate 10 --run-time "$run_time" --csv "$OUT/run$users" --only-summary \
        >"$OUT/run$users.log" 2>&1 || true  # locust exits 1 when any request failed: the summary says how many
    after=$(cut -d' ' -f1-3 /proc/loadavg)
    # the resident memory of each worker at the end of the step, in MiB (the master is not counted)
    rss=$(ps -o rss= --ppid "$(cat "$OUT/gunicorn.pid")" | awk '{printf "%s%d", (NR > 1 ? "/" : ""), $1 / 1024}')
    .venv/bin/python - "$OUT/run${users}_stats.csv" "$OUT/run${users}_signed_in.csv" "$users" "$before" "$after" \
        "$WORKERS ${GUNICORN_ARGS:-sync}" "$rss" <<'PY'
import csv, os, sys
stats, signed_in, users, before, after, workers, rss = sys.argv[1:]
for path, label in ((stats, "whole step, sign-ins included"), (signed_in, "signed in")):
    if not os.path.exists(path):
        continue
    rows = list(csv.DictReader(open(path, encoding="utf-8")))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    slowest = sorted((r for r in rows if r["Name"] != "Aggregated"), key=lambda r: -float(r["95%"] or 0))[:3]
    window = (
        f" (all signed in {total['Signed in after s']} s after the start; the last {total['Window s']} s)"
        if "Window s" in total else ""
    )
    print(
        f"{users:>4} users, {label}{window}: {total['Request Count']} requests, {total['Failure Count']} failures, "
        f"p50 {total['50%'] or '-'} / p95 {total['95%'] or '-'} / p99 {total['99%'] or '-'} ms, "
        f"{float(total['Requests/s'] or 0):.1f} req/s; "
        f"slowest p95: {'; '.join(r['Type'] + ' ' + r['Name'] + ' ' + r['95%'] for r in slowest)}; "
        f"load {before} -> {after}; gunicorn workers {workers}, {rss} MiB each"
    )
PY
done

#!/usr/bin/env bash
# `bash scripts/run.sh` (or `make run`): install what is missing, start PostgreSQL and Redis, prepare the database,
# load demo data, then run the web server, the Celery worker and Celery beat together.
# Ctrl-C stops the three; PostgreSQL and Redis keep running (`bash scripts/services.sh down`).
# A worker or beat that exits is started again after a pause (1, 2, 4 … 30 s) while web keeps serving;
# only the web server's exit stops everything.
#
# Settings (environment): PORT (8000), DJANGO_SETTINGS_MODULE (config.settings.local), DEMO_REPORTS_TIMEOUT (300 s),
# plus everything scripts/services.sh reads (DATABASE_URL, REDIS_URL, PGPORT_LOCAL, ...).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

PORT="${PORT:-8000}"
PY="$VENV/bin/python"
STOP_TIMEOUT="${STOP_TIMEOUT:-15}"

bash scripts/bootstrap.sh
bash scripts/services.sh up
eval "$(bash scripts/services.sh env)"
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-config.settings.local}"
export PYTHONUNBUFFERED=1
mkdir -p "$LOCAL_DIR"

log "Compiling translations"
compile_messages "$PY"
log "Applying migrations"
"$PY" manage.py migrate --noinput
log "Collecting static files"
"$PY" manage.py collectstatic --noinput
log "Loading demo data"
"$PY" manage.py load_demo
"$PY" manage.py generate_households --per-commune 120 --seed 2021
"$PY" manage.py load_demo_targets
"$PY" manage.py generate_support
"$PY" manage.py load_demo_review
"$PY" manage.py rebuild_summaries  # the dashboards' summary rows of the demo (households.summary)

# --- the three processes ---------------------------------------------------------------------
NAMES=(web worker beat)
declare -A PIDS=()

# Prefix every output line with [name]. Ignores Ctrl-C so the last lines of a
# shutting-down process still get through; it ends when the process closes its output.
prefix() {
    trap '' INT TERM
    exec sed -u "s/^/[$1] /"
}

# Start a command in its own session/process group (setsid), so Ctrl-C in the terminal
# reaches only this script, which then shuts the groups down in order.
start() {
    local name="$1"
    shift
    setsid "$@" </dev/null > >(prefix "$name") 2>&1 &
    PIDS[$name]=$!
}

alive() { kill -0 "$1" 2>/dev/null; }
group_alive() { kill -0 -- "-$1" 2>/dev/null; }

# Wait up to $1 seconds until no process of any group is left.
wait_groups_gone() {
    local deadline=$((SECONDS + $1)) name pid any
    while :; do
        any=0
        for name in "${NAMES[@]}"; do
            pid="${PIDS[$name]:-}"
            if [[ -n "$pid" ]] && { alive "$pid" || group_alive "$pid"; }; then any=1; fi
        done
        ((any)) || return 0
        ((SECONDS < deadline)) || return 1
        sleep 0.2
    done
}

STOPPED=0
stop_all() {
    ((STOPPED)) && return 0
    STOPPED=1
    ((${#PIDS[@]})) || return 0
    local name pid
    # 1. Polite: SIGTERM to each main process (Celery warm shutdown, runserver exits).
    for name in "${NAMES[@]}"; do
        pid="${PIDS[$name]:-}"
        if [[ -n "$pid" ]] && alive "$pid"; then
            printf '[run] stopping %s (pid %s)\n' "$name" "$pid" >&2
            kill -TERM "$pid" 2>/dev/null || true
        fi
    done
    if ! wait_groups_gone "$STOP_TIMEOUT"; then
        # 2. Whatever is left in the groups (pool children, reloader children).
        for name in "${NAMES[@]}"; do
            pid="${PIDS[$name]:-}"
            if [[ -n "$pid" ]]; then kill -TERM -- "-$pid" 2>/dev/null || true; fi
        done
        if ! wait_groups_gone 5; then
            for name in "${NAMES[@]}"; do
                pid="${PIDS[$name]:-}"
                if [[ -n "$pid" ]]; then kill -KILL -- "-$pid" 2>/dev/null || true; fi
            done
        fi
    fi
    for name in "${NAMES[@]}"; do
        pid="${PIDS[$name]:-}"
        if [[ -n "$pid" ]]; then wait "$pid" 2>/dev/null || true; fi
    done
    wait 2>/dev/null || true # the output prefixers, which end once their process is gone
    printf '[run] web, worker and beat stopped. PostgreSQL and Redis are still running; stop them with: bash scripts/services.sh down\n' >&2
}

STOP_SIGNAL=""
trap 'STOP_SIGNAL=INT' INT
trap 'STOP_SIGNAL=TERM' TERM
trap 'stop_all' EXIT

declare -A STARTED=() RESTARTS=() RESTART_AT=()
launch() {
    case "$1" in
        web) start web env DB_LOCK_TIMEOUT_MS="${DB_LOCK_TIMEOUT_MS:-20000}" "$PY" manage.py runserver "0.0.0.0:$PORT" ;;
        worker) start worker env CELERY_QUIET_ROOT_WARNING=1 "$VENV/bin/celery" -A config worker -l info --concurrency 2 ;;
        beat) start beat "$VENV/bin/celery" -A config beat -l info --schedule "$LOCAL_DIR/celerybeat-schedule" ;;
    esac
    STARTED[$1]=$SECONDS
}

# A background process (worker, beat) ended: reap it and its group, and plan its restart. Jobs it was running are
# redelivered or marked failed by the portal (core/jobs.py), so the officers' pages keep working meanwhile.
schedule_restart() {
    local name="$1" pid="${PIDS[$1]}" rc=0 n delay
    wait "$pid" 2>/dev/null || rc=$?
    kill -TERM -- "-$pid" 2>/dev/null || true # pool children left behind
    n="${RESTARTS[$name]:-0}"
    if ((SECONDS - ${STARTED[$name]:-0} > 60)); then n=0; fi # it had been running fine: start over quickly
    RESTARTS[$name]=$((n + 1))
    delay=$((n < 5 ? 2 ** n : 30))
    RESTART_AT[$name]=$((SECONDS + delay))
    unset 'PIDS[$name]'
    printf '[run] %s exited (code %s); starting it again in %s s (web keeps running)\n' "$name" "$rc" "$delay" >&2
}

URL="http://127.0.0.1:$PORT/"
log "Starting web, worker and beat"
for name in "${NAMES[@]}"; do launch "$name"; done
printf '[run] Giảm nghèo is starting at %s (Ctrl-C to stop)\n' "$URL" >&2

# The demo reports are made by the worker that has just started (manage.py load_demo_reports waits for each job, up
# to DEMO_REPORTS_TIMEOUT seconds). Safe to run again; if it fails the portal still runs and the reason is printed.
log "Generating the demo reports through the worker"
if ! "$PY" manage.py load_demo_reports --timeout "${DEMO_REPORTS_TIMEOUT:-300}"; then
    printf '[run] the demo reports were not made (see the reason above); run again: %s manage.py load_demo_reports\n' "$PY" >&2
fi
# The demo emulation movement (criteria, an evaluation, nominations, an award decision, results) and its summary
# report, also made by the worker. Safe to run again.
log "Loading the demo emulation movement"
if ! "$PY" manage.py load_demo_emulation --timeout "${DEMO_REPORTS_TIMEOUT:-300}"; then
    printf '[run] the demo emulation movement was not fully loaded (see the reason above); run again: %s manage.py load_demo_emulation\n' "$PY" >&2
fi

announced=0
died=""
died_rc=0
while [[ -z "$STOP_SIGNAL" ]]; do
    for name in "${NAMES[@]}"; do
        pid="${PIDS[$name]:-}"
        if [[ -z "$pid" ]]; then
            if ((SECONDS >= ${RESTART_AT[$name]:-0})); then
                printf '[run] starting %s again\n' "$name" >&2
                launch "$name"
            fi
        elif ! alive "$pid"; then
            if [[ "$name" != web ]]; then
                schedule_restart "$name"
                continue
            fi
            died="$name"
            wait "$pid" 2>/dev/null || died_rc=$?
            break 2
        fi
    done
    if ((!announced)) && (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
        announced=1
        printf '\n[run] ==> Giảm nghèo is running at %s  (Ctrl-C stops web/worker/beat)\n\n' "$URL" >&2
    fi
    sleep 1 &
    wait $! 2>/dev/null || true # returns at once when a trapped signal arrives
done

if [[ -n "$died" ]]; then
    printf '[run] %s exited (code %s); stopping the others\n' "$died" "$died_rc" >&2
    stop_all
    exit $((died_rc == 0 ? 1 : died_rc))
fi
printf '[run] received SIG%s; shutting down\n' "$STOP_SIGNAL" >&2
stop_all
exit 0

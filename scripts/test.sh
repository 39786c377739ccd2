#!/usr/bin/env bash
# `bash scripts/test.sh` (or `make test`): install what is missing, start PostgreSQL and Redis if needed, then
# compilemessages, ruff and pytest. Extra arguments go to pytest:
#   make test ARGS="-k households -x"      or      bash scripts/test.sh -k households -x
# Services this script had to start are stopped again at the end; ones that were
# already running (e.g. for `make run`) are left alone.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

PY="$VENV/bin/python"
CALLER_REDIS_URL="${REDIS_URL:-}"

bash scripts/bootstrap.sh

# Which services are we about to start ourselves?
STARTED=()
for svc in postgres redis; do
    if ! bash scripts/services.sh status "$svc" >/dev/null 2>&1; then
        STARTED+=("$svc")
    fi
done

cleanup() {
    local rc=$?
    if ((${#STARTED[@]})); then
        # The URLs are set by now; unset them so services.sh treats these as its own again.
        env -u DATABASE_URL -u REDIS_URL bash scripts/services.sh down "${STARTED[@]}" || true
    fi
    exit "$rc"
}
trap cleanup EXIT

bash scripts/services.sh up
eval "$(bash scripts/services.sh env)"
if [[ -z "$CALLER_REDIS_URL" ]]; then
    # Redis database 1: tests never touch the development data in database 0.
    export REDIS_URL="${REDIS_URL%/*}/1"
fi
export DJANGO_SETTINGS_MODULE=config.settings.test
export DJANGO_ALLOW_ASYNC_UNSAFE=true # Playwright's sync API inside Django's live_server tests

PYTEST_EXTRA=()
if [[ -n "${CI:-}" ]]; then
    # CI may share a cluster with a developer's checkout: never reuse a stale test database.
    PYTEST_EXTRA+=(--create-db)
fi

log "Compiling translations"
compile_messages "$PY"
log "Linting (ruff)"
"$VENV/bin/ruff" check .
log "Running tests (pytest)"
"$PY" -m pytest "${PYTEST_EXTRA[@]}" "$@"

# shellcheck shell=bash
# Shared helpers for the scripts in scripts/. Source it; do not run it.

# shellcheck disable=SC2034  # variables used by the scripts that source this file

# Repository root (the parent of scripts/), no matter where we are called from.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
LOCAL_DIR="$ROOT/.local"
VENV="$ROOT/.venv"

log()  { printf '==> %s\n' "$*" >&2; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die()  { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# compilemessages for the project's .po files. Django's command fails outright when the
# project has no locale folder yet, so say so and go on instead.
compile_messages() { # compile_messages PYTHON
    if [[ -n "$(find "$ROOT" \( -path "$ROOT/.venv" -o -path "$ROOT/.local" -o -path "$ROOT/.git" \) -prune \
        -o -name '*.po' -print -quit)" ]]; then
        "$1" "$ROOT/manage.py" compilemessages --ignore=.venv --ignore=.local
    else
        log "No .po files in the project yet: nothing to compile"
    fi
}

# Run a command as root: directly when we are root, via sudo when it exists.
as_root() {
    if [[ $EUID -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root to run: $* (run as root or install sudo)"
    fi
}

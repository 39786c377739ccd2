#!/usr/bin/env bash
# Install everything `make run` / `make test` need on a fresh Debian/Ubuntu machine:
# Debian packages (only when something is missing) and the project's virtualenv
# (pip runs only when pyproject.toml changed since the last successful install).
# Idempotent; a no-op run takes well under a second.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

# --- Debian packages -------------------------------------------------------------------
# postgresql / redis-server: dev+test services (scripts/services.sh)
# chromium + fonts: Playwright end-to-end tests drive Debian's chromium
# poppler-utils: PDF checks in tests; gettext: compilemessages; make: the Makefile
# libpango/libharfbuzz-subset: WeasyPrint (PDF reports) runtime libraries
PACKAGES=(
    postgresql redis-server chromium fonts-noto-core fonts-dejavu-core poppler-utils gettext make
    libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
)

pick_python() {
    local cand ver
    for cand in python3.11 python3; do
        command -v "$cand" >/dev/null 2>&1 || continue
        ver="$("$cand" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" || continue
        case "$ver" in 3.11 | 3.12) echo "$cand"; return 0 ;; esac
    done
    return 1
}

venv_ok() { [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; }

# The interpreter package(s) for the venv, only if we cannot build one yet.
if ! venv_ok; then
    if ! PY="$(pick_python)"; then
        PACKAGES+=(python3 python3-venv)
    elif ! "$PY" -c 'import ensurepip, venv' >/dev/null 2>&1; then
        PACKAGES+=("$(basename "$PY")-venv")
    fi
fi

is_installed() {
    [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" == installed ]]
}

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
    for pkg in "${PACKAGES[@]}"; do
        is_installed "$pkg" || missing+=("$pkg")
    done
else
    warn "dpkg-query not found: not a Debian/Ubuntu system, skipping system packages"
fi

if ((${#missing[@]})); then
    log "Installing Debian packages: ${missing[*]}"
    as_root apt-get update
    # Drop names this distribution does not have (e.g. Ubuntu ships chromium as a snap),
    # so one unavailable package does not block all the others.
    installable=()
    for pkg in "${missing[@]}"; do
        # Not `apt-cache show | grep -q`: grep exits early, apt-cache dies of SIGPIPE and
        # pipefail turns that into "not available".
        if [[ -n "$(apt-cache policy "$pkg" 2>/dev/null | sed -n 's/^ *Candidate: //p' | grep -v '(none)')" ]]; then
            installable+=("$pkg")
        else
            warn "package '$pkg' is not available from the configured apt sources; skipping it"
        fi
    done
    if ((${#installable[@]})); then
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y \
            "${installable[@]}"
    fi
fi

# --- virtualenv ------------------------------------------------------------------------
STAMP="$VENV/.installed-stamp"
if ! venv_ok; then
    PY="$(pick_python)" || die "Python 3.11 or 3.12 is required (python3.11 or python3)"
    log "Creating virtualenv .venv with $PY ($("$PY" --version 2>&1))"
    rm -rf "$VENV"
    "$PY" -m venv "$VENV"
    rm -f "$STAMP"
fi

if [[ ! -f "$STAMP" || pyproject.toml -nt "$STAMP" ]]; then
    log "Installing Python dependencies into .venv (pip install -e '.[dev]')"
    # A machine-wide pip configuration may name package locations that do not exist on this machine; pip then
    # warns "Location … is ignored" once per package, which is harmless and hides the real output.
    "$VENV/bin/python" -m pip install --disable-pip-version-check -e '.[dev]' 2> >(
        grep -v "is ignored: it is neither a file nor a directory" >&2 || true
    )
    touch "$STAMP"
fi

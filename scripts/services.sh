#!/usr/bin/env bash
# Project-local PostgreSQL and Redis for development and tests.
#
#   scripts/services.sh up     [postgres] [redis]   start (idempotent) and wait until ready
#   scripts/services.sh down   [postgres] [redis]   stop cleanly
#   scripts/services.sh status [postgres] [redis]   exit 0 when all are accepting connections
#   scripts/services.sh env                         print `export ...` lines: eval "$(scripts/services.sh env)"
#   scripts/services.sh clean                       stop, then delete all local service data
#
# A service is managed only when its URL is NOT already in the environment:
# DATABASE_URL set -> PostgreSQL is left alone; REDIS_URL set -> Redis is left alone.
#
# State lives in the git-ignored .local/ folder:
#   .local/pgdata/          cluster data dir (also holds the unix socket)
#   .local/postgres.log     PostgreSQL log
#   .local/redis/           Redis dir: append-only file, redis.pid and redis.log
# When running as root the servers run as Debian's unprivileged `postgres` user. If that
# user cannot reach .local/ (or the socket path would be too long), the server state goes
# to /var/tmp/giamngheo-<hash of project path>/ instead, with symlinks from .local/.
#
# Settings (environment): PGPORT_LOCAL (54329), REDIS_PORT_LOCAL (63799), SERVICES_TIMEOUT (30 s).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PG_PORT="${PGPORT_LOCAL:-54329}"
REDIS_PORT="${REDIS_PORT_LOCAL:-63799}"
TIMEOUT="${SERVICES_TIMEOUT:-30}"
DB_NAME=giamngheo
DB_USER=giamngheo
DB_PASSWORD=giamngheo

usage() {
    echo "usage: $0 up|down|status|env|clean [postgres] [redis]" >&2
    exit 2
}

manage_pg()    { [[ -z "${DATABASE_URL:-}" ]]; }
manage_redis() { [[ -z "${REDIS_URL:-}" ]]; }

# --- who runs the servers ------------------------------------------------------------------
if [[ $EUID -eq 0 ]]; then
    SVC_USER=postgres
    runas() { (cd / && runuser -u "$SVC_USER" -- "$@"); }
else
    SVC_USER="$(id -un)"
    runas() { (cd / && "$@"); }
fi

need_svc_user() {
    if [[ $EUID -eq 0 ]] && ! id -u "$SVC_USER" >/dev/null 2>&1; then
        die "system user '$SVC_USER' does not exist; install PostgreSQL first: bash scripts/bootstrap.sh"
    fi
}

# Make a path (file or dir) belong to the service user.
give_to_svc() { if [[ $EUID -eq 0 ]]; then chown "$SVC_USER": "$@"; fi; }

# --- where the server state lives -------------------------------------------------------------
ALT_DIR="/var/tmp/giamngheo-$(printf '%s' "$ROOT" | sha1sum | cut -c1-10)"

choose_server_dir() {
    SERVER_DIR="$LOCAL_DIR"
    ALT_REASON=""
    if [[ $EUID -eq 0 ]] && id -u "$SVC_USER" >/dev/null 2>&1 && [[ -d "$LOCAL_DIR" ]] \
        && ! runas test -x "$LOCAL_DIR"; then
        ALT_REASON="user '$SVC_USER' cannot traverse $ROOT"
    fi
    # A unix socket path is limited to 107 bytes.
    local sock="$LOCAL_DIR/pgdata/.s.PGSQL.$PG_PORT.lock"
    if [[ -z "$ALT_REASON" && ${#sock} -gt 100 ]]; then
        ALT_REASON="the socket path under $LOCAL_DIR would be too long"
    fi
    # Also stick to the fallback dir once it holds the cluster (.local/pgdata is then a link).
    if [[ -n "$ALT_REASON" ]] || { [[ -d "$ALT_DIR/pgdata" ]] \
        && { [[ -L "$LOCAL_DIR/pgdata" ]] || [[ ! -e "$LOCAL_DIR/pgdata" ]]; }; }; then
        SERVER_DIR="$ALT_DIR"
    fi
    PGDATA_DIR="$SERVER_DIR/pgdata"
    PG_LOG="$SERVER_DIR/postgres.log"
    REDIS_DIR="$SERVER_DIR/redis"
    REDIS_PIDFILE="$REDIS_DIR/redis.pid"
    REDIS_LOG="$REDIS_DIR/redis.log"
}

prepare_server_dir() {
    mkdir -p "$LOCAL_DIR"
    choose_server_dir
    if [[ "$SERVER_DIR" != "$LOCAL_DIR" ]]; then
        log "Server state goes to $SERVER_DIR${ALT_REASON:+ ($ALT_REASON)}"
        mkdir -p "$SERVER_DIR"
        chmod 700 "$SERVER_DIR"
        give_to_svc "$SERVER_DIR"
        # Convenience links so logs are still found under .local/.
        local name
        for name in pgdata postgres.log redis; do
            [[ -e "$LOCAL_DIR/$name" || -L "$LOCAL_DIR/$name" ]] || ln -s "$SERVER_DIR/$name" "$LOCAL_DIR/$name"
        done
    fi
}

# --- PostgreSQL --------------------------------------------------------------------------------
pg_bindir() {
    local ver=""
    if [[ -f "$PGDATA_DIR/PG_VERSION" ]]; then
        ver="$(cat "$PGDATA_DIR/PG_VERSION")"
        [[ -x "/usr/lib/postgresql/$ver/bin/pg_ctl" ]] || ver=""
    fi
    if [[ -z "$ver" ]]; then
        ver="$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/initdb' 2>/dev/null \
            | awk -F/ '{print $5}' | sort -V | tail -n 1)"
    fi
    [[ -n "$ver" ]] || die "PostgreSQL server binaries not found under /usr/lib/postgresql; run: bash scripts/bootstrap.sh"
    echo "/usr/lib/postgresql/$ver/bin"
}

pg_ours_running() {
    [[ -f "$PGDATA_DIR/PG_VERSION" ]] && runas "$PGBIN/pg_ctl" status -D "$PGDATA_DIR" >/dev/null 2>&1
}

pg_accepting() { "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -t 2 >/dev/null 2>&1; }

psql_admin() {
    "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres "$@"
}

wait_until() { # wait_until CMD...: poll for up to $TIMEOUT seconds
    local deadline=$((SECONDS + TIMEOUT))
    until "$@"; do
        ((SECONDS < deadline)) || return 1
        sleep 0.3
    done
}

pg_fail() {
    printf 'ERROR: %s\n' "$1" >&2
    if [[ -f "$PG_LOG" ]]; then
        echo "---- last lines of $PG_LOG ----" >&2
        tail -n 20 "$PG_LOG" >&2 || true
    fi
    exit 1
}

pg_init() {
    if [[ -e "$PGDATA_DIR" ]] && [[ -n "$(ls -A "$PGDATA_DIR" 2>/dev/null)" ]]; then
        die "$PGDATA_DIR exists but is not a PostgreSQL cluster; remove it (make clean-local)"
    fi
    log "Creating PostgreSQL cluster in $PGDATA_DIR"
    mkdir -p "$PGDATA_DIR"
    chmod 700 "$PGDATA_DIR"
    give_to_svc "$PGDATA_DIR"
    touch "$PG_LOG"
    give_to_svc "$PG_LOG"
    # Trust auth for local connections: this cluster is for development and tests only.
    if ! runas env LC_ALL=C LANG=C "$PGBIN/initdb" -D "$PGDATA_DIR" -U postgres --auth=trust \
        --encoding=UTF8 --no-locale >>"$PG_LOG" 2>&1; then
        pg_fail "initdb failed"
    fi
    printf "\n# Project settings (written by scripts/services.sh)\ninclude_if_exists = 'giamngheo.conf'\n" \
        | runas tee -a "$PGDATA_DIR/postgresql.conf" >/dev/null
}

pg_write_conf() {
    # Rewritten at every start, so PGPORT_LOCAL changes take effect.
    runas tee "$PGDATA_DIR/giamngheo.conf" >/dev/null <<CONF
# Managed by scripts/services.sh -- changes are overwritten.
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '${PGDATA_DIR//\'/\'\'}'
# Throwaway dev/test data: trade crash safety for speed.
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
}

pg_ensure_db() {
    local out
    out="$(psql_admin -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'")" || return 1
    if [[ "$out" != 1 ]]; then
        log "Creating role $DB_USER"
        psql_admin -c "CREATE ROLE $DB_USER LOGIN CREATEDB PASSWORD '$DB_PASSWORD'" || return 1
    fi
    out="$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" || return 1
    if [[ "$out" != 1 ]]; then
        log "Creating database $DB_NAME"
        psql_admin -c "CREATE DATABASE $DB_NAME OWNER $DB_USER" || return 1
    fi
}

pg_up() {
    need_svc_user
    PGBIN="$(pg_bindir)"
    if pg_ours_running; then
        wait_until pg_accepting || pg_fail "PostgreSQL ($PGDATA_DIR) is running but not accepting connections on 127.0.0.1:$PG_PORT after ${TIMEOUT}s"
        log "PostgreSQL already running on 127.0.0.1:$PG_PORT"
    elif pg_accepting; then
        warn "127.0.0.1:$PG_PORT is already served by another PostgreSQL (not $PGDATA_DIR); using it"
        pg_ensure_db || warn "could not create role/database '$DB_NAME' on that server"
        return 0
    else
        [[ -f "$PGDATA_DIR/PG_VERSION" ]] || pg_init
        PGBIN="$(pg_bindir)"
        pg_write_conf
        touch "$PG_LOG"
        give_to_svc "$PG_LOG"
        log "Starting PostgreSQL on 127.0.0.1:$PG_PORT (log: $PG_LOG)"
        # shellcheck disable=SC2094  # pg_ctl appends to the log, so do we
        if ! runas "$PGBIN/pg_ctl" start -D "$PGDATA_DIR" -l "$PG_LOG" -w -t "$TIMEOUT" -s </dev/null >/dev/null 2>>"$PG_LOG"; then
            pg_fail "PostgreSQL did not start within ${TIMEOUT}s (is port $PG_PORT taken? set PGPORT_LOCAL)"
        fi
        wait_until pg_accepting || pg_fail "PostgreSQL is not accepting connections on 127.0.0.1:$PG_PORT after ${TIMEOUT}s"
    fi
    pg_ensure_db || pg_fail "could not create role/database '$DB_NAME'"
}

pg_down() {
    PGBIN="$(pg_bindir)"
    if pg_ours_running; then
        log "Stopping PostgreSQL ($PGDATA_DIR)"
        runas "$PGBIN/pg_ctl" stop -D "$PGDATA_DIR" -m fast -w -t "$TIMEOUT" -s \
            || pg_fail "PostgreSQL did not stop within ${TIMEOUT}s"
    elif pg_accepting; then
        warn "127.0.0.1:$PG_PORT is served by another PostgreSQL (not $PGDATA_DIR); leaving it alone"
    else
        log "PostgreSQL is not running"
    fi
}

pg_status() {
    PGBIN="$(pg_bindir)"
    if pg_ours_running && pg_accepting; then
        echo "postgres: running on 127.0.0.1:$PG_PORT (data: $PGDATA_DIR)"
    elif pg_accepting; then
        echo "postgres: 127.0.0.1:$PG_PORT is served by another PostgreSQL (not $PGDATA_DIR)"
    elif pg_ours_running; then
        echo "postgres: running but not accepting connections yet (data: $PGDATA_DIR)"
        return 1
    else
        echo "postgres: stopped"
        return 1
    fi
}

# --- Redis -------------------------------------------------------------------------------------
redis_pid() { # prints the pid of this checkout's redis-server if it is alive
    local pid
    [[ -f "$REDIS_PIDFILE" ]] || return 1
    pid="$(cat "$REDIS_PIDFILE" 2>/dev/null)" || return 1
    [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
    echo "$pid"
}

redis_accepting() { [[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]]; }

redis_fail() {
    printf 'ERROR: %s\n' "$1" >&2
    if [[ -f "$REDIS_LOG" ]]; then
        echo "---- last lines of $REDIS_LOG ----" >&2
        tail -n 20 "$REDIS_LOG" >&2 || true
    fi
    exit 1
}

redis_up() {
    need_svc_user
    command -v redis-server >/dev/null 2>&1 || die "redis-server not found; run: bash scripts/bootstrap.sh"
    if redis_pid >/dev/null; then
        wait_until redis_accepting || redis_fail "Redis is running but does not answer PING on 127.0.0.1:$REDIS_PORT after ${TIMEOUT}s"
        log "Redis already running on 127.0.0.1:$REDIS_PORT"
        return 0
    fi
    if redis_accepting; then
        warn "127.0.0.1:$REDIS_PORT is already served by another Redis (not $REDIS_DIR); using it"
        return 0
    fi
    mkdir -p "$REDIS_DIR"
    give_to_svc "$REDIS_DIR"
    rm -f "$REDIS_PIDFILE"
    touch "$REDIS_LOG"
    give_to_svc "$REDIS_LOG"
    log "Starting Redis on 127.0.0.1:$REDIS_PORT (log: $REDIS_LOG)"
    # Append-only persistence, as in docker-compose.yml: queued jobs survive a Redis restart instead of
    # being lost with their JobRun rows left "queued" (.local/redis/ holds the file; `clean` deletes it).
    # shellcheck disable=SC2094  # redis appends to the log, so do we
    if ! runas redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --protected-mode yes \
        --daemonize yes --pidfile "$REDIS_PIDFILE" --logfile "$REDIS_LOG" --dir "$REDIS_DIR" \
        --save '' --appendonly yes --appendfsync everysec </dev/null >>"$REDIS_LOG" 2>&1; then
        redis_fail "redis-server failed to start"
    fi
    wait_until redis_accepting \
        || redis_fail "Redis does not answer PING on 127.0.0.1:$REDIS_PORT after ${TIMEOUT}s (is the port taken? set REDIS_PORT_LOCAL)"
}

redis_down() {
    local pid deadline
    if pid="$(redis_pid)"; then
        log "Stopping Redis (pid $pid)"
        kill -TERM "$pid" 2>/dev/null || true
        deadline=$((SECONDS + TIMEOUT))
        while kill -0 "$pid" 2>/dev/null; do
            if ((SECONDS >= deadline)); then
                warn "Redis did not stop within ${TIMEOUT}s; killing it"
                kill -KILL "$pid" 2>/dev/null || true
                break
            fi
            sleep 0.2
        done
        rm -f "$REDIS_PIDFILE"
    elif redis_accepting; then
        warn "127.0.0.1:$REDIS_PORT is served by another Redis (not $REDIS_DIR); leaving it alone"
    else
        log "Redis is not running"
    fi
}

redis_status() {
    local pid
    if pid="$(redis_pid)" && redis_accepting; then
        echo "redis: running on 127.0.0.1:$REDIS_PORT (pid $pid, dir: $REDIS_DIR)"
    elif redis_accepting; then
        echo "redis: 127.0.0.1:$REDIS_PORT is served by another Redis (not $REDIS_DIR)"
    else
        echo "redis: stopped"
        return 1
    fi
}

# --- main --------------------------------------------------------------------------------------
[[ $# -ge 1 ]] || usage
cmd="$1"
shift

want_pg=0
want_redis=0
if [[ $# -eq 0 ]]; then
    want_pg=1
    want_redis=1
fi
for arg in "$@"; do
    case "$arg" in
        postgres | postgresql | pg) want_pg=1 ;;
        redis) want_redis=1 ;;
        *) usage ;;
    esac
done
if ! manage_pg; then want_pg=0; fi
if ! manage_redis; then want_redis=0; fi

case "$cmd" in
    env)
        if manage_pg; then
            echo "export DATABASE_URL=postgres://$DB_USER:$DB_PASSWORD@127.0.0.1:$PG_PORT/$DB_NAME"
        fi
        if manage_redis; then
            echo "export REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
        fi
        ;;
    up)
        manage_pg || log "DATABASE_URL is set: not managing PostgreSQL"
        manage_redis || log "REDIS_URL is set: not managing Redis"
        ((want_pg + want_redis)) || exit 0
        prepare_server_dir
        if ((want_pg)); then pg_up; fi
        if ((want_redis)); then redis_up; fi
        ;;
    down)
        ((want_pg + want_redis)) || exit 0
        choose_server_dir
        if ((want_redis)); then redis_down; fi
        if ((want_pg)); then pg_down; fi
        ;;
    clean)
        # Stop this checkout's own servers whatever DATABASE_URL/REDIS_URL say: their data goes.
        choose_server_dir
        if [[ -f "$REDIS_PIDFILE" ]]; then redis_down; fi
        if [[ -f "$PGDATA_DIR/PG_VERSION" ]]; then pg_down; fi
        log "Removing $LOCAL_DIR"
        rm -rf "$LOCAL_DIR"
        if [[ -d "$ALT_DIR" ]]; then
            log "Removing $ALT_DIR"
            rm -rf "$ALT_DIR"
        fi
        ;;
    status)
        choose_server_dir
        rc=0
        if manage_pg; then
            if ((want_pg)); then pg_status || rc=3; fi
        else
            echo "postgres: external (DATABASE_URL is set)"
        fi
        if manage_redis; then
            if ((want_redis)); then redis_status || rc=3; fi
        else
            echo "redis: external (REDIS_URL is set)"
        fi
        exit "$rc"
        ;;
    *) usage ;;
esac

#!/usr/bin/env bash
# Decide which PostgreSQL database local development should use, starting
# one if necessary, and print its DATABASE_URL on stdout (nothing else goes
# to stdout; diagnostics go to stderr).
#
# Order of preference:
#   1. $DATABASE_URL, if set, is printed unchanged.
#   2. A server answering on 127.0.0.1:5432: database "mailvet" is created
#      on it (as user postgres) if missing.
#   3. A private cluster under .data/postgres (port 54329), created with
#      initdb and started with pg_ctl when needed.
#   4. Otherwise: explain what to install and exit 1.
#
# DEV_DB_SKIP_LOCAL=1 skips step 2 (used to test step 3).
set -euo pipefail

log() { printf 'dev-db: %s\n' "$*" >&2; }

if [[ -n "${DATABASE_URL:-}" ]]; then
	printf '%s\n' "$DATABASE_URL"
	exit 0
fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DB_NAME=mailvet
DB_USER=postgres
LOCAL_PORT=5432
PRIVATE_PORT=54329

# find_pg_bin NAME: print the path of a PostgreSQL program, looking in PATH
# first and then in /usr/lib/postgresql/<newest version>/bin.
find_pg_bin() {
	local name=$1 dir
	if command -v "$name" >/dev/null 2>&1; then
		command -v "$name"
		return 0
	fi
	while IFS= read -r dir; do
		if [[ -x "$dir/$name" ]]; then
			printf '%s\n' "$dir/$name"
			return 0
		fi
	done < <(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV)
	return 1
}

# answers PORT: does a PostgreSQL server accept connections on 127.0.0.1:PORT?
answers() {
	local port=$1 isready
	if isready="$(find_pg_bin pg_isready)"; then
		"$isready" -q -h 127.0.0.1 -p "$port" -t 3
	else
		timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null
	fi
}

# ensure_db PSQL PORT: create database $DB_NAME on 127.0.0.1:PORT unless it
# already exists.
ensure_db() {
	local psql=$1 port=$2 exists
	local conn=(-X -q -h 127.0.0.1 -p "$port" -U "$DB_USER" -d postgres -v ON_ERROR_STOP=1)
	if ! exists="$("$psql" "${conn[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")"; then
		log "could not query the server on 127.0.0.1:$port as user $DB_USER (see error above)"
		return 1
	fi
	if [[ "$exists" != 1 ]]; then
		log "creating database $DB_NAME on 127.0.0.1:$port"
		# Tolerate a concurrent creation: re-check before reporting failure.
		if ! "$psql" "${conn[@]}" -c "CREATE DATABASE $DB_NAME" >/dev/null; then
			exists="$("$psql" "${conn[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" || true)"
			[[ "$exists" == 1 ]] || return 1
		fi
	fi
}

url_for() { printf 'postgres://%s@127.0.0.1:%s/%s?sslmode=disable\n' "$DB_USER" "$1" "$DB_NAME"; }

# --- 2. A server already answering on 127.0.0.1:5432 -------------------------
if [[ "${DEV_DB_SKIP_LOCAL:-}" != 1 ]] && answers "$LOCAL_PORT"; then
	log "using the PostgreSQL server on 127.0.0.1:$LOCAL_PORT"
	if psql="$(find_pg_bin psql)"; then
		if ! ensure_db "$psql" "$LOCAL_PORT"; then
			log "could not make sure database $DB_NAME exists; the app will report the problem"
		fi
	else
		log "psql not found; cannot check that database $DB_NAME exists (install postgresql-client)"
	fi
	url_for "$LOCAL_PORT"
	exit 0
fi

# --- 3. A private cluster under .data/postgres --------------------------------
if initdb="$(find_pg_bin initdb)" && pg_ctl="$(find_pg_bin pg_ctl)"; then
	DATA_ROOT="$ROOT/.data"
	PGDATA_DIR="$DATA_ROOT/postgres"
	SOCK_DIR="$DATA_ROOT/pgsocket"
	LOG_FILE="$DATA_ROOT/postgres.log"

	# initdb and postgres refuse to run as root: run them as another user.
	as_owner=()
	if [[ $EUID -eq 0 ]]; then
		owner=postgres
		id -u "$owner" >/dev/null 2>&1 || owner=nobody
		as_owner=(runuser -u "$owner" --)
	else
		owner="$(id -un)"
	fi

	mkdir -p "$DATA_ROOT" "$PGDATA_DIR" "$SOCK_DIR"
	touch "$LOG_FILE"
	if [[ $EUID -eq 0 ]]; then
		chmod go+x "$DATA_ROOT"
		chown "$owner": "$PGDATA_DIR" "$SOCK_DIR" "$LOG_FILE"
	fi
	chmod 700 "$PGDATA_DIR"
	if ! "${as_owner[@]}" test -w "$PGDATA_DIR"; then
		log "user $owner cannot write $PGDATA_DIR (is a parent directory private?)."
		log "set DATABASE_URL to a PostgreSQL database instead"
		exit 1
	fi

	if [[ ! -f "$PGDATA_DIR/PG_VERSION" ]]; then
		log "creating a private PostgreSQL cluster in $PGDATA_DIR (as user $owner)"
		if ! "${as_owner[@]}" "$initdb" -D "$PGDATA_DIR" -U "$DB_USER" --auth=trust \
			--encoding=UTF8 --locale=C >"$DATA_ROOT/initdb.log" 2>&1; then
			cat "$DATA_ROOT/initdb.log" >&2
			log "initdb failed (output above); remove $PGDATA_DIR and retry"
			exit 1
		fi
		# Settings live in the data directory so a plain `pg_ctl -D ... start`
		# works too. The socket directory is relative to the data directory,
		# so the checkout can be moved.
		cat >>"$PGDATA_DIR/postgresql.conf" <<EOF

# added by scripts/dev-db.sh
listen_addresses = '127.0.0.1'
port = $PRIVATE_PORT
unix_socket_directories = '../pgsocket'
EOF
	fi

	if "${as_owner[@]}" "$pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1; then
		log "private PostgreSQL cluster already running (127.0.0.1:$PRIVATE_PORT)"
	else
		log "starting the private PostgreSQL cluster on 127.0.0.1:$PRIVATE_PORT (log: $LOG_FILE)"
		if ! "${as_owner[@]}" "$pg_ctl" -D "$PGDATA_DIR" -l "$LOG_FILE" -w -t 60 start >&2; then
			log "pg_ctl start failed; last lines of $LOG_FILE:"
			tail -n 20 "$LOG_FILE" >&2 || true
			exit 1
		fi
	fi

	psql="$(find_pg_bin psql)" || psql="$(dirname "$(readlink -f "$initdb")")/psql"
	ensure_db "$psql" "$PRIVATE_PORT"
	url_for "$PRIVATE_PORT"
	exit 0
fi

# --- 4. Nothing usable ---------------------------------------------------------
log "no PostgreSQL found: nothing answers on 127.0.0.1:$LOCAL_PORT and initdb/pg_ctl are not installed."
log "install PostgreSQL 15+ (Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql@16),"
log "or set DATABASE_URL=postgres://USER@HOST:PORT/mailvet?sslmode=disable"
exit 1

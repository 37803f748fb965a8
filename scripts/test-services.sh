#!/usr/bin/env bash
# Starts the services the integration tests need, on loopback ports of their own, and stops them when the
# calling shell exits (its EXIT trap may call _sb_stop_services sooner, as test.sh does). Source it (`. scripts/test-services.sh`); afterwards:
#   SWITCHBOARD_TEST_REDIS     host:port of a fresh Redis (StackExchange.Redis configuration string)
#   SWITCHBOARD_TEST_POSTGRES  an Npgsql connection string to a fresh cluster; the user may CREATE DATABASE,
#                              so each test class can make a database of its own.
# Missing Debian packages are installed with apt-get when running as root. A service that cannot be had is
# reported once and its variable left unset: tests that need it then skip and say why.
# Set SWITCHBOARD_TEST_SERVICES=0 to start nothing.

_sb_services_dir=$(mktemp -d /tmp/switchboard-services.XXXXXX)
chmod 755 "$_sb_services_dir"

_sb_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

_sb_apt_install() {
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 || return 1
  if [ -z "${_sb_apt_updated:-}" ]; then
    apt-get update -qq >/dev/null 2>&1 || true
    _sb_apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1
}

_sb_pg_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
  done
  return 1
}

_sb_start_redis() {
  command -v redis-server >/dev/null 2>&1 || _sb_apt_install redis-server || true
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "test-services: redis-server is not available; Redis tests will be skipped." >&2
    return
  fi
  local port; port=$(_sb_free_port)
  redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --daemonize yes \
    --dir "$_sb_services_dir" --pidfile "$_sb_services_dir/redis.pid" --logfile "$_sb_services_dir/redis.log" >/dev/null
  for _ in $(seq 1 50); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  if redis-cli -p "$port" ping >/dev/null 2>&1; then
    export SWITCHBOARD_TEST_REDIS="127.0.0.1:$port"
  else
    echo "test-services: Redis did not start (see $_sb_services_dir/redis.log); Redis tests will be skipped." >&2
  fi
}

_sb_start_postgres() {
  local bin; bin=$(_sb_pg_bin) || { _sb_apt_install postgresql >/dev/null 2>&1 || true; bin=$(_sb_pg_bin); } || {
    echo "test-services: PostgreSQL is not available; PostgreSQL tests will be skipped." >&2
    return
  }
  # initdb and postgres refuse to run as root.
  local run=()
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    run=(runuser -u postgres --)
  fi
  local data="$_sb_services_dir/pg"
  mkdir -p "$data" && [ "$(id -u)" = 0 ] && chown postgres "$data"
  if ! "${run[@]}" "$bin/initdb" -D "$data" -U switchboard --auth=trust -E UTF8 --no-sync >"$_sb_services_dir/initdb.log" 2>&1; then
    echo "test-services: initdb failed (see $_sb_services_dir/initdb.log); PostgreSQL tests will be skipped." >&2
    return
  fi
  local port; port=$(_sb_free_port)
  if "${run[@]}" "$bin/pg_ctl" -D "$data" -l "$_sb_services_dir/pg/server.log" -w -t 30 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $data -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null 2>&1; then
    _sb_pg_stop=("${run[@]}" "$bin/pg_ctl" -D "$data" -m immediate stop)
    export SWITCHBOARD_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=switchboard;Database=postgres;Pooling=true"
  else
    echo "test-services: PostgreSQL did not start (see $data/server.log); PostgreSQL tests will be skipped." >&2
  fi
}

_sb_stop_services() {
  if [ -f "$_sb_services_dir/redis.pid" ]; then
    kill "$(cat "$_sb_services_dir/redis.pid")" 2>/dev/null || true
  fi
  if [ -n "${_sb_pg_stop:-}" ]; then
    "${_sb_pg_stop[@]}" >/dev/null 2>&1 || true
  fi
  rm -rf "$_sb_services_dir"
}

if [ "${SWITCHBOARD_TEST_SERVICES:-1}" != 0 ]; then
  _sb_start_redis
  _sb_start_postgres
  # A shell that sources this and ends without calling _sb_stop_services (a killed CI step, a closed terminal, a
  # short-lived tool shell) must not leave the servers running: this watchdog stops them once that shell is gone.
  # In the subshell $$ is still the sourcing shell's pid; its output goes nowhere, so a pipe from the caller closes.
  ( trap '' HUP; while kill -0 $$ 2>/dev/null && [ -d "$_sb_services_dir" ]; do sleep 2; done; _sb_stop_services ) \
    </dev/null >/dev/null 2>&1 &
  disown 2>/dev/null || true
fi

#!/usr/bin/env bash
# A/B of rate limits and budgets, one build, side by side (bench/ab.sh underneath). Every request of B carries a
# virtual key with its own RPM, TPM and daily budget, to a model with RPM and TPM (all far too high to refuse):
#   bench/limits-ab.sh off      A: no auth, no usage, no limits (before issue 9)    B: auth + usage + limits in memory
#   bench/limits-ab.sh limits   A: auth + usage, no limits                          B: auth + usage + limits in memory
#   bench/limits-ab.sh redis    A: auth + usage + limits in memory                  B: the same with the counters in Redis
# REDIS=host:port for "redis" (else a redis-server of its own on a free port). POSTGRES=<Npgsql connection string
# without spaces> puts keys and usage rows in PostgreSQL instead of SQLite (e.g. from scripts/test-services.sh), so
# the insert's work is the database server's, not the gateway's. SCENARIOS, DURATION, WARMUP, QUIET_WAIT as for ab.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
MODE=${1:-off}
DLL=$ROOT/src/Switchboard/bin/Release/net10.0/switchboard.dll
DATA=$(mktemp -d /tmp/switchboard-limits-ab.XXXXXX)
REDIS_PID=
cleanup() { [ -n "$REDIS_PID" ] && kill "$REDIS_PID" 2>/dev/null; rm -rf "$DATA"; }
trap cleanup EXIT
dotnet build -c Release -v quiet -nologo "$ROOT/src/Switchboard/Switchboard.csproj" >/dev/null
MASTER=bench-master-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
# No spaces in these values: ab.sh passes ENV_A/ENV_B through word splitting.
DB="SWITCHBOARD__database__connection=Filename=$DATA/bench.db"
if [ -n "${POSTGRES:-}" ]; then
  export SWITCHBOARD__database__provider=postgres
  DB="SWITCHBOARD__database__connection=$POSTGRES"
fi
SPILL="SWITCHBOARD__database__spill_path=$DATA/spill.jsonl"
KEY=$(env "$DB" dotnet "$DLL" keys create --name bench --rpm 1000000000 --tpm 2000000000 --budget 1000000/day | tail -1)
AUTH="SWITCHBOARD_MASTER_KEY=$MASTER $DB $SPILL"
LIMITS="SWITCHBOARD__models__0__rpm=1000000000 SWITCHBOARD__models__0__tpm=1000000000000"
# Without limits: the key's own limits and budget are the only ones; a second key without them stands in.
PLAIN_KEY=$(env "$DB" dotnet "$DLL" keys create --name plain | tail -1)
case "$MODE" in
  off)
    export ENV_A="SWITCHBOARD__database__record_usage=false SWITCHBOARD__database__provider=sqlite SWITCHBOARD__database__connection=Filename=$DATA/a.db"
    export ENV_B="$AUTH $LIMITS" HEADER_B="Authorization:Bearer $KEY" ;;
  limits)
    export ENV_A="$AUTH" HEADER_A="Authorization:Bearer $PLAIN_KEY"
    export ENV_B="$AUTH $LIMITS" HEADER_B="Authorization:Bearer $KEY" ;;
  redis)
    if [ -z "${REDIS:-}" ]; then
      PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
      redis-server --bind 127.0.0.1 --port "$PORT" --save '' --appendonly no --dir "$DATA" >"$DATA/redis.log" 2>&1 & REDIS_PID=$!
      REDIS=127.0.0.1:$PORT
      for _ in $(seq 1 50); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
    fi
    export ENV_A="$AUTH $LIMITS" HEADER_A="Authorization:Bearer $KEY"
    export ENV_B="$AUTH $LIMITS SWITCHBOARD__redis=$REDIS" HEADER_B="Authorization:Bearer $KEY" ;;
  *) echo "usage: bench/limits-ab.sh off|limits|redis" >&2; exit 2 ;;
esac
bench/ab.sh "$DLL" "${SCENARIOS:-plain:1,plain:32,stream:32}"

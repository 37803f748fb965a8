#!/usr/bin/env bash
# A/B of auth + usage records on versus off, one build, side by side (bench/ab.sh underneath):
#   A: no master key, database.record_usage: false  (what the gateway did before issue 9)
#   B: a master key, a virtual key on every request (Authorization: Bearer), a usage row per request in SQLite
#
#   bench/auth-usage-ab.sh [SCENARIOS]      default "plain:1,plain:32,stream:32"; DURATION, WARMUP as for ab.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
DLL=$ROOT/src/Switchboard/bin/Release/net10.0/switchboard.dll
DATA=$(mktemp -d /tmp/switchboard-ab-data.XXXXXX)
trap 'rm -rf "$DATA"' EXIT
dotnet build -c Release -v quiet -nologo "$ROOT/src/Switchboard/Switchboard.csproj" >/dev/null
MASTER=bench-master-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
# No spaces in these values: ab.sh passes ENV_B through word splitting.
DB="SWITCHBOARD__database__connection=Filename=$DATA/bench.db"
SPILL="SWITCHBOARD__database__spill_path=$DATA/spill.jsonl"
KEY=$(env "$DB" dotnet "$DLL" keys create --name bench | tail -1)
ENV_A="SWITCHBOARD__database__record_usage=false SWITCHBOARD__database__connection=Filename=$DATA/a.db" \
ENV_B="SWITCHBOARD_MASTER_KEY=$MASTER $DB $SPILL" \
HEADER_B="Authorization:Bearer $KEY" \
  bench/ab.sh "$DLL" "${1:-plain:1,plain:32,stream:32}"
echo "usage rows written by B: $(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from usage').fetchone()[0])" "$DATA/bench.db")"

#!/usr/bin/env bash
# Memory of the gateway with every issue-9 stage on while its database goes away: a sustained run (plain and
# streamed requests alternating, concurrency 32, every request with a virtual key that has RPM, TPM and a daily
# budget, a model RPM/TPM, a usage row per request in PostgreSQL) during which PostgreSQL is stopped for OUTAGE
# seconds. Reports the gateway's RSS over the run (sampled every second), the rows in the database afterwards
# against the requests answered, and whether the spill file was replayed and removed.
#
#   bench/db-outage-rss.sh            10 minutes, PostgreSQL down from 240 s to 300 s
#   DURATION=300 DOWN_AT=120 OUTAGE=60 CONCURRENCY=32 PORT_BASE=19480 bench/db-outage-rss.sh
#
# PostgreSQL (and Redis, unused here) come from scripts/test-services.sh on loopback ports of their own and are
# stopped on exit, with the gateway and the fake upstream. Results: bench/results/db-outage-<UTC time>/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
DURATION=${DURATION:-600}
DOWN_AT=${DOWN_AT:-240}
OUTAGE=${OUTAGE:-60}
CONCURRENCY=${CONCURRENCY:-32}
PORT_BASE=${PORT_BASE:-19480}
WARMUP=5
OUT="$ROOT/bench/results/db-outage-$(date -u +%Y%m%dT%H%M%SZ)"
DLL=$ROOT/src/Switchboard/bin/Release/net10.0/switchboard.dll
LOADTEST=$ROOT/bench/Switchboard.LoadTest/bin/Release/net10.0/loadtest.dll
mkdir -p "$OUT/cwd"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet build -c Release -v quiet -nologo "$ROOT/src/Switchboard/Switchboard.csproj" >"$OUT/build.log" 2>&1 || { tail -30 "$OUT/build.log"; exit 1; }
dotnet build -c Release -v quiet -nologo "$ROOT/bench/Switchboard.LoadTest/Switchboard.LoadTest.csproj" >>"$OUT/build.log" 2>&1 || { tail -30 "$OUT/build.log"; exit 1; }

PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  _sb_stop_services 2>/dev/null || true
}
trap cleanup EXIT
SWITCHBOARD_TEST_SERVICES=1 . scripts/test-services.sh
[ -n "${SWITCHBOARD_TEST_POSTGRES:-}" ] || { echo "PostgreSQL could not be started" >&2; exit 1; }
PG_BIN=$(_sb_pg_bin)
PG_DATA=$_sb_services_dir/pg
PG_PORT=$(sed -E 's/.*Port=([0-9]+).*/\1/' <<<"$SWITCHBOARD_TEST_POSTGRES")
PG_RUN=()
[ "$(id -u)" = 0 ] && PG_RUN=(runuser -u postgres --)
pg_start() {
  "${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DATA -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null
}
# A fast (clean) shutdown: the server drops every connection at once; an immediate one would also lose the last
# commits, since test-services.sh runs it with synchronous_commit=off (rows the writer saw committed).
pg_stop() { "${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast stop >/dev/null; }
rows() { "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U switchboard -d postgres -Atc "select count(*) from usage" 2>/dev/null || echo "?"; }

# No spaces in these values (env word splitting).
export SWITCHBOARD__database__provider=postgres
export SWITCHBOARD__database__connection="$SWITCHBOARD_TEST_POSTGRES"
export SWITCHBOARD__database__spill_path="$OUT/spill.jsonl"
KEY=$(dotnet "$DLL" keys create --name bench --rpm 1000000000 --tpm 2000000000 --budget 1000000/day | tail -1)

cat >"$OUT/switchboard.yaml" <<YAML
providers:
  - {name: upstream, type: openai, base_url: "http://127.0.0.1:$((PORT_BASE + 1))/v1"}
models:
  - {name: gpt-4o-mini, rpm: 1000000000, tpm: 1000000000000, deployments: [{provider: upstream, model: gpt-4o-mini}]}
YAML

cd "$OUT/cwd"
dotnet "$LOADTEST" upstream --port $((PORT_BASE + 1)) >"$OUT/upstream.log" 2>&1 & UP=$!; PIDS+=("$UP")
SWITCHBOARD_MASTER_KEY=bench-master-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n') \
  dotnet "$DLL" serve --config "$OUT/switchboard.yaml" --port "$PORT_BASE" >"$OUT/gateway.log" 2>&1 & GW=$!; PIDS+=("$GW")
for port in $((PORT_BASE + 1)) "$PORT_BASE"; do
  for _ in $(seq 1 150); do curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/" && break; sleep 0.2; done
done

echo "$(date -u +%FT%TZ) load ${DURATION}s mixed:c$CONCURRENCY, PostgreSQL down from ${DOWN_AT}s for ${OUTAGE}s; load average $(cut -d' ' -f1-3 /proc/loadavg)"
dotnet "$LOADTEST" run --label db-outage --scenarios "mixed:$CONCURRENCY" --out "$OUT/results.jsonl" --duration "$DURATION" --warmup "$WARMUP" \
  --quiet-wait 0 --upstream-pid "$UP" --target "switchboard=http://127.0.0.1:$PORT_BASE/v1/chat/completions" --pid "switchboard=$GW" \
  --header "switchboard=Authorization:Bearer $KEY" >"$OUT/load.txt" 2>&1 & LOAD=$!
sleep $((WARMUP + DOWN_AT))
echo "$(date -u +%FT%TZ) stopping PostgreSQL (rows so far: $(rows))"
pg_stop
sleep "$OUTAGE"
pg_start
echo "$(date -u +%FT%TZ) PostgreSQL started again"
wait "$LOAD"
cat "$OUT/load.txt"
echo "$(date -u +%FT%TZ) load done; load average $(cut -d' ' -f1-3 /proc/loadavg); stopping the gateway (SIGTERM drains the queue)"
kill -TERM "$GW"
wait "$GW" 2>/dev/null || true
grep -E "not taking usage|takes usage records again|Replayed|Usage writer stopped" "$OUT/gateway.log" | cut -c1-220 || true
echo "usage rows in PostgreSQL: $(rows); spill files left: $(ls "$OUT"/spill.jsonl* 2>/dev/null | wc -l)"
python3 - "$OUT/results.jsonl" "$WARMUP" "$DOWN_AT" "$OUTAGE" <<'PY'
import json, sys
m = json.loads(open(sys.argv[1]).readline())
series = m.get("RssSeriesMiB") or m.get("rssSeriesMiB") or []
down, outage = int(sys.argv[3]), int(sys.argv[4])
n = len(series)
print(f"requests {m.get('Requests', m.get('requests'))} errors {m.get('Errors', m.get('errors'))} req/s {m.get('Rps', m.get('rps')):.0f} cpu µs/req {m.get('TargetCpuUsPerRequest', m.get('targetCpuUsPerRequest')) or 0:.0f}")
if n:
    at = lambda f: series[min(n - 1, int(f * (n - 1)))]
    print("RSS MiB at 0/10/25/50/75/100 %: " + " / ".join(f"{at(f):.1f}" for f in (0, .1, .25, .5, .75, 1)))
    before, during, after = series[:down], series[down:down + outage], series[down + outage:]
    for name, part in (("before the outage", before), ("database down", during), ("after it", after)):
        if part:
            print(f"{name}: min {min(part):.1f} max {max(part):.1f} last {part[-1]:.1f} MiB")
    half = series[n // 2:]
    if len(half) > 10:
        xs = range(len(half)); mx = sum(xs) / len(half); my = sum(half) / len(half)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, half)) / sum((x - mx) ** 2 for x in xs)
        print(f"slope over the second half: {slope * 60:+.2f} MiB/min")
PY
echo "results: $OUT"

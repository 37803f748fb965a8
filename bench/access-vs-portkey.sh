#!/usr/bin/env bash
# The limits-ab.sh "off" A/B with Portkey beside it, in one run, in front of one fast upstream (loopback only):
#   A        Switchboard with no auth, no usage records, no limits (before issue 9)
#   B        Switchboard with every issue-9 stage on: master key, a virtual key on every request with its own RPM,
#            TPM and daily budget, a model RPM/TPM (all far too high to refuse), limits in memory, a usage row per
#            request in SQLite
#   portkey  @portkey-ai/gateway (bench/package-lock.json) as bench/run.sh runs it
#
#   bench/access-vs-portkey.sh [SCENARIOS]     default "plain:32,stream:32,plain:64,stream:64"
# Knobs: DURATION (10), WARMUP (2), QUIET_WAIT (60), PORT_BASE (19580), WARM_SECONDS (3: every target under load first,
# figures discarded; 30 lets tiered compilation finish in the target with every stage on). Results: bench/results/access-portkey-<UTC>/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SCENARIOS=${1:-plain:32,stream:32,plain:64,stream:64}
PORT_BASE=${PORT_BASE:-19580}
UP_PORT=$((PORT_BASE + 1)) A_PORT=$PORT_BASE B_PORT=$((PORT_BASE + 2)) PK_PORT=$((PORT_BASE + 3))
OUT="$ROOT/bench/results/access-portkey-$(date -u +%Y%m%dT%H%M%SZ)"
DLL=$ROOT/src/Switchboard/bin/Release/net10.0/switchboard.dll
LOADTEST=$ROOT/bench/Switchboard.LoadTest/bin/Release/net10.0/loadtest.dll
mkdir -p "$OUT/cwd"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet build -c Release -v quiet -nologo "$ROOT/src/Switchboard/Switchboard.csproj" >"$OUT/build.log" 2>&1 || { tail -30 "$OUT/build.log"; exit 1; }
dotnet build -c Release -v quiet -nologo "$ROOT/bench/Switchboard.LoadTest/Switchboard.LoadTest.csproj" >>"$OUT/build.log" 2>&1 || { tail -30 "$OUT/build.log"; exit 1; }
[ -f "$ROOT/bench/node_modules/@portkey-ai/gateway/build/start-server.js" ] ||
  (cd "$ROOT/bench" && npm ci --no-audit --no-fund --loglevel=error >"$OUT/npm.log" 2>&1) || { tail -30 "$OUT/npm.log"; exit 1; }

PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true' EXIT
cat >"$OUT/switchboard.yaml" <<YAML
providers:
  - {name: upstream, type: openai, base_url: "http://127.0.0.1:$UP_PORT/v1"}
models:
  - {name: gpt-4o-mini, deployments: [{provider: upstream, model: gpt-4o-mini}]}
YAML
DB="SWITCHBOARD__database__connection=Filename=$OUT/bench.db"
KEY=$(env "$DB" dotnet "$DLL" keys create --name bench --rpm 1000000000 --tpm 2000000000 --budget 1000000/day | tail -1)
MASTER=bench-master-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')

cd "$OUT/cwd"
dotnet "$LOADTEST" upstream --port "$UP_PORT" >"$OUT/upstream.log" 2>&1 & UP=$!; PIDS+=("$UP")
env SWITCHBOARD__database__record_usage=false "SWITCHBOARD__database__connection=Filename=$OUT/a.db" \
  dotnet "$DLL" serve --config "$OUT/switchboard.yaml" --port "$A_PORT" >"$OUT/a.log" 2>&1 & A=$!; PIDS+=("$A")
env SWITCHBOARD_MASTER_KEY="$MASTER" "$DB" "SWITCHBOARD__database__spill_path=$OUT/spill.jsonl" \
  SWITCHBOARD__models__0__rpm=1000000000 SWITCHBOARD__models__0__tpm=1000000000000 \
  dotnet "$DLL" serve --config "$OUT/switchboard.yaml" --port "$B_PORT" >"$OUT/b.log" 2>&1 & B=$!; PIDS+=("$B")
# Portkey has no listen-address option; the preload binds it to loopback. --headless: no web UI or log streaming.
env NODE_ENV=production node --import "$ROOT/bench/portkey-loopback.mjs" \
  "$ROOT/bench/node_modules/@portkey-ai/gateway/build/start-server.js" --port="$PK_PORT" --headless >"$OUT/portkey.log" 2>&1 & PK=$!; PIDS+=("$PK")
for port in "$UP_PORT" "$A_PORT" "$B_PORT" "$PK_PORT"; do
  for _ in $(seq 1 300); do curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/" && break; sleep 0.2; done
done

TARGETS=(
  --target "A=http://127.0.0.1:$A_PORT/v1/chat/completions" --pid "A=$A"
  --target "B=http://127.0.0.1:$B_PORT/v1/chat/completions" --pid "B=$B" --header "B=Authorization:Bearer $KEY"
  --target "portkey=http://127.0.0.1:$PK_PORT/v1/chat/completions" --pid "portkey=$PK"
  --header "portkey=x-portkey-provider:openai" --header "portkey=x-portkey-custom-host:http://127.0.0.1:$UP_PORT/v1"
  --header "portkey=Authorization:Bearer sk-bench-not-a-key"
)
echo "$(date -u +%FT%TZ) load average $(cut -d' ' -f1-3 /proc/loadavg); warming every target up (figures discarded)"
dotnet "$LOADTEST" run --label warmup --scenarios "plain:8,stream:8" --out "$OUT/warmup.jsonl" --duration "${WARM_SECONDS:-3}" --warmup 0 --quiet-wait 0 "${TARGETS[@]}" >/dev/null
dotnet "$LOADTEST" run --label access --scenarios "$SCENARIOS" --out "$OUT/results.jsonl" --duration "${DURATION:-10}" --warmup "${WARMUP:-2}" \
  --quiet-wait "${QUIET_WAIT:-60}" --upstream-pid "$UP" "${TARGETS[@]}"
echo "$(date -u +%FT%TZ) load average $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$OUT/results.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
by = {}
for r in rows:
    by.setdefault((r["Kind"], r["Concurrency"]), {})[r["Target"]] = r
print("| scenario | A req/s | B req/s | Portkey req/s | A CPU µs/req | B CPU µs/req | B − A | B / Portkey |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for (kind, c), t in by.items():
    a, b, p = t.get("A"), t.get("B"), t.get("portkey")
    if not (a and b and p):
        continue
    ca, cb = a.get("TargetCpuUsPerRequest") or 0, b.get("TargetCpuUsPerRequest") or 0
    print(f"| {kind} c={c} | {a['Rps']:,.0f} | {b['Rps']:,.0f} | {p['Rps']:,.0f} | {ca:.0f} | {cb:.0f} | {cb - ca:+.0f} | {b['Rps'] / max(p['Rps'], 1e-9):.1f}× |")
PY
echo "usage rows written by B: $(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from usage').fetchone()[0])" "$OUT/bench.db")"
echo "results: $OUT"

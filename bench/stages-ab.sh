#!/usr/bin/env bash
# Several gateways side by side in one run, in front of one fast upstream (loopback only), each with its own
# environment, its own SQLite file and a virtual key (RPM, TPM, daily budget) on every request:
#   VARIANTS="off|NOAUTH=1 SWITCHBOARD__database__record_usage=false;main@/path/to/other/switchboard.dll|ENV...;new|ENV..." bench/stages-ab.sh
# A variant is NAME[@DLL]|ENV (space-separated KEY=VALUE); every variant gets SWITCHBOARD_MASTER_KEY unless its ENV
# has NOAUTH=1; the variant's key has RPM, TPM and a daily budget unless its ENV has NOLIMITS=1. DLL defaults to this
# checkout's Release build. The load tool runs scenario by scenario, each variant in turn; list the variants the other
# way round for the other order. Knobs: SCENARIOS (plain:32,stream:32),
# DURATION (10), WARMUP (2), QUIET_WAIT (5), PORT_BASE (27310), WARM_SECONDS (3: every variant under load first,
# figures discarded; 30 lets tiered compilation finish in the variants with every stage on), ROUNDS (1: how many times
# every scenario is measured for every variant, odd rounds in the order given, even rounds reversed; the end prints
# each variant's CPU per request minus the first variant's, round by round, with the median over rounds), RATE (none:
# every connection sends its next request as soon as the last is answered; RATE=N paces all connections to N requests
# a second in total, so that variants that all sustain N are compared at the same throughput).
# TOGETHER=1: every variant loaded at the same time (each at RATE), warm-up and rounds alike, instead of one after
# the other: what drifts on the machine from second to second (the scheduler, other processes) then falls on every
# variant in the same moments, and a pair's difference is the variants' own.
# PIN_GATEWAYS / PIN_OTHERS (CPU lists for taskset, e.g. 0 and 1: the gateways on one core, the load tool and the
# upstream on the other, so that what a gateway is charged is its own work rather than preemptions by the load tool).
# Results: a temporary folder, printed at the end.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DLL=${DLL:-$ROOT/src/Switchboard/bin/Release/net10.0/switchboard.dll}
LOADTEST=$ROOT/bench/Switchboard.LoadTest/bin/Release/net10.0/loadtest.dll
PORT_BASE=${PORT_BASE:-27310}
OUT=$(mktemp -d /tmp/switchboard-stages-ab.XXXXXX)
mkdir -p "$OUT/cwd"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build -c Release -v quiet -nologo "$ROOT/src/Switchboard/Switchboard.csproj" >"$OUT/build.log" 2>&1 || { tail -30 "$OUT/build.log"; exit 1; }
dotnet build -c Release -v quiet -nologo "$ROOT/bench/Switchboard.LoadTest/Switchboard.LoadTest.csproj" >>"$OUT/build.log" 2>&1 || { tail -30 "$OUT/build.log"; exit 1; }
cat >"$OUT/switchboard.yaml" <<YAML
providers:
  - {name: upstream, type: openai, base_url: "http://127.0.0.1:$((PORT_BASE + 1))/v1"}
models:
  - {name: gpt-4o-mini, deployments: [{provider: upstream, model: gpt-4o-mini}]}
YAML
PG=""; PO=""
[[ -n ${PIN_GATEWAYS:-} ]] && PG="taskset -c $PIN_GATEWAYS"
[[ -n ${PIN_OTHERS:-} ]] && PO="taskset -c $PIN_OTHERS"
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true' EXIT
MASTER=bench-master-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
cd "$OUT/cwd"
$PO dotnet "$LOADTEST" upstream --port $((PORT_BASE + 1)) >"$OUT/upstream.log" 2>&1 & UP=$!; PIDS+=("$UP")
TARGETS=()
i=2
IFS=';' read -ra VS <<<"$VARIANTS"
for v in "${VS[@]}"; do
  name=${v%%|*}; envs=${v#*|}
  vdll=$DLL; [[ $name == *@* ]] && { vdll=${name#*@}; name=${name%%@*}; }
  DB="SWITCHBOARD__database__connection=Filename=$OUT/$name.db"
  LIMITS="--rpm 1000000000 --tpm 2000000000 --budget 1000000/day"; [[ $envs == *NOLIMITS=1* ]] && LIMITS=""
  # shellcheck disable=SC2086
  KEY=$(env "$DB" dotnet "$vdll" keys create --name bench $LIMITS | tail -1)
  port=$((PORT_BASE + i)); i=$((i+1))
  # shellcheck disable=SC2086
  M="SWITCHBOARD_MASTER_KEY=$MASTER"; [[ $envs == *NOAUTH=1* ]] && M="NOAUTH=1"
  env "$M" "$DB" "SWITCHBOARD__database__spill_path=$OUT/$name.spill.jsonl" $envs $PG dotnet "$vdll" serve --config "$OUT/switchboard.yaml" --port "$port" >"$OUT/$name.log" 2>&1 & P=$!; PIDS+=("$P")
  for _ in $(seq 1 600); do curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/" && break; sleep 0.2; done
  TARGETS+=(--target "$name=http://127.0.0.1:$port/v1/chat/completions" --pid "$name=$P" --header "$name=Authorization:Bearer $KEY")
  echo "$name: $vdll $envs"
done
echo "$(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)"
$PO dotnet "$LOADTEST" run --label warm --scenarios "plain:8,stream:8" --out "$OUT/warm.jsonl" --duration "${WARM_SECONDS:-3}" --warmup 0 --quiet-wait 0 ${TOGETHER:+--together yes} "${TARGETS[@]}" >/dev/null
for r in $(seq 1 "${ROUNDS:-1}"); do
  # Odd rounds in the order given, even rounds reversed: a variant is not always the one measured first.
  order=given; (( r % 2 == 0 )) && order=reversed
  $PO dotnet "$LOADTEST" run --label "r$r" --order "$order" --scenarios "${SCENARIOS:-plain:32,stream:32}" --out "$OUT/results.jsonl" --duration "${DURATION:-10}" --warmup "${WARMUP:-2}" --quiet-wait "${QUIET_WAIT:-5}" --upstream-pid "$UP" ${RATE:+--rate "$RATE"} ${TOGETHER:+--together yes} "${TARGETS[@]}"
done
echo "$(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)"
for f in "$OUT"/*.db; do echo "$(basename "$f"): $(sqlite3 "$f" 'select count(*) from usage' 2>/dev/null || echo ?) usage rows"; done
ls "$OUT"/*.spill* 2>/dev/null || true
dotnet "$LOADTEST" pairs --in "$OUT/results.jsonl" | tee "$OUT/pairs.md"
echo "results: $OUT/results.jsonl, $OUT/pairs.md"

#!/usr/bin/env bash
# A/B of two Switchboard gateway builds (or two settings) against one fast upstream, loopback only.
#
#   bench/ab.sh B_DLL [SCENARIOS]            this checkout's Release build (A) against another build's switchboard.dll (B)
#   ENV_B="DOTNET_gcServer=0" bench/ab.sh    the same build twice, B with extra environment variables (ENV_A likewise)
#
# SCENARIOS defaults to "plain:1,plain:32,stream:32". Each scenario runs A then B; run it again with the two
# swapped (A_DLL=... B_DLL=...) to rule out order effects: this machine's speed drifts by ± 20 %.
# Knobs: DURATION (10), WARMUP (2), QUIET_WAIT (60: s to wait for other load to settle), PORT_BASE (19080),
# NICE (0; -15 gives what the script starts priority over other work on a shared machine), HEADER_A / HEADER_B
# (one request header for that side, "Name:Value", e.g. "Authorization:Bearer sk-sb-..."). Results: bench/results/ab-<UTC time>/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
A_DLL=${A_DLL:-$ROOT/src/Switchboard/bin/Release/net10.0/switchboard.dll}
B_DLL=${1:-${B_DLL:-$A_DLL}}
SCENARIOS=${2:-plain:1,plain:32,stream:32}
PORT_BASE=${PORT_BASE:-19080}
OUT="$ROOT/bench/results/ab-$(date -u +%Y%m%dT%H%M%SZ)"
LOADTEST="$ROOT/bench/Switchboard.LoadTest/bin/Release/net10.0/loadtest.dll"
mkdir -p "$OUT/cwd"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet build -c Release -v quiet -nologo "$ROOT/src/Switchboard/Switchboard.csproj" >"$OUT/build.log" 2>&1 || { tail -30 "$OUT/build.log"; exit 1; }
dotnet build -c Release -v quiet -nologo "$ROOT/bench/Switchboard.LoadTest/Switchboard.LoadTest.csproj" >>"$OUT/build.log" 2>&1 || { tail -30 "$OUT/build.log"; exit 1; }
[[ -f $B_DLL ]] || { echo "no such build: $B_DLL" >&2; exit 2; }

cat >"$OUT/switchboard.yaml" <<YAML
providers:
  - {name: upstream, type: openai, base_url: "http://127.0.0.1:$((PORT_BASE + 1))/v1"}
models:
  - {name: gpt-4o-mini, deployments: [{provider: upstream, model: gpt-4o-mini}]}
YAML

PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true' EXIT
cd "$OUT/cwd"
nice -n "${NICE:-0}" dotnet "$LOADTEST" upstream --port $((PORT_BASE + 1)) >"$OUT/upstream.log" 2>&1 & UP=$!; PIDS+=("$UP")
# shellcheck disable=SC2086
nice -n "${NICE:-0}" env ${ENV_A:-} dotnet "$A_DLL" serve --config "$OUT/switchboard.yaml" --port "$PORT_BASE" >"$OUT/a.log" 2>&1 & A=$!; PIDS+=("$A")
# shellcheck disable=SC2086
nice -n "${NICE:-0}" env ${ENV_B:-} dotnet "$B_DLL" serve --config "$OUT/switchboard.yaml" --port $((PORT_BASE + 2)) >"$OUT/b.log" 2>&1 & B=$!; PIDS+=("$B")
for port in $((PORT_BASE + 1)) "$PORT_BASE" $((PORT_BASE + 2)); do
  for _ in $(seq 1 600); do curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/" && break; sleep 0.2; done
done

echo "A: $A_DLL ${ENV_A:-}"
echo "B: $B_DLL ${ENV_B:-}"
nice -n "${NICE:-0}" dotnet "$LOADTEST" run --label ab --scenarios "$SCENARIOS" --out "$OUT/results.jsonl" --duration "${DURATION:-10}" --warmup "${WARMUP:-2}" --quiet-wait "${QUIET_WAIT:-60}" \
  --upstream-pid "$UP" --target "A=http://127.0.0.1:$PORT_BASE/v1/chat/completions" --pid "A=$A" \
  --target "B=http://127.0.0.1:$((PORT_BASE + 2))/v1/chat/completions" --pid "B=$B" \
  ${HEADER_A:+--header "A=$HEADER_A"} ${HEADER_B:+--header "B=$HEADER_B"}
dotnet "$LOADTEST" report --in "$OUT/results.jsonl" --out "$OUT/report.md"
echo "report: $OUT/report.md"

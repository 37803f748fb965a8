#!/usr/bin/env bash
# The mock on the Rasa CALM demo's own bodies, side by side in one run, with wrk (one thread) on loopback:
#
#   floor     a bare Kestrel endpoint (`loadtest upstream`): reads the whole 7 KB body, answers fixed bytes
#   mock      this checkout's `switchboard mock` (Release build) on the collection
#   base      another build's `switchboard mock` (B_DLL=path/to/switchboard.dll), when given
#   mock-llm  @dwmkerr/mock-llm with one rule per turn (bench/package-lock.json), when MOCKLLM=1 (default)
#
#   bench/mock-ab.sh                       19 turns, plain and streamed, c=1 and c=32, two repeats
#   TURNS="19 10000" B_DLL=/tmp/base/switchboard.dll bench/mock-ab.sh
#
# Every measurement is a 2 s warm-up, then DURATION s (default 8) of wrk cycling through all the turns' bodies;
# CPU per request is the target process's CPU time (/proc/PID/stat, user + system) over the measured seconds
# divided by the requests answered. The targets run in turn, repeat by repeat, so drift in the machine's load
# hits them alike. Everything runs under `nice` (NICE, default 5) so that other sessions' work is slowed less.
# Knobs: TURNS ("19"), CONNECTIONS ("1 32"), KINDS ("plain stream"), REPEATS (2), DURATION (8), WARMUP (2),
# PORT_BASE (random in 20000-29999), RASA_COLLECTION, MOCKLLM (1), BASE_FIRST (0; 1 measures B_DLL's build before this one),
# ENV_A / ENV_B (extra environment variables for this build's mock / the base's, e.g. a GC setting; with B_DLL pointing at
# this checkout's own build, ENV_B alone makes an A/B of a setting), A_ARGS / B_ARGS (extra `switchboard mock` options for
# each, e.g. B_ARGS="--inline-io false").
# Results: bench/results/mock-ab-<UTC time>/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
TURNS=${TURNS:-19}
CONNECTIONS=${CONNECTIONS:-"1 32"}
KINDS=${KINDS:-"plain stream"}
REPEATS=${REPEATS:-2}
DURATION=${DURATION:-8}
WARMUP=${WARMUP:-2}
NICE=${NICE:-5}
PORT_BASE=${PORT_BASE:-$((20000 + RANDOM % 9000))}
RASA_COLLECTION=${RASA_COLLECTION:-$(dirname "$ROOT")/shared/fixtures/rasa-calm-demo/collection.json}
[[ -f $RASA_COLLECTION ]] || RASA_COLLECTION=/work/shared/fixtures/rasa-calm-demo/collection.json
MOCKLLM=${MOCKLLM:-1}
OUT="$ROOT/bench/results/mock-ab-$(date -u +%Y%m%dT%H%M%SZ)"
LOADTEST="$ROOT/bench/Switchboard.LoadTest/bin/Release/net10.0/loadtest.dll"
SWITCHBOARD="$ROOT/src/Switchboard/bin/Release/net10.0/switchboard.dll"
mkdir -p "$OUT/cwd"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

nice -n "$NICE" dotnet build -c Release -v quiet -nologo "$ROOT/src/Switchboard/Switchboard.csproj" >"$OUT/build.log" 2>&1 || { tail -30 "$OUT/build.log"; exit 1; }
nice -n "$NICE" dotnet build -c Release -v quiet -nologo "$ROOT/bench/Switchboard.LoadTest/Switchboard.LoadTest.csproj" >>"$OUT/build.log" 2>&1 || { tail -30 "$OUT/build.log"; exit 1; }
if [[ $MOCKLLM == 1 ]]; then
  (cd "$ROOT/bench" && npm ci --no-audit --no-fund --loglevel=error >"$OUT/npm.log" 2>&1) || { tail -30 "$OUT/npm.log"; exit 1; }
fi

PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true' EXIT

# start NAME PORT CMD... : starts a server in the background from an empty directory, waits until it answers
start() {
  local name=$1 port=$2; shift 2
  (cd "$OUT/cwd" && exec nice -n "$NICE" "$@") >"$OUT/$name.log" 2>&1 &
  STARTED=$!
  PIDS+=("$STARTED")
  for _ in $(seq 1 300); do
    curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/" && return 0
    kill -0 "$STARTED" 2>/dev/null || { echo "$name exited; see $OUT/$name.log" >&2; exit 1; }
    sleep 0.2
  done
  echo "$name did not listen on $port" >&2
  exit 1
}

stop_all() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  PIDS=()
}

# measure TURNS REPEAT NAME PID URL KIND C : one wrk measurement, a row in results.md
measure() {
  local n=$1 r=$2 name=$3 pid=$4 url=$5 kind=$6 c=$7 bodies="$OUT/rasa-$1/$6.bin" out="$OUT/wrk.txt"
  BODIES=$bodies nice -n "$NICE" wrk -t1 -c"$c" -d"${WARMUP}s" -s "$ROOT/bench/bodies.lua" "$url" >/dev/null 2>&1 || true
  local before after load
  load=$(cut -d' ' -f1 /proc/loadavg)
  before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  BODIES=$bodies nice -n "$NICE" wrk -t1 -c"$c" -d"${DURATION}s" --timeout 30s --latency -s "$ROOT/bench/bodies.lua" "$url" >"$out" 2>&1
  after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  awk -v n="$n" -v r="$r" -v target="$name" -v kind="$kind" -v c="$c" -v ticks=$((after - before)) -v load="$load" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) }
    /requests in/ { count = $1; secs = $4; sub(/s,?$/, "", secs) }
    /Non-2xx/ { errors += $5 } /Socket errors/ { errors += $4 + $6 + $8 + $10 }
    END {
      printf "| %s | %d | %s | %s | %d | %.0f | %.3f | %.3f | %.1f | %d | %s |\n",
        n, r, target, kind, c, (secs > 0 ? count / secs : 0), p50, p99, (count > 0 ? ticks * 10000 / count : 0), errors, load
    }' "$out" | tee -a "$OUT/results.md"
}

{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$ROOT" rev-parse --short HEAD), $(nproc) cores, dotnet $(dotnet --version), node $(node --version 2>/dev/null || echo -), $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)"
  echo "load at start: $(cat /proc/loadavg); B_DLL=${B_DLL:-none}; BASE_FIRST=${BASE_FIRST:-0}; ENV_A=${ENV_A:-none}; ENV_B=${ENV_B:-none}; A_ARGS=${A_ARGS:-none}; B_ARGS=${B_ARGS:-none}; DURATION=$DURATION WARMUP=$WARMUP REPEATS=$REPEATS"
  echo
  echo "| turns | repeat | target | kind | c | req/s | p50 ms | p99 ms | CPU µs/req | errors | load (1 min) |"
  echo "| ---: | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
} | tee "$OUT/results.md"

for n in $TURNS; do
  dotnet "$LOADTEST" rasa --collection "$RASA_COLLECTION" --turns "$n" --out "$OUT/rasa-$n" >/dev/null
  targets=()
  start floor "$PORT_BASE" dotnet "$LOADTEST" upstream --port "$PORT_BASE"; targets+=("floor $STARTED http://127.0.0.1:$PORT_BASE/v1/chat/completions")
  start mock $((PORT_BASE + 1)) env ${ENV_A:-} dotnet "$SWITCHBOARD" mock --fixtures "$OUT/rasa-$n/collection" --port $((PORT_BASE + 1)) ${A_ARGS:-}
  mock_target="mock $STARTED http://127.0.0.1:$((PORT_BASE + 1))/v1/chat/completions"
  if [[ -n ${B_DLL:-} ]]; then
    start base $((PORT_BASE + 2)) env ${ENV_B:-} dotnet "$B_DLL" mock --fixtures "$OUT/rasa-$n/collection" --port $((PORT_BASE + 2)) ${B_ARGS:-}
    base_target="base $STARTED http://127.0.0.1:$((PORT_BASE + 2))/v1/chat/completions"
    # BASE_FIRST=1 measures the other build before this one in every round (run both orders to see order effects).
    if [[ ${BASE_FIRST:-0} == 1 ]]; then targets+=("$base_target" "$mock_target"); else targets+=("$mock_target" "$base_target"); fi
  else
    targets+=("$mock_target")
  fi
  if [[ $MOCKLLM == 1 ]]; then
    start mock-llm $((PORT_BASE + 3)) env HOST=127.0.0.1 PORT=$((PORT_BASE + 3)) node "$ROOT/bench/node_modules/@dwmkerr/mock-llm/dist/main.js" --config "$OUT/rasa-$n/mock-llm.yaml"
    targets+=("mock-llm $STARTED http://127.0.0.1:$((PORT_BASE + 3))/v1/chat/completions")
  fi
  for r in $(seq 1 "$REPEATS"); do
    for c in $CONNECTIONS; do
      for kind in $KINDS; do
        for t in "${targets[@]}"; do
          read -r name pid url <<<"$t"
          # The floor answers every body with the same fixed bytes: a stream measurement of it says nothing new.
          [[ $name == floor && $kind == stream ]] && continue
          measure "$n" "$r" "$name" "$pid" "$url" "$kind" "$c"
        done
      done
    done
  done
  stop_all
done
echo "load at end: $(cat /proc/loadavg)" | tee -a "$OUT/results.md"
echo "results: $OUT/results.md"

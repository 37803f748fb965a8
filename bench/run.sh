#!/usr/bin/env bash
# Switchboard load benchmarks, loopback only, bounded in time, everything it starts stopped at the end.
#
#   bench/run.sh [all|gateway|mock|rasa|micro|soak]      (default: all = gateway + mock + rasa)
#
#   gateway  fast fake upstream, then direct vs Switchboard vs Portkey's gateway: req/s, p50/p99, TTFT,
#            Switchboard CPU per request, log-level cost, RSS over a sustained run
#   mock     Switchboard's mock vs @dwmkerr/mock-llm at 10, 1,000 and 10,000 fixtures
#   rasa     Switchboard's mock vs mock-llm on the Rasa CALM demo's own request bodies (all 19 turns in turn),
#            and on the collection grown to 10,000 turns (other users' conversations), plain and streamed,
#            c=1 and c=32, with the load tool and with wrk (apt), CPU per request of each server
#   micro    the BenchmarkDotNet suite (benchmarks/Switchboard.Benchmarks)
#   soak     only the sustained run (SUSTAIN, default 600 s here), for memory over a longer time
#
# Knobs (environment): DURATION=10 (s per measurement) WARMUP=2 (s) SUSTAIN=60 (s) CONCURRENCY="32 64"
#                      MOCK_COUNTS="10 1000 10000" RASA_TURNS="19 10000" PORT_BASE=18080
#                      QUIET_WAIT=60 (s to wait for a quiet machine before a measurement) RASA_COLLECTION=(shared/fixtures/rasa-calm-demo/collection.json beside the repository)
# Results: bench/results/<UTC time>/ (results.jsonl, report.md, the servers' logs).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
MODE=${1:-all}
[[ $MODE == soak ]] && SUSTAIN=${SUSTAIN:-600}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
SUSTAIN=${SUSTAIN:-60}
CONCURRENCY=${CONCURRENCY:-"32 64"}
MOCK_COUNTS=${MOCK_COUNTS:-"10 1000 10000"}
RASA_TURNS=${RASA_TURNS:-"19 10000"}
RASA_COLLECTION=${RASA_COLLECTION:-$(dirname "$ROOT")/shared/fixtures/rasa-calm-demo/collection.json}
PORT_BASE=${PORT_BASE:-18080}
UPSTREAM_PORT=$((PORT_BASE + 1))
SWITCHBOARD_PORT=$((PORT_BASE + 0))
QUIET_PORT=$((PORT_BASE + 3))
PORTKEY_PORT=$((PORT_BASE + 7))
MOCK_PORT=$((PORT_BASE + 10))
MOCKLLM_PORT=$((PORT_BASE + 11))
MOCKLLM_ANY_PORT=$((PORT_BASE + 12))
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

OUT="$ROOT/bench/results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"
RESULTS="$OUT/results.jsonl"
LOADTEST="$ROOT/bench/Switchboard.LoadTest/bin/Release/net10.0/loadtest.dll"
SWITCHBOARD="$ROOT/src/Switchboard/bin/Release/net10.0/switchboard.dll"

PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  PIDS=()
  trim_logs
}

# The servers log every request (hundreds of MB per run): keep the start and the end of each log.
trim_logs() {
  local f
  for f in "$OUT"/*.log; do
    [[ -f $f && $(stat -c %s "$f") -gt 1048576 ]] || continue
    { head -n 20 "$f"; echo "... ($(wc -l <"$f") lines in all; trimmed by run.sh) ..."; tail -n 200 "$f"; } >"$f.trimmed" && mv "$f.trimmed" "$f"
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '\n== %s\n' "$*"; }

# start NAME LOGFILE CMD... : runs CMD in the background, remembers its pid in $STARTED
start() {
  local name=$1 logfile=$2; shift 2
  # From an empty directory: ASP.NET Core watches its content root (the working directory, recursively) for
  # appsettings changes, and a log file growing in there wakes a thread on every line.
  mkdir -p "$OUT/cwd"
  (cd "$OUT/cwd" && exec "$@") >"$logfile" 2>&1 &
  STARTED=$!
  PIDS+=("$STARTED")
}

# stop PID : stops one process this script started
stop() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  local kept=() pid
  for pid in "${PIDS[@]}"; do [[ $pid != "$1" ]] && kept+=("$pid"); done
  PIDS=("${kept[@]+"${kept[@]}"}")
}

# wait_port NAME PORT PID : waits (at most 60 s) until something answers HTTP on 127.0.0.1:PORT
wait_port() {
  local i
  for i in $(seq 1 300); do
    if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$2/"; then return 0; fi
    if ! kill -0 "$3" 2>/dev/null; then echo "$1 exited during start-up; see its log in $OUT" >&2; exit 1; fi
    sleep 0.2
  done
  echo "$1 did not listen on port $2 within 60 s; see its log in $OUT" >&2
  exit 1
}

need_tools() {
  local missing=()
  command -v curl >/dev/null || missing+=(curl)
  [[ $MODE == rasa || $MODE == all ]] && ! command -v wrk >/dev/null && missing+=(wrk)
  if [[ $MODE != micro && $MODE != soak ]]; then
    command -v node >/dev/null || missing+=(nodejs)
    command -v npm >/dev/null || missing+=(npm)
  fi
  if ((${#missing[@]})); then
    log "installing ${missing[*]} (apt)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  command -v dotnet >/dev/null || { echo "the .NET 10 SDK is required" >&2; exit 1; }
}

build() {
  log "building in Release"
  dotnet build -c Release -v quiet -nologo "$ROOT/src/Switchboard/Switchboard.csproj" >"$OUT/build.log" 2>&1 || { tail -30 "$OUT/build.log"; exit 1; }
  dotnet build -c Release -v quiet -nologo "$ROOT/bench/Switchboard.LoadTest/Switchboard.LoadTest.csproj" >>"$OUT/build.log" 2>&1 || { tail -30 "$OUT/build.log"; exit 1; }
  dotnet build -c Release -v quiet -nologo "$ROOT/benchmarks/Switchboard.Benchmarks/Switchboard.Benchmarks.csproj" >>"$OUT/build.log" 2>&1 || { tail -30 "$OUT/build.log"; exit 1; }
  if [[ $MODE != micro && $MODE != soak ]]; then
    log "installing the comparison targets from npm (bench/package-lock.json)"
    (cd "$ROOT/bench" && npm ci --no-audit --no-fund --loglevel=error >"$OUT/npm.log" 2>&1) || { tail -30 "$OUT/npm.log"; exit 1; }
  fi
}

machine() {
  {
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "cpu: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
    echo "memory: $(free -g | awk '/Mem:/ {print $2}') GiB"
    echo "dotnet: $(dotnet --version), node: $(node --version 2>/dev/null || echo none)"
    echo "portkey: $(node -p "require('$ROOT/bench/node_modules/@portkey-ai/gateway/package.json').version" 2>/dev/null || echo -), mock-llm: $(node -p "require('$ROOT/bench/node_modules/@dwmkerr/mock-llm/package.json').version" 2>/dev/null || echo -)"
    echo "settings: DURATION=$DURATION WARMUP=$WARMUP SUSTAIN=$SUSTAIN CONCURRENCY=\"$CONCURRENCY\" MOCK_COUNTS=\"$MOCK_COUNTS\" RASA_TURNS=\"$RASA_TURNS\" REPEATS=${REPEATS:-3}"
    echo "wrk: $(wrk --version 2>&1 | head -1 || echo none)"
  } | tee "$OUT/machine.txt"
}

loadtest() { dotnet "$LOADTEST" "$@"; }

# start_upstream_and_switchboard : the fast upstream and Switchboard in front of it (pids in $UPSTREAM, $GATEWAY)
start_upstream_and_switchboard() {
  cat >"$OUT/switchboard.yaml" <<YAML
providers:
  - {name: upstream, type: openai, base_url: "http://127.0.0.1:$UPSTREAM_PORT/v1"}
models:
  - {name: gpt-4o-mini, deployments: [{provider: upstream, model: gpt-4o-mini}]}
YAML
  start upstream "$OUT/upstream.log" dotnet "$LOADTEST" upstream --port "$UPSTREAM_PORT"; UPSTREAM=$STARTED
  start switchboard "$OUT/switchboard.log" dotnet "$SWITCHBOARD" serve --config "$OUT/switchboard.yaml" --port "$SWITCHBOARD_PORT"; GATEWAY=$STARTED
}

gateway() {
  log "gateway: starting the fast upstream, Switchboard (twice: default logging and Warning) and Portkey"
  start_upstream_and_switchboard; local upstream=$UPSTREAM switchboard=$GATEWAY
  start switchboard-quiet "$OUT/switchboard-quiet.log" env Logging__LogLevel__Default=Warning dotnet "$SWITCHBOARD" serve --config "$OUT/switchboard.yaml" --port "$QUIET_PORT"; local quiet=$STARTED
  # Portkey has no listen-address option; the preload binds it to loopback. --headless: no web UI or log streaming.
  start portkey "$OUT/portkey.log" env NODE_ENV=production node --import "$ROOT/bench/portkey-loopback.mjs" \
    "$ROOT/bench/node_modules/@portkey-ai/gateway/build/start-server.js" --port="$PORTKEY_PORT" --headless; local portkey=$STARTED
  wait_port upstream "$UPSTREAM_PORT" "$upstream"
  wait_port switchboard "$SWITCHBOARD_PORT" "$switchboard"
  wait_port switchboard-quiet "$QUIET_PORT" "$quiet"
  wait_port portkey "$PORTKEY_PORT" "$portkey"

  local scenarios="plain:1,stream:1,paced:1,large:1" c
  for c in $CONCURRENCY; do scenarios+=",plain:$c,stream:$c"; done
  local common=(--out "$RESULTS" --duration "$DURATION" --warmup "$WARMUP" --upstream-pid "$upstream")
  local targets=(
    --target "direct=http://127.0.0.1:$UPSTREAM_PORT/v1/chat/completions"
    --target "switchboard=http://127.0.0.1:$SWITCHBOARD_PORT/v1/chat/completions" --pid "switchboard=$switchboard"
    --target "portkey=http://127.0.0.1:$PORTKEY_PORT/v1/chat/completions" --pid "portkey=$portkey"
    --header "portkey=x-portkey-provider:openai"
    --header "portkey=x-portkey-custom-host:http://127.0.0.1:$UPSTREAM_PORT/v1"
    --header "portkey=Authorization:Bearer sk-bench-not-a-key"
  )
  log "gateway: warming every target up (JIT tiers, connection pools), figures discarded"
  loadtest run --label warmup --scenarios "plain:8,stream:8" --out "$OUT/warmup.jsonl" --duration 3 --warmup 0 --quiet-wait 0 "${targets[@]}" \
    --target "switchboard-warning=http://127.0.0.1:$QUIET_PORT/v1/chat/completions" >/dev/null

  log "gateway: direct vs Switchboard vs Portkey ($scenarios)"
  loadtest run --label gateway --scenarios "$scenarios" "${common[@]}" "${targets[@]}" --other-pid "$quiet"

  log "gateway: concurrency-1 latency again, ${REPEATS:-3} times, direct vs Switchboard (p99 at c=1 is the most sensitive figure)"
  local r
  for r in $(seq 1 "${REPEATS:-3}"); do
    loadtest run --label "latency-$r" --scenarios "plain:1,stream:1" "${common[@]}" --other-pid "$quiet" --other-pid "$portkey" \
      --target "direct=http://127.0.0.1:$UPSTREAM_PORT/v1/chat/completions" \
      --target "switchboard=http://127.0.0.1:$SWITCHBOARD_PORT/v1/chat/completions" --pid "switchboard=$switchboard"
  done

  log "gateway: what the per-request Information log costs (default vs Logging__LogLevel__Default=Warning)"
  loadtest run --label logging --scenarios "plain:1,plain:${CONCURRENCY%% *}" "${common[@]}" \
    --target "switchboard=http://127.0.0.1:$SWITCHBOARD_PORT/v1/chat/completions" --pid "switchboard=$switchboard" \
    --target "switchboard-warning=http://127.0.0.1:$QUIET_PORT/v1/chat/completions" --pid "switchboard-warning=$quiet" --other-pid "$portkey"

  log "gateway: sustained ${SUSTAIN}s, plain and streamed requests alternating, Switchboard RSS sampled every second"
  loadtest run --label sustained --scenarios "mixed:${CONCURRENCY%% *}" --out "$RESULTS" --duration "$SUSTAIN" --warmup 5 --upstream-pid "$upstream" \
    --target "switchboard=http://127.0.0.1:$SWITCHBOARD_PORT/v1/chat/completions" --pid "switchboard=$switchboard" \
    --other-pid "$quiet" --other-pid "$portkey"

  stop "$portkey"; stop "$quiet"; stop "$switchboard"; stop "$upstream"
  trim_logs
}

soak() {
  log "soak: fast upstream and Switchboard, ${SUSTAIN}s of plain and streamed requests alternating at concurrency ${CONCURRENCY%% *}"
  start_upstream_and_switchboard; local upstream=$UPSTREAM switchboard=$GATEWAY
  wait_port upstream "$UPSTREAM_PORT" "$upstream"
  wait_port switchboard "$SWITCHBOARD_PORT" "$switchboard"
  loadtest run --label soak --scenarios "mixed:${CONCURRENCY%% *}" --out "$RESULTS" --duration "$SUSTAIN" --warmup 5 --upstream-pid "$upstream" \
    --target "switchboard=http://127.0.0.1:$SWITCHBOARD_PORT/v1/chat/completions" --pid "switchboard=$switchboard"
  stop "$switchboard"; stop "$upstream"
  trim_logs
}

mock() {
  local n c="${CONCURRENCY%% *}"
  for n in $MOCK_COUNTS; do
    log "mock: $n fixtures, Switchboard mock vs mock-llm"
    local dir="$OUT/fixtures-$n"
    mkdir -p "$dir/switchboard"
    loadtest fixtures --kind switchboard --count "$n" --out "$dir/switchboard/fixtures.yaml"
    loadtest fixtures --kind mock-llm --count "$n" --out "$dir/mock-llm.yaml"
    start switchboard-mock "$OUT/switchboard-mock-$n.log" dotnet "$SWITCHBOARD" mock --fixtures "$dir/switchboard" --port "$MOCK_PORT"; local sbmock=$STARTED
    start mock-llm "$OUT/mock-llm-$n.log" env HOST=127.0.0.1 PORT="$MOCKLLM_PORT" node "$ROOT/bench/node_modules/@dwmkerr/mock-llm/dist/main.js" --config "$dir/mock-llm.yaml"; local mockllm=$STARTED
    wait_port switchboard-mock "$MOCK_PORT" "$sbmock"
    wait_port mock-llm "$MOCKLLM_PORT" "$mockllm"
    loadtest run --label warmup --bodies "mock:$n" --scenarios "plain:8" --out "$OUT/warmup.jsonl" --duration 3 --warmup 0 --quiet-wait 0 \
      --target "switchboard-mock=http://127.0.0.1:$MOCK_PORT/v1/chat/completions" --target "mock-llm=http://127.0.0.1:$MOCKLLM_PORT/v1/chat/completions" >/dev/null
    loadtest run --label "mock-$n" --bodies "mock:$n" --scenarios "plain:1,plain:$c" --out "$RESULTS" --duration "$DURATION" --warmup "$WARMUP" \
      --target "switchboard-mock=http://127.0.0.1:$MOCK_PORT/v1/chat/completions" --pid "switchboard-mock=$sbmock" \
      --target "mock-llm=http://127.0.0.1:$MOCKLLM_PORT/v1/chat/completions" --pid "mock-llm=$mockllm"
    stop "$mockllm"; stop "$sbmock"
    trim_logs
  done
}

# wrk_run LABEL NAME PID URL BODIES KIND CONNECTIONS : one wrk measurement (after a 2 s warm-up), written as a
# load-tool measurement line into $RESULTS: requests/s, latency percentiles, and the target's CPU per request.
wrk_run() {
  local label=$1 name=$2 pid=$3 url=$4 bodies=$5 kind=$6 c=$7 out="$OUT/wrk.txt"
  BODIES=$bodies wrk -t1 -c"$c" -d"${WARMUP}s" -s "$ROOT/bench/bodies.lua" "$url" >/dev/null 2>&1 || true
  local before after
  before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  BODIES=$bodies wrk -t1 -c"$c" -d"${DURATION}s" --timeout 30s --latency -s "$ROOT/bench/bodies.lua" "$url" >"$out" 2>&1
  after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  awk -v label="$label" -v target="$name" -v kind="$kind" -v c="$c" -v ticks=$((after - before)) '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /^ +50%/ { p50 = ms($2) } /^ +90%/ { p90 = ms($2) } /^ +99%/ { p99 = ms($2) }
    /requests in/ { n = $1; secs = $4; sub(/s,?$/, "", secs) }
    /Non-2xx/ { errors += $5 } /Socket errors/ { errors += $4 + $6 + $8 + $10 }
    END {
      printf "{\"Label\":\"%s\",\"Target\":\"%s\",\"Kind\":\"%s\",\"Concurrency\":%d,\"Seconds\":%s,\"Requests\":%d,\"Errors\":%d,\"Rps\":%.1f,\"P50Ms\":%.3f,\"P90Ms\":%.3f,\"P99Ms\":%.3f,\"TargetCpuUsPerRequest\":%.1f}\n",
        label, target, kind, c, secs, n, errors, (secs > 0 ? n / secs : 0), p50, p90, p99, (n > 0 ? ticks * 10000 / n : 0)
    }' "$out" | tee -a "$RESULTS"
}

rasa() {
  [[ -f $RASA_COLLECTION ]] || { echo "no Rasa collection at $RASA_COLLECTION (set RASA_COLLECTION)" >&2; exit 1; }
  local n r
  for n in $RASA_TURNS; do
    log "rasa: $n turns, Switchboard mock vs mock-llm (a rule per turn) vs mock-llm (one catch-all rule)"
    local dir="$OUT/rasa-$n"
    loadtest rasa --collection "$RASA_COLLECTION" --turns "$n" --out "$dir"
    start switchboard-mock "$OUT/switchboard-mock-rasa-$n.log" dotnet "$SWITCHBOARD" mock --fixtures "$dir/collection" --port "$MOCK_PORT"; local sbmock=$STARTED
    start mock-llm "$OUT/mock-llm-rasa-$n.log" env HOST=127.0.0.1 PORT="$MOCKLLM_PORT" node "$ROOT/bench/node_modules/@dwmkerr/mock-llm/dist/main.js" --config "$dir/mock-llm.yaml"; local mockllm=$STARTED
    start mock-llm-any "$OUT/mock-llm-any-rasa-$n.log" env HOST=127.0.0.1 PORT="$MOCKLLM_ANY_PORT" node "$ROOT/bench/node_modules/@dwmkerr/mock-llm/dist/main.js" --config "$dir/mock-llm-catchall.yaml"; local mockany=$STARTED
    wait_port switchboard-mock "$MOCK_PORT" "$sbmock"
    wait_port mock-llm "$MOCKLLM_PORT" "$mockllm"
    wait_port mock-llm-any "$MOCKLLM_ANY_PORT" "$mockany"
    local sb="http://127.0.0.1:$MOCK_PORT/v1/chat/completions" ml="http://127.0.0.1:$MOCKLLM_PORT/v1/chat/completions" ma="http://127.0.0.1:$MOCKLLM_ANY_PORT/v1/chat/completions"
    local targets=(--target "switchboard-mock=$sb" --pid "switchboard-mock=$sbmock" --target "mock-llm=$ml" --pid "mock-llm=$mockllm" --target "mock-llm-any=$ma" --pid "mock-llm-any=$mockany")
    loadtest run --label warmup --bodies "rasa:$dir" --scenarios "plain:8,stream:8" --out "$OUT/warmup.jsonl" --duration 3 --warmup 0 --quiet-wait 0 "${targets[@]}" >/dev/null
    log "rasa: $n turns, load tool (latency), plain and streamed, c=1 and c=${CONCURRENCY%% *}"
    loadtest run --label "rasa-$n" --bodies "rasa:$dir" --scenarios "plain:1,stream:1,plain:${CONCURRENCY%% *},stream:${CONCURRENCY%% *}" --out "$RESULTS" --duration "$DURATION" --warmup "$WARMUP" --quiet-wait "${QUIET_WAIT:-60}" "${targets[@]}"
    for r in $(seq 1 "${REPEATS:-3}"); do
      log "rasa: $n turns, wrk (one thread, ${CONCURRENCY%% *} connections), repeat $r: the targets one after the other"
      local kind
      for kind in plain stream; do
        wrk_run "rasa-$n-wrk-$r" switchboard-mock "$sbmock" "$sb" "$dir/$kind.bin" "$kind" "${CONCURRENCY%% *}"
        wrk_run "rasa-$n-wrk-$r" mock-llm "$mockllm" "$ml" "$dir/$kind.bin" "$kind" "${CONCURRENCY%% *}"
        wrk_run "rasa-$n-wrk-$r" mock-llm-any "$mockany" "$ma" "$dir/$kind.bin" "$kind" "${CONCURRENCY%% *}"
      done
    done
    stop "$mockany"; stop "$mockllm"; stop "$sbmock"
    trim_logs
  done
}

micro() {
  log "micro-benchmarks (BenchmarkDotNet)"
  (cd "$OUT" && dotnet "$ROOT/benchmarks/Switchboard.Benchmarks/bin/Release/net10.0/Switchboard.Benchmarks.dll" --filter '*' --exporters github --artifacts "$OUT/BenchmarkDotNet") | tee "$OUT/micro.log"
}

need_tools
build
machine
case $MODE in
  all) gateway; mock; rasa ;;
  gateway) gateway ;;
  mock) mock ;;
  rasa) rasa ;;
  micro) micro ;;
  soak) soak ;;
  *) echo "usage: bench/run.sh [all|gateway|mock|rasa|micro|soak]" >&2; exit 2 ;;
esac

if [[ -s $RESULTS ]]; then
  loadtest report --in "$RESULTS" --out "$OUT/report.md"
  log "report: $OUT/report.md"
  cat "$OUT/report.md"
fi

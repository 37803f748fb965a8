#!/usr/bin/env bash
# Latency at concurrency 1 measured by two load tools side by side, in front of the same nginx upstream:
#   wrk       (C, epoll; one thread, one keep-alive connection; --latency percentiles)
#   loadtest  (.NET HttpClient; bench/Switchboard.LoadTest, scenario plain:1)
# wrk corrects every latency it prints for coordinated omission (a request slower than twice the mean interval also
# counts as the requests that would have been sent meanwhile); the load tool reports raw samples and, beside them,
# the same correction applied to its own samples, so the two tools can be compared like for like.
# Targets: nginx directly, gateway A (this checkout's Release build) and, with B_DLL, gateway B. Every round
# runs every tool against every target, interleaved (A and B alternate), so drift on this shared machine
# spreads over all of them; the summary gives each tool's median over the rounds.
#
#   bench/c1-tools.sh [B_DLL]        ROUNDS=3 DURATION=5 WARMUP=2 PORT_BASE=19180 ENV_A= ENV_B= NICE=0
#
# NICE=-15 runs everything the script starts at a higher priority, so that other work on a shared machine
# disturbs the measurement less (it still shows: say so next to the figures).
# Needs wrk and nginx (installed from Debian with apt-get when missing). Loopback only; stops what it starts.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
A_DLL=${A_DLL:-$ROOT/src/Switchboard/bin/Release/net10.0/switchboard.dll}
B_DLL=${1:-${B_DLL:-}}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-2}
PORT_BASE=${PORT_BASE:-19180}
UP_PORT=$((PORT_BASE + 1))
OUT="$ROOT/bench/results/c1-$(date -u +%Y%m%dT%H%M%SZ)"
LOADTEST="$ROOT/bench/Switchboard.LoadTest/bin/Release/net10.0/loadtest.dll"
mkdir -p "$OUT/cwd" "$OUT/nginx"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light >/dev/null
fi

dotnet build -c Release -v quiet -nologo "$ROOT/src/Switchboard/Switchboard.csproj" >"$OUT/build.log" 2>&1 || { tail -30 "$OUT/build.log"; exit 1; }
dotnet build -c Release -v quiet -nologo "$ROOT/bench/Switchboard.LoadTest/Switchboard.LoadTest.csproj" >>"$OUT/build.log" 2>&1 || { tail -30 "$OUT/build.log"; exit 1; }

# The same canned completion as `loadtest upstream` answers (480 bytes).
COMPLETION='{"id":"chatcmpl-bench0000000000000000000001","object":"chat.completion","created":1763942400,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":"Hello! I can answer questions, draft and summarize text, help with code, plan trips and much more. What would you like to start with?","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":28,"completion_tokens":31,"total_tokens":59},"system_fingerprint":"fp_bench"}'
cat >"$OUT/nginx/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
user root;
pid $OUT/nginx/nginx.pid;
error_log $OUT/nginx/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $OUT/nginx/body;
  proxy_temp_path $OUT/nginx/proxy;
  fastcgi_temp_path $OUT/nginx/fastcgi;
  uwsgi_temp_path $OUT/nginx/uwsgi;
  scgi_temp_path $OUT/nginx/scgi;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$UP_PORT;
    location / { default_type application/json; return 200 '$COMPLETION'; }
  }
}
NGINX
cat >"$OUT/switchboard.yaml" <<YAML
providers:
  - {name: upstream, type: openai, base_url: "http://127.0.0.1:$UP_PORT/v1"}
models:
  - {name: gpt-4o-mini, deployments: [{provider: upstream, model: gpt-4o-mini}]}
YAML
BODY='{"model":"gpt-4o-mini","messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Say hello in a few words."}],"max_tokens":64}'
cat >"$OUT/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '$BODY'
wrk.headers["Content-Type"] = "application/json"
LUA

RUN="nice -n ${NICE:-0}"
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true' EXIT
$RUN nginx -c "$OUT/nginx/nginx.conf" >"$OUT/nginx/stdout.log" 2>&1 & PIDS+=("$!")
cd "$OUT/cwd"
# shellcheck disable=SC2086
$RUN env ${ENV_A:-} dotnet "$A_DLL" serve --config "$OUT/switchboard.yaml" --port "$PORT_BASE" >"$OUT/a.log" 2>&1 & A=$!; PIDS+=("$A")
TARGETS=("direct=http://127.0.0.1:$UP_PORT/v1/chat/completions" "A=http://127.0.0.1:$PORT_BASE/v1/chat/completions")
if [[ -n $B_DLL ]]; then
  # shellcheck disable=SC2086
  $RUN env ${ENV_B:-} dotnet "$B_DLL" serve --config "$OUT/switchboard.yaml" --port $((PORT_BASE + 2)) >"$OUT/b.log" 2>&1 & B=$!; PIDS+=("$B")
  TARGETS+=("B=http://127.0.0.1:$((PORT_BASE + 2))/v1/chat/completions")
fi
for target in "${TARGETS[@]}"; do
  url=${target#*=}
  # Up to two minutes: on a busy machine a gateway can take that long to start.
  for _ in $(seq 1 600); do curl -s -o /dev/null --max-time 1 -X POST -H 'Content-Type: application/json' -d "$BODY" "$url" && break; sleep 0.2; done
done

# Waits (up to QUIET_WAIT s, default 120) until the whole machine used less than QUIET_PERCENT (default 15) % of
# its CPU over a second: other work on this shared machine shows up in the tails of every tool.
wait_quiet() {
  local waited=0 a b busy
  while (( waited < ${QUIET_WAIT:-120} )); do
    a=($(head -1 /proc/stat)); sleep 1; b=($(head -1 /proc/stat))
    busy=$(( ( (b[1]+b[2]+b[3]+b[6]+b[7]) - (a[1]+a[2]+a[3]+a[6]+a[7]) ) * 100 / ( (b[1]+b[2]+b[3]+b[4]+b[5]+b[6]+b[7]) - (a[1]+a[2]+a[3]+a[4]+a[5]+a[6]+a[7]) + 1 ) ))
    (( busy < ${QUIET_PERCENT:-15} )) && { echo "$busy" >>"$OUT/quiet.log"; return; }
    waited=$((waited + 1))
  done
  echo "busy:$busy" >>"$OUT/quiet.log"
}

echo "A: $A_DLL ${ENV_A:-}"
[[ -n $B_DLL ]] && echo "B: $B_DLL ${ENV_B:-}"
for round in $(seq 1 "$ROUNDS"); do
  # Alternate the order of the gateways from round to round.
  order=("${TARGETS[@]}")
  if (( round % 2 == 0 )) && [[ -n $B_DLL ]]; then order=("${TARGETS[0]}" "${TARGETS[2]}" "${TARGETS[1]}"); fi
  for target in "${order[@]}"; do
    name=${target%%=*} url=${target#*=}
    wait_quiet
    $RUN wrk -t1 -c1 -d"${WARMUP}s" -s "$OUT/post.lua" "$url" >/dev/null || true
    $RUN wrk -t1 -c1 -d"${DURATION}s" --latency -s "$OUT/post.lua" "$url" >"$OUT/wrk-$round-$name.txt" || rm -f "$OUT/wrk-$round-$name.txt"
    wait_quiet
    $RUN dotnet "$LOADTEST" run --label "c1-$round" --scenarios plain:1 --duration "$DURATION" --warmup "$WARMUP" --quiet-wait "${QUIET_WAIT:-120}" \
      --target "$target" --out "$OUT/loadtest.jsonl" >>"$OUT/loadtest.log" 2>&1 || true
    echo "round $round $name done"
  done
done

python3 - "$OUT" <<'PY'
import glob, json, os, re, statistics, sys
out = sys.argv[1]
def ms(text):
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
wrk = {}
for path in sorted(glob.glob(os.path.join(out, "wrk-*.txt"))):
    _, rnd, name = os.path.basename(path)[:-4].split("-", 2)
    text = open(path).read()
    p50 = ms(re.search(r"^\s+50%\s+(\S+)", text, re.M).group(1))
    p90 = ms(re.search(r"^\s+90%\s+(\S+)", text, re.M).group(1))
    p99 = ms(re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1))
    reqs = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    wrk.setdefault(name, []).append((p50, p99, reqs, p90))
lt = {}
lt_corrected = {}
slow = {}
for line in open(os.path.join(out, "loadtest.jsonl")):
    row = json.loads(line)
    lt.setdefault(row["Target"], []).append((row["P50Ms"], row["P99Ms"], row["Rps"], row["P90Ms"]))
    # The load tool's own samples with wrk's coordinated-omission correction (wrk applies it to all it prints).
    lt_corrected.setdefault(row["Target"], []).append((row["P50Ms"], row.get("P99CorrectedMs", 0.0), row["Rps"], row["P90Ms"]))
    slow.setdefault(row["Target"], []).append(row.get("SlowerThan1Ms", 0) / max(1.0, row["Seconds"]))
lines = ["| tool | target | p50 ms (median of rounds) | p90 ms (median) | p99 ms (median) | p99 ms per round | req/s (median) |", "| --- | --- | --- | --- | --- | --- | --- |"]
for tool, rows in (("wrk (corrected)", wrk), ("loadtest (raw)", lt), ("loadtest, corrected as wrk", lt_corrected)):
    for name in sorted(rows, key=lambda n: (n != "direct", n)):
        r = rows[name]
        lines.append(f"| {tool} | {name} | {statistics.median(x[0] for x in r):.3f} | {statistics.median(x[3] for x in r):.3f} | {statistics.median(x[1] for x in r):.3f} | {' / '.join(f'{x[1]:.3f}' for x in r)} | {statistics.median(x[2] for x in r):.0f} |")
    if "direct" in rows:
        d50 = statistics.median(x[0] for x in rows["direct"]); d90 = statistics.median(x[3] for x in rows["direct"]); d99 = statistics.median(x[1] for x in rows["direct"])
        for name in sorted(n for n in rows if n != "direct"):
            r = rows[name]
            lines.append(f"| {tool} | {name} − direct | +{statistics.median(x[0] for x in r) - d50:.3f} | +{statistics.median(x[3] for x in r) - d90:.3f} | +{statistics.median(x[1] for x in r) - d99:.3f} | | |")
lines.append("")
lines.append("Requests slower than 1 ms per second (load tool, raw, median of rounds): " + ", ".join(f"{n} {statistics.median(v):.1f}" for n, v in sorted(slow.items())))
report = "\n".join(lines)
open(os.path.join(out, "report.md"), "w").write(report + "\n")
print(report)
PY
echo "report: $OUT/report.md"

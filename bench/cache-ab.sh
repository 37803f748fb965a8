#!/usr/bin/env bash
# The exact cache end to end, side by side in one run (loopback only): gateway A with cache.exact on, gateway B
# without, the same build and the same fast upstream (bench/ab.sh does the work).
#   plain, stream  one request asked again and again: A answers each from the cache (an exact hit end to end),
#                  B asks the upstream every time (a miss to a fast upstream)
#   unique         a new question every time: A looks up, misses, asks the upstream and stores the answer; B only
#                  forwards (what the cache costs a request it cannot answer)
#
#   bench/cache-ab.sh [SCENARIOS]      default plain:1,plain:32,stream:32,unique:1,unique:32
# Knobs as bench/ab.sh (DURATION, WARMUP, PORT_BASE). Results: bench/results/ab-<UTC time>/report.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ENV_A="SWITCHBOARD__cache__exact=true" ENV_B="" exec bench/ab.sh "" "${1:-plain:1,plain:32,stream:32,unique:1,unique:32}"

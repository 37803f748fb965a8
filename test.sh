#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: builds, runs every test project, prints one summary line.
# Services the tests need are installed and started here (loopback only) and stopped at the end.
set -euo pipefail
cd "$(dirname "$0")"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# The JavaScript SDK test needs Node.js and npm (the machine image has them; a bare Debian gets its own).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  else
    echo "test.sh: Node.js and npm are needed for the JavaScript SDK test; install them first." >&2
  fi
fi

# The dashboard's browser test drives a real headless Chromium (Debian's chromium and chromium-driver).
if ! command -v chromedriver >/dev/null 2>&1 || ! { command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; }; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    echo "test.sh: the browser test needs the chromium and chromium-driver packages; it is skipped without them." >&2
  fi
fi

results=$(mktemp -d)
# Redis and PostgreSQL for the integration tests, on loopback ports of their own (see the script's header).
. scripts/test-services.sh
trap '_sb_stop_services; rm -rf "$results"' EXIT

status=0
dotnet test Switchboard.sln -c Release --logger "trx" --results-directory "$results" "$@" || status=$?

# One plain closing line, summed over every test project's TRX report.
python3 - "$results" <<'PY' || true
import glob, sys, xml.etree.ElementTree as ET
passed = failed = skipped = 0
for path in glob.glob(sys.argv[1] + "/**/*.trx", recursive=True):
    counters = ET.parse(path).getroot().find(".//{*}Counters")
    if counters is None:
        continue
    passed += int(counters.get("passed", 0))
    failed += int(counters.get("failed", 0)) + int(counters.get("error", 0)) + int(counters.get("timeout", 0)) + int(counters.get("aborted", 0))
    skipped += int(counters.get("notExecuted", 0))
print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
PY
exit $status

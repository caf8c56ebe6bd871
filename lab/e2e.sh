#!/usr/bin/env bash
# The e2e tier: build eastwest, start a fresh lab in its own network namespace, run the suites inside
# it (multi-primary, then primary-remote), and tear everything down whatever happens.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export EASTWEST_LAB_NETNS="${EASTWEST_LAB_NETNS:-eastwest-e2e}"
export EASTWEST_LAB_STATE="${EASTWEST_LAB_STATE:-${EASTWEST_LAB_CACHE:-$HOME/.cache/eastwest-lab}/state-e2e}"

node scripts/build.mjs
bash lab/build.sh
trap 'bash lab/down.sh >/dev/null 2>&1 || true' EXIT

run() { # run TOPOLOGY SUITE...
  local topology=$1
  shift
  bash lab/down.sh >/dev/null 2>&1 || true
  bash lab/up.sh --topology "$topology"
  EASTWEST_LAB_TOPOLOGY="$topology" bash lab/exec.sh -- env EASTWEST_LAB_TOPOLOGY="$topology" node scripts/run-tests.mjs --e2e "$@"
}

# On each fresh lab, remove goes first: it snapshots the lab before apply, checks that apply → remove
# returns to it, and ends with the lab as fresh as it found it. The wizard then sets the multi-primary
# lab up; the apply suite finds it set up and re-runs.
run multi-primary test/e2e/remove test/e2e/wizard test/e2e/multi-network
run primary-remote test/e2e/remove test/e2e/primary-remote

#!/usr/bin/env bash
# The e2e tier: build eastwest, start a fresh lab in its own network namespace, run the suites inside
# it (multi-primary, then primary-remote), and tear everything down whatever happens. Honours
# EASTWEST_LAB_NETNS and EASTWEST_LAB_STATE (defaults: eastwest-e2e, <cache>/state-e2e), so it never
# touches a lab started with the defaults; lab:down at the end must leave no lab process behind.
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
  # One suite at a time, in order: they share the lab and build on each other's state.
  local suite
  for suite in "$@"; do
    EASTWEST_LAB_TOPOLOGY="$topology" bash lab/exec.sh -- env EASTWEST_LAB_TOPOLOGY="$topology" node scripts/run-tests.mjs --e2e "$suite"
  done
}

# On each fresh lab, remove goes first: it snapshots the lab before apply, checks that apply → remove
# returns to it, and ends with the lab as fresh as it found it. The wizard then sets the multi-primary
# lab up; the apply suite finds it set up and re-runs.
# The dry-run suites bracket each lab: a fresh lab first (it must stay fresh), a set-up lab last.
run multi-primary test/e2e/dry-run-fresh test/e2e/remove test/e2e/wizard test/e2e/multi-network test/e2e/dry-run-setup
# A mesh set up by hand before eastwest ran: apply uses it, remove leaves it.
run multi-primary test/e2e/adopted
run primary-remote test/e2e/dry-run-fresh test/e2e/remove test/e2e/primary-remote.test test/e2e/dry-run-setup
# Primary-remote across networks: the remote's own gateway, injected by east's istiod through east's gateway.
run primary-remote test/e2e/primary-remote-multi-network.test
# From no Istio at all: the control-plane step installs both istiods (a shared root first), then the mesh is wired.
run bare test/e2e/from-zero.test
# The last lab:down is not forgiven: it fails when any lab process (istiod included) is left behind.
trap - EXIT
bash lab/down.sh

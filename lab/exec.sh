#!/usr/bin/env bash
# Runs a command inside the lab's network namespace, with KUBECONFIG set to the
# lab's kubeconfig (contexts east and west) and the lab's binaries (kubectl,
# istioctl, ..., helm) first on PATH; EASTWEST_LAB_CHARTS names Istio's charts
# (eastwest --charts "$EASTWEST_LAB_CHARTS"), and Helm keeps its files in the
# lab's state.
#   lab/exec.sh -- kubectl --context west get pods -A
#   lab/exec.sh istioctl version --remote=false
#   lab/exec.sh            (no command: an interactive shell)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ "${1:-}" != "--" ]] || shift
case "${1:-}" in -h|--help) sed -n '2,10p' "$0"; exit 0 ;; esac
lab_require_root
lab_netns_exists || die "the lab is not up (netns $LAB_NETNS missing): run lab/up.sh first"
[[ -f "$LAB_KUBECONFIG" ]] || die "no lab kubeconfig at $LAB_KUBECONFIG: run lab/up.sh first"
(($#)) || set -- "${SHELL:-bash}"

exec ip netns exec "$LAB_NETNS" env \
  KUBECONFIG="$LAB_KUBECONFIG" \
  PATH="$LAB_BIN:$LAB_HELM_BIN:$PATH" \
  HELM_CONFIG_HOME="$LAB_STATE/helm/config" \
  HELM_CACHE_HOME="$LAB_STATE/helm/cache" \
  HELM_DATA_HOME="$LAB_STATE/helm/data" \
  EASTWEST_LAB_CHARTS="$LAB_CHARTS" \
  EASTWEST_LAB=1 \
  EASTWEST_LAB_NETNS="$LAB_NETNS" \
  EASTWEST_LAB_STATE="$LAB_STATE" \
  EASTWEST_LAB_BIN="$LAB_BIN" \
  "$@"

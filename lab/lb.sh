#!/usr/bin/env bash
# Flips the lab's LoadBalancer controller at run time.
#   lab/lb.sh pending [CLUSTER]   new LoadBalancer Services stay without an address
#   lab/lb.sh assign [CLUSTER]    they get a 127.0.x.y address after ~1s (default)
#   lab/lb.sh status              prints the mode of each cluster
# Without CLUSTER the mode applies to both clusters (and clears per-cluster
# overrides). Addresses already assigned are left as they are.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

action="${1:-status}"
cluster="${2:-}"
mkdir -p "$LAB_STATE"
case "$action" in
  pending|assign)
    if [[ -n "$cluster" ]]; then
      lab_lb_prefix "$cluster" >/dev/null && [[ -n "$(lab_lb_prefix "$cluster")" ]] || die "unknown cluster: $cluster"
      echo "$action" >"$LAB_STATE/lb-mode.$cluster"
    else
      echo "$action" >"$LAB_STATE/lb-mode"
      rm -f "$LAB_STATE"/lb-mode.*
    fi
    ;;
  status) ;;
  -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
  *) die "usage: lab/lb.sh pending|assign [CLUSTER] | status" ;;
esac
for c in "${LAB_CLUSTERS[@]}"; do
  echo "$c: $(cat "$LAB_STATE/lb-mode.$c" 2>/dev/null || cat "$LAB_STATE/lb-mode" 2>/dev/null || echo assign)"
done

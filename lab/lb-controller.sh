#!/usr/bin/env bash
# The lab's LoadBalancer controller for one cluster (run by lab/up.sh inside
# the lab's network namespace). Every Service of type LoadBalancer without a
# spec.loadBalancerClass gets status.loadBalancer.ingress[0].ip from
# 127.0.<10|20>.1-254 (east|west; east 192.0.2.1-254 outside the
# multi-primary lab, see lab_lb_prefix in lab/lib.sh), distinct per Service, about
# EASTWEST_LAB_LB_DELAY seconds (default 1) after the controller first sees it.
#
# Mode, re-read on every pass: $LAB_STATE/lb-mode.<cluster> if present, else
# $LAB_STATE/lb-mode; "assign" (default) or "pending" (leave new Services
# without an address). lab/lb.sh writes these files.
#
# usage: lab/lb-controller.sh CLUSTER
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CLUSTER="${1:?usage: lb-controller.sh CLUSTER}"
PREFIX="$(lab_lb_prefix "$CLUSTER")"
[[ -n "$PREFIX" ]] || die "unknown cluster $CLUSTER"
DELAY_MS="$(awk -v d="${EASTWEST_LAB_LB_DELAY:-1}" 'BEGIN{printf "%d", d*1000}')"
POLL="${EASTWEST_LAB_LB_POLL:-1}"

kc() { "$LAB_BIN/kubectl" --kubeconfig "$LAB_KUBECONFIG" --context "$CLUSTER" --request-timeout=10s "$@"; }
now_ms() { local t="${EPOCHREALTIME/./}"; echo $((t / 1000)); }
mode() {
  local m
  m="$(cat "$LAB_STATE/lb-mode.$CLUSTER" 2>/dev/null || cat "$LAB_STATE/lb-mode" 2>/dev/null || echo assign)"
  [[ "$m" == pending ]] && echo pending || echo assign
}
say() { printf '%s lb-controller[%s] %s\n' "$(date -u +%H:%M:%S)" "$CLUSTER" "$*"; }

declare -A FIRST_SEEN=()
LAST_MODE=""
say "started: addresses ${PREFIX}.1-254, delay ${DELAY_MS}ms"
# Each line: namespace|name|uid|loadBalancerClass|ingress IPs (space separated)
TEMPLATE='{range .items[?(@.spec.type=="LoadBalancer")]}{.metadata.namespace}{"|"}{.metadata.name}{"|"}{.metadata.uid}{"|"}{.spec.loadBalancerClass}{"|"}{.status.loadBalancer.ingress[*].ip}{"\n"}{end}'

while true; do
  m="$(mode)"
  [[ "$m" == "$LAST_MODE" ]] || { say "mode: $m"; LAST_MODE="$m"; }
  if ! out="$(kc get services --all-namespaces -o "jsonpath=$TEMPLATE" 2>&1)"; then
    say "list failed: ${out//$'\n'/ }"
    sleep 2
    continue
  fi
  declare -A USED=()
  while IFS='|' read -r ns name uid class ips; do
    [[ -n "$uid" ]] || continue
    for ip in $ips; do USED[$ip]=1; done
  done <<<"$out"
  t="$(now_ms)"
  while IFS='|' read -r ns name uid class ips; do
    [[ -n "$uid" && -z "$ips" && -z "$class" ]] || continue
    [[ "$m" == assign ]] || continue
    [[ -n "${FIRST_SEEN[$uid]:-}" ]] || FIRST_SEEN[$uid]="$t"
    ((t - FIRST_SEEN[$uid] >= DELAY_MS)) || continue
    ip=""
    for ((i = 1; i <= 254; i++)); do
      [[ -n "${USED[$PREFIX.$i]:-}" ]] || { ip="$PREFIX.$i"; break; }
    done
    if [[ -z "$ip" ]]; then say "no free address for $ns/$name"; continue; fi
    patch="{\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"$ip\",\"ipMode\":\"VIP\"}]}}}"
    if res="$(kc patch service "$name" -n "$ns" --subresource=status --type=merge -p "$patch" 2>&1)"; then
      USED[$ip]=1
      unset "FIRST_SEEN[$uid]"
      say "assigned $ip to $ns/$name"
    else
      say "patch $ns/$name failed: ${res//$'\n'/ }"
    fi
  done <<<"$out"
  unset USED
  sleep "$POLL"
done

#!/usr/bin/env bash
# Stops the lab: every recorded process (and its process group), then anything
# still running in the lab's network namespace, then the namespace itself.
# Removes the clusters' data; keeps the logs (state dir logs/) and the build
# cache. Safe to run when nothing is up.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
case "${1:-}" in -h|--help) sed -n '2,5p' "$0"; exit 0 ;; esac
lab_require_root

# pid_ours PID: the process is one the lab started (its command line names the
# lab's bin dir or a lab script), so a recycled pid is never signalled.
pid_ours() {
  local cmd
  cmd="$( (tr '\0' ' ' <"/proc/$1/cmdline") 2>/dev/null)" || return 1
  [[ "$cmd" == *"$LAB_BIN/"* || "$cmd" == *"$LAB_DIR/"* ]]
}

pids=()
for f in "$LAB_STATE"/pids/*.pid; do
  [[ -e "$f" ]] || continue
  p="$(cat "$f" 2>/dev/null || true)"
  if [[ -n "$p" ]] && kill -0 "$p" 2>/dev/null && pid_ours "$p"; then pids+=("$p"); fi
done

# this script and its callers may themselves run inside the namespace
self=" "; p=$$
while [[ -n "$p" && "$p" != 0 ]]; do self+="$p "; p="$(awk '{print $4}' "/proc/$p/stat" 2>/dev/null || true)"; done
ns_pids() {
  lab_netns_exists || return 0
  local p
  for p in $(ip netns pids "$LAB_NETNS" 2>/dev/null || true); do
    [[ "$self" == *" $p "* ]] || echo "$p"
  done
}
alive() { local p; for p in "$@"; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }

if ((${#pids[@]})); then
  log "stopping ${#pids[@]} lab processes"
  for p in "${pids[@]}"; do kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null || true; done
  deadline=$((SECONDS + 20))
  while alive "${pids[@]}" && ((SECONDS < deadline)); do sleep 0.5; done
  for p in "${pids[@]}"; do
    if kill -0 "$p" 2>/dev/null; then
      log "process $p did not stop within 20s; killing it"
      kill -KILL -- "-$p" 2>/dev/null || kill -KILL "$p" 2>/dev/null || true
    fi
  done
fi

# Whatever else runs in the namespace was started through the lab (exec.sh,
# tests): stop it too, so nothing is left behind.
rest=($(ns_pids))
if ((${#rest[@]})); then
  log "stopping ${#rest[@]} other processes in netns $LAB_NETNS"
  kill -TERM "${rest[@]}" 2>/dev/null || true
  deadline=$((SECONDS + 10))
  while alive "${rest[@]}" && ((SECONDS < deadline)); do sleep 0.5; done
  rest=($(ns_pids))
  ((${#rest[@]} == 0)) || kill -KILL "${rest[@]}" 2>/dev/null || true
fi

if lab_netns_exists; then
  deadline=$((SECONDS + 10))
  until ip netns delete "$LAB_NETNS" 2>/dev/null; do
    ((SECONDS < deadline)) || die "could not delete netns $LAB_NETNS"
    sleep 0.5
  done
  log "netns $LAB_NETNS deleted"
fi

# Nothing the lab started may survive: a lab process (one pid_ours recognises)
# that still names this lab's state dir, or runs in the istiod working
# directories, is killed, and lab:down fails if one is still there.
leftovers() {
  local d p cmd cwd
  for d in /proc/[0-9]*; do
    p="${d#/proc/}"
    [[ "$self" != *" $p "* ]] || continue
    pid_ours "$p" || continue
    cmd="$(tr '\0' ' ' <"$d/cmdline" 2>/dev/null)" || continue
    cwd="$(readlink "$d/cwd" 2>/dev/null || true)"
    if [[ "$cmd" == *"$LAB_STATE/"* || "$cwd" == "$LAB_STATE/istiod"* ]]; then echo "$p"; fi
  done
  return 0
}
left=($(leftovers))
if ((${#left[@]})); then
  log "killing ${#left[@]} leftover lab processes: ${left[*]}"
  kill -KILL "${left[@]}" 2>/dev/null || true
  sleep 0.5
  left=($(leftovers))
  ((${#left[@]} == 0)) || die "lab processes still running after SIGKILL: ${left[*]}"
fi

# Cluster data (etcd, certificates) and run-time markers; logs stay.
for c in "${LAB_CLUSTERS[@]}"; do rm -rf "${LAB_STATE:?}/$c"; done
rm -rf "${LAB_STATE:?}/pids" "${LAB_STATE:?}/istio" "${LAB_STATE:?}/istiod"
rm -f "$LAB_KUBECONFIG" "$LAB_STATE/ready" "$LAB_STATE/topology" "$LAB_STATE/remote" "$LAB_STATE"/lb-mode "$LAB_STATE"/lb-mode.*
log "lab down"

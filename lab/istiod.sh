#!/usr/bin/env bash
# Runs one cluster's real istiod (pilot-discovery) as a plain process and plays
# the two kubelet duties that matter for it (started by lab/up.sh inside the
# lab's namespace; stopped by lab/down.sh):
#   - the `cacerts` secret in istio-system is kept copied into the process's
#     ./etc/cacerts (as a pod's optional secret volume: empty when the secret
#     is missing), so a plugged-in CA is there when istiod starts;
#   - when the istiod Deployment's pod template changes (`kubectl rollout
#     restart`, a new install), the process is stopped and started again, as
#     the new pod would be; it is also restarted when it exits.
# The process runs in <state>/istiod/<cluster>/ (its ./etc/cacerts,
# ./var/run/secrets/istio-dns) with <state>/istiod/<cluster>/kubeconfig
# (current context <cluster>), listens on the ports lab/lib.sh gives
# (lab_port <cluster> istiod-*), and logs to <state>/logs/<cluster>-istiod.log.
# Its environment is the Deployment's literal env (REVISION, CLUSTER_ID,
# EXTERNAL_ISTIOD, ...) plus POD_NAME/POD_NAMESPACE/SERVICE_ACCOUNT, with the
# webhook configuration names emptied (the lab's stand-in answers the webhooks).
#
# usage: lab/istiod.sh CLUSTER
# environment: EASTWEST_LAB_ISTIOD_POLL (s between passes, default 1),
#   EASTWEST_LAB_ISTIOD_GRACE (s between SIGTERM and SIGKILL, default 10)
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

C="${1:?usage: lab/istiod.sh CLUSTER}"
NS=istio-system
DEPLOY=istiod
DIR="$LAB_STATE/istiod/$C"
KCFG="$DIR/kubeconfig"
PLOG="$LAB_STATE/logs/$C-istiod.log"
POLL="${EASTWEST_LAB_ISTIOD_POLL:-1}"
GRACE="${EASTWEST_LAB_ISTIOD_GRACE:-10}"
mkdir -p "$DIR/etc/cacerts" "$DIR/var/run/secrets"

say() { printf '[istiod-kubelet %s %s] %s\n' "$C" "$(date +%H:%M:%S)" "$*"; }
kc() { "$LAB_BIN/kubectl" --kubeconfig "$KCFG" --request-timeout=5s -n "$NS" "$@"; }

CHILD="" TEMPLATE="" RESTARTS=0 NEXT_START=0 NAP=""

child_alive() { [[ -n "$CHILD" ]] && kill -0 "$CHILD" 2>/dev/null; }

# stop_child: SIGTERM, then SIGKILL after GRACE seconds (istiod's shutdown can
# hang for over a minute, e.g. with EXTERNAL_ISTIOD=true).
stop_child() {
  child_alive || { CHILD=""; return 0; }
  say "stopping istiod (pid $CHILD)"
  kill -TERM "$CHILD" 2>/dev/null
  local deadline=$((SECONDS + GRACE))
  while child_alive && ((SECONDS < deadline)); do sleep 0.2; done
  if child_alive; then
    say "istiod (pid $CHILD) still running ${GRACE}s after SIGTERM; killing it"
    kill -KILL "$CHILD" 2>/dev/null
  fi
  wait "$CHILD" 2>/dev/null
  CHILD=""
  rm -f "$DIR/pid"
}

on_term() {
  say "asked to stop"
  [[ -z "$NAP" ]] || kill "$NAP" 2>/dev/null
  stop_child
  exit 0
}
trap on_term TERM INT HUP

# template_hash: a digest of the Deployment's pod template (empty: no Deployment).
template_hash() {
  local t
  t="$(kc get deployment "$DEPLOY" -o jsonpath='{.spec.template}' 2>/dev/null)" || return 1
  [[ -n "$t" ]] || return 1
  printf '%s' "$t" | sha256sum | cut -c1-16
}

# sync_cacerts: ./etc/cacerts holds exactly the keys of secret cacerts (none
# when the secret does not exist), replaced as a whole when it changes.
sync_cacerts() {
  local out tmp k v
  if ! out="$(kc get secret cacerts -o go-template='{{range $k, $v := .data}}{{$k}} {{$v}}{{"\n"}}{{end}}' 2>&1)"; then
    [[ "$out" == *NotFound* || "$out" == *"not found"* ]] || return 0 # API hiccup: keep what is there
    out=""
  fi
  local sum
  sum="$(printf '%s' "$out" | sha256sum | cut -c1-16)"
  [[ "$sum" != "$(cat "$DIR/cacerts.sum" 2>/dev/null)" ]] || return 0
  tmp="$DIR/etc/cacerts.new"
  rm -rf "$tmp"; mkdir -p "$tmp"
  while read -r k v; do
    [[ -n "$k" && "$k" != */* ]] || continue
    printf '%s' "$v" | base64 -d >"$tmp/$k" 2>/dev/null || { rm -rf "$tmp"; return 0; }
  done <<<"$out"
  chmod 600 "$tmp"/* 2>/dev/null
  rm -rf "$DIR/etc/cacerts"; mv "$tmp" "$DIR/etc/cacerts"
  echo "$sum" >"$DIR/cacerts.sum"
  if [[ -n "$out" ]]; then say "secret cacerts copied to ./etc/cacerts ($(ls "$DIR/etc/cacerts" | tr '\n' ' '))"
  else say "no secret cacerts: ./etc/cacerts is empty (istiod signs with its own CA)"; fi
}

# deployment_env: NAME=VALUE lines of the Deployment's literal env.
deployment_env() {
  kc get deployment "$DEPLOY" -o go-template='{{range (index .spec.template.spec.containers 0).env}}{{if .value}}{{.name}}={{.value}}{{"\n"}}{{end}}{{end}}'
}

start_child() {
  local envs=() line name pod
  while IFS= read -r line; do
    name="${line%%=*}"
    case "$name" in
      ""|KUBECONFIG|GOMAXPROCS|GOMEMLIMIT|GODEBUG) continue ;;
    esac
    envs+=("$line")
  done < <(deployment_env)
  pod="$(kc get pods -l app=istiod --field-selector status.phase=Running \
    -o jsonpath='{range .items[*]}{.metadata.creationTimestamp} {.metadata.name}{"\n"}{end}' 2>/dev/null | sort | tail -n1 | cut -d' ' -f2)"
  envs+=(
    "POD_NAME=${pod:-istiod-lab-$C}" "POD_NAMESPACE=$NS" "SERVICE_ACCOUNT=istiod"
    "INJECTION_WEBHOOK_CONFIG_NAME=" "VALIDATION_WEBHOOK_CONFIG_NAME="
    "GOMAXPROCS=1"
  )
  local p=()
  p+=(--kubeconfig "$KCFG" --domain cluster.local --log_output_level default:info)
  p+=(--httpAddr "127.0.0.1:$(lab_port "$C" istiod-http)")
  p+=(--httpsAddr "127.0.0.1:$(lab_port "$C" istiod-https)")
  p+=(--grpcAddr "127.0.0.1:$(lab_port "$C" istiod-grpc)")
  p+=(--secureGRPCAddr "127.0.0.1:$(lab_port "$C" istiod-secure-grpc)")
  p+=(--monitoringAddr "127.0.0.1:$(lab_port "$C" istiod-monitoring)")
  p+=(--ctrlz_address 127.0.0.1 --ctrlz_port "$(lab_port "$C" istiod-ctrlz)")
  {
    echo "---- $(date -u +%Y-%m-%dT%H:%M:%SZ) start (pod template $TEMPLATE, pod ${pod:-?})"
    printf '     env: %s\n' "${envs[*]}"
  } >>"$PLOG"
  (cd "$DIR" && exec env -i PATH="$PATH" HOME="$DIR" "${envs[@]}" "$LAB_BIN/pilot-discovery" discovery "${p[@]}") >>"$PLOG" 2>&1 &
  CHILD=$!
  echo "$CHILD" >"$DIR/pid"
  say "istiod started (pid $CHILD, pod template $TEMPLATE, monitoring 127.0.0.1:$(lab_port "$C" istiod-monitoring))"
}

say "watching deployment $NS/$DEPLOY in $C (working directory $DIR)"
while true; do
  if hash="$(template_hash)"; then
    sync_cacerts
    if ! child_alive; then
      if [[ -n "$CHILD" ]]; then
        wait "$CHILD" 2>/dev/null; rc=$?
        RESTARTS=$((RESTARTS + 1))
        # back off like a kubelet: 2, 4, 8 ... up to 30 s
        delay=$((2 ** (RESTARTS < 5 ? RESTARTS : 5))); ((delay <= 30)) || delay=30
        say "istiod exited (status $rc); restart $RESTARTS in ${delay}s (see $PLOG)"
        CHILD="" NEXT_START=$((SECONDS + delay))
      fi
      if ((SECONDS >= NEXT_START)); then TEMPLATE="$hash"; start_child; fi
    elif [[ "$hash" != "$TEMPLATE" ]]; then
      say "pod template changed ($TEMPLATE -> $hash): restarting istiod"
      stop_child
      RESTARTS=0 TEMPLATE="$hash"
      sync_cacerts
      start_child
    fi
  elif child_alive; then
    say "deployment $NS/$DEPLOY is gone: stopping istiod"
    stop_child
  fi
  sleep "$POLL" &
  NAP=$!
  wait "$NAP" 2>/dev/null
  NAP=""
done

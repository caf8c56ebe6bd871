#!/usr/bin/env bash
# Runs one cluster's real istiod (pilot-discovery) as a plain process and plays
# the kubelet duties that matter for it (started by lab/up.sh on every cluster,
# whatever the topology, inside the lab's namespace; stopped by lab/down.sh):
#   - it follows the control plane's Deployment in istio-system: `istiod`, or
#     `istiod-<revision>` (label app=istiod); when there are several, `istiod`,
#     else the oldest (the lab runs one istiod process per cluster). The process
#     starts when such a Deployment appears (also long after lab:up: an install
#     by eastwest on a bare cluster) and stops when it is deleted;
#   - the `cacerts` secret in istio-system is kept copied into the process's
#     ./etc/cacerts (as a pod's optional secret volume: empty when the secret
#     is missing), so a plugged-in CA is there when istiod starts;
#   - when the istiod Deployment's pod template changes (`kubectl rollout
#     restart`, a new install), the process is stopped and started again, as
#     the new pod would be; it is also restarted when it exits;
#   - while the cluster has an istiod Deployment, Istio's webhook
#     configurations that an install creates (or resets) are pointed at the
#     lab's stand-in, as lab/up.sh does after its own installs
#     (lab_retarget_webhooks in lab/lib.sh). A cluster without one (a remote,
#     whose webhooks name the primary's istiod) keeps them as installed.
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
DEPLOY="" # the Deployment followed (empty: none)
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

# follow: picks the istiod Deployment to follow (istiod, else the oldest
# istiod-<revision> with label app=istiod) into FOUND_NAME, and FOUND_HASH a
# digest of its name and pod template; status 1 when there is none, 2 when
# the API server did not answer (the pass is skipped, nothing is stopped).
IGNORED="" FOUND_NAME="" FOUND_HASH=""
follow() {
  local out line name ts tmpl best="" best_ts="" best_tmpl="" others=()
  out="$(kc get deployments -l app=istiod \
    -o jsonpath='{range .items[*]}{.metadata.name}{"\t"}{.metadata.creationTimestamp}{"\t"}{.spec.template}{"\n"}{end}' 2>/dev/null)" || return 2
  while IFS=$'\t' read -r name ts tmpl; do
    [[ "$name" == istiod || "$name" == istiod-* ]] || continue
    if [[ -z "$best" || "$name" == istiod || ("$best" != istiod && "$ts" < "$best_ts") ]]; then
      [[ -z "$best" ]] || others+=("$best")
      best="$name" best_ts="$ts" best_tmpl="$tmpl"
    else
      others+=("$name")
    fi
  done <<<"$out"
  if ((${#others[@]})) && [[ "${others[*]}" != "$IGNORED" ]]; then
    say "also found ${others[*]}: no process for it (the lab runs one istiod per cluster; following $best)"
  fi
  IGNORED="${others[*]}"
  [[ -n "$best" ]] || return 1
  FOUND_NAME="$best"
  FOUND_HASH="$(printf '%s\n%s' "$best" "$best_tmpl" | sha256sum | cut -c1-16)"
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

# pod_selector: the Deployment's spec.selector.matchLabels as a label selector.
pod_selector() {
  local sel
  sel="$(kc get deployment "$DEPLOY" -o go-template='{{range $k, $v := .spec.selector.matchLabels}}{{$k}}={{$v}},{{end}}' 2>/dev/null)"
  echo "${sel%,}"
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
  pod="$(kc get pods -l "$(pod_selector)" --field-selector status.phase=Running \
    -o jsonpath='{range .items[*]}{.metadata.creationTimestamp} {.metadata.name}{"\n"}{end}' 2>/dev/null | sort | tail -n1 | cut -d' ' -f2)"
  envs+=(
    "POD_NAME=${pod:-$DEPLOY-lab-$C}" "POD_NAMESPACE=$NS" "SERVICE_ACCOUNT=istiod"
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
  echo "$DEPLOY" >"$DIR/deployment"
  say "istiod started for deployment $NS/$DEPLOY (pid $CHILD, pod template $TEMPLATE, monitoring 127.0.0.1:$(lab_port "$C" istiod-monitoring))"
}

say "watching for an istiod Deployment (istiod, istiod-<revision>) in $NS of $C (working directory $DIR)"
while true; do
  follow; found=$?
  if ((found == 2)); then
    : # API hiccup: keep things as they are until the next pass
  elif ((found == 0)); then
    name="$FOUND_NAME" hash="$FOUND_HASH"
    lab_retarget_webhooks "$C" "$LAB_BIN/kubectl" --kubeconfig "$KCFG" --request-timeout=5s
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
      if [[ "$hash" != "$TEMPLATE" ]]; then # a new pod: no back-off
        [[ -z "$DEPLOY" || "$name" == "$DEPLOY" ]] || say "now following deployment $NS/$name (was $DEPLOY)"
        RESTARTS=0 NEXT_START=0
      fi
      if ((SECONDS >= NEXT_START)); then DEPLOY="$name" TEMPLATE="$hash"; start_child; fi
    elif [[ "$hash" != "$TEMPLATE" ]]; then
      if [[ "$name" != "$DEPLOY" ]]; then say "deployment $NS/$DEPLOY is gone or superseded by $NS/$name: restarting istiod"
      else say "pod template of $NS/$name changed ($TEMPLATE -> $hash): restarting istiod"; fi
      stop_child
      RESTARTS=0 DEPLOY="$name" TEMPLATE="$hash"
      sync_cacerts
      start_child
    fi
  elif child_alive; then
    say "deployment $NS/$DEPLOY is gone: stopping istiod"
    stop_child
    rm -f "$DIR/deployment"
    DEPLOY="" TEMPLATE="" RESTARTS=0 NEXT_START=0
  elif [[ -n "$CHILD" || -n "$DEPLOY" ]]; then
    # the process had exited and the Deployment is gone too: nothing to restart
    [[ -z "$CHILD" ]] || wait "$CHILD" 2>/dev/null
    say "deployment $NS/$DEPLOY is gone"
    rm -f "$DIR/pid" "$DIR/deployment"
    CHILD="" DEPLOY="" TEMPLATE="" RESTARTS=0 NEXT_START=0
  fi
  sleep "$POLL" &
  NAP=$!
  wait "$NAP" 2>/dev/null
  NAP=""
done

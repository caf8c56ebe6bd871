#!/usr/bin/env bash
# The lab's own smoke test, against a running lab (lab/up.sh):
#   - both contexts answer /version with the real Kubernetes version
#   - the kwok fake nodes are Ready
#   - istiod is rolled out (both clusters, or east only for primary-remote),
#     with the lab's multicluster values, or Istio's single-cluster defaults
#     (single-cluster: CLUSTER_ID Kubernetes, no mesh ID, no network label)
#   - bare: no Istio at all; then the real istioctl installs a multicluster-ready
#     control plane (IstioOperator eastwest-control-plane, mesh1, east|west,
#     net-east|net-west) in both clusters, lab/istiod.sh starts a real istiod
#     for it, the remote secrets (istioctl create-remote-secret) both ways show
#     the peers synced, and everything below runs against it; at the end
#     `istioctl uninstall --purge` and deleting istio-system leave the clusters
#     bare again, with the istiod processes stopped
#   - istioctl reports its real version
#   - each control plane's istiod is a real pilot-discovery process: ready,
#     writing istio-ca-root-cert, reachable through the API server's
#     port-forward (kubectl, istioctl remote-clusters), restarted by
#     `kubectl rollout restart`, leaving the webhooks on the stand-in
#   - the LoadBalancer controller leaves Services pending when switched to
#     pending, and assigns an address of the cluster's range when switched back
#   - `istioctl install -y -f <east-west gateway IstioOperator>` succeeds in
#     each cluster, the gateway Deployment rolls out and its LoadBalancer
#     Service gets an address of the cluster's range (127.0.10|20.x, east's
#     192.0.2.x outside multi-primary); then the gateway is deleted again (by its
#     owner label), leaving the control plane in place.
# Prints PASS/FAIL lines and "N passed, M failed"; exits non-zero on failure.
#
# usage: lab/smoke.sh [--full [lab/up.sh options, e.g. --topology bare]]
#   --full: lab/up.sh first (with the options that follow) and lab/down.sh after
set -uo pipefail
LAB_SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$LAB_SCRIPT_DIR/lib.sh"

if [[ "${1:-}" == --full ]]; then
  shift
  bash "$LAB_DIR/up.sh" "$@" || { bash "$LAB_DIR/down.sh"; exit 1; }
  bash "$LAB_DIR/smoke.sh"; rc=$?
  bash "$LAB_DIR/down.sh" || rc=1
  exit $rc
fi
case "${1:-}" in -h|--help) sed -n '2,26p' "$0"; exit 0 ;; esac

# Run inside the lab's namespace (re-exec through exec.sh when outside).
if [[ "$(ip netns identify $$ 2>/dev/null)" != "$LAB_NETNS" ]]; then
  lab_is_up || die "the lab is not up: run lab/up.sh first (or lab/smoke.sh --full)"
  exec bash "$LAB_DIR/exec.sh" bash "$LAB_DIR/smoke.sh" "$@"
fi

TOPOLOGY="$(cat "$LAB_STATE/topology")"
PASSED=0 FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "PASS $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $*"; }
check() { # check DESCRIPTION COMMAND...
  local what="$1"; shift
  local out
  if out="$("$@" 2>&1)"; then pass "$what"; else fail "$what"; printf '  | %s\n' "${out//$'\n'/$'\n'  | }" | tail -n 15; fi
}
kc() { kubectl --request-timeout=20s "$@"; }
WORK="$(mktemp -d)"
# The smoke test flips the LB controller; put the lab's modes back afterwards.
mkdir -p "$WORK/lb"; cp "$LAB_STATE"/lb-mode* "$WORK/lb/" 2>/dev/null || true
restore_lb() { rm -f "$LAB_STATE"/lb-mode*; cp "$WORK/lb/"lb-mode* "$LAB_STATE/" 2>/dev/null || true; }
trap 'restore_lb; rm -rf "$WORK"' EXIT

echo "smoke: topology $TOPOLOGY, kubeconfig $KUBECONFIG, netns $(ip netns identify $$)"

# --- network namespace --------------------------------------------------------
only_loopback() {
  local links; links="$(ip -o link show | awk -F': ' '{print $2}' | tr '\n' ' ')"
  [[ "$links" == "lo " ]] || { echo "links: $links"; return 1; }
}
# `ip route get` asks the kernel for a route without sending anything.
no_route_off_host() {
  local a
  for a in 10.96.0.1 10.244.0.5 192.168.1.1 8.8.8.8; do
    if ip route get "$a" >/dev/null 2>&1; then echo "route to $a exists"; return 1; fi
  done
}
listeners_on_loopback() {
  # primary-remote: east's gateway passthrough listens on the namespace's own TEST-NET addresses (lo).
  local bad; bad="$(ss -Hltn | awk '{print $4}' | grep -v '^127\.' | grep -v '^192\.0\.2\.' || true)"
  [[ -z "$bad" ]] || { echo "non-loopback listeners: $bad"; return 1; }
}
check "netns $(ip netns identify $$): only the lo interface" only_loopback
check "netns: no route to any non-loopback address" no_route_off_host
if command -v ss >/dev/null; then check "netns: every listener bound to 127.x" listeners_on_loopback; fi

# --- Kubernetes ------------------------------------------------------------
version_is() { # version_is CONTEXT
  local v
  v="$(kc --context "$1" get --raw /version)" || return 1
  echo "$v" | grep -q "\"gitVersion\": *\"$LAB_K8S_VERSION\"" || { echo "$v"; return 1; }
}
nodes_ready() { kc --context "$1" wait --for=condition=Ready node --all --timeout=60s; }
no_blocking_taints() {
  local t
  t="$(kc --context "$1" get nodes -o jsonpath='{range .items[*]}{.spec.taints[*].effect}{"\n"}{end}')" || return 1
  ! grep -q NoSchedule <<<"$t" || { echo "taints: $t"; return 1; }
}
for c in "${LAB_CLUSTERS[@]}"; do
  check "$c: /version answers gitVersion $LAB_K8S_VERSION" version_is "$c"
  check "$c: kwok fake nodes Ready" nodes_ready "$c"
  check "$c: nodes carry no NoSchedule taint" no_blocking_taints "$c"
done

# --- Istio control plane -----------------------------------------------------
istioctl_version() {
  local v
  v="$(istioctl version --remote=false 2>&1)" || { echo "$v"; return 1; }
  grep -qx "client version: $LAB_ISTIO_VERSION" <<<"$v" || grep -qx "$LAB_ISTIO_VERSION" <<<"$v" || { echo "$v"; return 1; }
}
check "istioctl version --remote=false reports $LAB_ISTIO_VERSION" istioctl_version

istiod_env_is() { # istiod_env_is CONTEXT NAME VALUE
  local v
  v="$(kc --context "$1" -n istio-system get deploy istiod \
    -o jsonpath="{.spec.template.spec.containers[0].env[?(@.name==\"$2\")].value}")" || return 1
  [[ "$v" == "$3" ]] || { echo "$2=$v, want $3"; return 1; }
}
webhooks_on_stand_in() { # every Istio webhook points at the lab's stand-in on 127.0.0.1
  local urls bad
  urls="$(kc --context "$1" get mutatingwebhookconfigurations,validatingwebhookconfigurations \
    -o jsonpath='{range .items[*]}{.metadata.name}{range .webhooks[*]}{" "}{.clientConfig.url}{.clientConfig.service.name}{end}{"\n"}{end}')" || return 1
  urls="$(grep -i istio <<<"$urls")"
  [[ -n "$urls" ]] || { echo "no Istio webhook configurations"; return 1; }
  bad="$(awk -v p="https://127.0.0.1:$(lab_port "$1" webhook)/" '{for (i = 2; i <= NF; i++) if (index($i, p) != 1) print $1 ": " $i}' <<<"$urls")"
  [[ -z "$bad" ]] || { echo "$bad"; return 1; }
}
# cluster_id CLUSTER: the cluster ID its istiod runs with.
cluster_id() { if [[ "$TOPOLOGY" == single-cluster ]]; then echo Kubernetes; else echo "$1"; fi; }
istiod_pid() { cat "$LAB_STATE/istiod/$1/pid" 2>/dev/null; }
istiod_running() { local p; p="$(istiod_pid "$1")" && kill -0 "$p" 2>/dev/null; }
no_istio() { # no_istio CONTEXT: no istio-system, no Istio CRD, no Istio webhook, no istiod process
  local out
  if kc --context "$1" get ns istio-system >/dev/null 2>&1; then echo "namespace istio-system exists"; return 1; fi
  out="$(kc --context "$1" get crd -o name | grep 'istio\.io' || true)"
  [[ -z "$out" ]] || { echo "Istio CRDs: $out"; return 1; }
  out="$(kc --context "$1" get mutatingwebhookconfigurations,validatingwebhookconfigurations -o name | grep -i istio || true)"
  [[ -z "$out" ]] || { echo "Istio webhooks: $out"; return 1; }
  ! istiod_running "$1" || { echo "an istiod process runs (pid $(istiod_pid "$1"))"; return 1; }
}
istiod_started_within() { # istiod_started_within CLUSTER SECONDS: lab/istiod.sh runs a process for the Deployment
  local deadline=$((SECONDS + $2))
  until istiod_running "$1"; do
    ((SECONDS < deadline)) || { echo "no istiod process $2s after the install"; tail -n 5 "$LAB_STATE/logs/$1-istiod-kubelet.log"; return 1; }
    sleep 1
  done
}
istiod_stopped_within() { # istiod_stopped_within CLUSTER SECONDS
  local deadline=$((SECONDS + $2))
  while istiod_running "$1"; do
    ((SECONDS < deadline)) || { echo "istiod (pid $(istiod_pid "$1")) still running $2s after its Deployment was deleted"; return 1; }
    sleep 1
  done
}
control_plane_iop() { # control_plane_iop CLUSTER: a multicluster-ready control plane, as the Istio docs install it
  cat <<EOF
apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
metadata:
  name: eastwest-control-plane
  namespace: istio-system
spec:
  profile: default
  values:
    global:
      meshID: mesh1
      multiCluster:
        clusterName: $1
      network: net-$1
EOF
}
install_done() { # install_done CLUSTER: the background istioctl install (waited for below) completed
  [[ "$(cat "$WORK/$1-install.rc")" == 0 ]] && grep -q 'Installation complete' "$WORK/$1-install.log" \
    || { echo "exit status $(cat "$WORK/$1-install.rc")"; tail -n 20 "$WORK/$1-install.log"; return 1; }
}
case "$TOPOLOGY" in
  multi-primary|single-cluster|ambient) PRIMARIES=(east west) ;;
  primary-remote) PRIMARIES=(east) ;;
  bare) PRIMARIES=() ;;
esac
if [[ "$TOPOLOGY" == bare ]]; then
  for c in "${LAB_CLUSTERS[@]}"; do
    check "$c: bare (no istio-system, no Istio CRDs or webhooks, no istiod process)" no_istio "$c"
    check "$c: lab/istiod.sh is running (waiting for an istiod Deployment)" lab_pid_alive "$LAB_STATE/pids/$c-istiod-kubelet.pid"
  done
  # A control plane installed after lab:up, as eastwest's control-plane step installs it.
  for c in "${LAB_CLUSTERS[@]}"; do
    control_plane_iop "$c" >"$WORK/$c-control-plane.yaml"
    timeout 300 istioctl install -y -f "$WORK/$c-control-plane.yaml" --context "$c" --readiness-timeout 3m >"$WORK/$c-install.log" 2>&1 &
    echo $! >"$WORK/$c-install.pid"
  done
  for c in "${LAB_CLUSTERS[@]}"; do
    wait "$(cat "$WORK/$c-install.pid")"; echo $? >"$WORK/$c-install.rc"
    check "$c: istioctl install -y -f <IstioOperator eastwest-control-plane: mesh1, $c, net-$c> after lab:up" install_done "$c"
    check "$c: lab/istiod.sh starts an istiod process for the new Deployment (deadline 60s)" istiod_started_within "$c" 60
  done
  PRIMARIES=(east west)
fi
for c in "${PRIMARIES[@]}"; do
  check "$c: istiod Deployment rolled out" kc --context "$c" -n istio-system rollout status deploy/istiod --timeout=120s
  check "$c: istiod CLUSTER_ID=$(cluster_id "$c")" istiod_env_is "$c" CLUSTER_ID "$(cluster_id "$c")"
  if [[ "$TOPOLOGY" == single-cluster ]]; then
    check "$c: namespace istio-system has no topology.istio.io/network label (single-cluster defaults)" \
      bash -c "[[ -z \"\$(kubectl --context $c get ns istio-system -o jsonpath='{.metadata.labels.topology\.istio\.io/network}')\" ]]"
    check "$c: mesh config sets no meshId (single-cluster defaults)" \
      bash -c "! kubectl --context $c -n istio-system get configmap istio -o jsonpath='{.data.mesh}' | grep -q 'meshId:'"
    check "$c: istio-ingressgateway rolled out (profile default)" \
      kc --context "$c" -n istio-system rollout status deploy/istio-ingressgateway --timeout=120s
  else
    check "$c: namespace istio-system labelled topology.istio.io/network=net-$c" \
      bash -c "[[ \"\$(kubectl --context $c get ns istio-system -o jsonpath='{.metadata.labels.topology\.istio\.io/network}')\" == net-$c ]]"
  fi
done
if [[ "$TOPOLOGY" == primary-remote ]]; then
  check "east: istiod EXTERNAL_ISTIOD=true" istiod_env_is east EXTERNAL_ISTIOD true
  check "west: no istiod Deployment (remote-to-be)" \
    bash -c "[[ -z \"\$(kubectl --context west get deploy -A -l app=istiod -o name)\" ]]"
  if [[ "$(cat "$LAB_STATE/remote" 2>/dev/null)" == bare ]]; then
    check "west: bare (no istio-system namespace)" bash -c "! kubectl --context west get ns istio-system"
  else
    check "west: Istio CRDs present (gateways.networking.istio.io)" \
      kc --context west get crd gateways.networking.istio.io
  fi
fi
# --- the real istiod (lab/istiod.sh) -------------------------------------------
istiod_process() { # the recorded pilot-discovery process runs in the lab's istiod directory
  local p; p="$(istiod_pid "$1")" || { echo "no pid file"; return 1; }
  [[ "$(readlink "/proc/$p/exe" 2>/dev/null)" == "$LAB_BIN/pilot-discovery" ]] || { echo "pid $p is not pilot-discovery"; return 1; }
  [[ "$(readlink "/proc/$p/cwd")" == "$LAB_STATE/istiod/$1" ]] || { echo "pid $p runs in $(readlink "/proc/$p/cwd")"; return 1; }
}
istiod_ready_within() { # istiod_ready_within CLUSTER SECONDS
  local deadline=$((SECONDS + $2))
  until lab_http_ok "$(lab_port "$1" istiod-http)" /ready; do
    ((SECONDS < deadline)) || { echo "no 200 from /ready after $2s"; return 1; }
    sleep 1
  done
}
root_cert_written() { # istiod writes istio-ca-root-cert into every namespace
  local deadline=$((SECONDS + 60))
  until kc --context "$1" -n default get configmap istio-ca-root-cert >/dev/null 2>&1; do
    ((SECONDS < deadline)) || { echo "no istio-ca-root-cert in default after 60s"; return 1; }
    sleep 1
  done
}
remote_clusters_answers() { # the real istioctl port-forwards to the pod; kwok forwards to the process
  local out; out="$(istioctl remote-clusters --context "$1" 2>&1)" || { echo "$out"; return 1; }
  grep -Eq "^$(cluster_id "$1")[[:space:]].*synced" <<<"$out" || { echo "$out"; return 1; }
}
peer_synced_within() { # peer_synced_within CONTEXT PEER SECONDS: istiod of CONTEXT lists PEER's remote secret synced
  local out deadline=$((SECONDS + $3))
  until out="$(istioctl remote-clusters --context "$1" 2>&1)" && grep -Eq "^$2[[:space:]]+istio-system/istio-remote-secret-$2[[:space:]]+synced" <<<"$out"; do
    ((SECONDS < deadline)) || { echo "$out"; return 1; }
    sleep 2
  done
  echo "$out" | sed 's/^/  /' >&3
}
clusterz_via_port_forward() { # kubectl port-forward to the pod's 15014 reaches /debug/clusterz
  local port=$((30000 + RANDOM % 20000)) pf out rc=1
  kc --context "$1" -n istio-system port-forward deploy/istiod "$port:15014" >"$WORK/pf-$1.log" 2>&1 &
  pf=$!
  for _ in $(seq 1 20); do
    if out="$(curl -fsS -m 5 "http://127.0.0.1:$port/debug/clusterz" 2>&1)"; then rc=0; break; fi
    sleep 0.5
  done
  kill "$pf" 2>/dev/null; wait "$pf" 2>/dev/null
  ((rc == 0)) || { echo "$out"; cat "$WORK/pf-$1.log"; return 1; }
  grep -q "\"id\": *\"$(cluster_id "$1")\"" <<<"$out" || { echo "$out"; return 1; }
}
restarts_on_rollout() { # kubectl rollout restart -> a new pilot-discovery process, ready again
  local before after deadline
  before="$(istiod_pid "$1")"
  kc --context "$1" -n istio-system rollout restart deploy/istiod >/dev/null || return 1
  deadline=$((SECONDS + 60))
  while after="$(istiod_pid "$1")"; [[ -z "$after" || "$after" == "$before" ]]; do
    ((SECONDS < deadline)) || { echo "still pid $before 60s after the rollout restart"; return 1; }
    sleep 1
  done
  istiod_ready_within "$1" 120
}
for c in "${PRIMARIES[@]}"; do
  check "$c: istiod is a real pilot-discovery process in $LAB_STATE/istiod/$c" istiod_process "$c"
  check "$c: istiod answers /ready (deadline 60s)" istiod_ready_within "$c" 60
  check "$c: istiod wrote ConfigMap istio-ca-root-cert in namespace default (deadline 60s)" root_cert_written "$c"
  check "$c: kubectl port-forward deploy/istiod 15014 reaches istiod's /debug/clusterz" clusterz_via_port_forward "$c"
  check "$c: istioctl remote-clusters --context $c lists $(cluster_id "$c") synced (through the API server's port-forward)" remote_clusters_answers "$c"
done
if [[ "$TOPOLOGY" == bare ]]; then
  check "remote secrets both ways (istioctl create-remote-secret --context west --name west | kubectl --context east apply -f -, and back)" \
    bash -c 'istioctl create-remote-secret --context west --name west 2>/dev/null | kubectl --context east apply -f - >/dev/null &&
      istioctl create-remote-secret --context east --name east 2>/dev/null | kubectl --context west apply -f - >/dev/null'
  check "east: istiod lists west synced (istioctl remote-clusters, deadline 60s)" peer_synced_within east west 60 3>&1
  check "west: istiod lists east synced (istioctl remote-clusters, deadline 60s)" peer_synced_within west east 60 3>&1
fi
check "${PRIMARIES[0]}: kubectl rollout restart deploy/istiod restarts the istiod process" restarts_on_rollout "${PRIMARIES[0]}"
for c in "${PRIMARIES[@]}"; do
  check "$c: Istio webhooks are served by the lab's stand-in on 127.0.0.1" webhooks_on_stand_in "$c"
done

# --- LoadBalancer controller switch -----------------------------------------
lb_ip() { kc --context "$1" -n "$2" get svc "$3" -o jsonpath='{.status.loadBalancer.ingress[0].ip}'; }
lb_in_range() { [[ "$(lb_ip "$@")" == "$(lab_lb_prefix "$1")".* ]]; }
wait_lb() { # wait_lb CONTEXT NS NAME TIMEOUT
  local deadline=$((SECONDS + $4))
  until lb_in_range "$1" "$2" "$3"; do
    ((SECONDS < deadline)) || { echo "no $(lab_lb_prefix "$1").x ingress address on $2/$3 in $1 after $4s"; return 1; }
    sleep 1
  done
}
stays_pending() { # stays_pending CONTEXT NS NAME SECONDS
  sleep "$4"
  local ip; ip="$(lb_ip "$1" "$2" "$3")"
  [[ -z "$ip" ]] || { echo "got $ip while pending"; return 1; }
}
lb_switch() {
  local c=east
  bash "$LAB_DIR/lb.sh" pending "$c" >/dev/null
  kc --context "$c" -n default create service loadbalancer lab-smoke-lb --tcp=80:8080 >/dev/null || return 1
  check "$c: LoadBalancer Service stays pending while lb mode is pending (4s)" stays_pending "$c" default lab-smoke-lb 4
  bash "$LAB_DIR/lb.sh" assign >/dev/null   # both clusters, for the rest of the test
  check "$c: LoadBalancer Service gets a $(lab_lb_prefix "$c").x address once switched to assign (deadline 15s)" wait_lb "$c" default lab-smoke-lb 15
  kc --context "$c" -n default delete service lab-smoke-lb --wait=false >/dev/null
}
lb_switch

# --- east-west gateway through the real istioctl ------------------------------
gateway_iop() { # gateway_iop NETWORK
  cat <<EOF
apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
metadata:
  name: eastwest
spec:
  revision: ""
  profile: empty
  components:
    ingressGateways:
      - name: istio-eastwestgateway
        label:
          istio: eastwestgateway
          app: istio-eastwestgateway
          topology.istio.io/network: $1
        enabled: true
        k8s:
          env:
            - name: ISTIO_META_REQUESTED_NETWORK_VIEW
              value: $1
          service:
            ports:
              - name: status-port
                port: 15021
                targetPort: 15021
              - name: tls
                port: 15443
                targetPort: 15443
              - name: tls-istiod
                port: 15012
                targetPort: 15012
              - name: tls-webhook
                port: 15017
                targetPort: 15017
  values:
    gateways:
      istio-ingressgateway:
        injectionTemplate: gateway
    global:
      network: $1
EOF
}
OWNER=install.operator.istio.io/owning-resource=eastwest
for c in "${LAB_CLUSTERS[@]}"; do
  gateway_iop "net-$c" >"$WORK/$c-gateway.yaml"
  check "$c: istioctl install -y -f <east-west gateway IstioOperator>" \
    istioctl install -y -f "$WORK/$c-gateway.yaml" --context "$c" --readiness-timeout 3m
  check "$c: gateway Deployment rolled out" \
    kc --context "$c" -n istio-system rollout status deploy/istio-eastwestgateway --timeout=120s
  check "$c: gateway Service is type LoadBalancer with label topology.istio.io/network=net-$c" \
    bash -c "[[ \"\$(kubectl --context $c -n istio-system get svc istio-eastwestgateway -o jsonpath='{.spec.type} {.metadata.labels.topology\.istio\.io/network}')\" == 'LoadBalancer net-$c' ]]"
  check "$c: gateway pods were admitted (not injected: image stays auto)" \
    bash -c "kubectl --context $c -n istio-system get pods -l app=istio-eastwestgateway -o jsonpath='{.items[*].spec.containers[*].image}' | grep -qx auto"
  if [[ " ${PRIMARIES[*]} " == *" $c "* ]]; then
    check "$c: Istio webhooks still served by the stand-in after the gateway install" webhooks_on_stand_in "$c"
  fi
  check "$c: gateway Service gets a $(lab_lb_prefix "$c").x LoadBalancer address (deadline 30s)" \
    wait_lb "$c" istio-system istio-eastwestgateway 30
  echo "  $c gateway address: $(lb_ip "$c" istio-system istio-eastwestgateway)"
done

# Clean the gateway away by its owner label; the control plane stays.
for c in "${LAB_CLUSTERS[@]}"; do
  check "$c: gateway objects deleted by label $OWNER" \
    kc --context "$c" -n istio-system delete deploy,svc,sa,role,rolebinding,hpa,pdb -l "$OWNER" --wait=true --timeout=60s
  check "$c: no gateway objects left" \
    bash -c "[[ -z \"\$(kubectl --context $c -n istio-system get deploy,svc,sa,role,rolebinding,hpa,pdb -l $OWNER -o name)\" ]]"
done
for c in "${PRIMARIES[@]}"; do
  check "$c: istiod still present after the gateway cleanup" kc --context "$c" -n istio-system get deploy istiod
done

# --- bare: back to bare ---------------------------------------------------------
if [[ "$TOPOLOGY" == bare ]]; then
  for c in "${LAB_CLUSTERS[@]}"; do
    check "$c: istioctl uninstall --purge -y" istioctl uninstall --purge -y --context "$c"
    check "$c: lab/istiod.sh stops the istiod process once its Deployment is gone (deadline 30s)" istiod_stopped_within "$c" 30
    check "$c: namespace istio-system deleted" kc --context "$c" delete ns istio-system --wait=true --timeout=120s
    check "$c: bare again" no_istio "$c"
  done
fi

echo
echo "smoke: $PASSED passed, $FAILED failed"
((FAILED == 0))

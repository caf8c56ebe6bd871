#!/usr/bin/env bash
# Starts the lab: two real Kubernetes control planes ("east" and "west") with
# kwok fake nodes, a LoadBalancer address controller, Istio's control plane
# installed by the real istioctl and a real istiod process per control plane
# (lab/istiod.sh), all inside the network namespace
# "eastwest-lab" (loopback only). Reuses a running lab.
#
# usage: lab/up.sh [--topology multi-primary|primary-remote|bare|single-cluster|ambient] [--lb assign|pending]
#                  [--installer istioctl|helm]
#   --topology multi-primary   (default) east and west both primaries
#                              (mesh mesh1, clusters east/west, networks net-east/net-west)
#   --topology primary-remote  east primary with externalIstiod=true; west gets only
#                              Istio's base component (CRDs), no istiod
#                              (EASTWEST_LAB_REMOTE_BASE=0: west left bare)
#   --topology bare            no Istio on either cluster (no istio-system, no CRDs)
#   --topology single-cluster  `istioctl install -y` (profile default, Istio's
#                              single-cluster defaults) on both clusters
#   Whatever the topology, an istiod Deployment installed later (istio-system,
#   istiod or istiod-<revision>) gets a real istiod process (lab/istiod.sh).
#   --topology ambient         east and west primaries as in multi-primary, with Istio's
#                              ambient profile (istiod AMBIENT_ENABLE_MULTI_NETWORK=true,
#                              ztunnel, istio-cni as kwok pods) and the Gateway API CRDs
#   --lb assign|pending        LoadBalancer Services get a 127.0.x.y address after
#                              ~1s (assign, default) or stay pending; flip at run time
#                              with lab/lb.sh
#   --installer istioctl|helm  who installs the control planes: istioctl (default) or
#                              helm (releases istio-base + istiod of the charts in the
#                              lab cache, same values), so istiod carries Helm's
#                              release annotations
# environment: EASTWEST_LAB_CACHE, EASTWEST_LAB_STATE, EASTWEST_LAB_NETNS,
#   EASTWEST_LAB_NODES (fake nodes per cluster, default 1), EASTWEST_LAB_LB_DELAY (s),
#   EASTWEST_LAB_KEEP_ON_FAILURE=1 (leave a half-started lab running to debug it)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TOPOLOGY="${EASTWEST_LAB_TOPOLOGY:-multi-primary}"
LB_MODE="${EASTWEST_LAB_LB:-}"
INSTALLER="${EASTWEST_LAB_INSTALLER:-istioctl}"
while (($#)); do
  arg="$1"; shift
  case "$arg" in
    --topology) TOPOLOGY="${1:?--topology needs a value}"; shift ;;
    --topology=*) TOPOLOGY="${arg#*=}" ;;
    --lb) LB_MODE="${1:?--lb needs a value}"; shift ;;
    --lb=*) LB_MODE="${arg#*=}" ;;
    --installer) INSTALLER="${1:?--installer needs a value}"; shift ;;
    --installer=*) INSTALLER="${arg#*=}" ;;
    -h|--help) sed -n '2,32p' "$0"; exit 0 ;;
    *) die "unknown argument: $arg (see --help)" ;;
  esac
done
[[ " ${LAB_TOPOLOGIES[*]} " == *" $TOPOLOGY "* ]] || die "unknown topology: $TOPOLOGY (one of: ${LAB_TOPOLOGIES[*]})"
case "$LB_MODE" in ""|assign|pending) ;; *) die "--lb must be assign or pending" ;; esac
case "$INSTALLER" in istioctl|helm) ;; *) die "--installer must be istioctl or helm" ;; esac
if [[ "$INSTALLER" == helm ]]; then
  [[ -x "$LAB_HELM_BIN/helm" && -f "$LAB_CHARTS/istiod/Chart.yaml" ]] || die "helm or Istio's charts are not built yet: run lab/build.sh --only helm"
fi
NODES="${EASTWEST_LAB_NODES:-1}"

lab_require_root
command -v openssl >/dev/null || die "openssl is required"
command -v ip >/dev/null || die "ip (iproute2) is required"
command -v node >/dev/null || die "node is required (the lab's webhook stand-in)"

T0=$SECONDS

# ---------------------------------------------------------------------------
# Reuse a running lab.
if lab_is_up; then
  running="$(cat "$LAB_STATE/topology")"
  [[ "$running" == "$TOPOLOGY" ]] || die "the lab is up with topology $running; run lab/down.sh first to switch to $TOPOLOGY"
  installed_by="$(cat "$LAB_STATE/installer" 2>/dev/null || echo istioctl)"
  [[ "$installed_by" == "$INSTALLER" ]] || die "the lab's control planes were installed with $installed_by; run lab/down.sh first to switch to --installer $INSTALLER"
  [[ -z "$LB_MODE" ]] || echo "$LB_MODE" >"$LAB_STATE/lb-mode"
  log "lab already up (topology $running, lb $(cat "$LAB_STATE/lb-mode")); reusing it"
  lab_print_summary
  exit 0
fi
if lab_netns_exists || [[ -d "$LAB_STATE/pids" ]]; then
  log "found a partial or stale lab; tearing it down first"
  bash "$LAB_DIR/down.sh"
fi

# ---------------------------------------------------------------------------
# Binaries (built outside the namespace: the build needs the module proxy).
bash "$LAB_DIR/build.sh"
for b in "${LAB_BINARIES[@]}"; do [[ -x "$LAB_BIN/$b" ]] || die "missing $LAB_BIN/$b"; done
KUBECTL="$LAB_BIN/kubectl"

# On failure: keep the logs, stop what was started (unless asked not to).
on_exit() {
  local rc=$?
  ((rc != 0)) || return 0
  log "lab:up failed (exit $rc); logs are in $LAB_STATE/logs"
  if [[ "${EASTWEST_LAB_KEEP_ON_FAILURE:-0}" == 1 ]]; then
    log "EASTWEST_LAB_KEEP_ON_FAILURE=1: leaving the partial lab running (lab/down.sh stops it)"
  else
    bash "$LAB_DIR/down.sh" || true
  fi
  exit "$rc"
}
trap on_exit EXIT

mkdir -p "$LAB_STATE" "$LAB_STATE/pids" "$LAB_STATE/logs"
rm -f "$LAB_STATE"/logs/*.log "$LAB_STATE/ready" "$LAB_STATE/topology" "$LAB_STATE/remote" "$LAB_STATE/installer"
# Read by lab_lb_prefix while the lab starts (topology is written once it is up).
mkdir -p "$LAB_STATE" && echo "$TOPOLOGY" >"$LAB_STATE/topology.pending"
echo "${LB_MODE:-assign}" >"$LAB_STATE/lb-mode"
rm -f "$LAB_STATE"/lb-mode.*

# ---------------------------------------------------------------------------
# Network namespace with loopback only.
ip netns add "$LAB_NETNS"
in_ns ip link set lo up
links="$(in_ns ip -o link show | awk -F': ' '{print $2}' | tr '\n' ' ')"
[[ "$links" == "lo " ]] || die "namespace $LAB_NETNS has links other than lo: $links"
log "netns $LAB_NETNS: loopback only"
# primary-remote: east's gateway addresses (TEST-NET-1, lab_lb_prefix) are the namespace's own, on lo,
# so the remote's calls to istiod through east's gateway end at lab/gateway-passthrough.mjs. They stay
# inside the namespace like 127.0.0.1: lo has no route off it, and nothing outside can dial them.
if [[ "$TOPOLOGY" == primary-remote ]]; then
  in_ns ip addr add 192.0.2.0/24 dev lo
  log "netns $LAB_NETNS: 192.0.2.0/24 (east's gateway addresses) on lo"
fi

# start_daemon NAME COMMAND...: runs COMMAND in the namespace in its own
# session/process group, logging to logs/NAME.log, pid in pids/NAME.pid.
start_daemon() {
  local name="$1"; shift
  setsid ip netns exec "$LAB_NETNS" "$@" >"$LAB_STATE/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$LAB_STATE/pids/$name.pid"
}
daemon_alive() { local p; p="$(cat "$LAB_STATE/pids/$1.pid" 2>/dev/null)" && kill -0 "$p" 2>/dev/null; }
port_open() { in_ns bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }
# wait_daemon NAME DESCRIPTION TIMEOUT CHECK...: like wait_for, but fails
# early (with the log tail) when the daemon has exited.
wait_daemon() {
  local name="$1" what="$2" timeout="$3"; shift 3
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if ! daemon_alive "$name"; then
      log "$name exited while waiting for: $what; last log lines:"
      tail -n 20 "$LAB_STATE/logs/$name.log" >&2
      return 1
    fi
    if ((SECONDS >= deadline)); then
      log "timed out after ${timeout}s waiting for: $what; last lines of logs/$name.log:"
      tail -n 20 "$LAB_STATE/logs/$name.log" >&2
      return 1
    fi
    sleep 1
  done
}

# ---------------------------------------------------------------------------
# PKI: one CA per cluster, an apiserver serving cert, client certs.
sign() { # sign DIR NAME SUBJECT EXTENSIONS
  local dir="$1" name="$2" subj="$3" ext="$4"
  openssl ecparam -name prime256v1 -genkey -noout -out "$dir/$name.key" 2>/dev/null
  openssl req -new -key "$dir/$name.key" -subj "$subj" -out "$dir/$name.csr" 2>/dev/null
  printf '%s\n' "$ext" >"$dir/$name.ext"
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
    -days 3650 -sha256 -extfile "$dir/$name.ext" -out "$dir/$name.crt" 2>/dev/null
  rm -f "$dir/$name.csr" "$dir/$name.ext"
}
make_pki() { # make_pki CLUSTER
  local c="$1" dir="$LAB_STATE/$1/pki"
  mkdir -p "$dir"
  openssl ecparam -name prime256v1 -genkey -noout -out "$dir/ca.key" 2>/dev/null
  openssl req -x509 -new -key "$dir/ca.key" -subj "/CN=eastwest-lab-$c-ca" -days 3650 -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
    -out "$dir/ca.crt" 2>/dev/null
  sign "$dir" apiserver "/CN=kube-apiserver" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:$(lab_service_ip "$c")"
  sign "$dir" webhook "/CN=istiod-webhook-stand-in" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1"
  local client="basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
  sign "$dir" admin "/O=system:masters/CN=eastwest-lab-admin" "$client"
  sign "$dir" controller-manager "/CN=system:kube-controller-manager" "$client"
  sign "$dir" scheduler "/CN=system:kube-scheduler" "$client"
  sign "$dir" kwok "/O=system:masters/CN=kwok-controller" "$client"
  # service-account token signing key
  openssl genrsa -out "$dir/sa.key" 2048 2>/dev/null
  openssl rsa -in "$dir/sa.key" -pubout -out "$dir/sa.pub" 2>/dev/null
  chmod 600 "$dir"/*.key
}

# kubeconfig_for FILE CLUSTER CONTEXT USER CERTNAME (embedded certs)
kubeconfig_for() {
  local file="$1" c="$2" ctx="$3" user="$4" cert="$5" pki="$LAB_STATE/$2/pki"
  "$KUBECTL" config set-cluster "$c" --kubeconfig "$file" --embed-certs=true \
    --server "https://127.0.0.1:$(lab_port "$c" apiserver)" --certificate-authority "$pki/ca.crt" >/dev/null
  "$KUBECTL" config set-credentials "$user" --kubeconfig "$file" --embed-certs=true \
    --client-certificate "$pki/$cert.crt" --client-key "$pki/$cert.key" >/dev/null
  "$KUBECTL" config set-context "$ctx" --kubeconfig "$file" --cluster "$c" --user "$user" >/dev/null
}

for c in "${LAB_CLUSTERS[@]}"; do
  rm -rf "${LAB_STATE:?}/$c"
  mkdir -p "$LAB_STATE/$c"
  make_pki "$c"
  for comp in controller-manager scheduler kwok; do
    kubeconfig_for "$LAB_STATE/$c/$comp.kubeconfig" "$c" "$c" "$comp" "$comp"
    "$KUBECTL" config use-context "$c" --kubeconfig "$LAB_STATE/$c/$comp.kubeconfig" >/dev/null
  done
done
rm -f "$LAB_KUBECONFIG"
for c in "${LAB_CLUSTERS[@]}"; do
  kubeconfig_for "$LAB_KUBECONFIG" "$c" "$c" "$c-admin" admin
done
"$KUBECTL" config use-context east --kubeconfig "$LAB_KUBECONFIG" >/dev/null
chmod 600 "$LAB_KUBECONFIG"
log "pki and kubeconfig ready ($LAB_KUBECONFIG)"

kc() { in_ns "$KUBECTL" --kubeconfig "$LAB_KUBECONFIG" --request-timeout=20s "$@"; }

# ---------------------------------------------------------------------------
# Control planes.
start_control_plane() {
  local c="$1" d="$LAB_STATE/$1" pki="$LAB_STATE/$1/pki"
  local ec ep
  ec="$(lab_port "$c" etcd-client)"; ep="$(lab_port "$c" etcd-peer)"
  # With no kube-proxy, a call to a Service's ClusterIP goes nowhere. In the primary-remote lab the
  # API servers dial a Service's endpoints instead (as kube-proxy would route the ClusterIP), so the
  # remote's injector webhook (Service istiod, endpoints: east's gateway address) reaches east's gateway.
  local aggregator_routing=()
  [[ "$TOPOLOGY" != primary-remote ]] || aggregator_routing=(--enable-aggregator-routing=true)
  mkdir -p "$d/etcd"
  start_daemon "$c-etcd" "$LAB_BIN/etcd" --name "$c" --data-dir "$d/etcd" \
    --listen-client-urls "http://127.0.0.1:$ec" --advertise-client-urls "http://127.0.0.1:$ec" \
    --listen-peer-urls "http://127.0.0.1:$ep" --initial-advertise-peer-urls "http://127.0.0.1:$ep" \
    --initial-cluster "$c=http://127.0.0.1:$ep" --initial-cluster-state new \
    --unsafe-no-fsync --log-level warn
  wait_daemon "$c-etcd" "$c etcd on 127.0.0.1:$ec" 60 port_open "$ec"

  # --endpoint-reconciler-type=none: with --advertise-address=127.0.0.1 the
  # default reconciler would write 127.0.0.1 into the "kubernetes" Endpoints,
  # which validation rejects (loopback endpoint addresses are forbidden).
  start_daemon "$c-apiserver" "$LAB_BIN/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$ec" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$(lab_port "$c" apiserver)" \
    --endpoint-reconciler-type none \
    --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
    --client-ca-file "$pki/ca.crt" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
    --service-cluster-ip-range "$(lab_service_cidr "$c")" \
    --authorization-mode Node,RBAC --allow-privileged=true \
    "${aggregator_routing[@]}" \
    --profiling=false --v=1
}

# kwok_port_forwards CLUSTER: a kwok ClusterPortForward that sends a
# port-forward to istiod's ports of any pod in istio-system to the real
# istiod's local listener (kwok matches pods by namespace and name only, and
# istiod's pod names change with every rollout).
kwok_port_forwards() {
  local c="$1" comp
  cat <<EOF
apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterPortForward
metadata:
  name: istiod
spec:
  selector:
    matchNamespaces: [istio-system]
  forwards:
EOF
  for comp in "${LAB_ISTIOD_COMPONENTS[@]}"; do
    cat <<EOF
  - ports: [$(lab_istiod_pod_port "$comp")]
    target: {address: 127.0.0.1, port: $(lab_port "$c" "$comp")}
EOF
  done
}

start_workers() {
  local c="$1" d="$LAB_STATE/$1" pki="$LAB_STATE/$1/pki"
  mkdir -p "$d/controller-manager" "$d/scheduler"
  start_daemon "$c-controller-manager" "$LAB_BIN/kube-controller-manager" \
    --kubeconfig "$d/controller-manager.kubeconfig" \
    --authentication-kubeconfig "$d/controller-manager.kubeconfig" \
    --authorization-kubeconfig "$d/controller-manager.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "$(lab_port "$c" kcm)" --cert-dir "$d/controller-manager" \
    --leader-elect=false --cluster-name "$c" \
    --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
    --cluster-signing-cert-file "$pki/ca.crt" --cluster-signing-key-file "$pki/ca.key" \
    --use-service-account-credentials=true \
    --service-cluster-ip-range "$(lab_service_cidr "$c")" --allocate-node-cidrs=false \
    --profiling=false --v=1
  start_daemon "$c-scheduler" "$LAB_BIN/kube-scheduler" \
    --kubeconfig "$d/scheduler.kubeconfig" \
    --authentication-kubeconfig "$d/scheduler.kubeconfig" \
    --authorization-kubeconfig "$d/scheduler.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "$(lab_port "$c" scheduler)" --cert-dir "$d/scheduler" \
    --leader-elect=false --profiling=false --v=1
  # kwok plays the kubelet of the nodes annotated kwok.x-k8s.io/node=fake.
  # Pod IPs come from a per-cluster private range that nothing routes to: the
  # namespace has no interface but lo, so a dial there fails at once.
  # kwok's server is also the nodes' kubelet endpoint (--node-port), so the API
  # server's pods/portforward reaches it; it forwards istiod's pod ports to the
  # real istiod (lab/istiod.sh) on every cluster, since a control plane may be
  # installed after lab:up (nothing listens there until it is).
  local configs="$LAB_HOME/kwok-stages.yaml"
  kwok_port_forwards "$c" >"$d/kwok-port-forward.yaml"
  configs+=",$d/kwok-port-forward.yaml"
  start_daemon "$c-kwok" "$LAB_BIN/kwok" \
    --kubeconfig "$d/kwok.kubeconfig" --config "$configs" \
    --manage-all-nodes=false --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
    --node-ip 127.0.0.1 --cidr "$(lab_pod_cidr "$c")" --node-lease-duration-seconds 40 \
    --server-address "127.0.0.1:$(lab_port "$c" kwok)" --node-port "$(lab_port "$c" kwok)"
  start_daemon "$c-lb-controller" bash "$LAB_DIR/lb-controller.sh" "$c"
  # Stand-in for istiod's webhooks: admits everything, mutates nothing.
  start_daemon "$c-webhook" node "$LAB_DIR/webhook-stub.mjs" "$(lab_port "$c" webhook)" \
    "$pki/webhook.crt" "$pki/webhook.key" "$c"
}

create_nodes() {
  local c="$1" i name
  for ((i = 1; i <= NODES; i++)); do
    name="$c-node-$i"
    kc --context "$c" apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Node
metadata:
  name: $name
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    kubernetes.io/arch: amd64
    kubernetes.io/os: linux
    kubernetes.io/hostname: $name
    node-role.kubernetes.io/agent: ""
    type: kwok
    topology.kubernetes.io/region: lab
    topology.kubernetes.io/zone: lab-$c
spec: {}
status:
  allocatable: {cpu: "32", memory: 128Gi, pods: "110", ephemeral-storage: 500Gi}
  capacity: {cpu: "32", memory: 128Gi, pods: "110", ephemeral-storage: 500Gi}
EOF
  done
}

for c in "${LAB_CLUSTERS[@]}"; do start_control_plane "$c"; done
for c in "${LAB_CLUSTERS[@]}"; do
  wait_daemon "$c-apiserver" "$c kube-apiserver /readyz" 120 kc --context "$c" get --raw /readyz
  log "$c: kube-apiserver ready on https://127.0.0.1:$(lab_port "$c" apiserver)"
done
for c in "${LAB_CLUSTERS[@]}"; do start_workers "$c"; done
for c in "${LAB_CLUSTERS[@]}"; do
  wait_for "$c default ServiceAccount (controller-manager up)" 90 kc --context "$c" get serviceaccount default -n default \
    || { tail -n 20 "$LAB_STATE/logs/$c-controller-manager.log" >&2; die "$c: controller-manager not working"; }
  create_nodes "$c"
done
for c in "${LAB_CLUSTERS[@]}"; do
  wait_for "$c fake nodes Ready (kwok)" 90 kc --context "$c" wait --for=condition=Ready node --all --timeout=5s \
    || { tail -n 20 "$LAB_STATE/logs/$c-kwok.log" >&2; die "$c: nodes not Ready"; }
  wait_daemon "$c-webhook" "$c webhook stand-in on 127.0.0.1:$(lab_port "$c" webhook)" 30 port_open "$(lab_port "$c" webhook)"
  for comp in controller-manager scheduler kwok lb-controller webhook; do
    daemon_alive "$c-$comp" || { tail -n 20 "$LAB_STATE/logs/$c-$comp.log" >&2; die "$c-$comp exited"; }
  done
  log "$c: $NODES fake node(s) Ready; controller-manager, scheduler, kwok, lb-controller, webhook stand-in running"
done

# ---------------------------------------------------------------------------
# Istio control plane, installed by the real istioctl.
mkdir -p "$LAB_STATE/istio"
control_plane_iop() { # control_plane_iop CLUSTER EXTERNAL_ISTIOD
  cat <<EOF
apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
metadata:
  name: control-plane
  namespace: istio-system
spec:
  profile: minimal
  values:
    global:
      meshID: mesh1
      multiCluster:
        clusterName: $1
      network: net-$1
EOF
  [[ "$2" != true ]] || echo "      externalIstiod: true"
}
# ambient_iop CLUSTER: Istio's ambient profile (istiod, istio-cni, ztunnel) for
# ambient multi-network, as Istio's "multi-primary on different networks"
# ambient install documents it.
ambient_iop() {
  cat <<EOF
apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
metadata:
  name: control-plane
  namespace: istio-system
spec:
  profile: ambient
  components:
    pilot:
      k8s:
        env:
        - name: AMBIENT_ENABLE_MULTI_NETWORK
          value: "true"
  values:
    global:
      meshID: mesh1
      multiCluster:
        clusterName: $1
      network: net-$1
    ztunnel:
      multiCluster:
        clusterName: $1
      network: net-$1
EOF
}
# Gateway API CRDs (standard channel, lab/build.sh's gateway-api step), applied
# before istiod starts so its gateway controllers find them at once.
install_gateway_api() { # install_gateway_api CLUSTER
  local c="$1" f="$LAB_GATEWAY_API_DIR/crds.yaml"
  [[ -s "$f" ]] || die "Gateway API CRDs missing ($f); run lab/build.sh --only gateway-api"
  kc --context "$c" apply --server-side --field-manager eastwest-lab -f "$f" >"$LAB_STATE/logs/$c-gateway-api.log" 2>&1 \
    || { tail -n 20 "$LAB_STATE/logs/$c-gateway-api.log" >&2; die "$c: Gateway API CRDs not applied"; }
  kc --context "$c" wait --for condition=Established crd/gateways.gateway.networking.k8s.io crd/gatewayclasses.gateway.networking.k8s.io --timeout=60s >/dev/null \
    || die "$c: Gateway API CRDs not Established within 60s"
  log "$c: Gateway API CRDs $(cat "$LAB_GATEWAY_API_DIR/version" 2>/dev/null) installed"
}
remote_base_iop() {
  cat <<EOF
apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
metadata:
  name: remote-base
  namespace: istio-system
spec:
  profile: empty
  components:
    base:
      enabled: true
EOF
}

istio_install() { # istio_install CLUSTER FILE (FILE empty: `istioctl install -y`, Istio's defaults)
  local c="$1" f="$2" logf="$LAB_STATE/logs/$1-istioctl-install.log" file=()
  [[ -z "$f" ]] || file=(-f "$f")
  log "$c: istioctl install -y ${file[*]} (log: $logf)"
  # istioctl waits up to 3m for its Deployments; 5m is the hard deadline.
  if ! in_ns timeout 300 env KUBECONFIG="$LAB_KUBECONFIG" "$LAB_BIN/istioctl" install -y "${file[@]}" --context "$c" \
    --readiness-timeout 3m >"$logf" 2>&1; then
    tail -n 30 "$logf" >&2
    die "$c: istioctl install failed"
  fi
  retarget_webhooks "$c"
}

# Istio's webhooks would be served by istiod's pod, whose address goes nowhere;
# the API server would fail every pod creation that the injector matches. Every
# Istio webhook configuration is pointed at the lab's stand-in
# (lab/webhook-stub.mjs, https://127.0.0.1:<port><same path>), which admits
# everything without mutating. istioctl derives the default revision tag
# webhooks from istio-sidecar-injector on every later install, so they follow
# it to the stand-in; configurations that a later install creates or resets are
# pointed there by lab/istiod.sh within a pass. See README.
retarget_webhooks() { lab_retarget_webhooks "$1" kc --context "$1"; }

# The same control planes installed with Helm: release istio-base (chart base)
# and release istiod (chart istiod) with the values of control_plane_iop.
helm_values() { # helm_values CLUSTER EXTERNAL_ISTIOD
  cat <<EOF
global:
  meshID: mesh1
  multiCluster:
    clusterName: $1
  network: net-$1
EOF
  [[ "$2" != true ]] || echo "  externalIstiod: true"
}
helm_release() { # helm_release CLUSTER RELEASE CHART [VALUES_FILE]
  local c="$1" rel="$2" chart="$3" values="${4:-}" logf="$LAB_STATE/logs/$1-helm-$2.log"
  log "$c: helm upgrade --install $rel $LAB_CHARTS/$chart (log: $logf)"
  if ! in_ns timeout 300 env KUBECONFIG="$LAB_KUBECONFIG" HELM_CONFIG_HOME="$LAB_STATE/helm/config" \
    HELM_CACHE_HOME="$LAB_STATE/helm/cache" HELM_DATA_HOME="$LAB_STATE/helm/data" \
    "$LAB_HELM_BIN/helm" upgrade --install "$rel" "$LAB_CHARTS/$chart" --namespace istio-system --create-namespace \
    --kube-context "$c" ${values:+--values "$values"} >"$logf" 2>&1; then
    tail -n 30 "$logf" >&2
    die "$c: helm install of $rel failed"
  fi
}
helm_control_plane() { # helm_control_plane CLUSTER EXTERNAL_ISTIOD
  helm_values "$1" "$2" >"$LAB_STATE/istio/$1-istiod-values.yaml"
  helm_release "$1" istio-base base
  helm_release "$1" istiod istiod "$LAB_STATE/istio/$1-istiod-values.yaml"
  retarget_webhooks "$1"
}

echo "$INSTALLER" >"$LAB_STATE/installer"
if [[ "$INSTALLER" == helm ]]; then
  case "$TOPOLOGY" in
    multi-primary)
      helm_control_plane east false &
      p1=$!
      helm_control_plane west false &
      p2=$!
      wait $p1 || die "east: Istio install (helm) failed"
      wait $p2 || die "west: Istio install (helm) failed"
      ;;
    primary-remote)
      helm_control_plane east true &
      p1=$!
      p2=""
      if [[ "${EASTWEST_LAB_REMOTE_BASE:-1}" != 0 ]]; then
        echo base >"$LAB_STATE/remote"
        ( helm_release west istio-base base && retarget_webhooks west ) &
        p2=$!
      else
        echo bare >"$LAB_STATE/remote"
        log "west: left bare (EASTWEST_LAB_REMOTE_BASE=0)"
      fi
      wait $p1 || die "east: Istio install (helm) failed"
      [[ -z "$p2" ]] || wait "$p2" || die "west: Istio base install (helm) failed"
      ;;
    *) die "--installer helm installs the multi-primary and primary-remote labs only" ;;
  esac
else
case "$TOPOLOGY" in
  multi-primary)
    for c in "${LAB_CLUSTERS[@]}"; do control_plane_iop "$c" false >"$LAB_STATE/istio/$c-control-plane.yaml"; done
    istio_install east "$LAB_STATE/istio/east-control-plane.yaml" &
    p1=$!
    istio_install west "$LAB_STATE/istio/west-control-plane.yaml" &
    p2=$!
    wait $p1 || die "east: Istio install failed"
    wait $p2 || die "west: Istio install failed"
    ;;
  ambient)
    for c in "${LAB_CLUSTERS[@]}"; do
      install_gateway_api "$c"
      ambient_iop "$c" >"$LAB_STATE/istio/$c-control-plane.yaml"
    done
    istio_install east "$LAB_STATE/istio/east-control-plane.yaml" &
    p1=$!
    istio_install west "$LAB_STATE/istio/west-control-plane.yaml" &
    p2=$!
    wait $p1 || die "east: Istio install failed"
    wait $p2 || die "west: Istio install failed"
    ;;
  primary-remote)
    control_plane_iop east true >"$LAB_STATE/istio/east-control-plane.yaml"
    istio_install east "$LAB_STATE/istio/east-control-plane.yaml" &
    p1=$!
    p2=""
    if [[ "${EASTWEST_LAB_REMOTE_BASE:-1}" != 0 ]]; then
      echo base >"$LAB_STATE/remote"
      remote_base_iop >"$LAB_STATE/istio/west-remote-base.yaml"
      istio_install west "$LAB_STATE/istio/west-remote-base.yaml" &
      p2=$!
    else
      echo bare >"$LAB_STATE/remote"
      log "west: left bare (EASTWEST_LAB_REMOTE_BASE=0)"
    fi
    wait $p1 || die "east: Istio install failed"
    [[ -z "$p2" ]] || wait "$p2" || die "west: Istio base install failed"
    ;;
  bare)
    log "bare: no Istio on either cluster (lab/istiod.sh starts an istiod for one installed later)"
    ;;
  single-cluster)
    # What a first-time user runs: no file, no values (profile default, which
    # adds the istio-ingressgateway; its Service gets a LoadBalancer address
    # like any other). CLUSTER_ID stays Kubernetes, no meshID, no network.
    # single-cluster.yaml is the IstioOperator file equivalent to that install
    # (`istioctl manifest generate` renders both the same), for tests that play
    # a user who keeps their own file; the install itself uses no file.
    printf '%s\n' 'apiVersion: install.istio.io/v1alpha1' 'kind: IstioOperator' 'spec:' '  profile: default' \
      >"$LAB_STATE/istio/single-cluster.yaml"
    istio_install east "" &
    p1=$!
    istio_install west "" &
    p2=$!
    wait $p1 || die "east: Istio install failed"
    wait $p2 || die "west: Istio install failed"
    ;;
esac
fi

# ---------------------------------------------------------------------------
# The real istiod of each cluster: a plain pilot-discovery process run by
# lab/istiod.sh (which plays the kubelet: cacerts, restarts, webhooks), on
# every cluster, so a control plane installed after lab:up gets one too.
istiod_ready() { # istiod_ready CLUSTER: /ready on istiod's http port answers 200
  in_ns bash -c 'source "$0"; lab_http_ok "$1" /ready' "$LAB_DIR/lib.sh" "$(lab_port "$1" istiod-http)"
}
for c in "${LAB_CLUSTERS[@]}"; do
  mkdir -p "$LAB_STATE/istiod/$c"
  "$KUBECTL" config view --kubeconfig "$LAB_KUBECONFIG" --context "$c" --minify --flatten >"$LAB_STATE/istiod/$c/kubeconfig"
  chmod 600 "$LAB_STATE/istiod/$c/kubeconfig"
  start_daemon "$c-istiod-kubelet" bash "$LAB_DIR/istiod.sh" "$c"
done
for c in $(lab_control_plane_clusters "$TOPOLOGY"); do
  wait_daemon "$c-istiod-kubelet" "$c istiod ready on 127.0.0.1:$(lab_port "$c" istiod-http)/ready (log: logs/$c-istiod.log)" 180 istiod_ready "$c" \
    || { tail -n 20 "$LAB_STATE/logs/$c-istiod.log" >&2; die "$c: istiod did not become ready"; }
  log "$c: istiod running (pilot-discovery, monitoring 127.0.0.1:$(lab_port "$c" istiod-monitoring), pod port 15014 via kwok)"
done
# primary-remote: east's gateway passing 15012/15017 through to east's istiod, for the remote (see README).
if [[ "$TOPOLOGY" == primary-remote ]]; then
  start_daemon east-gateway-passthrough node "$LAB_DIR/gateway-passthrough.mjs" "$LAB_BIN/kubectl" "$LAB_KUBECONFIG" east west \
    "$(lab_lb_prefix east)" "$(lab_port east istiod-secure-grpc)" "$(lab_port east istiod-https)"
  sleep 1
  daemon_alive east-gateway-passthrough || { tail -n 20 "$LAB_STATE/logs/east-gateway-passthrough.log" >&2; die "east: gateway passthrough did not start"; }
  log "east: gateway passthrough for istiod running (15012/15017 on $(lab_lb_prefix east).x once eastwest exposes istiod; log: logs/east-gateway-passthrough.log)"
fi

echo "$TOPOLOGY" >"$LAB_STATE/topology"
rm -f "$LAB_STATE/topology.pending"
date -u +%Y-%m-%dT%H:%M:%SZ >"$LAB_STATE/ready"
log "lab up in $((SECONDS - T0))s"
lab_print_summary

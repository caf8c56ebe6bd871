#!/usr/bin/env bash
# The documented manual multi-network procedure (multi-primary, multi-network: per cluster, in the docs'
# order: label istio-system with the network, the east-west gateway IstioOperator as gen-eastwest-gateway.sh
# renders it piped to `istioctl install -y -f -`, `kubectl wait` for the Deployment, wait for the
# LoadBalancer address, `kubectl apply` expose-services; then the remote secrets both ways), timed against `eastwest apply` of the same plan,
# each from fresh clusters (the gateway, its expose Gateway and the network label removed before each run).
#
# Runs inside the lab (its kubectl and istioctl first on PATH, KUBECONFIG set), after `npm run build`:
#   npm run lab:exec -- bash bench/lab-manual.sh                    # 3 rounds, east/west on net-east/net-west
#   npm run lab:exec -- bash bench/lab-manual.sh --rounds 5
#   npm run lab:exec -- bash bench/lab-manual.sh --cluster east=east:net-east --cluster west=west:net-west --mesh mesh1
#   bash bench/lab-manual.sh --print                                # print the commands of one round, run nothing
# Prints a markdown table: per round the script's and eastwest's wall time and their ratio (target ≤ 0.6×).
set -euo pipefail
shopt -s inherit_errexit

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS=3
MESH=mesh1
PRINT=0
CLUSTERS=()
TIMEOUT_S=300

die() { echo "lab-manual: $*" >&2; exit 2; }

while (($#)); do
  case "$1" in
    --rounds) ROUNDS="${2:?--rounds needs a number}"; shift 2 ;;
    --mesh) MESH="${2:?--mesh needs a mesh ID}"; shift 2 ;;
    --cluster) CLUSTERS+=("${2:?--cluster needs CONTEXT=NAME:NETWORK}"); shift 2 ;;
    --print) PRINT=1; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) die "unknown argument $1; see --help" ;;
  esac
done
((${#CLUSTERS[@]})) || CLUSTERS=(east=east:net-east west=west:net-west)
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "--rounds \"$ROUNDS\" is not a positive whole number"

ctx_of() { echo "${1%%=*}"; }
net_of() { echo "${1##*:}"; }
name_of() { local rest="${1#*=}"; echo "${rest%%:*}"; }
for c in "${CLUSTERS[@]}"; do
  [[ "$c" =~ ^[^=]+=[^:]+:[^:]+$ ]] || die "--cluster \"$c\" is not CONTEXT=NAME:NETWORK"
done

if ((PRINT == 0)); then
  [[ -n "${EASTWEST_LAB:-}" ]] || die "run it inside the lab: npm run lab:exec -- bash bench/lab-manual.sh (or --print to see the commands)"
  command -v kubectl >/dev/null || die "kubectl is not on PATH (the lab puts its own first)"
  command -v istioctl >/dev/null || die "istioctl is not on PATH (the lab puts its own first)"
  [[ -f "$ROOT/dist/cli.js" ]] || die "no $ROOT/dist/cli.js: run npm run build first"
fi

# Run a command, or print it with --print. Input for a pipe comes on stdin.
run() {
  if ((PRINT)); then
    printf '  %s\n' "$*"
    [[ -t 0 ]] || cat >/dev/null
  else
    "$@"
  fi
}

now_ms() { date +%s%3N; }

# The east-west gateway IstioOperator for a network, as samples/multicluster/gen-eastwest-gateway.sh --network N renders it.
gateway_iop() {
  local net="$1"
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
          topology.istio.io/network: $net
        enabled: true
        k8s:
          env:
            - name: ISTIO_META_REQUESTED_NETWORK_VIEW
              value: $net
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
      network: $net
EOF
}

# samples/multicluster/expose-services.yaml.
expose_services() {
  cat <<'EOF'
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: cross-network-gateway
spec:
  selector:
    istio: eastwestgateway
  servers:
    - port:
        number: 15443
        name: tls
        protocol: TLS
      tls:
        mode: AUTO_PASSTHROUGH
      hosts:
        - "*.local"
EOF
}

# Wait for the gateway Service's LoadBalancer address, polling as a person (or a script) does; with a deadline.
wait_address() {
  local ctx="$1" deadline=$(($(date +%s) + TIMEOUT_S)) address
  if ((PRINT)); then
    printf '  %s\n' "until kubectl --context $ctx -n istio-system get svc istio-eastwestgateway -o jsonpath='{.status.loadBalancer.ingress[0].ip}{.status.loadBalancer.ingress[0].hostname}' is non-empty (every 0.5 s, ${TIMEOUT_S}s deadline)"
    return
  fi
  while :; do
    address="$(kubectl --context "$ctx" -n istio-system get svc istio-eastwestgateway -o jsonpath='{.status.loadBalancer.ingress[0].ip}{.status.loadBalancer.ingress[0].hostname}' 2>/dev/null || true)"
    [[ -z "$address" ]] || return 0
    (($(date +%s) < deadline)) || die "context $ctx: the gateway Service has no LoadBalancer address after ${TIMEOUT_S}s"
    sleep 0.5
  done
}

# The manual procedure, cluster after cluster as the docs order it (§4.B steps 1, 3, 4 then 5, 7, 8).
manual() {
  local c ctx net
  for c in "${CLUSTERS[@]}"; do
    ctx="$(ctx_of "$c")"
    net="$(net_of "$c")"
    run kubectl --context "$ctx" get namespace istio-system -o name
    run kubectl --context "$ctx" label namespace istio-system "topology.istio.io/network=$net"
    gateway_iop "$net" | run istioctl --context "$ctx" install -y -f -
    run kubectl --context "$ctx" -n istio-system wait --for=condition=Available deployment/istio-eastwestgateway "--timeout=${TIMEOUT_S}s"
    wait_address "$ctx"
    expose_services | run kubectl --context "$ctx" apply -n istio-system -f -
  done
  # §4.B step 9: remote secrets both ways (every cluster reads every other).
  local a b
  for a in "${CLUSTERS[@]}"; do
    for b in "${CLUSTERS[@]}"; do
      [[ "$a" == "$b" ]] && continue
      if ((PRINT)); then
        printf '  %s\n' "istioctl create-remote-secret --context $(ctx_of "$b") --name $(name_of "$b") | kubectl apply -f - --context $(ctx_of "$a")"
      else
        istioctl create-remote-secret --context "$(ctx_of "$b")" --name "$(name_of "$b")" 2>/dev/null | kubectl apply -f - --context "$(ctx_of "$a")" >/dev/null
      fi
    done
  done
}

eastwest() {
  local flags=() c
  for c in "${CLUSTERS[@]}"; do flags+=(--cluster "$c"); done
  local cmd=(node "$ROOT/dist/cli.js" apply --topology multi-network --mesh "$MESH" "${flags[@]}" --yes --timeout "${TIMEOUT_S}s" -o json)
  if ((PRINT)); then run "${cmd[@]}"; else "${cmd[@]}" >/dev/null; fi
}

# Back to fresh clusters: no east-west gateway (everything istioctl created for the IstioOperator named eastwest),
# no expose Gateway, no network label on istio-system; waits until the gateway pods are gone.
reset() {
  local c ctx
  for c in "${CLUSTERS[@]}"; do
    ctx="$(ctx_of "$c")"
    run kubectl --context "$ctx" -n istio-system delete gateways.networking.istio.io cross-network-gateway --ignore-not-found --wait=true
    run kubectl --context "$ctx" -n istio-system delete deployment,service,serviceaccount,role,rolebinding,poddisruptionbudget,horizontalpodautoscaler \
      -l install.operator.istio.io/owning-resource=eastwest --ignore-not-found --wait=true
    run kubectl --context "$ctx" -n istio-system wait --for=delete pod -l app=istio-eastwestgateway "--timeout=${TIMEOUT_S}s"
    run kubectl --context "$ctx" -n istio-system delete secrets -l istio/multiCluster=true --ignore-not-found --wait=true
    # Absent already is fine.
    run kubectl --context "$ctx" label namespace istio-system topology.istio.io/network- || true
  done
}

# Time one function in ms (its output to stderr, so the table stays clean).
timed() {
  local start end
  start="$(now_ms)"
  "$@" >&2
  end="$(now_ms)"
  echo $((end - start))
}

if ((PRINT)); then
  echo "reset (before each run):"; reset
  echo "manual procedure (timed):"; manual
  echo "eastwest (timed):"; eastwest
  exit 0
fi

echo "| round | order | manual procedure | eastwest apply | eastwest / manual |"
echo "| --- | --- | --- | --- | --- |"
ratios=()
for ((round = 1; round <= ROUNDS; round++)); do
  # Alternate which goes first, so a lab that warms up (or slows down) does not favour one side.
  if ((round % 2)); then
    reset >&2; m="$(timed manual)"
    reset >&2; e="$(timed eastwest)"
    order="manual first"
  else
    reset >&2; e="$(timed eastwest)"
    reset >&2; m="$(timed manual)"
    order="eastwest first"
  fi
  r="$(awk -v e="$e" -v m="$m" 'BEGIN { printf "%.2f", e / m }')"
  ratios+=("$r")
  printf '| %d | %s | %.1f s | %.1f s | %s× |\n' "$round" "$order" "$(awk -v x="$m" 'BEGIN{print x/1000}')" "$(awk -v x="$e" 'BEGIN{print x/1000}')" "$r"
done
median="$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}')"
verdict="$(awk -v r="$median" 'BEGIN { print (r <= 0.6) ? "at target" : "**over target**" }')"
echo
echo "median eastwest / manual: ${median}× (target ≤ 0.6×: $verdict); clusters: ${CLUSTERS[*]}; mesh $MESH; load average $(cut -d' ' -f1-3 /proc/loadavg)"

# Shared settings for the lab scripts (sourced, not executed).
# shellcheck shell=bash

LAB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# --- versions --------------------------------------------------------------
# Kubernetes control plane + kubectl (module k8s.io/kubernetes); etcd is the
# version that release pins in its go.mod.
LAB_K8S_VERSION="${EASTWEST_LAB_K8S_VERSION:-v1.35.4}"
LAB_KWOK_VERSION="${EASTWEST_LAB_KWOK_VERSION:-v0.8.0}"
# istio.io/istio release tags carry no "v", so the module proxy does not serve
# them (1.30.x and 1.29.x tags answer 403); only pseudo-versions of branch
# commits are served. eed52ebb66ad (2026-08-27) is a release-1.31 commit after
# 1.31.0-rc.0 (its VERSION file says 1.31) whose dependencies are all served;
# the release-1.30 commit 9739e10eb9d7 is served but its istio.io/api and
# go-control-plane pseudo-versions are not.
LAB_ISTIO_MODULE_VERSION="${EASTWEST_LAB_ISTIO_MODULE_VERSION:-v0.0.0-20260827124520-eed52ebb66ad}"
# What istioctl reports as its version (a source build of that branch calls
# itself <VERSION>-dev).
LAB_ISTIO_VERSION="${EASTWEST_LAB_ISTIO_VERSION:-1.31-dev}"

# helm (module helm.sh/helm/v4), built into its own cache directory: it is not
# part of LAB_KEY, so adding or moving it never rebuilds the binaries above.
LAB_HELM_VERSION="${EASTWEST_LAB_HELM_VERSION:-v4.3.2}"
# Gateway API CRDs (standard channel) for the ambient lab, from the Go module
# sigs.k8s.io/gateway-api (its config/crd/standard files). They are data, not
# binaries: kept in their own cache directory, outside LAB_KEY.
LAB_GATEWAY_API_VERSION="${EASTWEST_LAB_GATEWAY_API_VERSION:-v1.6.3}"

LAB_KEY="k8s-${LAB_K8S_VERSION}_istio-${LAB_ISTIO_VERSION}-${LAB_ISTIO_MODULE_VERSION##*-}_kwok-${LAB_KWOK_VERSION}"

# --- paths -----------------------------------------------------------------
LAB_CACHE="${EASTWEST_LAB_CACHE:-${HOME}/.cache/eastwest-lab}"
LAB_HOME="${LAB_CACHE}/${LAB_KEY}"
LAB_BIN="${LAB_HOME}/bin"
LAB_BUILD="${LAB_HOME}/build"
LAB_BUILD_LOGS="${LAB_HOME}/logs"
# Istio's Helm charts (base, istiod, gateway) from the same istio.io/istio module, one directory per
# chart name (usable as eastwest --charts DIR).
LAB_CHARTS="${LAB_HOME}/charts"
LAB_HELM_HOME="${LAB_CACHE}/helm-${LAB_HELM_VERSION}"
LAB_HELM_BIN="${LAB_HELM_HOME}/bin"
LAB_GATEWAY_API_DIR="${LAB_CACHE}/gateway-api-${LAB_GATEWAY_API_VERSION}"
LAB_STATE="${EASTWEST_LAB_STATE:-${LAB_CACHE}/state}"
LAB_KUBECONFIG="${LAB_STATE}/kubeconfig"
LAB_NETNS="${EASTWEST_LAB_NETNS:-eastwest-lab}"

LAB_BINARIES=(kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kwok istioctl pilot-discovery)

# Per-cluster loopback ports and LB address ranges.
#   east: etcd 23791/23801, apiserver 16443, kcm 10357, sched 10359, kwok 10347, webhook 17443
#   west: etcd 23792/23802, apiserver 26443, kcm 20357, sched 20359, kwok 20347, webhook 27443
#   istiod (the real pilot-discovery; the pod's port in brackets), east 11xxx, west 21xxx:
#     http [8080] 11080, https/webhooks [15017] 11017, grpc [15010] 11010,
#     secure grpc [15012] 11012, monitoring [15014] 11014, ctrlz [9876] 11876
LAB_CLUSTERS=(east west)
lab_port() { # lab_port CLUSTER COMPONENT
  local base
  case "$1" in east) base=1 ;; west) base=2 ;; *) echo "unknown cluster $1" >&2; return 1 ;; esac
  case "$2" in
    etcd-client) echo $((23790 + base)) ;;
    etcd-peer) echo $((23800 + base)) ;;
    apiserver) echo "${base}6443" ;;
    kcm) echo "${base}0357" ;;
    scheduler) echo "${base}0359" ;;
    kwok) echo "${base}0347" ;;
    webhook) echo "${base}7443" ;;
    istiod-http) echo "${base}1080" ;;
    istiod-https) echo "${base}1017" ;;
    istiod-grpc) echo "${base}1010" ;;
    istiod-secure-grpc) echo "${base}1012" ;;
    istiod-monitoring) echo "${base}1014" ;;
    istiod-ctrlz) echo "${base}1876" ;;
    *) echo "unknown component $2" >&2; return 1 ;;
  esac
}
# lab_istiod_pod_port COMPONENT: the port istiod's pod declares for it.
lab_istiod_pod_port() {
  case "$1" in
    istiod-http) echo 8080 ;; istiod-https) echo 15017 ;; istiod-grpc) echo 15010 ;;
    istiod-secure-grpc) echo 15012 ;; istiod-monitoring) echo 15014 ;; istiod-ctrlz) echo 9876 ;;
    *) echo "unknown istiod component $1" >&2; return 1 ;;
  esac
}
LAB_ISTIOD_COMPONENTS=(istiod-http istiod-https istiod-grpc istiod-secure-grpc istiod-monitoring istiod-ctrlz)
# The lab's shapes (lab/up.sh --topology).
LAB_TOPOLOGIES=(multi-primary primary-remote bare single-cluster ambient)
# lab_control_plane_clusters TOPOLOGY: the clusters whose control plane lab:up
# installs (and whose istiod it waits for). lab/istiod.sh runs on every
# cluster whatever the topology, so an istiod installed later gets a process too.
lab_control_plane_clusters() {
  case "$1" in primary-remote) echo east ;; bare) echo "" ;; *) echo "${LAB_CLUSTERS[*]}" ;; esac
}
# lab_istiod_clusters: the clusters that have an istiod process right now
# (the pid file lab/istiod.sh writes while the process runs).
lab_istiod_clusters() {
  local c out=()
  for c in "${LAB_CLUSTERS[@]}"; do lab_pid_alive "$LAB_STATE/istiod/$c/pid" && out+=("$c"); done
  echo "${out[*]}"
}

# lab_retarget_webhooks CLUSTER KUBECTL...: points every webhook of every Istio
# MutatingWebhookConfiguration / ValidatingWebhookConfiguration (name contains
# "istio") of CLUSTER at the lab's stand-in (https://127.0.0.1:<webhook port>
# plus the webhook's own path, the cluster's CA as caBundle), unless it already
# points there. KUBECTL... is the command (with its context) that runs kubectl
# for CLUSTER. One list call when nothing is to do; logs each configuration it
# patches. See README ("Istio's webhooks are answered by a stand-in").
lab_retarget_webhooks() {
  local c="$1"; shift
  local port prefix ca list line ref hooks h url path ops i
  port="$(lab_port "$c" webhook)" prefix="https://127.0.0.1:$(lab_port "$c" webhook)/"
  list="$("$@" get mutatingwebhookconfigurations,validatingwebhookconfigurations \
    -o jsonpath='{range .items[*]}{.kind}/{.metadata.name}{range .webhooks[*]}{" "}{.clientConfig.url}|{.clientConfig.service.path}{end}{"\n"}{end}')" || return 1
  while IFS= read -r line; do
    ref="${line%% *}"
    [[ "${ref,,}" == *istio* && "$line" == *" "* ]] || continue
    hooks="${line#* }"
    ops="" i=0
    for h in $hooks; do
      url="${h%%|*}" path="${h#*|}"
      if [[ -n "$url" ]]; then
        case "$url" in https://*/*) path="/${url#https://*/}" ;; *) path="/" ;; esac
      fi
      [[ -n "$path" ]] || path="/"
      [[ "$url" == "$prefix"* ]] || ops+="{\"op\":\"replace\",\"path\":\"/webhooks/$i/clientConfig\",\"value\":{\"url\":\"https://127.0.0.1:$port$path\",\"caBundle\":\"CA\"}},"
      i=$((i + 1))
    done
    [[ -n "$ops" ]] || continue
    [[ -n "${ca:-}" ]] || ca="$(base64 -w0 <"$LAB_STATE/$c/pki/ca.crt")"
    ops="${ops//\"CA\"/\"$ca\"}"
    if "$@" patch "${ref,,}" --type=json -p "[${ops%,}]" >/dev/null; then
      log "$c: ${ref#*/}: $i webhook(s) now served by the lab's stand-in on 127.0.0.1:$port"
    else
      log "$c: ${ref#*/}: could not point its webhooks at the lab's stand-in (retried on the next pass)"
    fi
  done <<<"$list"
}
lab_lb_prefix() { # 127.0.10 for east, 127.0.20 for west; east 192.0.2 except in multi-primary (see below)
  # A remote's istiod EndpointSlice carries the primary's gateway address, and the real API server
  # refuses loopback addresses in EndpointSlices. So in every lab that can become primary-remote
  # (primary-remote, and bare and single-cluster, where eastwest may set up either shape) east's
  # LoadBalancer addresses come from TEST-NET-1 (192.0.2.0/24, RFC 5737: never routed). In the
  # primary-remote lab, lab/up.sh puts that range on the namespace's lo, where
  # lab/gateway-passthrough.mjs plays east's gateway for istiod's ports; elsewhere nothing dials them.
  # Either way the addresses exist only inside the namespace, and no route leads off it.
  case "$1" in
    east) case "$(cat "$LAB_STATE/topology.pending" 2>/dev/null || cat "$LAB_STATE/topology" 2>/dev/null)" in
        multi-primary|ambient) echo 127.0.10 ;;
        *) echo 192.0.2 ;;
      esac ;;
    west) echo 127.0.20 ;;
  esac
}

log() { printf '[lab %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '[lab] ERROR: %s\n' "$*" >&2; exit 1; }

# wait_for DESCRIPTION TIMEOUT_SECONDS COMMAND...: polls COMMAND until it
# succeeds; fails with DESCRIPTION once the deadline has passed.
wait_for() {
  local what="$1" timeout="$2"; shift 2
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      log "timed out after ${timeout}s waiting for: ${what}"
      return 1
    fi
    sleep 1
  done
}

# lab_http_ok PORT PATH: GET http://127.0.0.1:PORT/PATH answers 200 (run it
# inside the namespace; bash's /dev/tcp, no client needed).
lab_http_ok() {
  local status
  exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
  printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3
  IFS= read -r -t 5 status <&3 || status=""
  exec 3<&- 3>&-
  [[ "$status" == "HTTP/1."?" 200"* ]]
}

lab_netns_exists() { [[ -e "/var/run/netns/${LAB_NETNS}" ]]; }

# in_ns COMMAND...: runs COMMAND inside the lab's network namespace.
in_ns() { ip netns exec "${LAB_NETNS}" "$@"; }

# Guard: refuse to talk to the lab from outside its namespace.
lab_require_root() { [[ $EUID -eq 0 ]] || die "the lab needs root (network namespaces); run as root"; }

# Per-cluster address ranges. They are only data in API objects: the lab's
# namespace has no interface but lo, so nothing can be sent to them.
lab_service_cidr() { case "$1" in east) echo 10.96.0.0/16 ;; west) echo 10.97.0.0/16 ;; esac; }
lab_service_ip() { case "$1" in east) echo 10.96.0.1 ;; west) echo 10.97.0.1 ;; esac; }
lab_pod_cidr() { case "$1" in east) echo 10.244.0.0/16 ;; west) echo 10.245.0.0/16 ;; esac; }

# lab_pid_alive FILE: the recorded process is still running.
lab_pid_alive() { local p; p="$(cat "$1" 2>/dev/null)" && [[ -n "$p" ]] && kill -0 "$p" 2>/dev/null; }

# lab_is_up: namespace, every recorded process and both API servers answer.
lab_is_up() {
  lab_netns_exists || return 1
  [[ -f "$LAB_STATE/ready" && -f "$LAB_STATE/topology" && -f "$LAB_KUBECONFIG" ]] || return 1
  local f c
  for f in "$LAB_STATE"/pids/*.pid; do
    [[ -e "$f" ]] || return 1
    lab_pid_alive "$f" || return 1
  done
  for c in "${LAB_CLUSTERS[@]}"; do
    in_ns "$LAB_BIN/kubectl" --kubeconfig "$LAB_KUBECONFIG" --context "$c" --request-timeout=5s \
      get --raw /readyz >/dev/null 2>&1 || return 1
  done
}

lab_print_summary() {
  local c
  cat <<EOT
lab is up
  topology:   $(cat "$LAB_STATE/topology" 2>/dev/null || echo '?')
  installer:  $(cat "$LAB_STATE/installer" 2>/dev/null || echo istioctl) (of the control planes)
  netns:      $LAB_NETNS (loopback only)
  kubeconfig: $LAB_KUBECONFIG (contexts: ${LAB_CLUSTERS[*]})
  binaries:   $LAB_BIN
  logs:       $LAB_STATE/logs
  lb mode:    $(cat "$LAB_STATE/lb-mode" 2>/dev/null || echo assign) (lab/lb.sh pending|assign [CLUSTER])
EOT
  for c in "${LAB_CLUSTERS[@]}"; do
    echo "  $c: https://127.0.0.1:$(lab_port "$c" apiserver), LoadBalancer addresses $(lab_lb_prefix "$c").1-254"
  done
  for c in "${LAB_CLUSTERS[@]}"; do
    if lab_pid_alive "$LAB_STATE/istiod/$c/pid"; then
      echo "  $c istiod: pilot-discovery (pid $(cat "$LAB_STATE/istiod/$c/pid"), deployment $(cat "$LAB_STATE/istiod/$c/deployment" 2>/dev/null || echo '?')), monitoring 127.0.0.1:$(lab_port "$c" istiod-monitoring), log logs/$c-istiod.log"
    else
      echo "  $c istiod: none running (lab/istiod.sh starts one when an istiod Deployment appears in istio-system)"
    fi
  done
  echo "  run a command in the lab: lab/exec.sh -- kubectl --context west get nodes"
}

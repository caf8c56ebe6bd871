#!/usr/bin/env bash
# Builds the lab's binaries from Go modules, if they are not cached yet:
#   kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, etcd,
#   kwok, istioctl, pilot-discovery (istiod)  ->  ${EASTWEST_LAB_CACHE:-~/.cache/eastwest-lab}/<versions>/bin
#   helm                                      ->  ${EASTWEST_LAB_CACHE:-~/.cache/eastwest-lab}/helm-<version>/bin
# and copies Istio's Helm charts (base, istiod, gateway) out of the istio.io/istio
# module into <versions>/charts, and fetches the Gateway API CRDs (standard channel)
# of sigs.k8s.io/gateway-api
#   ->  ${EASTWEST_LAB_CACHE:-~/.cache/eastwest-lab}/gateway-api-<version>/ (the ambient lab's)
# Runs outside the lab's network namespace (it needs the Go module proxy).
# Options: --force        rebuild even if cached
#          --only STEP    build one step only: k8s | kwok | istioctl | pilot | helm | gateway-api
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FORCE=0 ONLY=""
while (($#)); do
  arg="$1"; shift
  case "$arg" in
    --force) FORCE=1 ;;
    --only) ONLY="${1:?--only needs a step name}"; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) die "unknown argument: $arg" ;;
  esac
done

command -v go >/dev/null || die "go is required (Go 1.25 or newer)"
export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-buildvcs=false
mkdir -p "$LAB_BIN" "$LAB_BUILD" "$LAB_BUILD_LOGS"

# have BINARY: cached (helm lives in its own directory, the others in $LAB_BIN).
have() {
  local dir="$LAB_BIN"
  [[ "$1" != helm ]] || dir="$LAB_HELM_BIN"
  [[ $FORCE -eq 0 && -x "$dir/$1" ]]
}

# json_field FILE FIELD: a top-level string field of `go mod download -json` output.
json_field() { sed -n "s/^[[:space:]]*\"$2\": \"\(.*\)\",\{0,1\}$/\1/p" "$1" | head -n1; }

# ---------------------------------------------------------------------------
# Kubernetes (apiserver, controller-manager, scheduler, kubectl) and etcd.
build_k8s() {
  local dir="$LAB_BUILD/k8s" info gomod ver minor patch etcd_ver builddate
  rm -rf "$dir"; mkdir -p "$dir"; cd "$dir"
  go mod download -json "k8s.io/kubernetes@${LAB_K8S_VERSION}" >download.json
  gomod="$(json_field download.json GoMod)"
  info="$(json_field download.json Info)"
  [[ -f "$gomod" ]] || { cat download.json; die "could not download k8s.io/kubernetes@${LAB_K8S_VERSION}"; }

  ver="${LAB_K8S_VERSION#v}"
  IFS=. read -r _ minor patch <<<"$ver"
  patch="${patch%%-*}"
  local staging="v0.${minor}.${patch}"
  etcd_ver="$(awk '$1=="go.etcd.io/etcd/server/v3"{print $2; exit}' "$gomod")"
  [[ -n "$etcd_ver" ]] || die "k8s.io/kubernetes@${LAB_K8S_VERSION} pins no go.etcd.io/etcd/server/v3"
  echo "$etcd_ver" >"$dir/etcd-version"
  builddate="$(sed -n 's/.*"Time":"\([^"]*\)".*/\1/p' "$info")"
  [[ -n "$builddate" ]] || builddate="1970-01-01T00:00:00Z"

  {
    echo "module eastwest-lab/k8s-build"
    echo
    # the release's go and godebug lines (godebug may be a line or a block)
    awk '/^go [0-9]/{print} /^godebug \(/{b=1} b{print} b&&/^\)/{b=0} /^godebug [^(]/{print}' "$gomod"
    echo
    echo "require k8s.io/kubernetes ${LAB_K8S_VERSION}"
    echo
    echo "replace ("
    # every staging module required at v0.0.0 -> its published version
    awk '$1 ~ /^k8s\.io\// && $2=="v0.0.0"{print "\t" $1 " => " $1 " '"$staging"'"}' "$gomod" | sort -u
    echo ")"
  } >go.mod
  cat >tools.go <<'EOT'
//go:build tools

package tools

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
EOT
  go get "k8s.io/kubernetes/cmd/kube-apiserver@${LAB_K8S_VERSION}" \
    "k8s.io/kubernetes/cmd/kube-controller-manager@${LAB_K8S_VERSION}" \
    "k8s.io/kubernetes/cmd/kube-scheduler@${LAB_K8S_VERSION}" \
    "k8s.io/kubernetes/cmd/kubectl@${LAB_K8S_VERSION}" \
    "go.etcd.io/etcd/server/v3@${etcd_ver}"
  # go get must not have moved kubernetes or etcd
  grep -q "k8s.io/kubernetes ${LAB_K8S_VERSION}\$" go.mod || die "k8s.io/kubernetes version changed in go.mod"
  grep -q "go.etcd.io/etcd/server/v3 ${etcd_ver}\( \|\$\)" go.mod || die "etcd server version changed in go.mod"

  local ld="-s -w" p
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X ${p}.gitVersion=${LAB_K8S_VERSION}"
    ld+=" -X ${p}.gitMajor=1 -X ${p}.gitMinor=${minor}"
    ld+=" -X ${p}.gitCommit=module-k8s.io/kubernetes@${LAB_K8S_VERSION}"
    ld+=" -X ${p}.gitTreeState=clean -X ${p}.buildDate=${builddate}"
  done
  mkdir -p out
  go build -trimpath -ldflags "$ld" -o out/ \
    k8s.io/kubernetes/cmd/kube-apiserver \
    k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler \
    k8s.io/kubernetes/cmd/kubectl
  go build -trimpath -ldflags "-s -w" -o out/etcd go.etcd.io/etcd/server/v3
  local b
  for b in kube-apiserver kube-controller-manager kube-scheduler kubectl etcd; do
    mv -f "out/$b" "$LAB_BIN/$b"
  done
}

# ---------------------------------------------------------------------------
build_kwok() {
  local dir="$LAB_BUILD/kwok"
  rm -rf "$dir"; mkdir -p "$dir"
  GOBIN="$dir" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@${LAB_KWOK_VERSION}"
  mv -f "$dir/kwok" "$LAB_BIN/kwok"
}

# ---------------------------------------------------------------------------
# istio_ldflags: the version variables istioctl and istiod report.
istio_ldflags() {
  local rev="${LAB_ISTIO_MODULE_VERSION##*-}" p=istio.io/istio/pkg/version
  local ld="-s -w -X ${p}.buildVersion=${LAB_ISTIO_VERSION} -X ${p}.buildGitRevision=${rev}"
  ld+=" -X ${p}.buildStatus=Clean -X ${p}.buildTag=${LAB_ISTIO_VERSION} -X ${p}.buildHub=docker.io/istio"
  ld+=" -X ${p}.buildOS=linux -X ${p}.buildArch=$(go env GOARCH)"
  echo "$ld"
}

build_istioctl() {
  local dir="$LAB_BUILD/istioctl"
  rm -rf "$dir"; mkdir -p "$dir"
  GOBIN="$dir" go install -trimpath -ldflags "$(istio_ldflags)" "istio.io/istio/istioctl/cmd/istioctl@${LAB_ISTIO_MODULE_VERSION}"
  mv -f "$dir/istioctl" "$LAB_BIN/istioctl"
}

# ---------------------------------------------------------------------------
# istiod (pilot-discovery), from the same istio.io/istio module as istioctl.
build_pilot() {
  local dir="$LAB_BUILD/pilot"
  rm -rf "$dir"; mkdir -p "$dir"
  GOBIN="$dir" go install -trimpath -ldflags "$(istio_ldflags)" "istio.io/istio/pilot/cmd/pilot-discovery@${LAB_ISTIO_MODULE_VERSION}"
  mv -f "$dir/pilot-discovery" "$LAB_BIN/pilot-discovery"
}

# ---------------------------------------------------------------------------
# helm, from its Go module at a named version, into its own cache directory
# (not under LAB_KEY: building it never touches the binaries above).
build_helm() {
  local dir="$LAB_HELM_HOME/build" p=helm.sh/helm/v4/internal/version
  rm -rf "$dir"; mkdir -p "$dir" "$LAB_HELM_BIN"
  GOBIN="$dir" go install -trimpath \
    -ldflags "-s -w -X ${p}.version=${LAB_HELM_VERSION} -X ${p}.gitTreeState=clean" \
    "helm.sh/helm/v4/cmd/helm@${LAB_HELM_VERSION}"
  mv -f "$dir/helm" "$LAB_HELM_BIN/helm"
}

# copy_charts: Istio's charts from the istio.io/istio module the lab builds
# istioctl and istiod from, one directory per chart name.
copy_charts() {
  local src tmp="$LAB_CHARTS.tmp"
  src="$(cd "$LAB_BUILD" && go mod download -json "istio.io/istio@${LAB_ISTIO_MODULE_VERSION}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')/manifests/charts"
  [[ -d "$src/gateway" && -d "$src/base" && -d "$src/istio-control/istio-discovery" ]] || die "Istio charts not found in $src"
  rm -rf "$tmp"; mkdir -p "$tmp"
  cp -r "$src/base" "$tmp/base"
  cp -r "$src/istio-control/istio-discovery" "$tmp/istiod"
  cp -r "$src/gateway" "$tmp/gateway"
  chmod -R u+w "$tmp"
  rm -rf "$LAB_CHARTS"; mv "$tmp" "$LAB_CHARTS"
  log "build: Istio charts (base, istiod, gateway) copied to $LAB_CHARTS"
}

# Gateway API CRDs: the standard channel's config/crd/standard/*.yaml of the
# sigs.k8s.io/gateway-api module, copied into their own directory (not under
# LAB_HOME: adding them changes neither the binaries' cache key nor their path).
fetch_gateway_api() {
  local dir="$LAB_GATEWAY_API_DIR" src tmp f n=0
  if [[ $FORCE -eq 0 && -s "$dir/crds.yaml" ]]; then
    log "build: gateway-api cached ($dir)"
    return
  fi
  src="$(cd "$LAB_BUILD" && go mod download -json "sigs.k8s.io/gateway-api@${LAB_GATEWAY_API_VERSION}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
  [[ -d "$src/config/crd/standard" ]] || die "gateway-api module source not found (sigs.k8s.io/gateway-api@${LAB_GATEWAY_API_VERSION})"
  mkdir -p "$dir"
  tmp="$dir/crds.yaml.tmp"; : >"$tmp"
  for f in "$src"/config/crd/standard/*.yaml; do
    [[ "$(basename "$f")" == kustomization.yaml ]] && continue
    { echo "---"; cat "$f"; } >>"$tmp"
    n=$((n + 1))
  done
  ((n > 0)) || die "no CRD files in $src/config/crd/standard"
  mv -f "$tmp" "$dir/crds.yaml"
  echo "$LAB_GATEWAY_API_VERSION" >"$dir/version"
  log "build: gateway-api ${LAB_GATEWAY_API_VERSION}: $n CRD files written to $dir/crds.yaml"
}

# ---------------------------------------------------------------------------
# run_step NAME BINARIES...: runs build_NAME in the background unless all its
# binaries are cached; logs to $LAB_BUILD_LOGS/NAME.log.
declare -A PIDS=() STARTED=()
run_step() {
  local name="$1"; shift
  [[ -z "$ONLY" || "$ONLY" == "$name" ]] || return 0
  local b missing=0
  for b in "$@"; do have "$b" || missing=1; done
  if [[ $missing -eq 0 ]]; then
    log "build: $name cached ($*)"
    return
  fi
  log "build: $name started (log: $LAB_BUILD_LOGS/$name.log)"
  STARTED[$name]=$SECONDS
  ( set -euo pipefail; "build_$name" ) >"$LAB_BUILD_LOGS/$name.log" 2>&1 &
  PIDS[$name]=$!
}

T0=$SECONDS
if [[ "$ONLY" == gateway-api ]]; then
  mkdir -p "$LAB_BUILD"
  fetch_gateway_api
  exit 0
fi
log "build: cache $LAB_HOME"
# The machine has 2 cores: the big Kubernetes build runs alongside the two
# smaller ones (their module downloads overlap its compiling).
run_step k8s kube-apiserver kube-controller-manager kube-scheduler kubectl etcd
run_step kwok kwok
run_step istioctl istioctl
run_step pilot pilot-discovery
run_step helm helm

failed=0
# Report each step as it finishes (wait -n), whatever the order.
declare -A NAME_OF=()
for name in "${!PIDS[@]}"; do NAME_OF[${PIDS[$name]}]="$name"; done
while ((${#NAME_OF[@]})); do
  done_pid="" rc=0
  wait -n -p done_pid "${!NAME_OF[@]}" || rc=$?
  [[ -n "$done_pid" ]] || break
  name="${NAME_OF[$done_pid]}"
  unset "NAME_OF[$done_pid]"
  if ((rc == 0)); then
    log "build: $name done in $((SECONDS - STARTED[$name]))s"
  else
    log "build: $name FAILED after $((SECONDS - STARTED[$name]))s; last lines of $LAB_BUILD_LOGS/$name.log:"
    tail -n 30 "$LAB_BUILD_LOGS/$name.log" >&2 || true
    failed=1
  fi
done
[[ $failed -eq 0 ]] || die "build failed"

if [[ -z "$ONLY" || "$ONLY" == helm ]] && [[ $FORCE -eq 1 || ! -f "$LAB_CHARTS/gateway/Chart.yaml" ]]; then copy_charts; fi
[[ -z "$ONLY" ]] || { log "build: step $ONLY finished ($((SECONDS - T0))s)"; exit 0; }
for b in "${LAB_BINARIES[@]}"; do
  [[ -x "$LAB_BIN/$b" ]] || die "missing $LAB_BIN/$b after build"
done

# kwok's default "fast" Stage definitions (node initialize + heartbeat with
# lease, pod ready/complete/delete), taken from the kwok module at the same
# version and concatenated into one config file for `kwok --config`.
if [[ $FORCE -eq 1 || ! -s "$LAB_HOME/kwok-stages.yaml" ]]; then
  kwok_dir="$(cd "$LAB_BUILD" && go mod download -json "sigs.k8s.io/kwok@${LAB_KWOK_VERSION}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
  [[ -d "$kwok_dir/kustomize/stage" ]] || die "kwok module source not found (sigs.k8s.io/kwok@${LAB_KWOK_VERSION})"
  tmp="$LAB_HOME/kwok-stages.yaml.tmp"; : >"$tmp"
  for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
           pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    [[ -f "$kwok_dir/kustomize/stage/$f" ]] || die "kwok stage $f missing in $kwok_dir"
    { echo "---"; cat "$kwok_dir/kustomize/stage/$f"; } >>"$tmp"
  done
  mv -f "$tmp" "$LAB_HOME/kwok-stages.yaml"
  log "build: kwok stages written to $LAB_HOME/kwok-stages.yaml"
fi
[[ -x "$LAB_HELM_BIN/helm" ]] || die "missing $LAB_HELM_BIN/helm after build"
fetch_gateway_api
log "build: all binaries present in $LAB_BIN and $LAB_HELM_BIN ($((SECONDS - T0))s)"

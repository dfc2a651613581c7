#!/usr/bin/env bash
# Generates the Prometheus operator's PodMonitor and PrometheusRule CRDs from its API types
# (the github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring module, pinned
# below, through the Go module proxy) with controller-gen, as that project does, into the
# operator's test fixtures, where the cluster tests install them so the chart's optional
# monitoring objects are checked by a real apiserver. Run after changing the pinned version.
# The proxy serves this API module at current versions but the repository's root module (with
# its example/prometheus-operator-crd/ YAML) only at an old one, hence the generation.
set -euo pipefail
cd "$(dirname "$0")/../.."
MONITORING_VERSION=v0.95.2
CONTROLLER_TOOLS_VERSION=v0.23.0
GO="${FLOCK_GO:-/usr/local/go/bin/go}"
[[ -x "$GO" ]] || GO="$(command -v go)"
CACHE="${FLOCK_KUBE_TOOLS_CACHE:-/var/cache/flock/controller-gen-$CONTROLLER_TOOLS_VERSION}"
export GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0 GOCACHE="$CACHE/gocache"
out="$PWD/operator/test/fixtures/prometheus"
mkdir -p "$CACHE/build" "$out"
cd "$CACHE/build"
[[ -f go.mod ]] || "$GO" mod init flock.local/prometheus-crds
"$GO" get "sigs.k8s.io/controller-tools/cmd/controller-gen@$CONTROLLER_TOOLS_VERSION" \
  "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring@$MONITORING_VERSION"
[[ -x "$CACHE/controller-gen" ]] || nice -n 10 "$GO" build -p 2 -o "$CACHE/controller-gen" sigs.k8s.io/controller-tools/cmd/controller-gen
rm -rf crds
"$CACHE/controller-gen" crd:crdVersions=v1 \
  paths=github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1 output:crd:dir=crds
for kind in podmonitors prometheusrules; do
  { echo "# Generated from github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring@$MONITORING_VERSION"
    echo "# (Apache-2.0) by controller-gen $CONTROLLER_TOOLS_VERSION; scripts/kube/sync-prometheus-crds.sh"
    cat "crds/monitoring.coreos.com_$kind.yaml"; } > "$out/$kind.crd.yaml"
done
echo "wrote $out/{podmonitors,prometheusrules}.crd.yaml" >&2

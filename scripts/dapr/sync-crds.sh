#!/usr/bin/env bash
# Copies Dapr's own CRDs (Component, Configuration, Resiliency, Subscription) from the pinned
# dapr module (its chart's crds/, as scripts/dapr/build-daprd.sh caches them) into the operator's
# test fixtures, where the render tests (ajv) and the cluster tests (a real kube-apiserver)
# validate every rendered Dapr object against them. Run after changing the pinned version.
set -euo pipefail
cd "$(dirname "$0")/../.."
version="$(bash scripts/dapr/build-daprd.sh --version)"
crds="$(bash scripts/dapr/build-daprd.sh)/crds"
out=operator/test/fixtures/dapr
mkdir -p "$out"
for kind in components configuration resiliency subscription; do
  { echo "# From github.com/dapr/dapr@$version charts/dapr/crds/$kind.yaml (Apache-2.0); scripts/dapr/sync-crds.sh"
    cat "$crds/$kind.yaml"; } > "$out/$kind.crd.yaml"
done

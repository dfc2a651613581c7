#!/usr/bin/env bash
# Regenerates the chart's CRD from its one source, operator/src/crd.ts.
# operator/test/chart.test.ts fails when the two drift apart.
set -euo pipefail
cd "$(dirname "$0")/../.."
npx tsc -b operator
node operator/dist/cli.js crd > charts/flock-operator/templates/crd.yaml

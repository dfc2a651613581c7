#!/usr/bin/env bash
# Regenerates the chart's CRD from its one source, the zod schema in operator/src/api/schema.ts
# (npm run sync-crd).
# It lives in the chart's crds/: helm installs it once and never deletes it, so `helm uninstall`
# cannot take every SocialPlatform with it (docs/operator.md, "Upgrading").
# operator/test/chart.test.ts fails when the two drift apart.
set -euo pipefail
cd "$(dirname "$0")/../.."
npx tsc -b operator
node operator/dist/cli.js crd > charts/flock-operator/crds/socialplatforms.flock.dev.yaml

#!/usr/bin/env bash
# Builds the real Dapr sidecar, daprd, from the github.com/dapr/dapr module through the Go module
# proxy, with the `allcomponents` build tag (the SQLite name resolver and JetStream pub/sub that
# the local profiles use are not in `stablecomponents`). `go install pkg@version` refuses a module
# with replace directives, so a throwaway module requires dapr and repeats its replaces.
# Idempotent and cached outside the clone, keyed by version: exits at once when daprd exists.
# Prints the folder holding daprd (and Dapr's CRDs under crds/) on stdout; progress goes to stderr.
# `--version` prints the pinned version only.
# Needs Go >= the version dapr's go.mod names: /usr/local/go/bin/go, never Debian's older golang-go.
set -euo pipefail

DAPR_VERSION="${FLOCK_DAPR_VERSION:-v1.18.1}"
if [[ "${1:-}" == "--version" ]]; then
  echo "$DAPR_VERSION"
  exit 0
fi
CACHE="${FLOCK_DAPR_CACHE:-/var/cache/flock/dapr-$DAPR_VERSION}"
# One build at a time per cache: a second caller waits here, then finds the binary built.
mkdir -p "$(dirname "$CACHE")" && exec 9>"$CACHE.lock" && flock 9
if [[ -x "$CACHE/daprd" && -d "$CACHE/crds" ]]; then
  echo "$CACHE"
  exit 0
fi
exec 3>&1 1>&2
GO="${FLOCK_GO:-/usr/local/go/bin/go}"
[[ -x "$GO" ]] || GO="$(command -v go)"
echo "building daprd $DAPR_VERSION with $("$GO" version) into $CACHE"

BUILD="$CACHE/build"
mkdir -p "$BUILD"
export GOFLAGS=-mod=mod GOCACHE="$CACHE/gocache" GOTOOLCHAIN=local CGO_ENABLED=0
cd "$BUILD"
if [[ ! -f go.mod ]]; then
  "$GO" mod init flock.local/daprd-build
fi
"$GO" mod download -json "github.com/dapr/dapr@$DAPR_VERSION" > dapr.json
DAPR_DIR="$("$GO" env GOMODCACHE)/github.com/dapr/dapr@$DAPR_VERSION"

# The replace blocks of dapr's own go.mod, verbatim.
{
  echo "module flock.local/daprd-build"
  echo
  echo "go $(awk '$1 == "go" { print $2; exit }' "$DAPR_DIR/go.mod")"
  echo
  echo "require github.com/dapr/dapr $DAPR_VERSION"
  echo
  awk '/^replace \(/ { on = 1 } on { print } on && /^\)/ { on = 0; print "" } /^replace [^(]/ { print }' "$DAPR_DIR/go.mod"
} > go.mod
"$GO" get "github.com/dapr/dapr/cmd/daprd@$DAPR_VERSION"

started=$SECONDS
"$GO" build -trimpath -tags allcomponents \
  -ldflags "-s -w -X github.com/dapr/dapr/pkg/buildinfo.version=${DAPR_VERSION#v} -X github.com/dapr/dapr/pkg/buildinfo.gitversion=$DAPR_VERSION" \
  -o "$CACHE/daprd.tmp" github.com/dapr/dapr/cmd/daprd
mv "$CACHE/daprd.tmp" "$CACHE/daprd"
rm -rf "$CACHE/crds" && cp -r "$DAPR_DIR/charts/dapr/crds" "$CACHE/crds" && chmod -R u+w "$CACHE/crds"
echo "daprd built in $((SECONDS - started)) s: $(du -h "$CACHE/daprd" | cut -f1)"
# The build cache is large and only speeds a rebuild of the same version.
rm -rf "$CACHE/gocache"
echo "$CACHE" >&3

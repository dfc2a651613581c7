#!/usr/bin/env bash
# Builds skaffold from the github.com/GoogleContainerTools/skaffold/v2 module through the Go
# module proxy (a throwaway module repeating its replace lines, as for daprd), pinned to the
# release whose newest config schema is the one skaffold.yaml uses (v2.16.1: skaffold/v4beta13).
# Idempotent and cached outside the clone, keyed by version. Prints the folder holding skaffold.
set -euo pipefail

SKAFFOLD_VERSION="${FLOCK_SKAFFOLD_VERSION:-v2.16.1}"
CACHE="${FLOCK_SKAFFOLD_CACHE:-/var/cache/flock/skaffold-$SKAFFOLD_VERSION}"
# One build at a time per cache: a second caller waits here, then finds the binary built.
mkdir -p "$(dirname "$CACHE")" && exec 9>"$CACHE.lock" && flock 9
if [[ -x "$CACHE/skaffold" ]]; then
  echo "$CACHE"
  exit 0
fi
exec 3>&1 1>&2
GO="${FLOCK_GO:-/usr/local/go/bin/go}"
[[ -x "$GO" ]] || GO="$(command -v go)"
echo "building skaffold $SKAFFOLD_VERSION with $("$GO" version) into $CACHE"
export GOFLAGS="-mod=mod -p=2" GOCACHE="$CACHE/gocache" GOTOOLCHAIN=local CGO_ENABLED=0
mkdir -p "$CACHE/build"
cd "$CACHE/build"
[[ -f go.mod ]] || "$GO" mod init flock.local/skaffold-build
MOD="$("$GO" mod download -json "github.com/GoogleContainerTools/skaffold/v2@$SKAFFOLD_VERSION" | awk -F'"' '$2 == "GoMod" { print $4 }')"
{
  echo "module flock.local/skaffold-build"
  echo
  echo "go $(awk '$1 == "go" { print $2; exit }' "$MOD")"
  echo
  echo "require github.com/GoogleContainerTools/skaffold/v2 $SKAFFOLD_VERSION"
  echo
  awk '/^replace [^(]/ { print }' "$MOD"
} > go.mod
"$GO" get "github.com/GoogleContainerTools/skaffold/v2/cmd/skaffold@$SKAFFOLD_VERSION"
[[ "${1:-}" == "--download-only" ]] && exit 0
started=$SECONDS
nice -n 10 "$GO" build -trimpath \
  -ldflags "-s -w -X github.com/GoogleContainerTools/skaffold/v2/pkg/skaffold/version.version=$SKAFFOLD_VERSION" \
  -o "$CACHE/skaffold.tmp" github.com/GoogleContainerTools/skaffold/v2/cmd/skaffold
mv "$CACHE/skaffold.tmp" "$CACHE/skaffold"
echo "skaffold built in $((SECONDS - started)) s: $(du -h "$CACHE/skaffold" | cut -f1)"
rm -rf "$CACHE/gocache"
echo "$CACHE" >&3

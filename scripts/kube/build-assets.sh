#!/usr/bin/env bash
# Builds a current kube-apiserver and kube-controller-manager (from the k8s.io/kubernetes module)
# and etcd (from go.etcd.io/etcd/server/v3) through the Go module proxy into one envtest-style
# assets dir, for the operator's integration tests. No Docker/kind here.
# `go install pkg@version` refuses k8s.io/kubernetes (its go.mod replaces the k8s.io/* staging
# modules with ./staging/...), so a throwaway module requires it and repeats that replace block,
# pointing each staging module at its published release of the same version (v0.34.x).
# etcd builds in a module of its own so its dependency versions never mix with Kubernetes'.
# Idempotent and cached outside the clone, keyed by version: exits at once when the binaries exist.
# Prints the assets dir on stdout (use it as KUBEBUILDER_ASSETS); progress goes to stderr.
# `--version` prints the pinned versions only.
# Needs Go >= the version kubernetes' go.mod names: /usr/local/go/bin/go, never Debian's golang-go.
set -euo pipefail

KUBE_VERSION="${FLOCK_KUBE_VERSION:-v1.34.4}"
ETCD_VERSION="${FLOCK_ETCD_VERSION:-v3.6.16}"
if [[ "${1:-}" == "--version" ]]; then
  echo "kubernetes $KUBE_VERSION, etcd $ETCD_VERSION"
  exit 0
fi
CACHE="${FLOCK_KUBE_CACHE:-/var/cache/flock/kube-$KUBE_VERSION}"
ASSETS="$CACHE/bin"
# One build at a time per cache: a second caller waits here, then finds the binary built.
mkdir -p "$(dirname "$CACHE")" && exec 9>"$CACHE.lock" && flock 9
if [[ -x "$ASSETS/kube-apiserver" && -x "$ASSETS/kube-controller-manager" && -x "$ASSETS/etcd" ]]; then
  echo "$ASSETS"
  exit 0
fi
exec 3>&1 1>&2
GO="${FLOCK_GO:-/usr/local/go/bin/go}"
[[ -x "$GO" ]] || GO="$(command -v go)"
echo "building kubernetes $KUBE_VERSION and etcd $ETCD_VERSION with $("$GO" version) into $CACHE"
mkdir -p "$ASSETS"
# Two cores are shared with other work: two compile jobs at a low priority.
export GOFLAGS="-mod=mod -p=2" GOCACHE="$CACHE/gocache" GOTOOLCHAIN=local CGO_ENABLED=0
started=$SECONDS

# kube-apiserver, kube-controller-manager.
mkdir -p "$CACHE/build/kubernetes"
cd "$CACHE/build/kubernetes"
[[ -f go.mod ]] || "$GO" mod init flock.local/kube-build
KUBE_MOD="$("$GO" mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | awk -F'"' '$2 == "GoMod" { print $4 }')"
STAGING="v0.${KUBE_VERSION#v1.}"
{
  echo "module flock.local/kube-build"
  echo
  echo "go $(awk '$1 == "go" { print $2; exit }' "$KUBE_MOD")"
  echo
  echo "require k8s.io/kubernetes $KUBE_VERSION"
  echo
  echo "replace ("
  awk -v v="$STAGING" '$2 == "=>" && $3 ~ /^\.\/staging\// { print "\t" $1 " => " $1 " " v }' "$KUBE_MOD"
  echo ")"
} > go.mod
"$GO" get "k8s.io/kubernetes/cmd/kube-apiserver@$KUBE_VERSION" "k8s.io/kubernetes/cmd/kube-controller-manager@$KUBE_VERSION"
minor="${KUBE_VERSION#v1.}"
minor="${minor%%.*}"
VERSION_PKG=k8s.io/component-base/version
LDFLAGS="-s -w -X $VERSION_PKG.gitVersion=$KUBE_VERSION -X $VERSION_PKG.gitMajor=1 -X $VERSION_PKG.gitMinor=$minor -X $VERSION_PKG.gitTreeState=clean"
for cmd in kube-apiserver kube-controller-manager; do
  if [[ ! -x "$ASSETS/$cmd" ]]; then
    nice -n 10 "$GO" build -trimpath -ldflags "$LDFLAGS" -o "$ASSETS/$cmd.tmp" "k8s.io/kubernetes/cmd/$cmd"
    mv "$ASSETS/$cmd.tmp" "$ASSETS/$cmd"
  fi
done

# etcd: the server module's etcdmain is what etcd's own main package calls.
mkdir -p "$CACHE/build/etcd"
cd "$CACHE/build/etcd"
[[ -f go.mod ]] || "$GO" mod init flock.local/etcd-build
cat > main.go <<'GO'
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
"$GO" get "go.etcd.io/etcd/server/v3@$ETCD_VERSION"
if [[ ! -x "$ASSETS/etcd" ]]; then
  nice -n 10 "$GO" build -trimpath -ldflags "-s -w" -o "$ASSETS/etcd.tmp" .
  mv "$ASSETS/etcd.tmp" "$ASSETS/etcd"
fi

echo "built in $((SECONDS - started)) s: $(du -sh "$ASSETS" | cut -f1) ($(cd "$ASSETS" && du -h kube-apiserver kube-controller-manager etcd | tr '\t\n' ': '))"
# The build cache is large and only speeds a rebuild of the same version.
rm -rf "$CACHE/gocache"
echo "$ASSETS" >&3

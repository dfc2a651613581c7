#!/usr/bin/env bash
# Builds a real kube-apiserver + kube-controller-manager (1.20, from Debian bookworm's `kubernetes`
# source package) and links Debian's etcd into one envtest-style assets dir, for the operator's
# integration tests. No Docker/kind here, and newer Debian sources are stripped to kubectl only.
# Idempotent and cached outside the clone: exits at once when the binaries exist.
# Prints the assets dir on stdout (use it as KUBEBUILDER_ASSETS); progress goes to stderr.
# Needs root for apt-get. See /work/shared/docs/reference/kubernetes-operator.md §3a.
set -euo pipefail

CACHE="${FLOCK_KUBE_CACHE:-/var/cache/flock/kube-1.20}"
ASSETS="$CACHE/bin"
if [[ -x "$ASSETS/kube-apiserver" && -x "$ASSETS/kube-controller-manager" && -x "$ASSETS/etcd" ]]; then
  echo "$ASSETS"
  exit 0
fi
exec 3>&1 1>&2
mkdir -p "$CACHE/apt/lists/partial" "$ASSETS"

# A private deb-src list so the system's apt configuration stays untouched.
cat > "$CACHE/apt/sources.list" <<'SRC'
deb-src http://deb.debian.org/debian bookworm main
deb-src http://deb.debian.org/debian-security bookworm-security main
SRC
APT_SRC=(-o "Dir::Etc::SourceList=$CACHE/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$CACHE/apt/lists")

# The vendored modern-go/reflect2 1.0.1 crashes under Go >= 1.18 on the first CR write;
# Debian's 1.0.2 replaces it below.
export DEBIAN_FRONTEND=noninteractive
if ! command -v go >/dev/null || ! command -v etcd >/dev/null || [[ ! -d /usr/share/gocode/src/github.com/modern-go/reflect2 ]]; then
  apt-get update -qq
  apt-get install -y -qq golang-go etcd-server rsync golang-github-modern-go-reflect2-dev make
fi

SRC_DIR="$CACHE/src"
if [[ ! -d "$SRC_DIR/cmd/kube-apiserver" ]]; then
  apt-get "${APT_SRC[@]}" update -qq
  (cd "$CACHE" && apt-get "${APT_SRC[@]}" source --download-only kubernetes)
  rm -rf "$SRC_DIR" && mkdir -p "$SRC_DIR"
  tar -xzf "$(ls "$CACHE"/kubernetes_*.orig.tar.gz | head -1)" -C "$SRC_DIR" --strip-components=1
  rm -rf "$SRC_DIR/vendor/github.com/modern-go/reflect2"
  cp -r /usr/share/gocode/src/github.com/modern-go/reflect2 "$SRC_DIR/vendor/github.com/modern-go/reflect2"
  rm -f "$SRC_DIR/vendor/github.com/modern-go/reflect2/go.mod"
fi

# Build as debian/rules does: a GOPATH with k8s.io/kubernetes pointing at the tree, offline.
cd "$SRC_DIR"
mkdir -p .go/src/k8s.io
ln -sfn ../../.. .go/src/k8s.io/kubernetes
export GOPATH="$SRC_DIR/.go" GOCACHE="$CACHE/gocache" CGO_ENABLED=0 GOPROXY=off
for cmd in kube-apiserver kube-controller-manager; do
  if [[ ! -x "$ASSETS/$cmd" ]]; then
    make WHAT="cmd/$cmd" KUBE_GIT_VERSION=v1.20.2 KUBE_GIT_TREE_STATE=clean
    cp "$(find _output -type f -name "$cmd" -perm -u+x | head -1)" "$ASSETS/$cmd"
  fi
done
ln -sfn "$(command -v etcd)" "$ASSETS/etcd"
echo "$ASSETS" >&3

#!/usr/bin/env bash
# Builds kpr's container images from Debian 12 packages and the CMake install targets, pulling no
# base image:
#   kpr-referral kpr-scheduling kpr-outcomes kpr-notify kpr-kprctl   `cmake --install --component`
#   kpr-nats kpr-redis                                               Debian's nats-server, redis-server
# Each image is `FROM scratch` + one mmdebstrap root filesystem (--variant=essential plus tzdata,
# ca-certificates and the packages that own the libraries the binaries link, found with ldd) +
# the binary. No RUN step, so no container runtime is needed to build.
#
# Usage: deploy/k8s/images/build.sh [IMAGE...]     IMAGE: referral scheduling outcomes notify
#                                                  kprctl nats redis (default: all of them)
# Env:   BUILD_DIR   the CMake build (default build; the binaries are built first)
#        IMAGE_DIR   root filesystems (cached by package list) and OCI archives (build/images)
#        IMAGE_TAG   tag of the kpr images (default main, as deploy/k8s/base/kustomization.yaml)
#        DEBIAN_MIRROR  default http://deb.debian.org/debian (+ -security); a
#                    snapshot.debian.org/archive/debian/<time> URL pins the package versions
# Out:   localhost/kpr-<image>:<tag> in podman's store, and $IMAGE_DIR/kpr-<image>.oci.tar
set -euo pipefail
cd "$(dirname "$0")/../../.."
ROOT=$PWD
BUILD_DIR=${BUILD_DIR:-build}
IMAGE_DIR=${IMAGE_DIR:-$BUILD_DIR/images}
IMAGE_TAG=${IMAGE_TAG:-main}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
MIRROR=${MIRROR%/}
SUITE=bookworm
KPR_IMAGES=(referral scheduling outcomes notify kprctl)
ALL_IMAGES=("${KPR_IMAGES[@]}" nats redis)
UID_GID=65532  # the non-root user every image runs as (the manifests' runAsUser)

# 77: what ctest counts as skipped (the test suite's image build), said plainly.
for tool in mmdebstrap podman ldd dpkg-query; do
  command -v "$tool" >/dev/null || {
    echo "SKIPPED: $tool not found (Debian packages mmdebstrap podman runc)" >&2
    exit 77
  }
done
images=("$@")
[ ${#images[@]} -gt 0 ] || images=("${ALL_IMAGES[@]}")
for i in "${images[@]}"; do
  [[ " ${ALL_IMAGES[*]} " == *" $i "* ]] || { echo "build.sh: unknown image '$i'" >&2; exit 2; }
done
mkdir -p "$IMAGE_DIR"
IMAGE_DIR=$(cd "$IMAGE_DIR" && pwd)

# File times and image timestamps come from the commit; package versions are what the mirror
# serves when a root filesystem is first built (then cached: see rootfs()).
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}
# "-dirty" when the tree has uncommitted changes, so the label never claims a commit it is not.
COMMIT=$(git describe --always --dirty --abbrev=12 2>/dev/null || echo unknown)
# The source label: where this commit can be fetched (KPR_SOURCE_URL, else git's origin without
# any user:token@ in it).
SOURCE=${KPR_SOURCE_URL:-$(git config --get remote.origin.url 2>/dev/null |
  sed -E 's#//[^/@]*@#//#' || true)}
SOURCE=${SOURCE:-kpr@$COMMIT}

binary_of() { if [ "$1" = kprctl ]; then echo kprctl; else echo "kpr-$1"; fi; }

# The Debian packages that own the shared libraries `ldd` lists for the given binaries.
runtime_packages() {
  local lib pkg
  local libs
  libs=$(ldd "$@")
  if grep -q "not found" <<<"$libs"; then
    echo "build.sh: a binary links a library this machine lacks:" >&2
    grep "not found" <<<"$libs" >&2
    exit 1
  fi
  awk '/=> \// {print $3} /^\t\// {print $1}' <<<"$libs" | sort -u | while read -r lib; do
    # usrmerge: dpkg may know the file as /lib/... or /usr/lib/...
    pkg=$(dpkg-query -S "$lib" 2>/dev/null || dpkg-query -S "$(realpath "$lib")" 2>/dev/null ||
      dpkg-query -S "${lib#/usr}" 2>/dev/null || dpkg-query -S "/usr$lib" 2>/dev/null) || {
      echo "build.sh: no Debian package owns $lib" >&2
      exit 1
    }
    echo "${pkg%%:*}"
  done | sed 's/,.*//' | sort -u
}

# A root filesystem tarball with these packages, built once per package list and kept in
# $IMAGE_DIR: delete $IMAGE_DIR/rootfs-*.tar to take Debian's updates since.
rootfs() {
  local packages key tar
  packages=$(printf '%s\n' tzdata ca-certificates "$@" | sort -u | paste -sd, -)
  key=$(printf '%s %s %s %s v2' "$SUITE" "$MIRROR" "$packages" "$UID_GID" | sha256sum |
    cut -c1-16)
  tar="$IMAGE_DIR/rootfs-$key.tar"
  if [ ! -s "$tar" ]; then
    echo "root filesystem: $packages" >&2
    # The user the images run as, so tools that look it up (and `ps`) show a name.
    mmdebstrap --quiet --format=tar --variant=essential --include="$packages" \
      --customize-hook="echo 'kpr:x:$UID_GID:$UID_GID:kpr:/nonexistent:/usr/sbin/nologin' >> \"\$1/etc/passwd\"" \
      --customize-hook="echo 'kpr:x:$UID_GID:' >> \"\$1/etc/group\"" \
      --customize-hook='rm -f "$1/etc/resolv.conf" "$1/etc/hostname"' \
      "$SUITE" "$tar.part" \
      "deb $MIRROR $SUITE main" "deb $MIRROR $SUITE-updates main" \
      "deb ${MIRROR%/debian}/debian-security $SUITE-security main" >&2
    mv "$tar.part" "$tar"
  fi
  echo "$tar"
}

# The Debian version of a package inside a root filesystem (2.9.10-1+b3).
debian_version() {
  tar -xOf "$1" ./var/lib/dpkg/status | awk -v p="$2" '
    $1 == "Package:" {hit = ($2 == p)} hit && $1 == "Version:" {print $2}'
}
# Its upstream part, the image tag the manifests name (2.9.10).
upstream() { sed 's/^[0-9]*://; s/[-+~].*//' <<<"$1"; }

# build_image NAME TAG VERSION ROOTFS ENTRYPOINT PORTS [STAGED_DIR]
build_image() {
  local name=$1 tag=$2 version=$3 tar=$4 entrypoint=$5 ports=$6 staged=${7:-} ctx
  ctx="$IMAGE_DIR/context/$name"
  rm -rf "$ctx" && mkdir -p "$ctx"
  ln "$tar" "$ctx/rootfs.tar" 2>/dev/null || cp "$tar" "$ctx/rootfs.tar"
  {
    echo "FROM scratch"
    echo "ADD rootfs.tar /"
    [ -n "$staged" ] && echo "COPY usr/ /usr/"
    echo "ENV PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    echo "USER $UID_GID:$UID_GID"
    [ -n "$ports" ] && echo "EXPOSE $ports"
    echo "LABEL org.opencontainers.image.title=\"kpr-$name\" \\"
    echo "      org.opencontainers.image.source=\"$SOURCE\" \\"
    echo "      org.opencontainers.image.version=\"$version\" \\"
    echo "      org.opencontainers.image.revision=\"$COMMIT\" \\"
    echo "      org.opencontainers.image.description=\"kpr-$name on Debian $SUITE (mmdebstrap --variant=essential)\""
    echo "ENTRYPOINT [\"$entrypoint\"]"
  } > "$ctx/Containerfile"
  [ -n "$staged" ] && cp -a "$staged/usr" "$ctx/"
  podman build --quiet --timestamp "$SOURCE_DATE_EPOCH" -t "localhost/kpr-$name:$tag" \
    -f "$ctx/Containerfile" "$ctx" >/dev/null
  rm -f "$IMAGE_DIR/kpr-$name.oci.tar"
  podman save --quiet --format oci-archive -o "$IMAGE_DIR/kpr-$name.oci.tar" \
    "localhost/kpr-$name:$tag"
  rm -rf "$ctx"
  printf '%-32s %s\n' "localhost/kpr-$name:$tag" \
    "$(du -h "$IMAGE_DIR/kpr-$name.oci.tar" | cut -f1) $IMAGE_DIR/kpr-$name.oci.tar"
}

need_kpr=false
for i in "${images[@]}"; do [[ " ${KPR_IMAGES[*]} " == *" $i "* ]] && need_kpr=true; done
if $need_kpr; then
  bins=()
  for i in "${KPR_IMAGES[@]}"; do bins+=("$(binary_of "$i")"); done
  ./scripts/build.sh "${bins[@]}" >/dev/null
  VERSION=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$BUILD_DIR/CMakeCache.txt")
  rm -rf "$IMAGE_DIR/stage"
  for i in "${KPR_IMAGES[@]}"; do
    cmake --install "$BUILD_DIR" --component "$i" --prefix "$IMAGE_DIR/stage/$i/usr/local" \
      --strip >/dev/null
  done
  # One root filesystem for all five: the libraries any of them links, so they share one layer.
  kpr_packages=$(runtime_packages "$IMAGE_DIR"/stage/*/usr/local/bin/*)
  # shellcheck disable=SC2086  # one package name a word
  kpr_rootfs=$(rootfs $kpr_packages)
fi

for i in "${images[@]}"; do
  case $i in
    nats)
      tar=$(rootfs nats-server)
      v=$(debian_version "$tar" nats-server)
      build_image nats "$(upstream "$v")" "$v" "$tar" /usr/sbin/nats-server "4222 6222 8222"
      ;;
    redis)
      # redis-tools: redis-cli, which the cluster-forming Job runs from this image.
      tar=$(rootfs redis-server redis-tools)
      v=$(debian_version "$tar" redis-server)
      build_image redis "$(upstream "$v")" "$v" "$tar" /usr/bin/redis-server "6379 16379"
      ;;
    kprctl)
      build_image kprctl "$IMAGE_TAG" "$VERSION" "$kpr_rootfs" /usr/local/bin/kprctl "" \
        "$IMAGE_DIR/stage/kprctl"
      ;;
    *)
      build_image "$i" "$IMAGE_TAG" "$VERSION" "$kpr_rootfs" "/usr/local/bin/kpr-$i" "50051 8080" \
        "$IMAGE_DIR/stage/$i"
      ;;
  esac
done
echo "version ${VERSION:-} commit $COMMIT; load with: podman load -i $IMAGE_DIR/kpr-<image>.oci.tar"

#!/usr/bin/env bash
# Installs the system tools flibs' tests use for real: an OCI registry, buildah with runc (the OCI runtime of
# `--isolation oci`, flibs' default: without it RUN fails with "exec: no command"), skopeo, qemu for
# foreign-arch builds, and gcc with static libc (the build isolation test compiles a chroot-escape program).
# Debian/Ubuntu, run as root. Safe to run again.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
need=(docker-registry skopeo buildah runc qemu-user-static binfmt-support apache2-utils busybox-static gcc libc6-dev)
missing=()
for p in "${need[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The packaged registry service listens on :5000 with auth; tests start their own instances.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet docker-registry 2>/dev/null; then
  systemctl stop docker-registry || true
fi
# Foreign-arch RUN steps go through qemu-user-static via binfmt_misc.
if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
  mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null || true
fi
if [ -e /proc/sys/fs/binfmt_misc/register ]; then
  for a in aarch64 ppc64le s390x; do
    [ -e "/proc/sys/fs/binfmt_misc/qemu-$a" ] || update-binfmts --enable "qemu-$a" >/dev/null 2>&1 || true
  done
fi
# A static aarch64 busybox (Debian's busybox-static:arm64) for the e2e build's 2-arch base image; the
# x86_64 one is /bin/busybox from busybox-static above.
BUSYBOX_AARCH64=/usr/local/lib/flibs-test/busybox-aarch64
if [ ! -x "$BUSYBOX_AARCH64" ]; then
  dpkg --print-foreign-architectures | grep -qx arm64 || { dpkg --add-architecture arm64; apt-get update -qq; }
  bbtmp=$(mktemp -d)
  (cd "$bbtmp" && apt-get download -qq busybox-static:arm64 >/dev/null 2>&1 && dpkg-deb -x busybox-static_*_arm64.deb root)
  install -D -m 0755 "$bbtmp/root/bin/busybox" "$BUSYBOX_AARCH64"
  rm -rf "$bbtmp"
fi
echo "system tools ready: $(buildah --version | head -1); $(runc --version | head -1); $(skopeo --version); registry $(docker-registry --version 2>/dev/null | head -1)"

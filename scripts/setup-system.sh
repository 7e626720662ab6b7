#!/usr/bin/env bash
# Installs the system tools flibs' tests use for real: an OCI registry, buildah, skopeo, and qemu for
# foreign-arch builds. Debian/Ubuntu, run as root. Safe to run again.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
need=(docker-registry skopeo buildah qemu-user-static binfmt-support apache2-utils busybox-static)
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
echo "system tools ready: $(buildah --version | head -1); $(skopeo --version); registry $(docker-registry --version 2>/dev/null | head -1)"

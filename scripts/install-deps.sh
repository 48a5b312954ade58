#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs the Debian packages baton's build and tests need, when missing (as root; else says what
# is missing). Kernels and kexec-tools are not installed here: scripts/assets.sh only unpacks them.
set -eu
PKGS="make gcc clang libc6-dev libcmocka-dev libssl-dev libxen-dev zlib1g-dev liblzma-dev libzstd-dev python3 python3-pytest strace valgrind \
qemu-system-x86 busybox-static cpio gzip lz4 zstd e2fsprogs libclang-rt-14-dev ovmf mtools dosfstools sbsigntool \
dpkg-dev debhelper rsync bash-completion debootstrap pkgconf iproute2 util-linux \
binutils systemd-boot-efi"

missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -n "$missing" ] || exit 0
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages:$missing (run as root, or apt-get install them)" >&2
	exit 1
fi
echo "install-deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends $missing >/dev/null

#!/bin/sh
# Builds everything the VM tests need under $BUILD/assets (idempotent; run again to refresh).
#
#   scripts/assets.sh [BUILD]          BUILD defaults to $BUILD, then "build"
#
# Made here:
#   vmlinuz              Debian cloud kernel (bzImage), from linux-image-<ver>-cloud-amd64
#   kernel.config        its config (to check CONFIG_KEXEC and friends)
#   kexec-root/          Debian's kexec-tools binary plus the shared libraries it needs
#   payload.bin          1 MiB of random bytes, made once; payload.sha256 holds its sha256
#   target-initrd.img    initramfs for the second kernel: prints its command line and the payload
#                        sha256 and its paging mode (BATON-TARGET-* lines), then powers off
#   host-initrd.img      initramfs for the first kernel: baton (if built), kexec, the kernel and the
#                        target initrd under /boot, and a shell on ttyS0 with the prompt 'baton-vm# '
#
# Kernels and kexec-tools are only downloaded and unpacked, never installed on this machine.
set -eu

BUILD=${1:-${BUILD:-build}}
ASSETS=$BUILD/assets
DL=$ASSETS/dl
HOST_PKGS="qemu-system-x86 busybox-static cpio python3-pytest strace"
KERNEL_META=linux-image-cloud-amd64

log() { echo "assets: $*" >&2; }
die() { echo "assets: error: $*" >&2; exit 1; }

mkdir -p "$DL"
ASSETS=$(cd "$ASSETS" && pwd)
DL=$ASSETS/dl

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

host_packages() {
	missing=
	for p in $HOST_PKGS; do
		installed "$p" || missing="$missing $p"
	done
	[ -n "$missing" ] || return 0
	if [ "$(id -u)" != 0 ]; then
		log "missing host packages (not root, not installing):$missing"
		return 0
	fi
	log "installing host packages:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -qq $missing >/dev/null 2>&1 ||
		{ apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq $missing >/dev/null; }
}

# download PKG: fetches PKG's .deb into $DL once and prints its path.
download() {
	deb=$(ls "$DL/$1"_*.deb 2>/dev/null | head -n1 || true)
	if [ -z "$deb" ]; then
		log "downloading $1"
		(cd "$DL" && apt-get download -qq "$1" >/dev/null 2>&1) ||
			{ apt-get update -qq >/dev/null 2>&1 && (cd "$DL" && apt-get download -qq "$1" >/dev/null); } ||
			die "cannot download $1"
		deb=$(ls "$DL/$1"_*.deb | head -n1)
	fi
	echo "$deb"
}

# The versioned kernel package, e.g. linux-image-6.1.0-56-cloud-amd64.
kernel_package() {
	apt-cache depends "$KERNEL_META" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n1
}

kernel() {
	pkg=$(kernel_package)
	[ -n "$pkg" ] || die "cannot resolve $KERNEL_META (apt-get update?)"
	if [ -f "$ASSETS/vmlinuz" ] && [ "$(cat "$ASSETS/vmlinuz.package" 2>/dev/null)" = "$pkg" ]; then
		return 0
	fi
	deb=$(download "$pkg")
	rm -rf "$DL/kernel"
	dpkg-deb -x "$deb" "$DL/kernel"
	cp "$DL/kernel/boot/vmlinuz-"* "$ASSETS/vmlinuz.tmp"
	cp "$DL/kernel/boot/config-"* "$ASSETS/kernel.config"
	rm -rf "$DL/kernel"
	mv "$ASSETS/vmlinuz.tmp" "$ASSETS/vmlinuz"
	echo "$pkg" >"$ASSETS/vmlinuz.package"
	log "kernel: $pkg"
}

# kexec-tools and the closure of the library packages it needs that this machine lacks.
kexec_tools() {
	[ -x "$ASSETS/kexec-root/sbin/kexec" ] && return 0
	rm -rf "$DL/kexec-x" "$ASSETS/kexec-root.tmp"
	mkdir -p "$DL/kexec-x"
	todo=kexec-tools
	seen=
	while [ -n "$todo" ]; do
		set -- $todo
		p=$1
		shift
		todo="$*"
		case " $seen " in *" $p "*) continue ;; esac
		seen="$seen $p"
		dpkg-deb -x "$(download "$p")" "$DL/kexec-x"
		for d in $(apt-cache depends "$p" 2>/dev/null | sed -n 's/^ *Depends: \(lib[^ <>]*\)$/\1/p'); do
			installed "$d" || todo="$todo $d"
		done
	done
	libpath=$(find "$DL/kexec-x" -name '*.so*' -exec dirname {} \; | sort -u | tr '\n' ':')
	out=$ASSETS/kexec-root.tmp
	mkdir -p "$out/sbin" "$out/lib/x86_64-linux-gnu" "$out/lib64"
	cp "$DL/kexec-x/sbin/kexec" "$out/sbin/kexec"
	deps=$(LD_LIBRARY_PATH=$libpath ldd "$out/sbin/kexec")
	if echo "$deps" | grep -q 'not found'; then
		echo "$deps" >&2
		die "kexec: unresolved libraries"
	fi
	echo "$deps" | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p' | while read -r lib; do
		cp -L "$lib" "$out/lib/x86_64-linux-gnu/$(basename "$lib")"
	done
	loader=$(echo "$deps" | sed -n 's/^[[:space:]]*\(\/[^ ]*ld-linux[^ ]*\) .*/\1/p' | head -n1)
	cp -L "$loader" "$out/lib64/$(basename "$loader")"
	rm -rf "$ASSETS/kexec-root" "$DL/kexec-x"
	mv "$out" "$ASSETS/kexec-root"
	log "kexec-tools: $(ls "$DL"/kexec-tools_*.deb | sed 's/.*\///')"
}

payload() {
	if [ ! -f "$ASSETS/payload.bin" ]; then
		head -c 1048576 /dev/urandom >"$ASSETS/payload.bin.tmp"
		mv "$ASSETS/payload.bin.tmp" "$ASSETS/payload.bin"
	fi
	sha256sum "$ASSETS/payload.bin" | cut -d' ' -f1 >"$ASSETS/payload.sha256"
}

# skeleton DIR: an initramfs tree with busybox as /bin/sh and the usual mount points.
skeleton() {
	rm -rf "$1"
	mkdir -p "$1/bin" "$1/sbin" "$1/usr/bin" "$1/usr/sbin" "$1/proc" "$1/sys" "$1/dev" "$1/tmp" "$1/root" "$1/etc" "$1/boot"
	cp /bin/busybox "$1/bin/busybox"
	ln -s busybox "$1/bin/sh"
}

# pack DIR IMAGE: newc cpio, gzip, reproducible apart from the payload.
pack() {
	(cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -9 -n >"$2.tmp"
	mv "$2.tmp" "$2"
}

target_initrd() {
	img=$ASSETS/target-initrd.img
	if [ -f "$img" ] && [ "$img" -nt "$ASSETS/payload.bin" ] && [ "$img" -nt "$0" ]; then
		return 0
	fi
	root=$DL/target-root
	skeleton "$root"
	cp "$ASSETS/payload.bin" "$root/payload.bin"
	cat >"$root/init" <<EOF
#!/bin/sh
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
dmesg -n 1
echo "BATON-TARGET-CMDLINE: \$(cat /proc/cmdline)"
echo "BATON-TARGET-PAYLOAD: \$(sha256sum /payload.bin | cut -d' ' -f1)"
echo "BATON-TARGET-EXPECTED: $(cat "$ASSETS/payload.sha256")"
grep -q -w la57 /proc/cpuinfo && paging=la57 || paging=4level
echo "BATON-TARGET-PAGING: \$paging"
echo "BATON-TARGET-DONE"
poweroff -f
EOF
	chmod 755 "$root/init"
	pack "$root" "$img"
	rm -rf "$root"
	log "built $img"
}

host_initrd() {
	img=$ASSETS/host-initrd.img
	baton=$BUILD/baton-static
	if [ -f "$img" ] && [ "$img" -nt "$ASSETS/target-initrd.img" ] && [ "$img" -nt "$ASSETS/vmlinuz" ] &&
		[ "$img" -nt "$0" ] && { [ ! -f "$baton" ] || [ "$img" -nt "$baton" ]; } &&
		{ [ -f "$baton" ] || [ ! -f "$ASSETS/host-initrd.has-baton" ]; }; then
		return 0
	fi
	root=$DL/host-root
	skeleton "$root"
	cp -a "$ASSETS/kexec-root/." "$root/"
	rm -f "$ASSETS/host-initrd.has-baton"
	if [ -f "$baton" ]; then
		cp "$baton" "$root/sbin/baton"
		touch "$ASSETS/host-initrd.has-baton"
	fi
	cp "$ASSETS/vmlinuz" "$root/boot/vmlinuz"
	cp "$ASSETS/target-initrd.img" "$root/boot/initrd.img"
	cat >"$root/init" <<'EOF'
#!/bin/sh
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
export PATH=/sbin:/bin HOME=/root PS1='baton-vm# '
cd /root
dmesg -n 4
stty -F /dev/ttyS0 cols 4096 rows 50 2>/dev/null
echo "BATON-VM-READY: $(uname -r) $(cat /proc/cmdline)"
while :; do
	setsid cttyhack sh -i
done
EOF
	chmod 755 "$root/init"
	pack "$root" "$img"
	rm -rf "$root"
	log "built $img$([ -f "$baton" ] && echo ' (with baton)' || echo ' (without baton)')"
}

host_packages
kernel
kexec_tools
payload
target_initrd
host_initrd

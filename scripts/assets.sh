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
#   makedumpfile-root/   Debian's makedumpfile binary plus the shared libraries and loader it needs
#   capture-initrd.img   initramfs for a kdump (capture) kernel: mounts proc, sys, devtmpfs, prints
#                        BATON-CAPTURE-CMDLINE/-PAGING/-READY lines and gives a shell on ttyS0 with
#                        the prompt 'capture# ' (busybox, makedumpfile)
#   host-initrd.img      initramfs for the first kernel: baton (if built), kexec, the kernel, the
#                        target initrd (/boot/initrd.img) and the capture initrd
#                        (/boot/capture-initrd.img) under /boot, and a shell on ttyS0 with the prompt
#                        'baton-vm# '
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

# binary_root PKG BIN OUT: OUT gets PKG's BIN (its path inside the package, e.g. usr/bin/x) at the
# same path, the shared libraries it needs in lib/x86_64-linux-gnu and the dynamic loader in lib64.
# Library packages this machine lacks are downloaded and unpacked next to it to resolve them.
binary_root() {
	br_pkg=$1 br_bin=$2 br_out=$3
	br_x=$DL/$br_pkg-x
	rm -rf "$br_x" "$br_out.tmp"
	mkdir -p "$br_x"
	br_todo=$br_pkg
	br_seen=
	while [ -n "$br_todo" ]; do
		br_p=${br_todo%% *}
		[ "$br_p" = "$br_todo" ] && br_todo= || br_todo=${br_todo#* }
		case " $br_seen " in *" $br_p "*) continue ;; esac
		br_seen="$br_seen $br_p"
		dpkg-deb -x "$(download "$br_p")" "$br_x"
		for d in $(apt-cache depends "$br_p" 2>/dev/null | sed -n 's/^ *Depends: \(lib[^ <>]*\)$/\1/p'); do
			installed "$d" || br_todo="${br_todo:+$br_todo }$d"
		done
	done
	[ -x "$br_x/$br_bin" ] || die "$br_pkg has no $br_bin"
	br_libpath=$(find "$br_x" -name '*.so*' -exec dirname {} \; | sort -u | tr '\n' ':')
	mkdir -p "$br_out.tmp/$(dirname "$br_bin")" "$br_out.tmp/lib/x86_64-linux-gnu" "$br_out.tmp/lib64"
	cp "$br_x/$br_bin" "$br_out.tmp/$br_bin"
	br_deps=$(LD_LIBRARY_PATH=$br_libpath ldd "$br_out.tmp/$br_bin")
	if echo "$br_deps" | grep -q 'not found'; then
		echo "$br_deps" >&2
		die "$br_bin: unresolved libraries"
	fi
	echo "$br_deps" | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p' | while read -r lib; do
		cp -L "$lib" "$br_out.tmp/lib/x86_64-linux-gnu/$(basename "$lib")"
	done
	br_loader=$(echo "$br_deps" | sed -n 's/^[[:space:]]*\(\/[^ ]*ld-linux[^ ]*\) .*/\1/p' | head -n1)
	cp -L "$br_loader" "$br_out.tmp/lib64/$(basename "$br_loader")"
	rm -rf "$br_out" "$br_x"
	mv "$br_out.tmp" "$br_out"
}

makedumpfile_root() {
	[ -x "$ASSETS/makedumpfile-root/usr/bin/makedumpfile" ] && return 0
	binary_root makedumpfile usr/bin/makedumpfile "$ASSETS/makedumpfile-root"
	log "makedumpfile: $(ls "$DL"/makedumpfile_*.deb | sed 's/.*\///')"
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
	if [ -f "$img" ] && [ "$img" -nt "$ASSETS/payload.bin" ] && [ "$img" -nt "$0" ] &&
		{ [ ! -f "$BUILD/baton-static" ] || [ "$img" -nt "$BUILD/baton-static" ]; }; then
		return 0
	fi
	root=$DL/target-root
	skeleton "$root"
	cp "$ASSETS/payload.bin" "$root/payload.bin"
	# baton --report reads the purgatory's timing record (a no-op line after kexec-tools)
	[ -f "$BUILD/baton-static" ] && cp "$BUILD/baton-static" "$root/sbin/baton"
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
[ -x /sbin/baton ] && echo "BATON-TARGET-REPORT: \$(/sbin/baton --report --json 2>&1)"
echo "BATON-TARGET-DONE"
poweroff -f
EOF
	chmod 755 "$root/init"
	pack "$root" "$img"
	rm -rf "$root"
	log "built $img"
}

# The kdump kernel's initramfs. /proc/vmcore is the dead kernel's memory; the test reads it with
# makedumpfile, head and dd at the 'capture# ' prompt, then powers off.
capture_initrd() {
	img=$ASSETS/capture-initrd.img
	if [ -f "$img" ] && [ "$img" -nt "$0" ] &&
		[ "$img" -nt "$ASSETS/makedumpfile-root/usr/bin/makedumpfile" ]; then
		return 0
	fi
	root=$DL/capture-root
	skeleton "$root"
	cp -a "$ASSETS/makedumpfile-root/." "$root/"
	cat >"$root/init" <<'EOF'
#!/bin/sh
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
export PATH=/sbin:/usr/sbin:/bin:/usr/bin HOME=/root PS1='capture# '
cd /root
dmesg -n 4
stty -F /dev/ttyS0 cols 4096 rows 50 2>/dev/null
echo "BATON-CAPTURE-CMDLINE: $(cat /proc/cmdline)"
grep -q -w la57 /proc/cpuinfo && paging=la57 || paging=4level
echo "BATON-CAPTURE-PAGING: $paging"
[ -e /proc/vmcore ] && vmcore=$(stat -c %s /proc/vmcore) || vmcore=none
echo "BATON-CAPTURE-READY: $(uname -r) vmcore=$vmcore"
while :; do
	setsid cttyhack sh -i
done
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
		[ "$img" -nt "$ASSETS/capture-initrd.img" ] && [ "$img" -nt "$0" ] && { [ ! -f "$baton" ] || [ "$img" -nt "$baton" ]; } &&
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
	cp "$ASSETS/capture-initrd.img" "$root/boot/capture-initrd.img"
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

# --- Xen (tests/vm/test_xen.py) ---------------------------------------------------------------
# Made here (skipped with BATON_XEN_ASSETS=0):
#   xen                  the hypervisor (Debian's xen-hypervisor-4.17-amd64, boot/xen-4.17-amd64.gz
#                        gunzipped: QEMU's multiboot loader takes it as -kernel); xen.package
#   xen-dom0-vmlinuz     dom0 kernel: the full amd64 flavour (the cloud one lacks XEN_DOM0);
#                        xen-dom0.package, xen-dom0.config
#   xen-dom0-initrd.img  dom0's initramfs: insmods xen-privcmd, xen-evtchn, xen-gntdev, xenfs (and
#                        what they depend on), mounts xenfs on /proc/xen, prints
#                        BATON-DOM0-READY: <release> caps=<capabilities> <cmdline>, and gives a shell
#                        on hvc0 with the prompt 'baton-dom0# '. /sbin/kexec (with its libxenctrl & co),
#                        /sbin/baton (if built), /boot/vmlinuz (the cloud kernel), /boot/initrd.img
#                        (the target initrd), /boot/capture-initrd.img (if built).
XEN_PKG=xen-hypervisor-4.17-amd64
XEN_FILE=boot/xen-4.17-amd64.gz
XEN_DOM0_META=linux-image-amd64
XEN_DOM0_MODULES="xen-privcmd xen-evtchn xen-gntdev xenfs"

xen_hypervisor() {
	deb=$(download "$XEN_PKG")
	ver=$(basename "$deb")
	if [ -f "$ASSETS/xen" ] && [ "$(cat "$ASSETS/xen.package" 2>/dev/null)" = "$ver" ]; then
		return 0
	fi
	rm -rf "$DL/xen-x"
	dpkg-deb -x "$deb" "$DL/xen-x"
	[ -f "$DL/xen-x/$XEN_FILE" ] || die "$XEN_PKG has no $XEN_FILE"
	gzip -dc "$DL/xen-x/$XEN_FILE" >"$ASSETS/xen.tmp"
	rm -rf "$DL/xen-x"
	mv "$ASSETS/xen.tmp" "$ASSETS/xen"
	echo "$ver" >"$ASSETS/xen.package"
	log "xen: $ver"
}

# xen_module_order TREE NAME...: module file paths (relative to TREE), dependencies first.
xen_module_order() {
	xmo_tree=$1
	shift
	xmo_done=
	xmo_file() {
		find "$xmo_tree" -name "$1.ko*" -o -name "$(echo "$1" | tr _ -).ko*" -o \
			-name "$(echo "$1" | tr - _).ko*" | head -n1
	}
	xmo_depends() {	# the module's "depends=" (.modinfo), without needing kmod here
		case "$1" in
		*.xz) xz -dc "$1" ;;
		*.zst) zstd -qdc "$1" ;;
		*.gz) gzip -dc "$1" ;;
		*) cat "$1" ;;
		esac | tr '\0' '\n' | sed -n 's/^depends=//p' | head -n1 | tr , ' '
	}
	xmo_visit() {
		xmo_key=$(echo "$1" | tr - _)
		case " $xmo_done " in *" $xmo_key "*) return 0 ;; esac
		f=$(xmo_file "$1")
		[ -n "$f" ] || die "dom0 kernel has no module $1"
		for d in $(xmo_depends "$f"); do
			xmo_visit "$d"
		done
		xmo_done="$xmo_done $(echo "$1" | tr - _)"
		f=$(xmo_file "$1")	# the recursion reused $f
		echo "${f#$xmo_tree/}"
	}
	for m in "$@"; do
		xmo_visit "$m"
	done
}

xen_dom0_kernel() {
	pkg=$(apt-cache depends "$XEN_DOM0_META" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n1)
	[ -n "$pkg" ] || die "cannot resolve $XEN_DOM0_META (apt-get update?)"
	if [ -f "$ASSETS/xen-dom0-vmlinuz" ] && [ -f "$ASSETS/xen-dom0-modules/order" ] &&
		[ "$(cat "$ASSETS/xen-dom0.package" 2>/dev/null)" = "$pkg" ]; then
		return 0
	fi
	deb=$(download "$pkg")
	x=$DL/xen-dom0-x
	rm -rf "$x" "$ASSETS/xen-dom0-modules"
	dpkg-deb -x "$deb" "$x"
	tree=$(ls -d "$x"/lib/modules/* | head -n1)
	mkdir -p "$ASSETS/xen-dom0-modules"
	xen_module_order "$tree" $XEN_DOM0_MODULES >"$DL/xen-dom0.order"
	: >"$ASSETS/xen-dom0-modules/order"
	while read -r rel; do
		base=$(basename "$rel")
		case "$base" in
		*.ko.xz) xz -dc "$tree/$rel" >"$ASSETS/xen-dom0-modules/${base%.xz}" ;;
		*.ko.zst) zstd -qdc "$tree/$rel" >"$ASSETS/xen-dom0-modules/${base%.zst}" ;;
		*.ko.gz) gzip -dc "$tree/$rel" >"$ASSETS/xen-dom0-modules/${base%.gz}" ;;
		*) cp "$tree/$rel" "$ASSETS/xen-dom0-modules/$base" ;;
		esac
		echo "${base%.ko*}.ko" >>"$ASSETS/xen-dom0-modules/order"
	done <"$DL/xen-dom0.order"
	cp "$x/boot/vmlinuz-"* "$ASSETS/xen-dom0-vmlinuz.tmp"
	cp "$x/boot/config-"* "$ASSETS/xen-dom0.config"
	rm -rf "$x" "$DL/xen-dom0.order"
	mv "$ASSETS/xen-dom0-vmlinuz.tmp" "$ASSETS/xen-dom0-vmlinuz"
	echo "$pkg" >"$ASSETS/xen-dom0.package"
	log "xen dom0 kernel: $pkg (modules: $(tr '\n' ' ' <"$ASSETS/xen-dom0-modules/order"))"
}

xen_dom0_initrd() {
	img=$ASSETS/xen-dom0-initrd.img
	baton=$BUILD/baton-static
	if [ -f "$img" ] && [ "$img" -nt "$0" ] && [ "$img" -nt "$ASSETS/target-initrd.img" ] &&
		[ "$img" -nt "$ASSETS/vmlinuz" ] && [ "$img" -nt "$ASSETS/xen-dom0-modules/order" ] &&
		{ [ ! -f "$ASSETS/capture-initrd.img" ] || [ "$img" -nt "$ASSETS/capture-initrd.img" ]; } &&
		{ [ ! -f "$baton" ] || [ "$img" -nt "$baton" ]; } &&
		{ [ -f "$baton" ] || [ ! -f "$ASSETS/xen-dom0-initrd.has-baton" ]; }; then
		return 0
	fi
	root=$DL/xen-dom0-root
	skeleton "$root"
	cp -a "$ASSETS/kexec-root/." "$root/"
	for lib in libxenctrl.so libxencall.so libxenforeignmemory.so libxentoollog.so; do
		ls "$root/lib/x86_64-linux-gnu/$lib".* >/dev/null 2>&1 ||
			die "kexec-root lacks $lib (kexec-tools without Xen support?)"
	done
	# Debian's layout: the dynamic loader also under its soname in the library directory. A
	# static binary's dlopen (baton-static opens libxenctrl) resolves libc.so.6's NEEDED
	# ld-linux-x86-64.so.2 there, not through /lib64.
	for ld in "$root"/lib64/ld-linux*; do
		[ -e "$root/lib/x86_64-linux-gnu/${ld##*/}" ] ||
			ln -s "/lib64/${ld##*/}" "$root/lib/x86_64-linux-gnu/${ld##*/}"
	done
	mkdir -p "$root/lib/modules"
	cp "$ASSETS/xen-dom0-modules/"* "$root/lib/modules/"
	rm -f "$ASSETS/xen-dom0-initrd.has-baton"
	if [ -f "$baton" ]; then
		cp "$baton" "$root/sbin/baton"
		touch "$ASSETS/xen-dom0-initrd.has-baton"
	fi
	cp "$ASSETS/vmlinuz" "$root/boot/vmlinuz"
	cp "$ASSETS/target-initrd.img" "$root/boot/initrd.img"
	[ ! -f "$ASSETS/capture-initrd.img" ] || cp "$ASSETS/capture-initrd.img" "$root/boot/capture-initrd.img"
	cat >"$root/init" <<'EOF'
#!/bin/sh
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
export PATH=/sbin:/bin:/usr/sbin:/usr/bin HOME=/root PS1='baton-dom0# '
cd /root
dmesg -n 4
for m in $(cat /lib/modules/order); do
	insmod /lib/modules/$m || echo "BATON-DOM0-ERROR: insmod $m failed"
done
mkdir -p /proc/xen
mount -t xenfs xenfs /proc/xen || echo "BATON-DOM0-ERROR: cannot mount xenfs"
stty cols 4096 rows 50 2>/dev/null
echo "BATON-DOM0-READY: $(uname -r) caps=$(cat /proc/xen/capabilities 2>/dev/null) $(cat /proc/cmdline)"
while :; do
	setsid cttyhack sh -i
done
EOF
	chmod 755 "$root/init"
	pack "$root" "$img"
	rm -rf "$root"
	log "built $img$([ -f "$baton" ] && echo ' (with baton)' || echo ' (without baton)')"
}

xen_assets() {
	[ "${BATON_XEN_ASSETS:-1}" != 0 ] || return 0
	xen_hypervisor
	xen_dom0_kernel
	xen_dom0_initrd
}

# --- UEFI (tests/vm/test_efi.py) --------------------------------------------------------------
# Made here (skipped with BATON_EFI_ASSETS=0; the machine itself needs Debian's ovmf):
#   efi-modules/efivarfs.ko  the cloud kernel builds efivarfs as a module: taken (decompressed)
#                        from the kernel package in $DL; efi-modules/package names that package
#   target-efi-initrd.img  initramfs for the second kernel under UEFI: loads efivarfs, prints
#                        BATON-EFI-* lines (EFI in sysfs, the systab, runtime-map entries, an EFI
#                        variable read through the runtime services, setup_data types, the
#                        framebuffer, the kernel's efi lines), BATON-EFI-DONE, and powers off
#   efi-host-initrd.img  host-initrd.img followed by a second cpio (the kernel unpacks both) with
#                        /boot/efi-initrd.img (the above) and /lib/modules/efivarfs.ko
EFI_VAR_DEFAULT=BootOrder-8be4df61-93ca-11d2-aa0d-00e098032b8c

efi_module() {
	pkg=$(cat "$ASSETS/vmlinuz.package")
	if [ -f "$ASSETS/efi-modules/efivarfs.ko" ] &&
		[ "$(cat "$ASSETS/efi-modules/package" 2>/dev/null)" = "$pkg" ]; then
		return 0
	fi
	deb=$(download "$pkg")
	x=$DL/efi-x
	rm -rf "$x" "$ASSETS/efi-modules"
	mkdir -p "$x" "$ASSETS/efi-modules"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$x" --wildcards '*/fs/efivarfs/efivarfs.ko*'
	ko=$(find "$x" -name 'efivarfs.ko*' | head -n1)
	[ -n "$ko" ] || die "$pkg has no efivarfs module"
	case "$ko" in
	*.ko.xz) xz -dc "$ko" ;;
	*.ko.zst) zstd -qdc "$ko" ;;
	*.ko.gz) gzip -dc "$ko" ;;
	*) cat "$ko" ;;
	esac >"$ASSETS/efi-modules/efivarfs.ko"
	rm -rf "$x"
	echo "$pkg" >"$ASSETS/efi-modules/package"
	log "efivarfs.ko from $pkg"
}

target_efi_initrd() {
	img=$ASSETS/target-efi-initrd.img
	if [ -f "$img" ] && [ "$img" -nt "$0" ] && [ "$img" -nt "$ASSETS/efi-modules/efivarfs.ko" ]; then
		return 0
	fi
	root=$DL/target-efi-root
	skeleton "$root"
	mkdir -p "$root/lib/modules"
	cp "$ASSETS/efi-modules/efivarfs.ko" "$root/lib/modules/efivarfs.ko"
	cat >"$root/init" <<EOF
#!/bin/sh
/bin/busybox --install -s
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
dmesg -n 1
E=/sys/firmware/efi
echo "BATON-EFI-CMDLINE: \$(cat /proc/cmdline)"
[ -d \$E ] && echo "BATON-EFI-SYSFS: yes" || echo "BATON-EFI-SYSFS: no"
echo "BATON-EFI-PLATFORM-SIZE: \$(cat \$E/fw_platform_size 2>/dev/null)"
echo "BATON-EFI-SYSTAB: \$(cat \$E/systab 2>/dev/null | tr '\n' ' ')"
echo "BATON-EFI-RUNTIME-MAP: \$(ls \$E/runtime-map 2>/dev/null | wc -l)"
insmod /lib/modules/efivarfs.ko
echo "BATON-EFI-INSMOD: \$?"
mount -t efivarfs efivarfs \$E/efivars 2>&1
echo "BATON-EFI-MOUNT: \$?"
echo "BATON-EFI-VARS: \$(ls \$E/efivars 2>/dev/null | wc -l)"
var=$EFI_VAR_DEFAULT
[ -e \$E/efivars/\$var ] || var=\$(ls \$E/efivars 2>/dev/null | head -n1)
if [ -n "\$var" ]; then
	hex=\$(xxd -p \$E/efivars/\$var 2>&1 | tr -d '\n')
	echo "BATON-EFI-VAR: \$var \${hex:-empty}"
else
	echo "BATON-EFI-VAR: none none"
fi
sd=
for d in /sys/kernel/boot_params/setup_data/*; do
	[ -f \$d/type ] || continue
	sd="\$sd \$(basename \$d):\$(cat \$d/type):\$(wc -c <\$d/data)"
	echo "BATON-EFI-SETUP-NODE: \$(basename \$d) \$(cat \$d/type) \$(head -c 256 \$d/data | xxd -p | tr -d '\n')"
done
echo "BATON-EFI-SETUP-DATA:\$sd"
echo "BATON-EFI-BOOT-PARAMS: \$(base64 /sys/kernel/boot_params/data | tr -d '\n')"
echo "BATON-EFI-SCREEN-INFO: \$(head -c 64 /sys/kernel/boot_params/data | xxd -p | tr -d '\n')"
echo "BATON-EFI-FB: \$(cat /proc/fb 2>/dev/null | tr '\n' ';') dev=\$([ -c /dev/fb0 ] && echo fb0 || echo none)"
dmesg | grep -i -E 'efi|setup_data|random: crng' | sed 's/^/BATON-EFI-LOG: /'
echo "BATON-EFI-DONE"
poweroff -f
EOF
	chmod 755 "$root/init"
	pack "$root" "$img"
	rm -rf "$root"
	log "built $img"
}

efi_host_initrd() {
	img=$ASSETS/efi-host-initrd.img
	if [ -f "$img" ] && [ "$img" -nt "$0" ] && [ "$img" -nt "$ASSETS/host-initrd.img" ] &&
		[ "$img" -nt "$ASSETS/target-efi-initrd.img" ]; then
		return 0
	fi
	root=$DL/efi-host-extra
	rm -rf "$root"
	mkdir -p "$root/boot" "$root/lib/modules"
	cp "$ASSETS/target-efi-initrd.img" "$root/boot/efi-initrd.img"
	cp "$ASSETS/efi-modules/efivarfs.ko" "$root/lib/modules/efivarfs.ko"
	pack "$root" "$DL/efi-host-extra.img"
	cat "$ASSETS/host-initrd.img" "$DL/efi-host-extra.img" >"$img.tmp"
	mv "$img.tmp" "$img"
	rm -rf "$root" "$DL/efi-host-extra.img"
	if [ -f "$ASSETS/host-initrd.has-baton" ]; then
		touch "$ASSETS/efi-host-initrd.has-baton"
	else
		rm -f "$ASSETS/efi-host-initrd.has-baton"
	fi
	log "built $img"
}

efi_assets() {
	[ "${BATON_EFI_ASSETS:-1}" != 0 ] || return 0
	efi_module
	target_efi_initrd
	efi_host_initrd
}

# --- State (tests/vm/test_state.py) -----------------------------------------------------------
# Made here (skipped with BATON_STATE_ASSETS=0):
#   state-modules/       the virtio block driver stack of the cloud kernel (it builds virtio_pci
#                        and virtio_blk as modules; ext4 is built in), decompressed, and order: the
#                        .ko names, dependencies first (resolved from each module's depends=);
#                        state-modules/package names the kernel package they come from
#   state-target-initrd.img  initramfs for the second kernel: insmods them, mounts /dev/vda (ext4)
#                        read-only on /mnt and prints BATON-STATE-CMDLINE, BATON-STATE-FILE:
#                        <sha256 of /mnt/f, or MISSING>, BATON-STATE-SIZE, BATON-STATE-DONE, then
#                        powers off
#   state-host-initrd.img  host-initrd.img followed by a second cpio (the kernel unpacks both) with
#                        /lib/modules/*.ko, /lib/modules/order and /boot/state-initrd.img (the
#                        above); the test insmods the modules through the console
STATE_MODULES="virtio_blk virtio_pci"

state_initrd() {
	[ "${BATON_STATE_ASSETS:-1}" != 0 ] || return 0
	pkg=$(cat "$ASSETS/vmlinuz.package")
	mods=$ASSETS/state-modules
	if [ ! -f "$mods/order" ] || [ "$(cat "$mods/package" 2>/dev/null)" != "$pkg" ] ||
		[ "$mods/order" -ot "$0" ]; then
		deb=$(download "$pkg")
		x=$DL/state-x
		rm -rf "$x" "$mods"
		mkdir -p "$x" "$mods"
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$x" --wildcards '*/kernel/drivers/*'
		st_tree=$(ls -d "$x"/lib/modules/* | head -n1)
		st_done=
		st_find() {
			find "$st_tree" -name "$1.ko*" -o -name "$(echo "$1" | tr _ -).ko*" |
				head -n1
		}
		st_cat() {
			case "$1" in
			*.ko.xz) xz -dc "$1" ;;
			*.ko.zst) zstd -qdc "$1" ;;
			*.ko.gz) gzip -dc "$1" ;;
			*) cat "$1" ;;
			esac
		}
		st_visit() {	# depth first: a module after everything its depends= names
			case " $st_done " in *" $1 "*) return 0 ;; esac
			st_done="$st_done $1"
			st_f=$(st_find "$1")
			[ -n "$st_f" ] || die "$pkg has no module $1"
			for st_d in $(st_cat "$st_f" | tr '\0' '\n' | sed -n 's/^depends=//p' |
				head -n1 | tr , ' '); do
				st_visit "$(echo "$st_d" | tr - _)"
			done
			st_f=$(st_find "$1")	# the recursion reused it
			st_cat "$st_f" >"$mods/$1.ko"
			echo "$1.ko" >>"$mods/order"
		}
		: >"$mods/order"
		for m in $STATE_MODULES; do
			st_visit "$m"
		done
		rm -rf "$x"
		echo "$pkg" >"$mods/package"
		log "state modules from $pkg: $(tr '\n' ' ' <"$mods/order")"
	fi

	img=$ASSETS/state-target-initrd.img
	if [ ! -f "$img" ] || [ "$img" -ot "$0" ] || [ "$img" -ot "$mods/order" ]; then
		root=$DL/state-target-root
		skeleton "$root"
		mkdir -p "$root/lib/modules" "$root/mnt"
		cp "$mods/"*.ko "$mods/order" "$root/lib/modules/"
		cat >"$root/init" <<'EOF'
#!/bin/sh
/bin/busybox --install -s
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
dmesg -n 1
echo "BATON-STATE-CMDLINE: $(cat /proc/cmdline)"
for m in $(cat /lib/modules/order); do
	insmod /lib/modules/$m || echo "BATON-STATE-ERROR: insmod $m failed"
done
i=0
while [ ! -b /dev/vda ] && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
if mount -t ext4 -o ro /dev/vda /mnt; then
	if [ -f /mnt/f ]; then
		echo "BATON-STATE-FILE: $(sha256sum /mnt/f | cut -d' ' -f1)"
		echo "BATON-STATE-SIZE: $(stat -c %s /mnt/f)"
	else
		echo "BATON-STATE-FILE: MISSING"
		echo "BATON-STATE-SIZE: -1"
	fi
	umount /mnt
else
	echo "BATON-STATE-ERROR: cannot mount /dev/vda"
fi
echo "BATON-STATE-DONE"
poweroff -f
EOF
		chmod 755 "$root/init"
		pack "$root" "$img"
		rm -rf "$root"
		log "built $img"
	fi

	himg=$ASSETS/state-host-initrd.img
	if [ ! -f "$himg" ] || [ "$himg" -ot "$0" ] || [ "$himg" -ot "$img" ] ||
		[ "$himg" -ot "$ASSETS/host-initrd.img" ]; then
		root=$DL/state-host-extra
		rm -rf "$root"
		mkdir -p "$root/boot" "$root/lib/modules" "$root/mnt"
		cp "$img" "$root/boot/state-initrd.img"
		cp "$mods/"*.ko "$mods/order" "$root/lib/modules/"
		pack "$root" "$DL/state-host-extra.img"
		cat "$ASSETS/host-initrd.img" "$DL/state-host-extra.img" >"$himg.tmp"
		mv "$himg.tmp" "$himg"
		rm -rf "$root" "$DL/state-host-extra.img"
		if [ -f "$ASSETS/host-initrd.has-baton" ]; then
			touch "$ASSETS/state-host-initrd.has-baton"
		else
			rm -f "$ASSETS/state-host-initrd.has-baton"
		fi
		log "built $himg"
	fi
}

# --- Secure Boot (tests/vm/test_secureboot.py) ------------------------------------------------
# Made here under $ASSETS/sb (skipped with BATON_SB_ASSETS=0; needs Debian's ovmf (the secboot
# firmware and the Microsoft-keyed variable store), mtools, dosfstools and sbsigntool):
#   shimx64.efi, grubx64.efi  shim-signed's and grub-efi-amd64-signed's signed binaries
#                        (downloaded and unpacked, never installed); sb/packages names the debs
#   vmlinuz-unsigned     the Debian-signed cloud kernel with its PE signature removed (sbattach)
#   initrd.img           host-initrd.img followed by a second cpio with /boot/vmlinuz-unsigned
#   esp.img              a FAT ESP: shim as EFI/BOOT/BOOTX64.EFI, grub as EFI/BOOT/grubx64.efi, a
#                        grub.cfg (in EFI/BOOT, EFI/debian and boot/grub) that boots /vmlinuz (the
#                        signed kernel) with /initrd.img (the above), console=ttyS0 panic=-1
SB_PKGS="shim-signed grub-efi-amd64-signed"

secureboot_assets() {
	[ "${BATON_SB_ASSETS:-1}" != 0 ] || return 0
	for t in mcopy mmd mkfs.vfat sbattach; do
		command -v "$t" >/dev/null 2>&1 || PATH=$PATH:/sbin:/usr/sbin command -v "$t" >/dev/null 2>&1 ||
			{ log "secure boot assets skipped: $t missing (mtools, dosfstools, sbsigntool)"; return 0; }
	done
	sb=$ASSETS/sb
	mkdir -p "$sb"
	debs=
	for p in $SB_PKGS; do
		debs="$debs $(basename "$(download "$p")")"
	done
	if [ ! -f "$sb/shimx64.efi" ] || [ ! -f "$sb/grubx64.efi" ] ||
		[ "$(cat "$sb/packages" 2>/dev/null)" != "$debs" ]; then
		x=$DL/sb-x
		rm -rf "$x"
		for d in $debs; do
			dpkg-deb -x "$DL/$d" "$x"
		done
		cp "$x/usr/lib/shim/shimx64.efi.signed" "$sb/shimx64.efi"
		cp "$x/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed" "$sb/grubx64.efi"
		rm -rf "$x"
		echo "$debs" >"$sb/packages"
		log "shim and grub from$debs"
	fi
	if [ ! -f "$sb/vmlinuz-unsigned" ] || [ "$sb/vmlinuz-unsigned" -ot "$ASSETS/vmlinuz" ]; then
		cp "$ASSETS/vmlinuz" "$sb/vmlinuz-unsigned.tmp"
		PATH=$PATH:/usr/sbin sbattach --remove "$sb/vmlinuz-unsigned.tmp" >/dev/null
		mv "$sb/vmlinuz-unsigned.tmp" "$sb/vmlinuz-unsigned"
	fi
	if [ -f "$sb/initrd.img" ] && [ "$sb/initrd.img" -nt "$0" ] &&
		[ "$sb/initrd.img" -nt "$ASSETS/host-initrd.img" ] &&
		[ "$sb/initrd.img" -nt "$sb/vmlinuz-unsigned" ]; then
		:
	else
		root=$DL/sb-host-extra
		rm -rf "$root"
		mkdir -p "$root/boot"
		cp "$sb/vmlinuz-unsigned" "$root/boot/vmlinuz-unsigned"
		pack "$root" "$DL/sb-host-extra.img"
		cat "$ASSETS/host-initrd.img" "$DL/sb-host-extra.img" >"$sb/initrd.img.tmp"
		mv "$sb/initrd.img.tmp" "$sb/initrd.img"
		rm -rf "$root" "$DL/sb-host-extra.img"
		if [ -f "$ASSETS/host-initrd.has-baton" ]; then
			touch "$sb/initrd.has-baton"
		else
			rm -f "$sb/initrd.has-baton"
		fi
		log "built $sb/initrd.img"
	fi
	if [ -f "$sb/esp.img" ] && [ "$sb/esp.img" -nt "$sb/initrd.img" ] &&
		[ "$sb/esp.img" -nt "$ASSETS/vmlinuz" ] && [ "$sb/esp.img" -nt "$sb/packages" ] &&
		[ "$sb/esp.img" -nt "$0" ]; then
		return 0
	fi
	cat >"$sb/grub.cfg" <<'EOF'
set default=0
set timeout=0
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
menuentry 'baton secure boot' {
	linux /vmlinuz console=ttyS0 panic=-1
	initrd /initrd.img
}
EOF
	kb=$(( ($(stat -c %s "$ASSETS/vmlinuz") + $(stat -c %s "$sb/initrd.img") +
		$(stat -c %s "$sb/shimx64.efi") + $(stat -c %s "$sb/grubx64.efi")) / 1024 + 8192 ))
	rm -f "$sb/esp.img.tmp"
	PATH=$PATH:/sbin:/usr/sbin mkfs.vfat -C -n BATONESP "$sb/esp.img.tmp" "$kb" >/dev/null
	i="$sb/esp.img.tmp"
	MTOOLS_SKIP_CHECK=1 mmd -i "$i" ::/EFI ::/EFI/BOOT ::/EFI/debian ::/boot ::/boot/grub
	MTOOLS_SKIP_CHECK=1 mcopy -i "$i" "$sb/shimx64.efi" ::/EFI/BOOT/BOOTX64.EFI
	MTOOLS_SKIP_CHECK=1 mcopy -i "$i" "$sb/grubx64.efi" ::/EFI/BOOT/grubx64.efi
	for d in EFI/BOOT EFI/debian boot/grub; do
		MTOOLS_SKIP_CHECK=1 mcopy -i "$i" "$sb/grub.cfg" "::/$d/grub.cfg"
	done
	MTOOLS_SKIP_CHECK=1 mcopy -i "$i" "$ASSETS/vmlinuz" ::/vmlinuz
	MTOOLS_SKIP_CHECK=1 mcopy -i "$i" "$sb/initrd.img" ::/initrd.img
	mv "$sb/esp.img.tmp" "$sb/esp.img"
	log "built $sb/esp.img"
}

# A Debian system (systemd, kdump-tools) with baton installed from its own packages, for
# tests/vm/test_debian.py (skipped with BATON_DEBIAN_ASSETS=0, as the demo does). The packages
# are rebuilt when the binary is newer than them.
debian_system() {
	local repo deb rc=0
	[ "${BATON_DEBIAN_ASSETS:-1}" != 0 ] || return 0
	repo=$(cd "$(dirname "$0")/.." && pwd)
	deb=$(ls -t "$BUILD"/deb/baton_*_amd64.deb 2>/dev/null | head -n1 || true)
	if [ -z "$deb" ] || [ "$BUILD/baton" -nt "$deb" ]; then
		make -s -C "$repo" deb BUILD="$(cd "$BUILD" && pwd)" >/dev/null || die "make deb failed"
		log "built $BUILD/deb"
	fi
	"$repo/scripts/debian-image.sh" "$BUILD" || rc=$?
	# 77: a tool this machine lacks; the tests that need the image skip and say why.
	[ "$rc" -eq 0 ] || [ "$rc" -eq 77 ] || die "scripts/debian-image.sh failed ($rc)"
}

host_packages
kernel
kexec_tools
makedumpfile_root
payload
target_initrd
capture_initrd
host_initrd
xen_assets
efi_assets
state_initrd
secureboot_assets
debian_system

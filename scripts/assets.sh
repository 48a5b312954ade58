#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds everything the VM tests need under $BUILD/assets (idempotent; run again to refresh).
#
#   scripts/assets.sh [BUILD]          BUILD defaults to $BUILD, then "build"
#
# That is: the host packages QEMU needs, then `make -f tests/vm/assets.mk` (what is made, from
# what, and when it is stale: see there; the guest /init scripts are tests/vm/guest/*), then the
# Debian system image (scripts/debian-image.sh). Skipped on request: BATON_XEN_ASSETS=0,
# BATON_EFI_ASSETS=0, BATON_STATE_ASSETS=0, BATON_SB_ASSETS=0, BATON_DEBIAN_ASSETS=0.
#
#   scripts/assets.sh STEP ASSETS ARG...   one step, as tests/vm/assets.mk calls it
#
# The steps are what make cannot say well: resolving, downloading and unpacking Debian packages
# (kernels, kexec-tools, makedumpfile, Xen, shim and grub: never installed on this machine), and
# packing an initramfs. The steps that resolve a package write their outputs only when it changed.
# shellcheck disable=SC2012  # ls lists Debian package and module tree names, which are plain
set -eu

REPO=$(cd "$(dirname "$0")/.." && pwd)
HOST_PKGS="qemu-system-x86 busybox-static cpio python3-pytest strace lz4"
KERNEL_META=linux-image-cloud-amd64
XEN_PKG=xen-hypervisor-4.17-amd64
XEN_FILE=boot/xen-4.17-amd64.gz
XEN_DOM0_META=linux-image-amd64
SB_PKGS="shim-signed grub-efi-amd64-signed"
UKI_STUB_PKG=systemd-boot-efi
UKI_STUB_FILE=usr/lib/systemd/boot/efi/linuxx64.efi.stub

log() { echo "assets: $*" >&2; }
die() { echo "assets: error: $*" >&2; exit 1; }

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
	# shellcheck disable=SC2086  # a list of package names
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

# depends_on META: the versioned package META depends on (linux-image-6.1.0-57-cloud-amd64).
depends_on() {
	apt-cache depends "$1" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n1
}

# unchanged FILE TEXT: whether FILE holds TEXT (a step's record of the package it unpacked).
unchanged() {
	[ "$(cat "$1" 2>/dev/null)" = "$2" ]
}

# decompress FILE: a kernel module's bytes, whatever it was compressed with.
decompress() {
	case "$1" in
	*.xz) xz -dc "$1" ;;
	*.zst) zstd -qdc "$1" ;;
	*.gz) gzip -dc "$1" ;;
	*) cat "$1" ;;
	esac
}

# modules TREE OUT NAME...: OUT gets the named modules of the module tree TREE and everything
# they depend on (the modules' depends=, read without kmod), decompressed, and OUT/order their
# file names, dependencies first.
modules() {
	mo_tree=$1 mo_out=$2
	shift 2
	mo_done=
	mkdir -p "$mo_out"
	: >"$mo_out/order"
	for m in "$@"; do
		module_visit "$m"
	done
}

module_file() {
	find "$mo_tree" -name "$1.ko*" -o -name "$(echo "$1" | tr _ -).ko*" -o \
		-name "$(echo "$1" | tr - _).ko*" | head -n1
}

module_visit() {	# depth first: a module after everything its depends= names
	mv_key=$(echo "$1" | tr - _)
	case " $mo_done " in *" $mv_key "*) return 0 ;; esac
	mo_done="$mo_done $mv_key"
	mv_f=$(module_file "$1")
	[ -n "$mv_f" ] || die "no module $1 in $mo_tree"
	for d in $(decompress "$mv_f" | tr '\0' '\n' | sed -n 's/^depends=//p' | head -n1 | tr , ' '); do
		module_visit "$d"
	done
	mv_f=$(module_file "$1")	# the recursion reused it
	mv_base=$(basename "$mv_f")
	mv_base=${mv_base%.ko*}.ko
	decompress "$mv_f" >"$mo_out/$mv_base"
	echo "$mv_base" >>"$mo_out/order"
}

# --- steps ------------------------------------------------------------------------------------

# kernel [META NAME]: vmlinuz (the cloud kernel), kernel.config, vmlinuz.package; or NAME,
# NAME.config and NAME.package from another meta package's kernel (vmlinuz-6.12).
step_kernel() {
	meta=${1:-$KERNEL_META} name=${2:-vmlinuz}
	config=kernel.config
	[ "$name" = vmlinuz ] || config=$name.config
	pkg=$(depends_on "$meta")
	[ -n "$pkg" ] || die "cannot resolve $meta (apt-get update?)"
	[ -f "$ASSETS/$name" ] && unchanged "$ASSETS/$name.package" "$pkg" && return 0
	x=$DL/kernel-$name
	rm -rf "$x"
	dpkg-deb -x "$(download "$pkg")" "$x"
	cp "$x/boot/vmlinuz-"* "$ASSETS/$name.tmp"
	cp "$x/boot/config-"* "$ASSETS/$config"
	rm -rf "$x"
	mv "$ASSETS/$name.tmp" "$ASSETS/$name"
	echo "$pkg" >"$ASSETS/$name.package"
	log "kernel: $pkg"
}

# binary-root PKG BIN OUT: OUT gets PKG's BIN (its path inside the package, e.g. usr/bin/x) at the
# same path, the shared libraries it needs in lib/x86_64-linux-gnu and the dynamic loader in lib64.
# Library packages this machine lacks are downloaded and unpacked next to it to resolve them.
step_binary_root() {
	pkg=$1 bin=$2 out=$3
	x=$DL/$pkg-x
	rm -rf "$x" "$out.tmp"
	mkdir -p "$x"
	todo=$pkg
	seen=
	while [ -n "$todo" ]; do
		p=${todo%% *}
		[ "$p" = "$todo" ] && todo= || todo=${todo#* }
		case " $seen " in *" $p "*) continue ;; esac
		seen="$seen $p"
		dpkg-deb -x "$(download "$p")" "$x"
		for d in $(apt-cache depends "$p" 2>/dev/null | sed -n 's/^ *Depends: \(lib[^ <>]*\)$/\1/p'); do
			installed "$d" || todo="${todo:+$todo }$d"
		done
	done
	[ -x "$x/$bin" ] || die "$pkg has no $bin"
	libpath=$(find "$x" -name '*.so*' -exec dirname {} \; | sort -u | tr '\n' ':')
	mkdir -p "$out.tmp/$(dirname "$bin")" "$out.tmp/lib/x86_64-linux-gnu" "$out.tmp/lib64"
	cp "$x/$bin" "$out.tmp/$bin"
	deps=$(LD_LIBRARY_PATH=$libpath ldd "$out.tmp/$bin")
	if echo "$deps" | grep -q 'not found'; then
		echo "$deps" >&2
		die "$bin: unresolved libraries"
	fi
	echo "$deps" | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p' | while read -r lib; do
		cp -L "$lib" "$out.tmp/lib/x86_64-linux-gnu/$(basename "$lib")"
	done
	loader=$(echo "$deps" | sed -n 's/^[[:space:]]*\(\/[^ ]*ld-linux[^ ]*\) .*/\1/p' | head -n1)
	cp -L "$loader" "$out.tmp/lib64/$(basename "$loader")"
	rm -rf "$out" "$x"
	mv "$out.tmp" "$out"
	log "$pkg: $(basename "$(download "$pkg")")"
}

# initrd IMAGE INIT [SRC=DEST]...: an initramfs with busybox as /bin/sh, INIT as /init and each
# SRC (a file, or a directory's contents) at DEST; an empty SRC makes the directory DEST.
step_initrd() {
	img=$1 init=$2
	shift 2
	root=$DL/$(basename "$img" .img)-root
	rm -rf "$root"
	mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/sbin" "$root/proc" "$root/sys" \
		"$root/dev" "$root/tmp" "$root/root" "$root/etc" "$root/boot"
	cp /bin/busybox "$root/bin/busybox"
	ln -s busybox "$root/bin/sh"
	cp "$init" "$root/init"
	chmod 755 "$root/init"
	pack "$root" "$img" "$@"
	log "built $img"
}

# append IMAGE BASE [SRC=DEST]...: BASE followed by a second cpio with the SRC=DEST items (the
# kernel unpacks both).
step_append() {
	img=$1 base=$2
	shift 2
	root=$DL/$(basename "$img" .img)-extra
	rm -rf "$root"
	mkdir -p "$root"
	pack "$root" "$img.extra" "$@"
	cat "$base" "$img.extra" >"$img.tmp"
	rm "$img.extra"
	mv "$img.tmp" "$img"
	log "built $img"
}

# pack ROOT IMAGE [SRC=DEST]...: the items into ROOT, then ROOT as a newc cpio, gzip, reproducible
# apart from the payload; ROOT goes.
pack() {
	pk_root=$1 pk_img=$2
	shift 2
	for item; do
		src=${item%%=*} dest=$pk_root/${item#*=}
		if [ -z "$src" ]; then
			mkdir -p "$dest"
		elif [ -d "$src" ]; then
			mkdir -p "$dest"
			cp -a "$src/." "$dest/"
		else
			mkdir -p "$(dirname "$dest")"
			cp "$src" "$dest"
		fi
	done
	(cd "$pk_root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -9 -n >"$pk_img.tmp"
	mv "$pk_img.tmp" "$pk_img"
	rm -rf "$pk_root"
}

# xen: the hypervisor (QEMU's multiboot loader takes it gunzipped, as -kernel), xen.gz (as Debian
# ships it: the image test_xen_target.py loads gzipped), xen.package.
step_xen() {
	deb=$(download "$XEN_PKG")
	ver=$(basename "$deb")
	[ -f "$ASSETS/xen" ] && [ -f "$ASSETS/xen.gz" ] && unchanged "$ASSETS/xen.package" "$ver" &&
		return 0
	x=$DL/xen-x
	rm -rf "$x"
	dpkg-deb -x "$deb" "$x"
	[ -f "$x/$XEN_FILE" ] || die "$XEN_PKG has no $XEN_FILE"
	gzip -dc "$x/$XEN_FILE" >"$ASSETS/xen.tmp"
	cp "$x/$XEN_FILE" "$ASSETS/xen.gz.tmp"
	rm -rf "$x"
	mv "$ASSETS/xen.gz.tmp" "$ASSETS/xen.gz"
	mv "$ASSETS/xen.tmp" "$ASSETS/xen"
	echo "$ver" >"$ASSETS/xen.package"
	log "xen: $ver"
}

# xen-dom0 MODULE...: dom0's kernel (the full amd64 flavour: the cloud one lacks XEN_DOM0) as
# xen-dom0-vmlinuz, xen-dom0.config, xen-dom0.package, and the named modules and what they
# depend on in xen-dom0-modules/ (see modules).
step_xen_dom0() {
	pkg=$(depends_on "$XEN_DOM0_META")
	[ -n "$pkg" ] || die "cannot resolve $XEN_DOM0_META (apt-get update?)"
	[ -f "$ASSETS/xen-dom0-vmlinuz" ] && [ -f "$ASSETS/xen-dom0-modules/order" ] &&
		unchanged "$ASSETS/xen-dom0.package" "$pkg" && return 0
	x=$DL/xen-dom0-x
	rm -rf "$x" "$ASSETS/xen-dom0-modules"
	dpkg-deb -x "$(download "$pkg")" "$x"
	modules "$(ls -d "$x"/lib/modules/* | head -n1)" "$ASSETS/xen-dom0-modules" "$@"
	cp "$x/boot/vmlinuz-"* "$ASSETS/xen-dom0-vmlinuz.tmp"
	cp "$x/boot/config-"* "$ASSETS/xen-dom0.config"
	rm -rf "$x"
	mv "$ASSETS/xen-dom0-vmlinuz.tmp" "$ASSETS/xen-dom0-vmlinuz"
	echo "$pkg" >"$ASSETS/xen-dom0.package"
	log "xen dom0 kernel: $pkg (modules: $(tr '\n' ' ' <"$ASSETS/xen-dom0-modules/order"))"
}

# xen-libs KEXEC_ROOT OUT: checks that kexec-tools came with Xen support, and OUT gets what dom0's
# initrd needs beside KEXEC_ROOT: Debian's layout, the dynamic loader also under its soname in the
# library directory. A static binary's dlopen (baton-static opens libxenctrl) resolves libc.so.6's
# NEEDED ld-linux-x86-64.so.2 there, not through /lib64.
step_xen_libs() {
	kr=$1 out=$2
	for lib in libxenctrl.so libxencall.so libxenforeignmemory.so libxentoollog.so; do
		ls "$kr/lib/x86_64-linux-gnu/$lib".* >/dev/null 2>&1 ||
			die "kexec-root lacks $lib (kexec-tools without Xen support?)"
	done
	rm -rf "$out"
	mkdir -p "$out/lib/x86_64-linux-gnu"
	for ld in "$kr"/lib64/ld-linux*; do
		[ -e "$kr/lib/x86_64-linux-gnu/${ld##*/}" ] ||
			ln -s "/lib64/${ld##*/}" "$out/lib/x86_64-linux-gnu/${ld##*/}"
	done
}

# cloud-modules OUT NAME...: the named modules of the cloud kernel (vmlinuz.package) and what
# they depend on, into OUT (see modules); OUT.package names the kernel package.
step_cloud_modules() {
	out=$1
	shift
	pkg=$(cat "$ASSETS/vmlinuz.package")
	x=$DL/$(basename "$out")-x
	rm -rf "$x" "$out"
	mkdir -p "$x"
	dpkg-deb --fsys-tarfile "$(download "$pkg")" | tar -x -C "$x" --wildcards '*/kernel/*'
	modules "$(ls -d "$x"/lib/modules/* | head -n1)" "$out" "$@"
	rm -rf "$x"
	echo "$pkg" >"$out.package"
	log "$(basename "$out") from $pkg: $(tr '\n' ' ' <"$out/order")"
}

# sb: shim's and grub's signed binaries as sb/shimx64.efi and sb/grubx64.efi; sb/packages names
# the debs.
step_sb() {
	sb=$ASSETS/sb
	mkdir -p "$sb"
	debs=
	for p in $SB_PKGS; do
		debs="$debs $(basename "$(download "$p")")"
	done
	[ -f "$sb/shimx64.efi" ] && [ -f "$sb/grubx64.efi" ] && unchanged "$sb/packages" "$debs" &&
		return 0
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
}

# esp IMAGE GRUB_CFG SHIM GRUB KERNEL INITRD: a FAT ESP: shim as EFI/BOOT/BOOTX64.EFI, grub as
# EFI/BOOT/grubx64.efi, GRUB_CFG in EFI/BOOT, EFI/debian and boot/grub, /vmlinuz, /initrd.img.
step_esp() {
	img=$1 cfg=$2 shim=$3 grub=$4 kernel=$5 initrd=$6
	kb=$(( ($(stat -c %s "$kernel") + $(stat -c %s "$initrd") + $(stat -c %s "$shim") +
		$(stat -c %s "$grub")) / 1024 + 8192 ))
	i=$img.tmp
	rm -f "$i"
	PATH=$PATH:/sbin:/usr/sbin mkfs.vfat -C -n BATONESP "$i" "$kb" >/dev/null
	export MTOOLS_SKIP_CHECK=1
	mmd -i "$i" ::/EFI ::/EFI/BOOT ::/EFI/debian ::/boot ::/boot/grub
	mcopy -i "$i" "$shim" ::/EFI/BOOT/BOOTX64.EFI
	mcopy -i "$i" "$grub" ::/EFI/BOOT/grubx64.efi
	for d in EFI/BOOT EFI/debian boot/grub; do
		mcopy -i "$i" "$cfg" "::/$d/grub.cfg"
	done
	mcopy -i "$i" "$kernel" ::/vmlinuz
	mcopy -i "$i" "$initrd" ::/initrd.img
	mv "$i" "$img"
	log "built $img"
}

# uki-stub: systemd-stub for x86-64 as uki/linuxx64.efi.stub; uki/stub.package names the deb.
step_uki_stub() {
	u=$ASSETS/uki
	mkdir -p "$u"
	deb=$(basename "$(download "$UKI_STUB_PKG")")
	[ -f "$u/linuxx64.efi.stub" ] && unchanged "$u/stub.package" "$deb" && return 0
	x=$DL/uki-x
	rm -rf "$x"
	dpkg-deb -x "$DL/$deb" "$x"
	cp "$x/$UKI_STUB_FILE" "$u/linuxx64.efi.stub"
	rm -rf "$x"
	echo "$deb" >"$u/stub.package"
	log "UKI stub from $deb"
}

# cpio IMAGE [SRC=DEST]...: the items alone as a gzipped newc cpio (an initrd piece).
step_cpio() {
	root=$DL/$(basename "$1" .img)-root
	img=$1
	shift
	rm -rf "$root"
	mkdir -p "$root"
	pack "$root" "$img" "$@"
	log "built $img"
}

# uki IMAGE STUB [.SECTION=FILE]...: a Unified Kernel Image as systemd-stub(7) describes making
# one with objcopy: the stub with each FILE added as .SECTION, one after another in the image's
# address space (64 KiB aligned, past the stub's own sections).
step_uki() {
	img=$1 stub=$2
	shift 2
	vma=0
	for s in $(objdump -h "$stub" | awk '$1 ~ /^[0-9]+$/ { print $3 ":" $4 }'); do
		end=$(( 0x${s#*:} + 0x${s%%:*} ))
		[ "$end" -le "$vma" ] || vma=$end
	done
	args=
	for item; do
		sec=${item%%=*} file=${item#*=}
		vma=$(( (vma + 0xffff) & ~0xffff ))
		args="$args --add-section $sec=$file --change-section-vma $sec=$(printf 0x%x "$vma")"
		vma=$(( vma + $(stat -c %s "$file") ))
	done
	# shellcheck disable=SC2086  # the option list built above (paths without spaces)
	objcopy $args "$stub" "$img.tmp"
	mv "$img.tmp" "$img"
	log "built $img"
}

# A Debian system (systemd, kdump-tools) with baton installed from its own packages, for
# tests/vm/test_debian.py (skipped with BATON_DEBIAN_ASSETS=0, as the demo does). The packages
# are rebuilt when the binary is newer than them.
debian_system() {
	rc=0
	[ "${BATON_DEBIAN_ASSETS:-1}" != 0 ] || return 0
	deb=$(ls -t "$BUILD"/deb/baton_*_amd64.deb 2>/dev/null | head -n1 || true)
	# shellcheck disable=SC3013  # dash and busybox have -nt
	if [ -z "$deb" ] || [ "$BUILD/baton" -nt "$deb" ]; then
		make -s -C "$REPO" deb BUILD="$BUILD" >/dev/null || die "make deb failed"
		log "built $BUILD/deb"
	fi
	"$REPO/scripts/debian-image.sh" "$BUILD" || rc=$?
	# 77: a tool this machine lacks; the tests that need the image skip and say why.
	[ "$rc" -eq 0 ] || [ "$rc" -eq 77 ] || die "scripts/debian-image.sh failed ($rc)"
}

case "${1:-}" in
kernel | binary-root | initrd | append | xen | xen-dom0 | xen-libs | cloud-modules | sb | esp | \
	uki-stub | cpio | uki)
	step=$(echo "$1" | tr - _)
	ASSETS=$2
	DL=$ASSETS/dl
	shift 2
	mkdir -p "$DL"
	"step_$step" "$@"
	;;
*)
	BUILD=${1:-${BUILD:-build}}
	mkdir -p "$BUILD/assets"
	BUILD=$(cd "$BUILD" && pwd)
	host_packages
	make -s -C "$REPO" -f tests/vm/assets.mk BUILD="$BUILD" assets
	debian_system
	;;
esac

#!/bin/bash
# SPDX-License-Identifier: MIT
# Builds a Debian bookworm system image for tests/vm/test_debian.py (idempotent; run again to
# refresh only what is stale).
#
#   scripts/debian-image.sh [BUILD]          BUILD defaults to $BUILD, then "build"
#
# Stages (each skipped when its outputs are newer than its inputs):
#   1. debootstrap   $ASSETS/debian-base/: debootstrap --variant=minbase with systemd as init,
#                    udev, dbus, the Debian cloud kernel, initramfs-tools, kdump-tools and
#                    makedumpfile (kdump-tools pulls in kexec-tools). The .debs are kept in
#                    $ASSETS/dl/debootstrap (--cache-dir), so a rebuild downloads nothing.
#   2. configure     the same tree, made fit for a serial console under TCG: root autologin on
#                    ttyS0 (prompt 'baton-debian# ', a BATON-DEBIAN-READY line), hostname
#                    baton-debian, /dev/vda as ext4 root, timers and services that slow the boot
#                    disabled, kdump-tools enabled (USE_KDUMP=1) but not started at boot (the test
#                    runs `kdump-config load`), initrds with MODULES=list (virtio and ext4): the
#                    boot one in /boot and kdump-tools' /var/lib/kdump/initrd.img-<ver>, with the
#                    /var/lib/kdump/{vmlinuz,initrd.img} links kdump-config uses.
#   3. baton         $ASSETS/debian-root/: a copy of the base with baton installed from the newest
#                    $BUILD/deb/baton_*_amd64.deb and baton-kexec_*_all.deb (`make deb`; and
#                    libbaton0_*_amd64.deb when there is one) through
#                    apt, which removes kexec-tools (baton-kexec Provides/Conflicts/Replaces it).
#                    Redone (a copy and an apt-get, seconds) when the packages change; without them
#                    there is no debian-root and no debian.img.
#   4. images        debian-kexec-tools.img: ext4 made from debian-base with mke2fs -d (no mounts),
#                    sparse, /sbin/kexec is Debian's kexec-tools (debian-kexec-tools.kexec names
#                    its version); debian.img: the same from debian-root, /sbin/kexec is baton
#                    (debian.kexec names the packages); debian-vmlinuz and debian-initrd.img: the
#                    image's kernel and boot initrd, for QEMU's -kernel/-initrd (the same files are
#                    in the image's /boot); debian.release: the kernel release.
#
# Needs root (debootstrap, chroot) and the host packages debootstrap and e2fsprogs (installed when
# missing); exits 77 when one of those is missing. Nothing is installed on this machine beyond
# those tools; the guest's packages come from the mirror this machine's apt uses.
set -euo pipefail

BUILD=${1:-${BUILD:-build}}
ASSETS=$BUILD/assets
SUITE=bookworm
HOST_PKGS="debootstrap e2fsprogs"
INCLUDE="systemd,systemd-sysv,udev,dbus,kmod,procps,zstd,initramfs-tools,linux-image-cloud-amd64,\
kdump-tools,makedumpfile,file,bsdextrautils"
HOSTNAME_=baton-debian
PROMPT='baton-debian# '

log() { echo "debian-image: $*" >&2; }
die() { echo "debian-image: error: $*" >&2; exit 1; }
# A tool (or root) this machine lacks: exit 77, which scripts/assets.sh reports and goes on (the
# Debian-system tests then skip, naming the missing image).
missing() { echo "debian-image: missing: $*" >&2; exit 77; }

SELF=$(readlink -f "$0")
mkdir -p "$ASSETS/dl/debootstrap"
ASSETS=$(cd "$ASSETS" && pwd)
BUILD=$(cd "$BUILD" && pwd)
DL=$ASSETS/dl
BASE=$ASSETS/debian-base
ROOT=$ASSETS/debian-root
IMG=$ASSETS/debian.img
export PATH=$PATH:/usr/sbin:/sbin
export DEBIAN_FRONTEND=noninteractive

[ "$(id -u)" = 0 ] || missing "root (debootstrap and chroot need it)"

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

host_packages() {
	local missing='' p
	for p in $HOST_PKGS; do
		installed "$p" || missing="$missing $p"
	done
	[ -n "$missing" ] || return 0
	log "installing host packages:$missing"
	apt-get install -y -qq $missing >/dev/null 2>&1 ||
		{ apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq $missing >/dev/null; } ||
		missing "host packages$missing (apt-get install failed)"
}

# The Debian mirror this machine's apt uses for $SUITE (deb822 .sources or one-line lists).
mirror() {
	local m
	m=$(awk -v s="$SUITE" '
		/^URIs:/ { uri = $2 }
		/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == s) found = uri }
		/^$/ { uri = "" }
		END { if (found) print found }' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1 || true)
	[ -n "$m" ] || m=$(grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list |
		awk -v s="$SUITE" '$0 !~ /\[/ && $3 == s { print $2; exit }' || true)
	echo "${m:-http://deb.debian.org/debian}"
}

# in_root DIR CMD...: runs CMD in the chroot DIR with services kept from starting.
in_root() {
	local dir=$1
	shift
	chroot "$dir" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
		LANG=C.UTF-8 "$@"
}

policy_rc() {	# policy_rc DIR on|off
	if [ "$2" = on ]; then
		printf '#!/bin/sh\nexit 101\n' >"$1/usr/sbin/policy-rc.d"
		chmod 755 "$1/usr/sbin/policy-rc.d"
	else
		rm -f "$1/usr/sbin/policy-rc.d"
	fi
}

# --- 1. debootstrap ----------------------------------------------------------------------------
bootstrap() {
	local want
	want="$SUITE $INCLUDE"
	if [ -f "$BASE/.baton-debootstrap" ] && [ "$(cat "$BASE/.baton-debootstrap")" = "$want" ]; then
		return 0
	fi
	local url t0
	url=$(mirror)
	t0=$(date +%s)
	log "debootstrap $SUITE from $url (cache $DL/debootstrap)"
	rm -rf "$BASE" "$BASE.tmp"
	if ! debootstrap --variant=minbase --include="$INCLUDE" --cache-dir="$DL/debootstrap" \
		"$SUITE" "$BASE.tmp" "$url" >"$DL/debootstrap.log" 2>&1; then
		tail -n 30 "$DL/debootstrap.log" >&2
		[ -f "$BASE.tmp/debootstrap/debootstrap.log" ] && tail -n 30 "$BASE.tmp/debootstrap/debootstrap.log" >&2
		die "debootstrap failed (log: $DL/debootstrap.log)"
	fi
	echo "$want" >"$BASE.tmp/.baton-debootstrap"
	rm -f "$BASE.tmp/.baton-configured"
	mv "$BASE.tmp" "$BASE"
	log "debootstrap done in $(($(date +%s) - t0)) s"
}

# --- 2. configure ------------------------------------------------------------------------------
kernel_release() {	# kernel_release DIR: the one kernel release installed in DIR
	local k
	k=$(ls "$1"/boot/vmlinuz-* 2>/dev/null | sed 's/.*\/vmlinuz-//' | sort -V | tail -n1 || true)
	[ -n "$k" ] || die "no kernel in $1/boot"
	echo "$k"
}

configure() {
	local r=$BASE stamp=$BASE/.baton-configured ver t0
	if [ -f "$stamp" ] && [ "$stamp" -nt "$SELF" ] && [ "$stamp" -nt "$BASE/.baton-debootstrap" ]; then
		return 0
	fi
	t0=$(date +%s)
	ver=$(kernel_release "$r")
	log "configuring (kernel $ver)"
	policy_rc "$r" on

	echo "$HOSTNAME_" >"$r/etc/hostname"
	cat >"$r/etc/hosts" <<EOF
127.0.0.1	localhost
127.0.1.1	$HOSTNAME_
::1		localhost ip6-localhost ip6-loopback
EOF
	cat >"$r/etc/fstab" <<'EOF'
# <file system> <mount point> <type> <options> <dump> <pass>
/dev/vda	/	ext4	rw,errors=remount-ro	0	0
EOF
	: >"$r/etc/machine-id"	# a fresh one per boot (systemd-machine-id-setup)
	in_root "$r" passwd -d root >/dev/null

	# Root logs in on the serial console without a password.
	mkdir -p "$r/etc/systemd/system/serial-getty@ttyS0.service.d"
	cat >"$r/etc/systemd/system/serial-getty@ttyS0.service.d/autologin.conf" <<'EOF'
[Service]
ExecStart=
ExecStart=-/sbin/agetty --autologin root --noclear --keep-baud 115200,57600,38400,9600 %I $TERM
EOF
	# The shell the tests drive: a wide terminal (no readline wrapping), no bracketed paste, no
	# pager, a distinctive prompt and a ready line with the kernel release and command line.
	sed -i '/^# baton-debian-image begin/,/^# baton-debian-image end/d' "$r/root/.bashrc"
	cat >>"$r/root/.bashrc" <<EOF
# baton-debian-image begin
if [ "\$(tty)" = /dev/ttyS0 ]; then
	stty cols 4000 rows 50 2>/dev/null
	bind 'set enable-bracketed-paste off' 2>/dev/null
	export SYSTEMD_PAGER= PAGER=cat SYSTEMD_COLORS=0 TERM=dumb
	PS1='$PROMPT'
	echo "BATON-DEBIAN-READY: \$(uname -r) \$(cat /proc/cmdline)"
fi
# baton-debian-image end
EOF
	: >"$r/root/.hushlogin"

	# What slows a boot under TCG and is of no use here.
	local u
	for u in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service \
		fstrim.timer dpkg-db-backup.timer systemd-timesyncd.service kdump-tools.service \
		kexec.service kexec-load.service; do
		in_root "$r" systemctl disable "$u" >/dev/null 2>&1 || true
	done
	in_root "$r" systemctl mask systemd-networkd-wait-online.service >/dev/null 2>&1 || true

	# kdump-tools: enabled, the default kernel/initrd links, dumps in /var/crash, dmesg saved.
	local d=$r/etc/default/kdump-tools
	[ -f "$d" ] || cp "$r/usr/share/kdump-tools/kdump-tools.conf" "$d"
	sed -i -e 's/^#\?USE_KDUMP=.*/USE_KDUMP=1/' \
		-e 's|^#\?KDUMP_KERNEL=.*|KDUMP_KERNEL=/var/lib/kdump/vmlinuz|' \
		-e 's|^#\?KDUMP_INITRD=.*|KDUMP_INITRD=/var/lib/kdump/initrd.img|' \
		-e 's|^#\?KDUMP_COREDIR=.*|KDUMP_COREDIR="/var/crash"|' \
		-e 's|^#\?KDUMP_DUMP_DMESG=.*|KDUMP_DUMP_DMESG=1|' "$d"
	grep -q '^USE_KDUMP=1' "$d" || echo 'USE_KDUMP=1' >>"$d"
	# kexec-tools (while it is there) never loads a kernel on its own at shutdown.
	[ ! -f "$r/etc/default/kexec" ] || sed -i 's/^LOAD_KEXEC=.*/LOAD_KEXEC=false/' "$r/etc/default/kexec"

	# Initrds: just the virtio disk and ext4 (MODULES=list also keeps kdump-tools' postinst hook
	# from switching its initrd to MODULES=dep, which cannot work in a chroot).
	sed -i 's/^MODULES=.*/MODULES=list/' "$r/etc/initramfs-tools/initramfs.conf"
	sed -i '/^# baton-debian-image/,$d' "$r/etc/initramfs-tools/modules"
	printf '# baton-debian-image\nvirtio_pci\nvirtio_blk\next4\n' >>"$r/etc/initramfs-tools/modules"
	in_root "$r" update-initramfs -u -k "$ver" >"$DL/debian-initramfs.log" 2>&1 ||
		{ cat "$DL/debian-initramfs.log" >&2; die "update-initramfs failed"; }
	in_root "$r" /etc/kernel/postinst.d/kdump-tools "$ver" >>"$DL/debian-initramfs.log" 2>&1 ||
		{ cat "$DL/debian-initramfs.log" >&2; die "kdump-tools initrd failed"; }
	[ -s "$r/var/lib/kdump/initrd.img-$ver" ] || die "no /var/lib/kdump/initrd.img-$ver"
	# kdump-config load deletes (and slowly rebuilds) that initrd unless it was made with the
	# current /etc/kdump/sysctl.conf, of which it keeps a copy here.
	cp "$r/etc/kdump/sysctl.conf" "$r/var/lib/kdump/latest_sysctls-$ver"
	ln -sfn "/boot/vmlinuz-$ver" "$r/var/lib/kdump/vmlinuz"
	ln -sfn "/var/lib/kdump/initrd.img-$ver" "$r/var/lib/kdump/initrd.img"
	mkdir -p "$r/var/crash"

	in_root "$r" apt-get clean
	policy_rc "$r" off
	touch "$stamp"
	log "configured in $(($(date +%s) - t0)) s"
}

# --- 3. baton (from $BUILD/deb) -----------------------------------------------------------------
newest() { ls -t $1 2>/dev/null | head -n1 || true; }

installed_in() {	# installed_in DIR PKG
	in_root "$1" dpkg-query -W -f='${Status}' "$2" 2>/dev/null | grep -q 'install ok installed'
}

baton_stage() {
	local main link lib want t0 stamp=$ROOT/.baton-kexec debs d
	main=$(newest "$BUILD/deb/baton_*_amd64.deb")
	link=$(newest "$BUILD/deb/baton-kexec_*_all.deb")
	lib=$(newest "$BUILD/deb/libbaton0_*_amd64.deb")	# when baton links it
	if [ -z "$main$link" ]; then
		log "no baton packages in $BUILD/deb (make deb): only the kexec-tools image"
		rm -rf "$ROOT" "$IMG" "$ASSETS/debian.kexec"
		return 0
	fi
	[ -n "$main" ] && [ -n "$link" ] ||
		die "$BUILD/deb has only one of baton_*_amd64.deb and baton-kexec_*_all.deb"
	debs="$main $link $lib"
	want="$(for d in $debs; do basename "$d"; done | tr '\n' ' ')$(cat $debs | sha256sum | cut -c1-16)"
	if [ -f "$stamp" ] && [ "$stamp" -nt "$BASE/.baton-configured" ] &&
		[ "$(cat "$stamp")" = "$want" ]; then
		# The same packages rebuilt: the image is current (tests/vm/test_debian.py compares times).
		for d in $debs; do
			[ ! -f "$IMG" ] || [ "$IMG" -nt "$d" ] || touch "$IMG"
		done
		return 0
	fi
	t0=$(date +%s)
	rm -rf "$ROOT" "$ROOT.tmp" "$IMG"
	cp -a "$BASE" "$ROOT.tmp"
	local r=$ROOT.tmp args=
	log "installing$(for d in $debs; do printf ' %s' "$(basename "$d")"; done) (replacing kexec-tools)"
	policy_rc "$r" on
	mkdir -p "$r/tmp/baton-deb"
	for d in $debs; do
		cp "$d" "$r/tmp/baton-deb/"
		args="$args /tmp/baton-deb/$(basename "$d")"
	done
	if ! in_root "$r" apt-get install -y --no-install-recommends $args >"$DL/debian-baton.log" 2>&1; then
		cat "$DL/debian-baton.log" >&2
		die "installing baton in the image failed (log: $DL/debian-baton.log)"
	fi
	rm -rf "$r/tmp/baton-deb"
	in_root "$r" apt-get clean
	policy_rc "$r" off
	! installed_in "$r" kexec-tools || die "kexec-tools is still installed in the image"
	[ "$(readlink -f "$r/usr/sbin/kexec")" = "$(readlink -f "$r/usr/sbin/baton")" ] ||
		die "/usr/sbin/kexec in the image is not baton: $(readlink -f "$r/usr/sbin/kexec")"
	echo "$want" >"$r/.baton-kexec"
	mv "$r" "$ROOT"
	log "baton installed in $(($(date +%s) - t0)) s"
}

# --- 4. the disk images and the boot files ------------------------------------------------------
# make_image DIR IMG: an ext4 image of DIR, its size the tree plus 1.5 GiB for the dumps, at least
# 3 GiB (sparse: only what is used takes space).
make_image() {
	local dir=$1 img=$2 mb t0
	t0=$(date +%s)
	mb=$(( $(du -sm "$dir" | cut -f1) + 1536 ))
	[ "$mb" -ge 3072 ] || mb=3072
	rm -f "$img.tmp"
	mke2fs -q -t ext4 -L baton-debian -d "$dir" -F "$img.tmp" "${mb}M" >"$DL/debian-mke2fs.log" 2>&1 ||
		{ cat "$DL/debian-mke2fs.log" >&2; die "mke2fs failed"; }
	mv "$img.tmp" "$img"
	log "built $img (${mb} MiB, $(du -sm "$img" | cut -f1) MiB used) in $(($(date +%s) - t0)) s"
}

images() {
	local ver
	if [ ! -f "$ASSETS/debian.release" ] || [ "$ASSETS/debian.release" -ot "$BASE/.baton-configured" ]; then
		ver=$(kernel_release "$BASE")
		cp "$BASE/boot/vmlinuz-$ver" "$ASSETS/debian-vmlinuz.tmp"
		cp "$BASE/boot/initrd.img-$ver" "$ASSETS/debian-initrd.img.tmp"
		mv "$ASSETS/debian-vmlinuz.tmp" "$ASSETS/debian-vmlinuz"
		mv "$ASSETS/debian-initrd.img.tmp" "$ASSETS/debian-initrd.img"
		echo "$ver" >"$ASSETS/debian.release"
		log "kernel $ver: debian-vmlinuz, debian-initrd.img"
	fi
	local kt=$ASSETS/debian-kexec-tools.img
	if [ ! -f "$kt" ] || [ "$kt" -ot "$BASE/.baton-configured" ]; then
		make_image "$BASE" "$kt"
		echo "kexec-tools $(in_root "$BASE" dpkg-query -W -f='${Version}' kexec-tools)" \
			>"$ASSETS/debian-kexec-tools.kexec"
	fi
	if [ -d "$ROOT" ] && { [ ! -f "$IMG" ] || [ "$IMG" -ot "$ROOT/.baton-kexec" ]; }; then
		make_image "$ROOT" "$IMG"
		echo "baton $(cat "$ROOT/.baton-kexec")" >"$ASSETS/debian.kexec"
	fi
}

host_packages
for t in debootstrap mke2fs chroot; do
	command -v "$t" >/dev/null || missing "$t (apt-get install $HOST_PKGS)"
done
bootstrap
configure
baton_stage
images

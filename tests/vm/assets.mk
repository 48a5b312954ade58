# SPDX-License-Identifier: MIT
# The VM tests' assets under $(BUILD)/assets, each made from its real inputs. Included by the
# top-level Makefile (`make assets`); scripts/assets.sh runs it with -f after installing QEMU & co.
# The steps that resolve Debian packages run every time and write their outputs only when the
# package changed, so what is built from them stays up to date without being remade.
#
#   vmlinuz, kernel.config   the Debian cloud kernel (bzImage) and its config; vmlinuz.package
#   vmlinuz-6.12, vmlinuz-6.12.config   (BATON_612_ASSETS=0 skips) Debian 12's 6.12 cloud kernel
#                          (linux-image-6.12-cloud-amd64), and host612-initrd.img:
#                          host-initrd.img plus it as /boot/vmlinuz-6.12 (test_crash.py's 6.12 case;
#                          test_hotplug.py's first kernel: crash hotplug needs 6.5+)
#   kexec-root/            Debian's kexec-tools binary plus the shared libraries it needs
#   makedumpfile-root/     Debian's makedumpfile binary plus its libraries and loader
#   payload.bin            1 MiB of random bytes, made once; payload.sha256 holds its sha256
#   target-initrd.img      the second kernel's: guest/target.init, the payload and its sha256,
#                          baton (for --report)
#   capture-initrd.img     the kdump kernel's: guest/capture.init, busybox, makedumpfile,
#                          baton (for --vmcore-dmesg)
#   host-initrd.img        the first kernel's: guest/host.init, baton, kexec, the kernel, the target
#                          initrd (/boot/initrd.img) and the capture initrd (/boot/capture-initrd.img)
#   xen, xen-dom0-*        (BATON_XEN_ASSETS=0 skips) Xen, dom0's kernel and its Xen modules, and
#                          xen-dom0-initrd.img: guest/xen-dom0.init, what host-initrd.img holds,
#                          kexec with libxenctrl & co
#   xen.gz, xen-target-*   (with the Xen assets) Xen as Debian ships it; for test_xen_target.py
#                          (Xen as the new kernel): xen-target-dom0-initrd.img, the new Xen's
#                          dom0's (guest/xen-target-dom0.init, the Xen modules);
#                          xen-target-host-initrd.img, the first Linux kernel's (guest/host.init,
#                          baton, kexec) and xen-target-xen-initrd.img, the first Xen's dom0's
#                          (guest/xen-dom0.init, baton, kexec with libxenctrl & co), both with
#                          /boot/xen-4.17-amd64.gz, /boot/xen, /boot/dom0-vmlinuz (dom0's
#                          kernel) and /boot/dom0-initrd.img (xen-target-dom0-initrd.img)
#   vmlinux                the cloud kernel's ELF vmlinux, unpacked from vmlinuz's payload
#                          (scripts/extract-vmlinux.py: lz4 as Debian packs it, gzip, xz, zstd)
#   elf-host-initrd.img    host-initrd.img plus /boot/vmlinux (test_elf.py); with the Xen assets
#                          xen-elf-dom0-initrd.img: xen-dom0-initrd.img plus /boot/vmlinux
#   efi-modules/, target-efi-initrd.img, efi-host-initrd.img   (BATON_EFI_ASSETS=0 skips) efivarfs,
#                          guest/target-efi.init; host-initrd.img plus a cpio with both
#   state-modules/, state-target-initrd.img, state-host-initrd.img   (BATON_STATE_ASSETS=0 skips)
#                          the virtio block stack, guest/state-target.init; host-initrd.img plus a
#                          cpio with both
#   uki/, uki-host-initrd.img   (BATON_UKI_ASSETS=0 skips; needs objcopy) uki/uki.efi: a Unified
#                          Kernel Image made with objcopy from systemd-stub (systemd-boot-efi), the
#                          cloud kernel, .ucode (a cpio marking itself), .initrd (target-initrd.img
#                          plus a cpio marking itself), .cmdline, .uname, .osrel; uki/extra.img (an
#                          initrd marking itself, for --initrd); host-initrd.img plus both
#                          (with the Secure Boot assets) uki/uki-unsigned.efi: the same around the
#                          kernel without its signature; both go into sb/initrd.img
#   sb/                    (BATON_SB_ASSETS=0 skips; needs mtools, dosfstools, sbsigntool) shim,
#                          grub, the kernel without its signature, initrd.img (host-initrd.img plus
#                          it) and esp.img (guest/grub.cfg)
#
# An image that carries baton has a <image>.has-baton beside it with the sha256 of the
# $(BUILD)/baton-static it holds (conftest.py's baton_state checks it); without a
# baton-static, the images are built without baton and have none.

BUILD ?= build
ASSETS := $(BUILD)/assets
ASSETS_SH := scripts/assets.sh
GUEST := tests/vm/guest
# How an image is put together: a change remakes every image.
ASSETS_TOOLS := $(ASSETS_SH) tests/vm/assets.mk

BATON_STATIC := $(wildcard $(BUILD)/baton-static)
BATON_ITEM := $(if $(BATON_STATIC),$(BATON_STATIC)=sbin/baton)
# Prerequisites of an image with baton: the binary, and whether there is one at all.
BATON_DEPS := $(BATON_STATIC) $(ASSETS)/baton.flavour
# has_baton IMAGE: records the baton the image holds (or that it holds none).
has_baton = $(if $(BATON_STATIC),sha256sum <$(BATON_STATIC) | cut -d' ' -f1 >$(1:.img=.has-baton),rm -f $(1:.img=.has-baton))
# has_baton_of IMAGE BASE: IMAGE holds what BASE holds.
has_baton_of = if [ -f $(2:.img=.has-baton) ]; then cp $(2:.img=.has-baton) $(1:.img=.has-baton); \
	else rm -f $(1:.img=.has-baton); fi
# write_if_changed FILE TEXT
write_if_changed = echo '$(2)' >$(1).tmp; if cmp -s $(1).tmp $(1); then rm $(1).tmp; else mv $(1).tmp $(1); fi

ASSET_TARGETS := $(ASSETS)/host-initrd.img $(ASSETS)/elf-host-initrd.img
ifneq ($(BATON_XEN_ASSETS),0)
ASSET_TARGETS += $(ASSETS)/xen $(ASSETS)/xen-dom0-initrd.img $(ASSETS)/xen-target-host-initrd.img \
	$(ASSETS)/xen-target-xen-initrd.img $(ASSETS)/xen-elf-dom0-initrd.img
endif
ifneq ($(BATON_EFI_ASSETS),0)
ASSET_TARGETS += $(ASSETS)/efi-host-initrd.img
endif
ifneq ($(BATON_612_ASSETS),0)
ASSET_TARGETS += $(ASSETS)/host612-initrd.img
endif
ifneq ($(BATON_STATE_ASSETS),0)
ASSET_TARGETS += $(ASSETS)/state-host-initrd.img
endif
ifneq ($(BATON_UKI_ASSETS),0)
ASSET_TARGETS += $(ASSETS)/uki-host-initrd.img
endif
# Looked for only when assets are asked for (the top-level Makefile includes this file).
ifneq ($(BATON_SB_ASSETS),0)
ifneq ($(filter assets,$(MAKECMDGOALS)),)
SB_MISSING := $(strip $(foreach t,mcopy mmd mkfs.vfat sbattach,$(if $(shell PATH=$$PATH:/sbin:/usr/sbin; command -v $(t)),,$(t))))
SB_TARGETS := $(if $(SB_MISSING),,$(ASSETS)/sb/esp.img)
endif
endif

assets: $(ASSET_TARGETS) $(SB_TARGETS)
ifneq ($(BATON_SB_ASSETS),0)
	@$(if $(SB_MISSING),echo 'assets: secure boot assets skipped: $(SB_MISSING) missing (mtools, dosfstools, sbsigntool)' >&2)
endif

# --- downloaded, resolved every time ------------------------------------------------------------
# Each writes its other outputs (the .package record & co) with its target.
$(ASSETS)/vmlinuz: FORCE
	@$(ASSETS_SH) kernel $(ASSETS)

$(ASSETS)/vmlinuz-6.12: FORCE
	@$(ASSETS_SH) kernel $(ASSETS) linux-image-6.12-cloud-amd64 vmlinuz-6.12

$(ASSETS)/baton.flavour: FORCE
	@mkdir -p $(@D)
	@$(call write_if_changed,$@,$(if $(BATON_STATIC),with,without) baton)

# --- downloaded once ----------------------------------------------------------------------------
$(ASSETS)/kexec-root/sbin/kexec:
	@$(ASSETS_SH) binary-root $(ASSETS) kexec-tools sbin/kexec $(ASSETS)/kexec-root

$(ASSETS)/makedumpfile-root/usr/bin/makedumpfile:
	@$(ASSETS_SH) binary-root $(ASSETS) makedumpfile usr/bin/makedumpfile $(ASSETS)/makedumpfile-root

$(ASSETS)/payload.bin:
	@mkdir -p $(@D)
	head -c 1048576 /dev/urandom >$@.tmp
	mv $@.tmp $@

$(ASSETS)/payload.sha256: $(ASSETS)/payload.bin
	sha256sum $< | cut -d' ' -f1 >$@

# --- the initrds of test_handover.py, test_crash.py & co -----------------------------------------
$(ASSETS)/target-initrd.img: $(GUEST)/target.init $(ASSETS)/payload.bin $(ASSETS)/payload.sha256 \
		$(BATON_DEPS) $(ASSETS_TOOLS)
	@$(ASSETS_SH) initrd $(ASSETS) $@ $< $(ASSETS)/payload.bin=payload.bin \
		$(ASSETS)/payload.sha256=payload.sha256 $(BATON_ITEM)

$(ASSETS)/capture-initrd.img: $(GUEST)/capture.init $(ASSETS)/makedumpfile-root/usr/bin/makedumpfile \
		$(BATON_DEPS) $(ASSETS_TOOLS)
	@$(ASSETS_SH) initrd $(ASSETS) $@ $< $(ASSETS)/makedumpfile-root= $(BATON_ITEM)
	@$(call has_baton,$@)

HOST_ITEMS = $(ASSETS)/kexec-root= $(BATON_ITEM) $(ASSETS)/vmlinuz=boot/vmlinuz \
	$(ASSETS)/target-initrd.img=boot/initrd.img $(ASSETS)/capture-initrd.img=boot/capture-initrd.img
HOST_DEPS = $(ASSETS)/kexec-root/sbin/kexec $(BATON_DEPS) $(ASSETS)/vmlinuz \
	$(ASSETS)/target-initrd.img $(ASSETS)/capture-initrd.img $(ASSETS_TOOLS)

$(ASSETS)/host-initrd.img: $(GUEST)/host.init $(HOST_DEPS)
	@$(ASSETS_SH) initrd $(ASSETS) $@ $< $(HOST_ITEMS)
	@$(call has_baton,$@)

# Linux 6.12 as the first and the capture kernel (test_crash.py's 6.12 case).
$(ASSETS)/host612-initrd.img: $(ASSETS)/host-initrd.img $(ASSETS)/vmlinuz-6.12 $(ASSETS_TOOLS)
	@$(ASSETS_SH) append $(ASSETS) $@ $< $(ASSETS)/vmlinuz-6.12=boot/vmlinuz-6.12
	@$(call has_baton_of,$@,$<)

# --- Xen (test_xen.py) ---------------------------------------------------------------------------
$(ASSETS)/xen: FORCE
	@$(ASSETS_SH) xen $(ASSETS)

# with xen-dom0-modules/
$(ASSETS)/xen-dom0-vmlinuz: FORCE
	@$(ASSETS_SH) xen-dom0 $(ASSETS) xen-privcmd xen-evtchn xen-gntdev xenfs

$(ASSETS)/xen-libs.stamp: $(ASSETS)/kexec-root/sbin/kexec $(ASSETS_TOOLS)
	@$(ASSETS_SH) xen-libs $(ASSETS) $(ASSETS)/kexec-root $(ASSETS)/xen-libs
	@touch $@

$(ASSETS)/xen-dom0-initrd.img: $(GUEST)/xen-dom0.init $(HOST_DEPS) $(ASSETS)/xen-libs.stamp \
		$(ASSETS)/xen-dom0-vmlinuz
	@$(ASSETS_SH) initrd $(ASSETS) $@ $< $(HOST_ITEMS) $(ASSETS)/xen-libs= \
		$(ASSETS)/xen-dom0-modules=lib/modules
	@$(call has_baton,$@)

# --- Xen as the new kernel (test_xen_target.py) --------------------------------------------------
# Its own initrds, so that the shared ones stay as small (and boot as fast) as they were: no cloud
# kernel, target or capture initrd in them; dom0's kernel once in each machine.
$(ASSETS)/xen.gz: $(ASSETS)/xen

$(ASSETS)/xen-target-dom0-initrd.img: $(GUEST)/xen-target-dom0.init $(ASSETS)/xen-dom0-vmlinuz \
		$(ASSETS_TOOLS)
	@$(ASSETS_SH) initrd $(ASSETS) $@ $< $(ASSETS)/xen-dom0-modules=lib/modules

XEN_TARGET_ITEMS = $(ASSETS)/kexec-root= $(BATON_ITEM) $(ASSETS)/xen.gz=boot/xen-4.17-amd64.gz \
	$(ASSETS)/xen=boot/xen $(ASSETS)/xen-dom0-vmlinuz=boot/dom0-vmlinuz \
	$(ASSETS)/xen-target-dom0-initrd.img=boot/dom0-initrd.img
XEN_TARGET_DEPS = $(ASSETS)/kexec-root/sbin/kexec $(BATON_DEPS) $(ASSETS)/xen $(ASSETS)/xen.gz \
	$(ASSETS)/xen-dom0-vmlinuz $(ASSETS)/xen-target-dom0-initrd.img $(ASSETS_TOOLS)

$(ASSETS)/xen-target-host-initrd.img: $(GUEST)/host.init $(XEN_TARGET_DEPS)
	@$(ASSETS_SH) initrd $(ASSETS) $@ $< $(XEN_TARGET_ITEMS)
	@$(call has_baton,$@)

$(ASSETS)/xen-target-xen-initrd.img: $(GUEST)/xen-dom0.init $(XEN_TARGET_DEPS) \
		$(ASSETS)/xen-libs.stamp
	@$(ASSETS_SH) initrd $(ASSETS) $@ $< $(XEN_TARGET_ITEMS) $(ASSETS)/xen-libs= \
		$(ASSETS)/xen-dom0-modules=lib/modules
	@$(call has_baton,$@)

# --- ELF vmlinux (test_elf.py) ------------------------------------------------------------------
# Its own initrds (the shared ones plus the 50 MB vmlinux), so that the others boot as fast as
# they did.
$(ASSETS)/vmlinux: $(ASSETS)/vmlinuz scripts/extract-vmlinux.py
	scripts/extract-vmlinux.py $< $@

$(ASSETS)/elf-host-initrd.img: $(ASSETS)/host-initrd.img $(ASSETS)/vmlinux $(ASSETS_TOOLS)
	@$(ASSETS_SH) append $(ASSETS) $@ $< $(ASSETS)/vmlinux=boot/vmlinux
	@$(call has_baton_of,$@,$<)

$(ASSETS)/xen-elf-dom0-initrd.img: $(ASSETS)/xen-dom0-initrd.img $(ASSETS)/vmlinux $(ASSETS_TOOLS)
	@$(ASSETS_SH) append $(ASSETS) $@ $< $(ASSETS)/vmlinux=boot/vmlinux
	@$(call has_baton_of,$@,$<)

# --- UEFI (test_efi.py) --------------------------------------------------------------------------
$(ASSETS)/efi-modules/order: $(ASSETS)/vmlinuz $(ASSETS_SH)
	@$(ASSETS_SH) cloud-modules $(ASSETS) $(@D) efivarfs

$(ASSETS)/target-efi-initrd.img: $(GUEST)/target-efi.init $(ASSETS)/efi-modules/order $(ASSETS_TOOLS)
	@$(ASSETS_SH) initrd $(ASSETS) $@ $< $(ASSETS)/efi-modules/efivarfs.ko=lib/modules/efivarfs.ko

$(ASSETS)/efi-host-initrd.img: $(ASSETS)/host-initrd.img $(ASSETS)/target-efi-initrd.img $(ASSETS_TOOLS)
	@$(ASSETS_SH) append $(ASSETS) $@ $< $(ASSETS)/target-efi-initrd.img=boot/efi-initrd.img \
		$(ASSETS)/efi-modules/efivarfs.ko=lib/modules/efivarfs.ko
	@$(call has_baton_of,$@,$<)

# --- State (test_state.py) -----------------------------------------------------------------------
$(ASSETS)/state-modules/order: $(ASSETS)/vmlinuz $(ASSETS_SH)
	@$(ASSETS_SH) cloud-modules $(ASSETS) $(@D) virtio_blk virtio_pci

$(ASSETS)/state-target-initrd.img: $(GUEST)/state-target.init $(ASSETS)/state-modules/order \
		$(ASSETS_TOOLS)
	@$(ASSETS_SH) initrd $(ASSETS) $@ $< $(ASSETS)/state-modules=lib/modules =mnt

$(ASSETS)/state-host-initrd.img: $(ASSETS)/host-initrd.img $(ASSETS)/state-target-initrd.img \
		$(ASSETS_TOOLS)
	@$(ASSETS_SH) append $(ASSETS) $@ $< $(ASSETS)/state-target-initrd.img=boot/state-initrd.img \
		$(ASSETS)/state-modules=lib/modules =mnt
	@$(call has_baton_of,$@,$<)

# --- Unified Kernel Images (test_uki.py) --------------------------------------------------------
$(ASSETS)/uki/linuxx64.efi.stub: FORCE
	@$(ASSETS_SH) uki-stub $(ASSETS)

# Each initrd piece leaves a file naming itself and writes baton-part-last: what the target sees
# there is the piece unpacked last (guest/target.init prints both).
$(ASSETS)/uki/part.%:
	@mkdir -p $(@D)
	echo $* >$@

$(ASSETS)/uki/ucode.img: $(ASSETS)/uki/part.ucode $(ASSETS_TOOLS)
	@$(ASSETS_SH) cpio $(ASSETS) $@ $<=baton-part.ucode $<=baton-part-last

$(ASSETS)/uki/extra.img: $(ASSETS)/uki/part.extra $(ASSETS_TOOLS)
	@$(ASSETS_SH) cpio $(ASSETS) $@ $<=baton-part.extra $<=baton-part-last

$(ASSETS)/uki/initrd.img: $(ASSETS)/target-initrd.img $(ASSETS)/uki/part.initrd $(ASSETS_TOOLS)
	@$(ASSETS_SH) append $(ASSETS) $@ $< $(ASSETS)/uki/part.initrd=baton-part.initrd \
		$(ASSETS)/uki/part.initrd=baton-part-last

$(ASSETS)/uki/cmdline: $(ASSETS_TOOLS)
	@mkdir -p $(@D)
	@$(call write_if_changed,$@,console=ttyS0 baton.uki=embedded)

$(ASSETS)/uki/osrel: $(ASSETS_TOOLS)
	@mkdir -p $(@D)
	printf 'ID=debian\nVERSION_ID=12\nPRETTY_NAME="baton test UKI"\n' >$@

$(ASSETS)/uki/uname: $(ASSETS)/vmlinuz
	@mkdir -p $(@D)
	sed 's/^linux-image-//' $(ASSETS)/vmlinuz.package >$@

$(ASSETS)/uki/uki.efi: $(ASSETS)/uki/linuxx64.efi.stub $(ASSETS)/uki/osrel $(ASSETS)/uki/cmdline \
		$(ASSETS)/uki/uname $(ASSETS)/uki/ucode.img $(ASSETS)/vmlinuz $(ASSETS)/uki/initrd.img \
		$(ASSETS_TOOLS)
	@$(ASSETS_SH) uki $(ASSETS) $@ $< .osrel=$(ASSETS)/uki/osrel .cmdline=$(ASSETS)/uki/cmdline \
		.uname=$(ASSETS)/uki/uname .ucode=$(ASSETS)/uki/ucode.img .linux=$(ASSETS)/vmlinuz \
		.initrd=$(ASSETS)/uki/initrd.img

# The same with the kernel's PE signature removed (sb/vmlinuz-unsigned): for test_uki.py under
# Secure Boot, where kexec_file_load checks the .linux's own signature.
$(ASSETS)/uki/uki-unsigned.efi: $(ASSETS)/uki/linuxx64.efi.stub $(ASSETS)/uki/osrel \
		$(ASSETS)/uki/cmdline $(ASSETS)/uki/uname $(ASSETS)/uki/ucode.img \
		$(ASSETS)/sb/vmlinuz-unsigned $(ASSETS)/uki/initrd.img $(ASSETS_TOOLS)
	@$(ASSETS_SH) uki $(ASSETS) $@ $< .osrel=$(ASSETS)/uki/osrel .cmdline=$(ASSETS)/uki/cmdline \
		.uname=$(ASSETS)/uki/uname .ucode=$(ASSETS)/uki/ucode.img \
		.linux=$(ASSETS)/sb/vmlinuz-unsigned .initrd=$(ASSETS)/uki/initrd.img

$(ASSETS)/uki-host-initrd.img: $(ASSETS)/host-initrd.img $(ASSETS)/uki/uki.efi $(ASSETS)/uki/extra.img \
		$(ASSETS_TOOLS)
	@$(ASSETS_SH) append $(ASSETS) $@ $< $(ASSETS)/uki/uki.efi=boot/uki.efi \
		$(ASSETS)/uki/extra.img=boot/uki-extra.img
	@$(call has_baton_of,$@,$<)

# --- Secure Boot (test_secureboot.py) ------------------------------------------------------------
# with sb/grubx64.efi and sb/packages
$(ASSETS)/sb/shimx64.efi: FORCE
	@$(ASSETS_SH) sb $(ASSETS)

# The Debian-signed cloud kernel with its PE signature removed.
$(ASSETS)/sb/vmlinuz-unsigned: $(ASSETS)/vmlinuz
	@mkdir -p $(@D)
	cp $< $@.tmp
	PATH=$$PATH:/usr/sbin sbattach --remove $@.tmp >/dev/null
	mv $@.tmp $@

# With the UKI assets, the UKIs too (test_uki.py's Secure Boot case).
SB_UKI_ITEMS := $(if $(filter 0,$(BATON_UKI_ASSETS)),,$(ASSETS)/uki/uki.efi=boot/uki.efi \
	$(ASSETS)/uki/uki-unsigned.efi=boot/uki-unsigned.efi)
$(ASSETS)/sb/initrd.img: $(ASSETS)/host-initrd.img $(ASSETS)/sb/vmlinuz-unsigned \
		$(foreach i,$(SB_UKI_ITEMS),$(firstword $(subst =, ,$(i)))) $(ASSETS_TOOLS)
	@$(ASSETS_SH) append $(ASSETS) $@ $< $(ASSETS)/sb/vmlinuz-unsigned=boot/vmlinuz-unsigned \
		$(SB_UKI_ITEMS)
	@$(call has_baton_of,$@,$<)

$(ASSETS)/sb/esp.img: $(GUEST)/grub.cfg $(ASSETS)/sb/shimx64.efi $(ASSETS)/vmlinuz \
		$(ASSETS)/sb/initrd.img $(ASSETS_TOOLS)
	@$(ASSETS_SH) esp $(ASSETS) $@ $< $(ASSETS)/sb/shimx64.efi $(ASSETS)/sb/grubx64.efi \
		$(ASSETS)/vmlinuz $(ASSETS)/sb/initrd.img

.PHONY: assets FORCE
FORCE:

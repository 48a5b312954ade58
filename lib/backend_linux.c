/* SPDX-License-Identifier: MIT */
/* Linux as the old kernel: its syscalls, and the running system as ROOT/sys and ROOT/proc show
 * it. Nothing else in baton calls the kernel to load or reads its state. */
#include "backend.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/reboot.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cpu.h"
#include "crash_read.h"
#include "file.h"

static int linux_probe(const char *root)
{
	(void)root;
	return 1;
}

static int linux_open(struct baton_backend *be, const struct baton_config *cfg,
		      struct baton_error *err)
{
	(void)be;
	(void)cfg;
	(void)err;
	return 0;
}

static void linux_close(struct baton_backend *be)
{
	(void)be;
}

static int linux_memmap(const struct baton_backend *be, struct baton_memmap *map,
			struct baton_error *err)
{
	int rc = baton_memmap_read_machine(map, be->root, err);

	if (!rc)
		rc = baton_memmap_sort(map, err);
	if (rc)
		baton_memmap_free(map);
	return rc;
}

static int linux_crash_facts(const struct baton_backend *be, const struct baton_memmap *machine,
			     struct baton_crash_info *info, struct baton_error *err)
{
	(void)machine;
	return baton_crash_read(be->root, info, err);
}

static int linux_cpu_features(const struct baton_backend *be, unsigned *features,
			      struct baton_error *err)
{
	struct baton_cpu_info cpu;
	int rc = baton_cpu_read(be->root, &cpu, err);

	if (rc)
		return rc;
	/* EOPNOTSUPP: the CLI's default -a then falls back to kexec_file_load, whose in-kernel
	 * purgatory handles these guests. */
	if (cpu.cc_guest != BATON_CC_NONE)
		return baton_fail(err, EOPNOTSUPP, "cpu: this is %s: baton's purgatory cannot run "
				  "in a confidential guest (use kexec_file_load)",
				  baton_cc_guest_name(cpu.cc_guest));
	*features = cpu.features;
	return 0;
}

int baton_linux_boot_params(const struct baton_backend *be, struct boot_params *bp)
{
	char path[4096];
	struct baton_file f;

	if (baton_path(path, sizeof(path), be->root, "/sys/kernel/boot_params/data", NULL) ||
	    baton_file_read(&f, path, sizeof(*bp), NULL))
		return 0;
	int ok = f.size == sizeof(*bp);
	if (ok)
		memcpy(bp, f.data, sizeof(*bp));
	baton_file_free(&f);
	return ok;
}

static int linux_rsdp(const struct baton_backend *be, const struct boot_params *running,
		      struct baton_rsdp *rsdp, struct baton_error *err)
{
	return baton_rsdp_read(be->root, running, rsdp, err);
}

static int linux_efi(const struct baton_backend *be, const struct boot_params *running,
		     struct baton_efi *efi, struct baton_error *err)
{
	return baton_efi_read(be->root, (const uint8_t *)running, efi, err);
}

/* *loaded = ROOT/sys/kernel/kexec_loaded, or kexec_crash_loaded when `crash`. */
static int linux_loaded(const struct baton_backend *be, int crash, int *loaded,
			struct baton_error *err)
{
	char path[4096];
	struct baton_file f;
	int rc = baton_path(path, sizeof(path), be->root, crash ? "/sys/kernel/kexec_crash_loaded"
								  : "/sys/kernel/kexec_loaded", err);

	if (!rc)
		rc = baton_file_read(&f, path, 64, err);
	if (rc)
		return rc;
	*loaded = f.size > 0 && f.data[0] == '1';
	baton_file_free(&f);
	return 0;
}

int baton_linux_cmdline(const struct baton_backend *be, struct baton_file *f,
			struct baton_error *err)
{
	char path[4096];
	int rc = baton_path(path, sizeof(path), be->root, "/proc/cmdline", err);

	memset(f, 0, sizeof(*f));
	return rc ? rc : baton_file_read(f, path, 1 << 16, err);
}

static int linux_random(const struct baton_backend *be, void *buf, size_t len)
{
	(void)be;
	return getrandom(buf, len, 0) == (ssize_t)len ? 0 : -errno;
}

static int linux_kexec_load(const struct baton_backend *be, uint64_t entry, size_t nr,
			    const struct baton_kexec_segment *segs, unsigned long flags)
{
	(void)be;
	if (syscall(SYS_kexec_load, (unsigned long)entry, (unsigned long)nr, segs, flags) < 0)
		return -errno;
	return 0;
}

static int linux_kexec_file_load(const struct baton_backend *be, int kernel_fd, int initrd_fd,
				 size_t cmdline_len, const char *cmdline, unsigned long flags)
{
	(void)be;
	if (syscall(SYS_kexec_file_load, kernel_fd, initrd_fd, (unsigned long)cmdline_len, cmdline,
		    flags) < 0)
		return -errno;
	return 0;
}

static int linux_reboot_kexec(const struct baton_backend *be)
{
	(void)be;
	if (syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_KEXEC,
		    NULL) < 0)
		return -errno;
	return 0;
}

void baton_linux_sync(const struct baton_backend *be)
{
	(void)be;
	sync();
}

int baton_linux_ifdown(const struct baton_backend *be)
{
	struct if_nameindex *ifs, *i;
	int fd, rc = 0;

	(void)be;
	ifs = if_nameindex();
	if (!ifs)
		return -errno;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		if_freenameindex(ifs);
		return rc;
	}
	for (i = ifs; i->if_index; i++) {
		struct ifreq ifr = { 0 };
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", i->if_name);
		if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0 || !(ifr.ifr_flags & IFF_UP))
			continue;
		ifr.ifr_flags &= ~IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0 && !rc)
			rc = -errno;
	}
	close(fd);
	if_freenameindex(ifs);
	return rc;
}

const struct baton_backend_ops baton_backend_linux = {
	.name = "Linux",
	.probe = linux_probe,
	.open = linux_open,
	.close = linux_close,
	.memmap = linux_memmap,
	.crash_facts = linux_crash_facts,
	.cpu_features = linux_cpu_features,
	.boot_params = baton_linux_boot_params,
	.efi = linux_efi,
	.rsdp = linux_rsdp,
	.loaded = linux_loaded,
	.cmdline = baton_linux_cmdline,
	.random = linux_random,
	.kexec_load = linux_kexec_load,
	.kexec_file_load = linux_kexec_file_load,
	.no_file_load = NULL,
	.reboot_kexec = linux_reboot_kexec,
	.sync = baton_linux_sync,
	.ifdown = baton_linux_ifdown,
};

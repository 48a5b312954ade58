/* SPDX-License-Identifier: MIT */
/* A backend for tests (nothing reaches the kernel). */
#include "fake_sys.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct fake_sys *fake(const struct baton_backend *be)
{
	return be->priv;
}

static int fake_probe(const char *root)
{
	(void)root;
	return 0;   /* only ever chosen by name */
}

static int fake_open(struct baton_backend *be, const struct baton_config *cfg,
		     struct baton_error *err)
{
	(void)cfg;
	(void)err;
	return be->priv ? 0 : -EINVAL;
}

static void fake_close(struct baton_backend *be)
{
	(void)be;
}

static int fake_random(const struct baton_backend *be, void *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		((uint8_t *)buf)[i] = (uint8_t)(FAKE_RANDOM_BASE + i);
	return fake(be)->random_result;
}

static int fake_load(const struct baton_backend *be, uint64_t entry, size_t nr,
		     const struct baton_kexec_segment *s, unsigned long flags)
{
	struct fake_sys *f = fake(be);
	f->loads++;
	f->entry = entry;
	f->nr = nr;
	if (nr)
		memcpy(f->segs, s, nr * sizeof(*s));
	f->flags = flags;
	return f->load_result ? f->load_result : f->result;
}

static int fake_file_load(const struct baton_backend *be, int kfd, int ifd, size_t len,
			  const char *cmdline, unsigned long flags)
{
	struct fake_sys *f = fake(be);
	f->file_loads++;
	f->file_kfd = kfd;
	memset(f->file_khead, 0, sizeof(f->file_khead));
	f->file_ksize = -1;
	if (kfd >= 0) {
		struct stat st;

		if (pread(kfd, f->file_khead, sizeof(f->file_khead), 0) < 0 || fstat(kfd, &st) < 0)
			return -EIO;
		f->file_ksize = st.st_size;
	}
	memset(f->file_ibuf, 0, sizeof(f->file_ibuf));
	f->file_isize = -1;
	if (ifd >= 0) {
		struct stat st;

		if (pread(ifd, f->file_ibuf, sizeof(f->file_ibuf), 0) < 0 || fstat(ifd, &st) < 0)
			return -EIO;
		f->file_isize = st.st_size;
	}
	f->file_ifd = ifd;
	f->file_len = len;
	f->file_cmdline = cmdline;
	f->flags = flags;
	return f->result;
}

static int fake_reboot(const struct baton_backend *be)
{
	struct fake_sys *f = fake(be);
	f->reboots++;
	f->synced_before_reboot = f->syncs > 0;
	return f->result;
}

static void fake_sync(const struct baton_backend *be)
{
	fake(be)->syncs++;
}

static int fake_ifdown(const struct baton_backend *be)
{
	fake(be)->ifdowns++;
	return 0;
}

/* The running system as the fixtures under the root describe it: Linux's readers (they use
 * be->root only). */
static int fake_memmap(const struct baton_backend *be, struct baton_memmap *map,
		       struct baton_error *err)
{
	return baton_backend_linux.memmap(be, map, err);
}

static int fake_crash_facts(const struct baton_backend *be, const struct baton_memmap *machine,
			    struct baton_crash_info *info, struct baton_error *err)
{
	return baton_backend_linux.crash_facts(be, machine, info, err);
}

static int fake_cpu_features(const struct baton_backend *be, unsigned *features,
			     struct baton_error *err)
{
	return baton_backend_linux.cpu_features(be, features, err);
}

static int fake_efi(const struct baton_backend *be, const struct boot_params *running,
		    struct baton_efi *efi, struct baton_error *err)
{
	return baton_backend_linux.efi(be, running, efi, err);
}

static int fake_rsdp(const struct baton_backend *be, const struct boot_params *running,
		     struct baton_rsdp *rsdp, struct baton_error *err)
{
	return baton_backend_linux.rsdp(be, running, rsdp, err);
}

static int fake_loaded(const struct baton_backend *be, int crash, int *loaded,
		       struct baton_error *err)
{
	return baton_backend_linux.loaded(be, crash, loaded, err);
}

const struct baton_backend_ops fake_backend_ops = {
	.name = "fake",
	.probe = fake_probe,
	.open = fake_open,
	.close = fake_close,
	.memmap = fake_memmap,
	.crash_facts = fake_crash_facts,
	.cpu_features = fake_cpu_features,
	.boot_params = baton_linux_boot_params,
	.efi = fake_efi,
	.rsdp = fake_rsdp,
	.loaded = fake_loaded,
	.cmdline = baton_linux_cmdline,
	.random = fake_random,
	.kexec_load = fake_load,
	.kexec_file_load = fake_file_load,
	.no_file_load = NULL,
	.reboot_kexec = fake_reboot,
	.sync = fake_sync,
	.ifdown = fake_ifdown,
};

struct baton_backend fake_sys_ops(struct fake_sys *f, const char *root)
{
	struct baton_backend be = { &fake_backend_ops, root ? root : "", f };
	return be;
}

/* A syscall seam for tests (nothing reaches the kernel). */
#include "fake_sys.h"

#include <string.h>

static int fake_load(void *ctx, uint64_t entry, size_t nr, const struct baton_kexec_segment *s,
		     unsigned long flags)
{
	struct fake_sys *f = ctx;
	f->loads++;
	f->entry = entry;
	f->nr = nr;
	if (nr)
		memcpy(f->segs, s, nr * sizeof(*s));
	f->flags = flags;
	return f->result;
}

static int fake_file_load(void *ctx, int kfd, int ifd, size_t len, const char *cmdline,
			  unsigned long flags)
{
	struct fake_sys *f = ctx;
	f->file_loads++;
	f->file_kfd = kfd;
	f->file_ifd = ifd;
	f->file_len = len;
	f->file_cmdline = cmdline;
	f->flags = flags;
	return f->result;
}

static int fake_reboot(void *ctx)
{
	struct fake_sys *f = ctx;
	f->reboots++;
	f->synced_before_reboot = f->syncs > 0;
	return f->result;
}

static void fake_sync(void *ctx)
{
	((struct fake_sys *)ctx)->syncs++;
}

static int fake_ifdown(void *ctx)
{
	((struct fake_sys *)ctx)->ifdowns++;
	return 0;
}

struct baton_sys fake_sys_ops(struct fake_sys *f)
{
	struct baton_sys s = { .kexec_load = fake_load, .kexec_file_load = fake_file_load,
			       .reboot_kexec = fake_reboot, .sync = fake_sync,
			       .ifdown = fake_ifdown, .ctx = f };
	return s;
}

/* The real syscalls behind struct baton_sys. Nothing else in baton calls the kernel to load. */
#include "sys.h"

#include <errno.h>
#include <linux/reboot.h>
#include <sys/syscall.h>
#include <unistd.h>

static int linux_kexec_load(void *ctx, uint64_t entry, size_t nr,
			    const struct baton_kexec_segment *segs, unsigned long flags)
{
	(void)ctx;
	if (syscall(SYS_kexec_load, (unsigned long)entry, (unsigned long)nr, segs, flags) < 0)
		return -errno;
	return 0;
}

static int linux_kexec_file_load(void *ctx, int kernel_fd, int initrd_fd, size_t cmdline_len,
				 const char *cmdline, unsigned long flags)
{
	(void)ctx;
	if (syscall(SYS_kexec_file_load, kernel_fd, initrd_fd, (unsigned long)cmdline_len, cmdline,
		    flags) < 0)
		return -errno;
	return 0;
}

static int linux_reboot_kexec(void *ctx)
{
	(void)ctx;
	if (syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_KEXEC,
		    NULL) < 0)
		return -errno;
	return 0;
}

static void linux_sync(void *ctx)
{
	(void)ctx;
	sync();
}

const struct baton_sys baton_sys_linux = {
	.kexec_load = linux_kexec_load,
	.kexec_file_load = linux_kexec_file_load,
	.reboot_kexec = linux_reboot_kexec,
	.sync = linux_sync,
	.ctx = NULL,
};

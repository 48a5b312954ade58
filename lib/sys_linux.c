/* The real syscalls behind struct baton_sys. Nothing else in baton calls the kernel to load. */
#include "sys.h"

#include <errno.h>
#include <stdio.h>
#include <linux/reboot.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
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

static int linux_ifdown(void *ctx)
{
	struct if_nameindex *ifs, *i;
	int fd, rc = 0;

	(void)ctx;
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

const struct baton_sys baton_sys_linux = {
	.kexec_load = linux_kexec_load,
	.kexec_file_load = linux_kexec_file_load,
	.reboot_kexec = linux_reboot_kexec,
	.sync = linux_sync,
	.ifdown = linux_ifdown,
	.ctx = NULL,
};

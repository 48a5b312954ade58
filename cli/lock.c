/* SPDX-License-Identifier: MIT */
/* A whole-command lock, so two loaders never interleave their syscalls (the kernel would answer
 * one with EBUSY, or replace an image the other just loaded). */
#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <unistd.h>

int cli_lock(const char *root)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/run/baton.lock", root ? root : "");
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		/* No /run (an initramfs, a rescue shell): the kernel's own kexec file is always
		 * there and only root can open it, so nobody else can hold its lock. */
		snprintf(path, sizeof(path), "%s/sys/kernel/kexec_loaded", root ? root : "");
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0)
		return -1;
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

void cli_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

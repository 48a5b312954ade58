/* SPDX-License-Identifier: MIT */
/* A backend for tests: records what the library asked of the kernel, answers `result`; reads
 * the running system from its root as the Linux backend does; random bytes are fixed
 * (the golden zero page depends on them). */
#ifndef BATON_TESTS_FAKE_SYS_H
#define BATON_TESTS_FAKE_SYS_H

#include <stddef.h>
#include <stdint.h>

#include "backend.h"

struct fake_sys {
	int result;                    /* what every call answers (0 or a negative errno) */
	int load_result;               /* if not 0, what kexec_load answers instead */
	int random_result;             /* what random() answers; its bytes: BASE + i */
	int loads, file_loads, reboots, syncs, ifdowns;
	int synced_before_reboot;      /* a sync had happened when reboot was called */
	/* the last kexec_load */
	uint64_t entry;
	size_t nr;
	struct baton_kexec_segment segs[16];
	unsigned long flags;           /* also the last kexec_file_load's */
	/* the last kexec_file_load */
	int file_kfd, file_ifd;
	uint8_t file_khead[16];   /* the kernel fd's first bytes, read during the call */
	long long file_ksize;     /* and its size */
	uint8_t file_ibuf[8192];  /* the initrd fd's first bytes */
	long long file_isize;     /* and its size (-1: no initrd) */
	size_t file_len;
	const char *file_cmdline;
};

#define FAKE_RANDOM_BASE 0xb0

extern const struct baton_backend_ops fake_backend_ops;

/* The fake backend recording into f, reading ROOT (NULL: ""). */
struct baton_backend fake_sys_ops(struct fake_sys *f, const char *root);

#endif

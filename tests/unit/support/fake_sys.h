/* A syscall seam for tests: records what the library asked of the kernel, answers `result`. */
#ifndef BATON_TESTS_FAKE_SYS_H
#define BATON_TESTS_FAKE_SYS_H

#include <stddef.h>
#include <stdint.h>

#include "sys.h"

struct fake_sys {
	int result;                    /* what every call answers (0 or a negative errno) */
	int loads, file_loads, reboots, syncs, ifdowns;
	int synced_before_reboot;      /* a sync had happened when reboot was called */
	/* the last kexec_load */
	uint64_t entry;
	size_t nr;
	struct baton_kexec_segment segs[16];
	unsigned long flags;           /* also the last kexec_file_load's */
	/* the last kexec_file_load */
	int file_kfd, file_ifd;
	size_t file_len;
	const char *file_cmdline;
};

/* Ops that record into f. */
struct baton_sys fake_sys_ops(struct fake_sys *f);

#endif

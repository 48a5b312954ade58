/* SPDX-License-Identifier: MIT */
/* Fuzz target: a crash dump (baton_vmcore_open, baton_vmcore_dmesg), the input being the whole
 * file, read from memory. Either the log comes out (NUL-terminated, no NUL inside: every byte that
 * is not printable is escaped, every record ends in a newline) or one line says why, and the
 * outputs are empty. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "vmcore.h"
#include "vmcore_dmesg.h"

static int read_mem(void *ctx, uint64_t offset, void *buf, size_t len)
{
	const struct fuzz_part *in = ctx;

	FUZZ_CHECK(offset <= in->size && len <= in->size - offset,
		   "read past the reader's size: %zu at %llu of %zu", len,
		   (unsigned long long)offset, in->size);
	memcpy(buf, in->data + offset, len);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_part in = { data, size };
	struct baton_vmcore_reader rd = { read_mem, &in, size };
	struct baton_error err = { 0 };
	struct baton_dmesg log = { (char *)1, 1, 1 };
	struct baton_vmcore vc;
	int rc;

	rc = baton_vmcore_open(&vc, &rd, "fuzz", &err);
	if (rc) {
		fuzz_check_error(rc, &err);
		FUZZ_CHECK(!vc.loads && !vc.info && vc.fd == -1, "a failed open left state behind");
		return 0;
	}
	FUZZ_CHECK(vc.info && strlen(vc.info) <= vc.info_len, "VMCOREINFO not NUL-terminated");
	rc = baton_vmcore_dmesg(&vc, &log, &err);
	if (rc) {
		fuzz_check_error(rc, &err);
		FUZZ_CHECK(!log.text && !log.len, "a failed read left a log behind");
	} else {
		FUZZ_CHECK(log.text && strlen(log.text) == log.len, "the log holds a NUL or lacks one");
		FUZZ_CHECK(log.len == 0 || log.text[log.len - 1] == '\n', "the last record lacks its "
			   "newline");
		baton_dmesg_free(&log);
	}
	baton_vmcore_close(&vc);
	return 0;
}

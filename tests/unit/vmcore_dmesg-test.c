/* SPDX-License-Identifier: MIT */
/* Tests for the dead kernel's log: both printk ring formats laid out as x86-64 kernels do, with
 * their wrap-arounds, skipped records, escapes, and corrupt rings refused in one line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "support/vmcore_fixture.h"
#include "vmcore.h"
#include "vmcore_dmesg.h"

/* Kernel objects in the synthetic memory. */
#define PTR_VAR  (VMFX_VA + 0x800)    /* prb, or log_buf and the three u32s after it */
#define RING     (VMFX_VA + 0x1000)   /* struct printk_ringbuffer */
#define DESCS    (VMFX_VA + 0x2000)
#define INFOS    (VMFX_VA + 0x3000)
#define DATA     (VMFX_VA + 0x4000)   /* the text ring, or log_buf */
#define DATA_SIZE 256u
#define COUNT 8u
#define DESC_SIZE 24u
#define INFO_SIZE 88u

enum { RESERVED = 0, COMMITTED = 1, FINALIZED = 2 };

/* --- the lockless ring (Linux 6.1's layout on x86-64) ------------------------------------------ */
static const char *const prb_info[] = {
	"SIZE(printk_ringbuffer)=88",
	"OFFSET(printk_ringbuffer.desc_ring)=0",
	"OFFSET(printk_ringbuffer.text_data_ring)=48",
	"OFFSET(prb_desc_ring.count_bits)=0",
	"OFFSET(prb_desc_ring.descs)=8",
	"OFFSET(prb_desc_ring.infos)=16",
	"OFFSET(prb_desc_ring.head_id)=24",
	"OFFSET(prb_desc_ring.tail_id)=32",
	"SIZE(prb_desc)=24",
	"OFFSET(prb_desc.state_var)=0",
	"OFFSET(prb_desc.text_blk_lpos)=8",
	"OFFSET(prb_data_blk_lpos.begin)=0",
	"OFFSET(prb_data_blk_lpos.next)=8",
	"SIZE(printk_info)=88",
	"OFFSET(printk_info.seq)=0",
	"OFFSET(printk_info.ts_nsec)=8",
	"OFFSET(printk_info.text_len)=16",
	"OFFSET(prb_data_ring.size_bits)=0",
	"OFFSET(prb_data_ring.data)=8",
	"OFFSET(atomic_long_t.counter)=0",
};

/* A ring with tail and head ids; `skip` leaves one VMCOREINFO line out, `bad` replaces one. */
static struct vmfx *prb_dump(uint64_t tail, uint64_t head, const char *skip, const char *bad)
{
	struct vmfx *f = malloc(sizeof(*f));

	assert_non_null(f);
	vmfx_init(f);
	vmfx_info(f, "OSRELEASE=6.1.0-test");
	vmfx_info(f, "SYMBOL(prb)=%llx", (unsigned long long)PTR_VAR);
	for (size_t i = 0; i < sizeof(prb_info) / sizeof(prb_info[0]); i++)
		if (!skip || strncmp(prb_info[i], skip, strlen(skip)))
			vmfx_info(f, "%s", prb_info[i]);
	if (bad)
		vmfx_info(f, "%s", bad);
	vmfx_put64(f, PTR_VAR, RING);
	*(uint32_t *)vmfx_mem(f, RING + 0) = 3;              /* 8 descriptors */
	vmfx_put64(f, RING + 8, DESCS);
	vmfx_put64(f, RING + 16, INFOS);
	vmfx_put64(f, RING + 24, head);
	vmfx_put64(f, RING + 32, tail);
	*(uint32_t *)vmfx_mem(f, RING + 48) = 8;             /* 256 bytes of text */
	vmfx_put64(f, RING + 48 + 8, DATA);
	return f;
}

/* Descriptor slot of `slot_id` (its id in state_var), read as record `id`'s slot. */
static void desc(struct vmfx *f, uint64_t slot_id, int state, uint64_t begin, uint64_t next)
{
	uint64_t d = DESCS + (slot_id % COUNT) * DESC_SIZE;

	vmfx_put64(f, d, (uint64_t)state << 62 | slot_id);
	vmfx_put64(f, d + 8, begin);
	vmfx_put64(f, d + 16, next);
}

static void info(struct vmfx *f, uint64_t id, uint64_t ts, uint16_t text_len)
{
	uint64_t i = INFOS + (id % COUNT) * INFO_SIZE;

	vmfx_put64(f, i, id);                                 /* seq */
	vmfx_put64(f, i + 8, ts);
	memcpy(vmfx_mem(f, i + 16), &text_len, 2);
}

static void block(struct vmfx *f, uint64_t at, uint64_t id, const char *text)
{
	vmfx_put64(f, DATA + at, id);
	memcpy(vmfx_mem(f, DATA + at + 8), text, strlen(text));
}

static void dmesg_is(struct vmfx *f, const char *want)
{
	struct baton_vmcore_reader rd;
	struct baton_error err = { 0 };
	struct baton_vmcore vc;
	struct baton_dmesg log;

	vmfx_finish(f);
	rd = vmfx_reader(f);
	assert_int_equal(baton_vmcore_open(&vc, &rd, "dump", &err), 0);
	assert_int_equal(baton_vmcore_dmesg(&vc, &log, &err), 0);
	assert_int_equal(log.len, strlen(want));
	assert_string_equal(log.text, want);
	baton_dmesg_free(&log);
	baton_vmcore_close(&vc);
	free(f);
}

static void dmesg_fails(struct vmfx *f, int code, const char *msg)
{
	struct baton_vmcore_reader rd;
	struct baton_error err = { 0 };
	struct baton_vmcore vc;
	struct baton_dmesg log;

	vmfx_finish(f);
	rd = vmfx_reader(f);
	assert_int_equal(baton_vmcore_open(&vc, &rd, "dump", &err), 0);
	assert_int_equal(baton_vmcore_dmesg(&vc, &log, &err), -code);
	assert_string_equal(err.msg, msg);
	assert_null(log.text);
	assert_int_equal(log.len, 0);
	baton_vmcore_close(&vc);
	free(f);
}

/* Records 8 to 13 of a ring that has gone round once: its text ring wraps inside record 9. */
static struct vmfx *prb_wrapped(void)
{
	struct vmfx *f = prb_dump(8, 13, NULL, NULL);

	desc(f, 8, FINALIZED, 256 + 160, 256 + 176);
	info(f, 8, 0, 5);
	block(f, 160, 8, "first");
	/* 24 bytes do not fit in the 16 left before the end: the block is at 0 of the next lap */
	desc(f, 9, COMMITTED, 256 + 240, 512 + 24);
	info(f, 9, 1234567891, 9);
	block(f, 0, 9, "wrapped!\x01");
	desc(f, 10, FINALIZED, 3, 3);                    /* an empty line: no data block */
	info(f, 10, 98765432100000ull, 0);
	desc(f, 11, FINALIZED, 1, 1);                    /* its text was lost */
	info(f, 11, 5, 4);
	desc(f, 4, FINALIZED, 512 + 24, 512 + 40);       /* 12's slot still holds record 4 */
	info(f, 4, 7, 3);
	desc(f, 13, RESERVED, 512 + 40, 512 + 56);       /* being written at the crash */
	info(f, 13, 8, 3);
	block(f, 40, 13, "new");
	return f;
}

static void lockless_ring(void **state)
{
	(void)state;
	dmesg_is(prb_wrapped(), "[    0.000000] first\n"
				"[    1.234567] wrapped!\\x01\n"
				"[98765.432100] \n");
}

static void lockless_ring_text_len_past_its_block(void **state)
{
	struct vmfx *f = prb_dump(0, 1, NULL, NULL);

	(void)state;
	desc(f, 0, FINALIZED, 0, 16);
	info(f, 0, 1000, 200);                            /* the block holds 8 bytes of text */
	block(f, 0, 0, "12345678tail");
	desc(f, 1, FINALIZED, 16, 16 + 24);
	info(f, 1, 2000, 12);
	block(f, 16, 1, "line\ttwo\nend");
	dmesg_is(f, "[    0.000001] 12345678\n[    0.000002] line\ttwo\nend\n");
}

static void lockless_ring_refused(void **state)
{
	struct vmfx *f;

	(void)state;
	dmesg_fails(prb_dump(0, 8, NULL, NULL), EINVAL, "vmcore dump: printk ring: tail id 0 and "
		    "head id 8 are more than its 8 descriptors apart");
	dmesg_fails(prb_dump(0, 1, "OFFSET(prb_desc.text_blk_lpos)", NULL), EINVAL,
		    "vmcore dump: VMCOREINFO lacks OFFSET(prb_desc.text_blk_lpos) (the lockless "
		    "printk ring's layout)");
	dmesg_fails(prb_dump(0, 1, "OFFSET(prb_desc_ring.tail_id)",
			     "OFFSET(prb_desc_ring.tail_id)=84"), EINVAL,
		    "vmcore dump: the printk ring's layout in VMCOREINFO does not fit its "
		    "structures, or its sizes are impossible (count_bits 3, size_bits 8)");
	f = prb_dump(0, 1, NULL, NULL);
	*(uint32_t *)vmfx_mem(f, RING + 0) = 31;
	dmesg_fails(f, EINVAL, "vmcore dump: the printk ring's layout in VMCOREINFO does not fit "
		    "its structures, or its sizes are impossible (count_bits 31, size_bits 8)");
	f = prb_dump(0, 1, NULL, NULL);
	vmfx_put64(f, PTR_VAR, VMFX_VA - 0x1000);
	dmesg_fails(f, EINVAL, "vmcore dump: the printk_ringbuffer at 0xffffffff81fff000 is not "
		    "in the dump (no PT_LOAD maps it)");
	f = prb_dump(0, 1, NULL, NULL);
	*(uint32_t *)vmfx_mem(f, RING + 48) = 27;          /* 128 MiB of text in a small file */
	dmesg_fails(f, EINVAL, "vmcore dump: the printk text ring of 134217728 bytes: corrupt "
		    "(more than the dump or 256 MiB)");
}

/* --- Linux 3.5 to 5.9: struct printk_log records in log_buf ----------------------------------- */
static struct vmfx *log_dump(const char *type, uint32_t first, uint32_t next)
{
	struct vmfx *f = malloc(sizeof(*f));
	uint32_t len = 128;

	assert_non_null(f);
	vmfx_init(f);
	vmfx_info(f, "OSRELEASE=5.4.0-test");
	vmfx_info(f, "SYMBOL(log_buf)=%llx", (unsigned long long)PTR_VAR);
	vmfx_info(f, "SYMBOL(log_buf_len)=%llx", (unsigned long long)PTR_VAR + 8);
	vmfx_info(f, "SYMBOL(log_first_idx)=%llx", (unsigned long long)PTR_VAR + 16);
	vmfx_info(f, "SYMBOL(log_next_idx)=%llx", (unsigned long long)PTR_VAR + 24);
	vmfx_info(f, "SIZE(%s)=16", type);
	vmfx_info(f, "OFFSET(%s.ts_nsec)=0", type);
	vmfx_info(f, "OFFSET(%s.len)=8", type);
	vmfx_info(f, "OFFSET(%s.text_len)=10", type);
	vmfx_info(f, "OFFSET(%s.dict_len)=12", type);
	vmfx_put64(f, PTR_VAR, DATA);
	memcpy(vmfx_mem(f, PTR_VAR + 8), &len, 4);
	memcpy(vmfx_mem(f, PTR_VAR + 16), &first, 4);
	memcpy(vmfx_mem(f, PTR_VAR + 24), &next, 4);
	return f;
}

static void record(struct vmfx *f, uint32_t at, uint64_t ts, uint16_t len, const char *text)
{
	uint16_t text_len = (uint16_t)strlen(text);

	vmfx_put64(f, DATA + at, ts);
	memcpy(vmfx_mem(f, DATA + at + 8), &len, 2);
	memcpy(vmfx_mem(f, DATA + at + 10), &text_len, 2);
	memcpy(vmfx_mem(f, DATA + at + 16), text, text_len);
}

/* From 80 to the end-of-buffer record at 104, then from 0 to 56. */
static struct vmfx *log_wrapped(const char *type, uint32_t next)
{
	struct vmfx *f = log_dump(type, 80, next);

	record(f, 80, 5000001000ull, 24, "abc");
	record(f, 104, 0, 0, "");
	record(f, 0, 6000000000ull, 32, "tab\there\x7f");
	record(f, 32, 7000000000ull, 24, "");
	return f;
}

static void log_buf_records(void **state)
{
	const char *want = "[    5.000001] abc\n[    6.000000] tab\there\\x7f\n[    7.000000] \n";

	(void)state;
	dmesg_is(log_wrapped("printk_log", 56), want);
	dmesg_is(log_wrapped("log", 56), want);          /* before 3.11: struct log */
}

static void log_buf_refused(void **state)
{
	struct vmfx *f;

	(void)state;
	/* next is never reached: after the wrap, the zeros at 56 mark the end a second time */
	dmesg_fails(log_wrapped("printk_log", 60), EINVAL,
		    "vmcore dump: log_buf: corrupt record at index 56 (of 128 bytes)");
	f = log_wrapped("printk_log", 56);
	record(f, 0, 1, 8, "x");                         /* shorter than its header */
	dmesg_fails(f, EINVAL, "vmcore dump: log_buf: corrupt record at index 0 (of 128 bytes)");
	f = log_wrapped("printk_log", 56);
	record(f, 32, 1, 120, "");                        /* runs past the buffer's end */
	dmesg_fails(f, EINVAL, "vmcore dump: log_buf: corrupt record at index 32 (of 128 bytes)");
	f = log_dump("printk_log", 200, 0);
	dmesg_fails(f, EINVAL, "vmcore dump: log_buf: corrupt record at index 200 (of 128 bytes)");
}

static void no_ring(void **state)
{
	struct vmfx *f = malloc(sizeof(*f));

	(void)state;
	assert_non_null(f);
	vmfx_init(f);
	vmfx_info(f, "OSRELEASE=3.2.0-old");
	vmfx_info(f, "SYMBOL(log_buf)=ffffffff82000800");
	vmfx_info(f, "SYMBOL(log_end)=ffffffff82000808");
	dmesg_fails(f, ENOTSUP, "vmcore dump: the log is the character ring of Linux before 3.5 "
		    "(log_end), which baton does not read");
	f = malloc(sizeof(*f));
	assert_non_null(f);
	vmfx_init(f);
	vmfx_info(f, "OSRELEASE=6.1.0-test");
	dmesg_fails(f, EINVAL, "vmcore dump: VMCOREINFO names no printk ring (neither prb nor "
		    "log_buf)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lockless_ring),
		cmocka_unit_test(lockless_ring_text_len_past_its_block),
		cmocka_unit_test(lockless_ring_refused),
		cmocka_unit_test(log_buf_records),
		cmocka_unit_test(log_buf_refused),
		cmocka_unit_test(no_ring),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* Fuzz target: the elf-x86_64 format on arbitrary bytes (baton_elf_load_parse, the note walk);
 * an accepted image is planned on QEMU's 1 GiB map (each PT_LOAD at its address) and its boot
 * information laid out for each argument style: Linux's zero page, ELF boot notes, none. */
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "format.h"
#include "fuzz.h"
#include "inputs.h"
#include "le.h"

static int fake_random(const struct baton_backend *be, void *buf, size_t len)
{
	(void)be;
	memset(buf, 0x5a, len);
	return 0;
}

static const struct baton_backend_ops ops = { .random = fake_random };
static const struct baton_backend system_ = { &ops, "", NULL };

/* Fixed addresses must lie in RAM at or above 1 MiB and not overlap what is placed; the rest goes
 * lowest-first from 1 MiB. */
struct placer {
	const struct baton_segments *segs;
	uint64_t next;
};

static int overlaps(const struct baton_segments *segs, const struct baton_segment *s,
		    uint64_t at, uint64_t size)
{
	for (size_t i = 0; i < segs->nr; i++) {
		const struct baton_segment *o = &segs->seg[i];
		if (o != s && o->memsz && at < o->mem + o->memsz && o->mem < at + size)
			return 1;
	}
	return 0;
}

static int place(void *ctx, struct baton_segment *s, const struct baton_seg_place *at)
{
	struct placer *p = ctx;
	uint64_t start = at->min > p->next ? at->min : p->next;

	start = (start + at->align - 1) & ~(at->align - 1);
	for (; start + s->memsz <= 0x3ffe0000 && start + s->memsz <= at->max;
	     start += at->align) {
		if (start < 0x100000 || overlaps(p->segs, s, start, s->memsz))
			continue;
		s->mem = start;
		return 0;
	}
	return -ENOSPC;
}

static int no_room(void *ctx, const struct baton_segment *s, const char *file, const char *what,
		   struct baton_error *err)
{
	(void)ctx;
	return baton_fail(err, ENOSPC, "%s: %s: no room%s", s->name, file, what);
}

/* Plan and lay out the boot information for one argument style, as image.c does. */
static void plan_and_build(struct baton_inputs *in, unsigned flags)
{
	struct baton_load_opts o = { .kernel = "fuzz", .cmdline = "console=ttyS0", .flags = flags };
	struct baton_segments segs = { 0 };
	struct placer pl = { &segs, 0x100000 };
	struct baton_warnings warn = { 0 };
	struct baton_format_ctx ctx = { in, &o, &segs, { place, no_room, &pl }, &system_, &warn };
	struct baton_format_plan fplan = { 0 };
	struct baton_boot_info bi = { .cmdline = o.cmdline, .cmdline_len = strlen(o.cmdline),
				      .map = &in->memmap };
	struct baton_error err = { 0 };
	struct baton_exit e;
	int rc;

	if (flags & BATON_LOAD_ARGS_NONE)
		o.cmdline = NULL;
	rc = baton_format_elf_x86_64.plan(&ctx, &fplan, &err);
	if (rc) {
		fuzz_check_error(rc, &err);
		return;
	}
	FUZZ_CHECK(fplan.cmdline_max == 2047, "cmdline_max %u", fplan.cmdline_max);
	for (size_t i = 0; i < segs.nr; i++) {
		const struct baton_segment *s = &segs.seg[i];
		FUZZ_CHECK(s->bufsz <= s->memsz && s->mem % 4096 == 0 && s->memsz % 4096 == 0,
			   "segment %zu", i);
		if (s->role == BATON_SEG_KERNEL)
			FUZZ_CHECK(s->buf >= (const void *)in->kernel_file.data &&
				   (const uint8_t *)s->buf + s->bufsz <=
				   in->kernel_file.data + in->kernel_file.size, "kernel bytes");
	}
	rc = baton_format_elf_x86_64.boot_info(&ctx, &bi, &err);
	FUZZ_CHECK(!rc, "count: %s", err.msg);
	size_t counted = bi.size;
	if (counted) {
		bi.buf = calloc(1, counted + 4096);
		bi.phys = 0x3f000000;
		rc = baton_format_elf_x86_64.boot_info(&ctx, &bi, &err);
		FUZZ_CHECK(!rc && bi.size == counted, "wrote %zu, counted %zu", bi.size, counted);
		free(bi.buf);
	}
	FUZZ_CHECK(!(flags & BATON_LOAD_ARGS_NONE) || !counted, "arguments with --args-none");
	baton_format_elf_x86_64.exit(&ctx, counted ? 0x3f000000 : 0, &e);
	FUZZ_CHECK(e.mode == BATON_EXIT_LONG64, "exit mode %u", e.mode);
	FUZZ_CHECK(e.entry == in->kernel.elf.elf.entry, "entry");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct baton_inputs in;
	struct baton_error err = { 0 };
	int rc;

	memset(&in, 0, sizeof(in));
	rc = baton_format_parse_as(&baton_format_elf_x86_64, data, size, "fuzz", &in.kernel, &err);
	if (rc) {
		fuzz_check_error(rc, &err);
		FUZZ_CHECK(rc == -ENOEXEC, "rc %d", rc);
		FUZZ_CHECK(!in.kernel.format && !in.kernel.elf.elf.nr_loads, "not emptied");
		return 0;
	}
	const struct baton_elf_image *elf = &in.kernel.elf.elf;
	FUZZ_CHECK(baton_format_elf_x86_64.probe(data, size), "accepted but the probe says no");
	FUZZ_CHECK(elf->elf_class == BATON_ELF_64, "class %d", elf->elf_class);
	FUZZ_CHECK(elf->nr_loads >= 1 && elf->nr_loads <= BATON_ELF_MAX_LOADS, "loads");
	for (size_t i = 0; i < elf->nr_loads; i++) {
		const struct baton_elf_load *l = &elf->loads[i];
		FUZZ_CHECK(l->offset <= size && l->filesz <= size - l->offset, "load %zu bytes", i);
		FUZZ_CHECK(l->filesz <= l->memsz && l->paddr % 4096 == 0, "load %zu", i);
	}
	for (size_t i = 0; i < elf->nr_notes; i++)
		FUZZ_CHECK(elf->notes[i].offset <= size &&
			   elf->notes[i].size <= size - elf->notes[i].offset, "note %zu", i);

	in.kernel_file.data = data;
	in.kernel_file.size = size;
	in.memmap = fuzz_qemu_1g;
	plan_and_build(&in, BATON_LOAD_ARGS_LINUX);
	plan_and_build(&in, BATON_LOAD_ARGS_ELF);
	plan_and_build(&in, BATON_LOAD_ARGS_NONE);
	return 0;
}

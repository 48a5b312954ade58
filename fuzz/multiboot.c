/* SPDX-License-Identifier: MIT */
/* Fuzz target: the multiboot2, multiboot and ELF parsers on the same arbitrary bytes; an accepted
 * ELF's PT_LOADs go on as modules into both boot information builders. */
#include <stdlib.h>
#include <string.h>

#include "elf_load.h"
#include "fuzz.h"
#include "le.h"
#include "mbi.h"
#include "multiboot.h"
#include "multiboot2.h"

static void check_zero(const void *p, size_t n, const char *what)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(!b[i], "%s not emptied after a refusal", what);
}

static void check_mb2(const uint8_t *data, size_t size)
{
	struct baton_mb2_header h;
	struct baton_error err = { 0 };
	int rc = baton_mb2_parse(&h, data, size, "fuzz", &err);
	size_t end = size < BATON_MB2_SEARCH ? size : BATON_MB2_SEARCH;

	if (rc) {
		fuzz_check_error(rc, &err);
		FUZZ_CHECK(rc == -ENOEXEC, "rc %d", rc);
		check_zero(&h, sizeof(h), "mb2 header");
		return;
	}
	FUZZ_CHECK(baton_mb2_probe(data, size), "accepted but the probe says no");
	FUZZ_CHECK(h.offset % 8 == 0 && h.length >= 24 && h.offset + h.length <= end,
		   "header at 0x%zx+%u", h.offset, h.length);
	FUZZ_CHECK(baton_le32(data + h.offset) == BATON_MB2_MAGIC && !baton_le32(data + h.offset + 4),
		   "magic/arch");
	FUZZ_CHECK((uint32_t)(BATON_MB2_MAGIC + h.length + baton_le32(data + h.offset + 12)) == 0,
		   "checksum");
	FUZZ_CHECK(h.present & BATON_MB2_BIT(BATON_MB2_HTAG_END), "no end tag");
	FUZZ_CHECK(!(h.required & ~h.present), "required 0x%x present 0x%x", h.required, h.present);
	FUZZ_CHECK(!(h.info_required & ~h.info_requested), "info_required");
	FUZZ_CHECK(!(h.info_required & ~BATON_MBI_PROVIDES), "required MBI tags 0x%x",
		   h.info_required);
	FUZZ_CHECK(!(h.required & (BATON_MB2_BIT(BATON_MB2_HTAG_EFI_BS) |
				   BATON_MB2_BIT(BATON_MB2_HTAG_ENTRY_EFI32) |
				   BATON_MB2_BIT(BATON_MB2_HTAG_ENTRY_EFI64) |
				   BATON_MB2_BIT(BATON_MB2_HTAG_FRAMEBUFFER))), "unsatisfiable 0x%x",
		   h.required);
	if (h.required & BATON_MB2_BIT(BATON_MB2_HTAG_CONSOLE))
		FUZZ_CHECK(!(h.console_flags & BATON_MB2_CONSOLE_REQUIRED), "console");
	if (baton_mb2_has(&h, BATON_MB2_HTAG_RELOCATABLE)) {
		FUZZ_CHECK(h.relocatable.align && !(h.relocatable.align & (h.relocatable.align - 1)),
			   "align 0x%x", h.relocatable.align);
		FUZZ_CHECK(h.relocatable.min_addr <= h.relocatable.max_addr, "min/max");
		FUZZ_CHECK(h.relocatable.preference <= BATON_MB2_RELOC_HIGH, "preference");
	}
	if (baton_mb2_has(&h, BATON_MB2_HTAG_ADDRESS))
		FUZZ_CHECK(h.address.load_offset <= size &&
			   h.address.load_size <= size - h.address.load_offset, "address");
}

static void check_mb1(const uint8_t *data, size_t size)
{
	struct baton_mb1_header h;
	struct baton_error err = { 0 };
	int rc = baton_mb1_parse(&h, data, size, "fuzz", &err);

	if (rc) {
		fuzz_check_error(rc, &err);
		FUZZ_CHECK(rc == -ENOEXEC, "rc %d", rc);
		check_zero(&h, sizeof(h), "mb1 header");
		return;
	}
	FUZZ_CHECK(baton_mb1_probe(data, size), "accepted but the probe says no");
	FUZZ_CHECK(h.offset % 4 == 0 && h.offset + 12 <= size && h.offset + 12 <= BATON_MB1_SEARCH,
		   "header at 0x%zx", h.offset);
	FUZZ_CHECK(!(h.flags & 0xfffc), "flags 0x%x", h.flags);
	if (h.flags & BATON_MB1_ADDRESS)
		FUZZ_CHECK(h.address.load_offset <= size &&
			   h.address.load_size <= size - h.address.load_offset &&
			   h.address.entry_addr >= h.address.load_addr, "address");
}

/* The PT_LOADs (clamped below 4 GiB) as modules: both builders count what they write. */
static void build_infos(const struct baton_elf_image *e)
{
	const struct baton_memmap map = fuzz_qemu_1g;
	struct baton_mbi_module mods[BATON_ELF_MAX_LOADS];
	int (*const fns[])(const struct baton_mbi_input *, uint8_t *, size_t, size_t *,
			   struct baton_error *) = { baton_mbi2_build, baton_mbi1_build };

	for (size_t i = 0; i < e->nr_loads; i++) {
		uint64_t s = e->loads[i].paddr & 0xffffffff;
		uint64_t n = e->loads[i].memsz;

		mods[i] = (struct baton_mbi_module){ s, n > 0x100000000ull - s ? 0x100000000ull : s + n,
						     i & 1 ? "m" : NULL };
	}
	struct baton_mbi_input in = { .addr = 0x3ff00000, .cmdline = "xen", .memmap = &map,
				      .modules = mods, .nr_modules = e->nr_loads,
				      .load_base = e->loads[0].paddr & 0xffffffff };
	for (unsigned f = 0; f < 2; f++) {
		struct baton_error err = { 0 };
		size_t need, wrote;
		uint8_t *buf;

		FUZZ_CHECK(fns[f](&in, NULL, 0, &need, &err) == 0, "count: %s", err.msg);
		buf = malloc(need);
		FUZZ_CHECK(buf && fns[f](&in, buf, need, &wrote, &err) == 0, "write: %s", err.msg);
		FUZZ_CHECK(wrote == need, "wrote %zu, counted %zu", wrote, need);
		if (f == 0)
			FUZZ_CHECK(baton_le32(buf) == need, "total_size");
		free(buf);
	}
}

static void check_elf(const uint8_t *data, size_t size)
{
	struct baton_elf_image e;
	struct baton_error err = { 0 };
	int rc = baton_elf_load_parse(&e, data, size, "fuzz", &err);

	if (rc) {
		fuzz_check_error(rc, &err);
		FUZZ_CHECK(rc == -ENOEXEC, "rc %d", rc);
		check_zero(&e, sizeof(e), "elf image");
		return;
	}
	FUZZ_CHECK(e.elf_class == BATON_ELF_32 || e.elf_class == BATON_ELF_64, "class");
	FUZZ_CHECK(e.nr_loads >= 1 && e.nr_loads <= BATON_ELF_MAX_LOADS, "nr_loads %zu", e.nr_loads);
	for (size_t i = 0; i < e.nr_loads; i++) {
		const struct baton_elf_load *a = &e.loads[i];

		FUZZ_CHECK(a->offset <= size && a->filesz <= size - a->offset, "load %zu bytes", i);
		FUZZ_CHECK(a->filesz <= a->memsz, "load %zu filesz", i);
		for (size_t j = 0; j < i; j++) {
			const struct baton_elf_load *b = &e.loads[j];

			FUZZ_CHECK(!a->memsz || !b->memsz || a->paddr + a->memsz <= b->paddr ||
				   b->paddr + b->memsz <= a->paddr, "loads %zu and %zu overlap", j, i);
		}
	}
	build_infos(&e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_mb2(data, size);
	check_mb1(data, size);
	check_elf(data, size);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/* Unified Kernel Images (the UAPI group's UKI specification, systemd-stub(7)): a PE/COFF file
 * whose sections carry a Linux kernel (.linux), its initrd (.initrd, after the microcode in
 * .ucode), its command line (.cmdline) and facts about it (.uname, .osrel). */
#ifndef BATON_LIB_UKI_H
#define BATON_LIB_UKI_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* A section's bytes in the file (not owned); size 0: the image has no such section. */
struct baton_uki_part {
	const uint8_t *data;
	size_t size;
};

struct baton_uki {
	struct baton_uki_part linux_;   /* the kernel (a bzImage on x86-64) */
	struct baton_uki_part initrd;
	struct baton_uki_part ucode;    /* microcode: loaded before .initrd */
	struct baton_uki_part cmdline;  /* as stored: see baton_uki_cmdline() */
	struct baton_uki_part uname;    /* the kernel's release, informational */
	struct baton_uki_part dtb;      /* not passed: x86 firmware describes itself (ACPI) */
	uint16_t machine;               /* the PE header's */
};

/* A PE file whose section table names .linux, valid or not: what automatic detection asks. */
int baton_uki_probe(const uint8_t *data, size_t size);
/* Read `data` as a UKI for x86-64: the PE headers valid, a .linux section, no section of
 * meaning twice, no profiles (.profile: systemd 257's multi-profile images). *uki is zeroed
 * on failure (-ENOEXEC, one line naming the file and the problem). */
int baton_uki_parse(struct baton_uki *uki, const uint8_t *data, size_t size, const char *name,
		    struct baton_error *err);
/* The .cmdline as systemd-stub hands it to the kernel: up to the first NUL, control
 * characters (a trailing newline) as spaces, trailing spaces dropped. Writes at most
 * `cap` - 1 bytes and a NUL into buf; returns the length (cap must exceed the section). */
size_t baton_uki_cmdline(const struct baton_uki *uki, char *buf, size_t cap);

#endif

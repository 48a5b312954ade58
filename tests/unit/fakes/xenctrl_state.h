/* SPDX-License-Identifier: MIT */
/* What the stand-in libxenctrl recorded, shared by the fake and the Xen backend's tests. */
#ifndef BATON_TESTS_UNIT_FAKES_XENCTRL_STATE_H
#define BATON_TESTS_UNIT_FAKES_XENCTRL_STATE_H

#include <stdint.h>
#include <xenctrl.h>

struct fake_xen_state {
	int loads, unloads, execs;
	uint8_t type;
	uint16_t arch;
	uint64_t entry;
	uint32_t nr;
	xen_kexec_segment_t segs[16];
	uint8_t bytes[16][64];        /* the first bytes each segment's buffer held */
	int unload_type;
	int loaded[2];
	/* set by tests */
	uint32_t hw_cap[8];                 /* physinfo's CPU feature words */
	const struct e820entry *map;        /* the machine map; NULL: a QEMU-like 2 GiB one */
	uint32_t map_nr;
};

/* Exported by the fake library; the tests look it up with dlsym() in the copy they dlopen(). */
struct fake_xen_state *fake_xen_state(void);

#endif

/* SPDX-License-Identifier: MIT */
/* A stand-in libxenctrl for host tests: records kexec calls instead of making hypercalls. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xenctrl.h>

#include "xenctrl_state.h"

static struct fake_xen_state state;
static int fake_handle;

struct fake_xen_state *fake_xen_state(void)
{
	return &state;
}

xc_interface *xc_interface_open(xentoollog_logger *l, xentoollog_logger *d, unsigned flags)
{
	(void)l;
	(void)d;
	(void)flags;
	return (xc_interface *)&fake_handle;
}

int xc_interface_close(xc_interface *xch)
{
	(void)xch;
	return 0;
}

void *xc__hypercall_buffer_alloc(xc_interface *xch, xc_hypercall_buffer_t *b, size_t size)
{
	(void)xch;
	b->hbuf = calloc(1, size);
	return b->hbuf;
}

void xc__hypercall_buffer_free(xc_interface *xch, xc_hypercall_buffer_t *b)
{
	(void)xch;
	memset(b->hbuf, 0xee, 1);   /* freed buffers must not be read again */
	free(b->hbuf);
}

int xc_kexec_load(xc_interface *xch, uint8_t type, uint16_t arch, uint64_t entry,
		  uint32_t nr, xen_kexec_segment_t *segs)
{
	(void)xch;
	state.loads++;
	state.type = type;
	state.arch = arch;
	state.entry = entry;
	state.nr = nr;
	for (uint32_t i = 0; i < nr && i < 16; i++) {
		state.segs[i] = segs[i];
		if (segs[i].buf.h.p)
			memcpy(state.bytes[i], segs[i].buf.h.p,
			       segs[i].buf_size < 64 ? segs[i].buf_size : 64);
	}
	state.loaded[type] = 1;
	return 0;
}

int xc_kexec_unload(xc_interface *xch, int type)
{
	(void)xch;
	state.unloads++;
	state.unload_type = type;
	state.loaded[type] = 0;
	return 0;
}

int xc_kexec_exec(xc_interface *xch, int type)
{
	(void)xch;
	state.execs++;
	if (!state.loaded[type]) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}

int xc_kexec_status(xc_interface *xch, int type)
{
	(void)xch;
	return state.loaded[type];
}

/* A QEMU-like machine with 2 CPUs and crashkernel=256M@1G. */
int xc_kexec_get_range(xc_interface *xch, int range, int nr, uint64_t *size, uint64_t *start)
{
	(void)xch;
	switch (range) {
	case KEXEC_RANGE_MA_CRASH:
		*start = 0x40000000;
		*size = 0x10000000;
		return 0;
	case KEXEC_RANGE_MA_XEN:
		*start = 0x7f600000;
		*size = 0x400000;
		return 0;
	case KEXEC_RANGE_MA_VMCOREINFO:
		*start = 0x7f9f1000;
		*size = 0x1000;
		return 0;
	case KEXEC_RANGE_MA_CPU:
		if (nr < 2) {
			*start = 0x7f9f2000 + (uint64_t)nr * 0x400;
			*size = 0x160;
			return 0;
		}
		break;
	}
	errno = EINVAL;
	return -1;
}

int xc_get_machine_memory_map(xc_interface *xch, struct e820entry entries[], uint32_t max)
{
	static const struct e820entry map[] = {
		{ 0x0, 0x9fc00, 1 },
		{ 0x9fc00, 0x400, 2 },
		{ 0xf0000, 0x10000, 2 },
		{ 0x100000, 0x7fee0000, 1 },
		{ 0x7ffe0000, 0x20000, 2 },
		{ 0xfffc0000, 0x40000, 2 },
	};
	(void)xch;
	const struct e820entry *m = state.map ? state.map : map;
	uint32_t n = state.map ? state.map_nr : sizeof(map) / sizeof(map[0]);
	if (n > max)
		n = max;
	memcpy(entries, m, n * sizeof(m[0]));
	return (int)n;
}

int xc_physinfo(xc_interface *xch, xc_physinfo_t *info)
{
	(void)xch;
	memset(info, 0, sizeof(*info));
	info->nr_cpus = 2;
	memcpy(info->hw_cap, state.hw_cap, sizeof(info->hw_cap));
	return 0;
}

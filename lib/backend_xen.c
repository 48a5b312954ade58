/* SPDX-License-Identifier: MIT */
/* Xen's kexec interface through libxenctrl, resolved with dlopen so one baton binary runs on
 * machines without Xen libraries. */
#include "backend_xen.h"

#include <dlfcn.h>
#include <elf.h>
#include <stdlib.h>
#include <string.h>
#include <xenctrl.h>

#include "baton/abi.h"
#include "bootparams.h"
#include "file.h"
#include "identmap.h"
#include "session.h"

#define XEN_E820_MAX 1024

struct baton_xen {
	void *lib;
	xc_interface *xch;
	struct {
		xc_interface *(*interface_open)(xentoollog_logger *, xentoollog_logger *, unsigned);
		int (*interface_close)(xc_interface *);
		void *(*buffer_alloc)(xc_interface *, xc_hypercall_buffer_t *, size_t);
		void (*buffer_free)(xc_interface *, xc_hypercall_buffer_t *);
		int (*kexec_load)(xc_interface *, uint8_t, uint16_t, uint64_t, uint32_t,
				  xen_kexec_segment_t *);
		int (*kexec_unload)(xc_interface *, int);
		int (*kexec_exec)(xc_interface *, int);
		int (*kexec_status)(xc_interface *, int);
		int (*kexec_get_range)(xc_interface *, int, int, uint64_t *, uint64_t *);
		int (*machine_memory_map)(xc_interface *, struct e820entry *, uint32_t);
		int (*physinfo)(xc_interface *, xc_physinfo_t *);
	} fn;
};

int baton_xen_is_dom0(const char *root)
{
	char path[4096];
	struct baton_file f;
	int dom0;

	/* A root too long for the path is no dom0: every later read reports it. */
	if (baton_path(path, sizeof(path), root, "/proc/xen/capabilities", NULL) ||
	    baton_file_read(&f, path, 256, NULL))
		return 0;
	dom0 = strstr((const char *)f.data, "control_d") != NULL;
	baton_file_free(&f);
	return dom0;
}

static int resolve(struct baton_xen *x, struct baton_error *err)
{
	static const struct { const char *name; size_t offset; } syms[] = {
#define SYM(field, name) { name, offsetof(struct baton_xen, fn.field) }
		SYM(interface_open, "xc_interface_open"),
		SYM(interface_close, "xc_interface_close"),
		SYM(buffer_alloc, "xc__hypercall_buffer_alloc"),
		SYM(buffer_free, "xc__hypercall_buffer_free"),
		SYM(kexec_load, "xc_kexec_load"),
		SYM(kexec_unload, "xc_kexec_unload"),
		SYM(kexec_exec, "xc_kexec_exec"),
		SYM(kexec_status, "xc_kexec_status"),
		SYM(kexec_get_range, "xc_kexec_get_range"),
		SYM(machine_memory_map, "xc_get_machine_memory_map"),
		SYM(physinfo, "xc_physinfo"),
#undef SYM
	};

	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		void *p = dlsym(x->lib, syms[i].name);
		if (!p)
			return baton_fail(err, ENOSYS, "xen: libxenctrl lacks %s", syms[i].name);
		memcpy((char *)x + syms[i].offset, &p, sizeof(p));
	}
	return 0;
}

static int xen_open(struct baton_backend *be, const struct baton_config *cfg,
		    struct baton_error *err)
{
	const char *library = cfg ? cfg->xenctrl : NULL;
	static const char *const sonames[] = { "libxenctrl.so", "libxenctrl.so.4.17",
					       "libxenctrl.so.4.16", "libxenctrl.so.4.18",
					       "libxenctrl.so.4.19", "libxenctrl.so.4.20" };
	struct baton_xen *x = calloc(1, sizeof(*x));
	int rc;

	if (!x)
		return baton_fail(err, ENOMEM, "xen: out of memory");
	const char *why = "";
	for (size_t i = 0; !x->lib && i < (library ? 1 : sizeof(sonames) / sizeof(sonames[0])); i++) {
		x->lib = dlopen(library ? library : sonames[i], RTLD_NOW | RTLD_LOCAL);
		if (!x->lib && (library || i == 1))
			why = dlerror();   /* the versioned soname's reason is the telling one */
	}
	if (!x->lib) {
		free(x);
		return baton_fail(err, ENOENT, "xen: running under Xen, but libxenctrl cannot be "
				  "loaded (%s): install Xen's libraries (Debian: libxenmisc)",
				  why && *why ? why : "libxenctrl.so.4.*");
	}
	rc = resolve(x, err);
	if (!rc) {
		x->xch = x->fn.interface_open(NULL, NULL, 0);
		if (!x->xch)
			rc = baton_fail(err, errno ? errno : EIO, "xen: cannot open the hypervisor "
					"interface (/dev/xen/privcmd): %s", strerror(errno));
	}
	if (rc) {
		dlclose(x->lib);
		free(x);
		return rc;
	}
	be->priv = x;
	return 0;
}

static void xen_close(struct baton_backend *be)
{
	struct baton_xen *x = be->priv;

	if (!x)
		return;
	x->fn.interface_close(x->xch);
	dlclose(x->lib);
	free(x);
}

static int xen_type(unsigned long flags)
{
	return (flags & BATON_KEXEC_ON_CRASH) ? KEXEC_TYPE_CRASH : KEXEC_TYPE_DEFAULT;
}

/* Xen reads segment bytes from hypercall-safe buffers only: copy each into one. A segment with
 * no bytes still gets a (zero-length) buffer: a NULL one would make it "map-only". */
static int xen_kexec_load(const struct baton_backend *be, uint64_t entry, size_t nr,
			  const struct baton_kexec_segment *segs, unsigned long flags)
{
	struct baton_xen *x = be->priv;
	xen_kexec_segment_t xs[BATON_MAX_REGIONS];
	xc_hypercall_buffer_t bufs[BATON_MAX_REGIONS];
	size_t done = 0;
	int rc = 0;

	if (!nr)
		return x->fn.kexec_unload(x->xch, xen_type(flags)) ? -errno : 0;
	if (nr > BATON_MAX_REGIONS)
		return -E2BIG;
	memset(bufs, 0, sizeof(bufs));
	memset(xs, 0, sizeof(xs));
	for (; done < nr; done++) {
		bufs[done].ubuf = (void *)-1;
		void *h = x->fn.buffer_alloc(x->xch, &bufs[done], segs[done].bufsz ? segs[done].bufsz
										   : 1);
		if (!h) {
			rc = -ENOMEM;
			break;
		}
		if (segs[done].bufsz)
			memcpy(h, segs[done].buf, segs[done].bufsz);
		set_xen_guest_handle_raw(xs[done].buf.h, h);
		xs[done].buf_size = segs[done].bufsz;
		xs[done].dest_maddr = segs[done].mem;
		xs[done].dest_size = segs[done].memsz;
	}
	if (!rc && x->fn.kexec_load(x->xch, (uint8_t)xen_type(flags), EM_X86_64, entry,
				    (uint32_t)nr, xs))
		rc = -errno;
	while (done--)
		x->fn.buffer_free(x->xch, &bufs[done]);
	return rc;
}

/* Xen has no kernel-side loader (see no_file_load). */
static int xen_kexec_file_load(const struct baton_backend *be, int kernel_fd, int initrd_fd,
			       size_t cmdline_len, const char *cmdline, unsigned long flags)
{
	(void)be;
	(void)kernel_fd;
	(void)initrd_fd;
	(void)cmdline_len;
	(void)cmdline;
	(void)flags;
	return -ENOSYS;
}

static int xen_reboot_kexec(const struct baton_backend *be)
{
	struct baton_xen *x = be->priv;
	/* ENOENT: nothing loaded, which the seam reports as the kernel would (EINVAL). */
	if (x->fn.kexec_exec(x->xch, KEXEC_TYPE_DEFAULT))
		return errno == ENOENT ? -EINVAL : -errno;
	return 0;
}

/* The machine's memory map (not dom0's pseudo-physical one). */
static int xen_memmap(const struct baton_backend *be, struct baton_memmap *map,
		      struct baton_error *err)
{
	struct baton_xen *x = be->priv;
	struct e820entry *e = calloc(XEN_E820_MAX, sizeof(*e));
	int n, rc = 0;

	memset(map, 0, sizeof(*map));
	if (!e)
		return baton_fail(err, ENOMEM, "xen: out of memory");
	n = x->fn.machine_memory_map(x->xch, e, XEN_E820_MAX);
	if (n <= 0)
		rc = baton_fail(err, n < 0 ? errno : ENOENT, "xen: no machine memory map from the "
				"hypervisor%s%s", n < 0 ? ": " : "", n < 0 ? strerror(errno) : "");
	for (int i = 0; !rc && i < n; i++)
		if (e[i].size)
			rc = baton_memmap_add(map, e[i].addr, e[i].addr + e[i].size,
					      baton_mem_kind_from_e820(e[i].type), err);
	free(e);
	if (!rc)
		rc = baton_memmap_sort(map, err);
	if (rc)
		baton_memmap_free(map);
	return rc;
}

/* physinfo's hw_cap[] is Xen's boot CPU capability words (xen/arch/x86/sysctl.c copies
 * boot_cpu_data.x86_capability), ordered as the public featureset: word 2 is CPUID
 * 0x80000001.edx, and XEN_CPUFEATURE(PAGE1GB, 2*32+26) in arch-x86/cpufeatureset.h. */
#define XEN_HW_CAP_PAGE1GB_WORD 2
#define XEN_HW_CAP_PAGE1GB_BIT 26

/* The purgatory runs on the real CPU, which dom0's filtered CPUID misrepresents: ask the
 * hypervisor. Never BATON_CPU_LA57: Xen runs 4-level paging. (dom0 is never a confidential
 * guest: Xen has no such guests as its dom0.) */
static int xen_cpu_features(const struct baton_backend *be, unsigned *features,
			    struct baton_error *err)
{
	struct baton_xen *x = be->priv;
	xc_physinfo_t info;

	memset(&info, 0, sizeof(info));
	if (x->fn.physinfo(x->xch, &info))
		return baton_fail(err, errno ? errno : EIO, "xen: physinfo: %s", strerror(errno));
	*features = 0;
	if (info.hw_cap[XEN_HW_CAP_PAGE1GB_WORD] & (1u << XEN_HW_CAP_PAGE1GB_BIT))
		*features |= BATON_CPU_GBPAGES;
	return 0;
}

static int xen_loaded(const struct baton_backend *be, int crash, int *loaded,
		      struct baton_error *err)
{
	struct baton_xen *x = be->priv;
	int st = x->fn.kexec_status(x->xch, crash ? KEXEC_TYPE_CRASH : KEXEC_TYPE_DEFAULT);
	if (st < 0)
		return baton_fail(err, errno, "xen: kexec status: %s", strerror(errno));
	*loaded = st == 1;
	return 0;
}

/* Xen's own layout on x86-64 (xen/arch/x86/include/asm/config.h): where its image and its
 * direct map of all machine memory live, so dump tools can read virtual addresses. */
#define XEN_VIRT_START 0xffff82d040000000ULL
#define XEN_DIRECTMAP_START 0xffff830000000000ULL
#define XEN_MAX_CPUS 4096

static int range(struct baton_xen *x, int which, int nr, uint64_t *start, uint64_t *size)
{
	*start = *size = 0;
	return x->fn.kexec_get_range(x->xch, which, nr, size, start) ? -errno : 0;
}

/* The crash facts from Xen's ranges: crash area, per-CPU notes, vmcoreinfo, Xen itself; RAM
 * from the machine map. */
static int xen_crash_facts(const struct baton_backend *be, const struct baton_memmap *machine,
			   struct baton_crash_info *info, struct baton_error *err)
{
	struct baton_xen *x = be->priv;
	uint64_t start, size;
	int rc;

	memset(info, 0, sizeof(*info));
	if (range(x, KEXEC_RANGE_MA_CRASH, 0, &start, &size) || !size)
		return baton_fail(err, ENOENT, "xen: no crash area: boot Xen with crashkernel=");
	if ((rc = baton_crash_add_region(info, start, start + size, "xen", err)))
		return rc;
	if (range(x, KEXEC_RANGE_MA_VMCOREINFO, 0, &info->vmcoreinfo_addr, &info->vmcoreinfo_size)) {
		rc = baton_fail(err, ENOENT, "xen: no vmcoreinfo range from the hypervisor");
		goto fail;
	}
	if (range(x, KEXEC_RANGE_MA_XEN, 0, &info->text_paddr, &info->text_size)) {
		rc = baton_fail(err, ENOENT, "xen: no range for Xen itself from the hypervisor");
		goto fail;
	}
	info->text_vaddr = XEN_VIRT_START;
	info->page_offset = XEN_DIRECTMAP_START;

	info->notes = calloc(XEN_MAX_CPUS, sizeof(*info->notes));
	if (!info->notes) {
		rc = baton_fail(err, ENOMEM, "xen: out of memory");
		goto fail;
	}
	/* Physical CPUs are numbered densely from 0; the first that has no note ends the list. */
	for (int cpu = 0; cpu < XEN_MAX_CPUS; cpu++) {
		if (range(x, KEXEC_RANGE_MA_CPU, cpu, &start, &size) || !size)
			break;
		info->notes[info->nr_notes++] = (struct baton_crash_note){ (uint32_t)cpu, start, size };
	}
	if (!info->nr_notes) {
		rc = baton_fail(err, ENOENT, "xen: no per-CPU crash notes from the hypervisor");
		goto fail;
	}
	for (size_t i = 0; i < machine->nr; i++) {
		const struct baton_mem_range *r = &machine->ranges[i];
		if (r->kind != BATON_MEM_RAM)
			continue;
		rc = baton_memmap_add(&info->ram, r->start, r->end, r->kind, err);
		if (rc)
			goto fail;
	}
	/* The hypervisor keeps the crash image and hears of no dom0 hotplug; and kexec_load's
	 * KEXEC_UPDATE_ELFCOREHDR (0x4) is Xen's KEXEC_LIVE_UPDATE: never passed here. */
	info->no_hotplug = "not applicable under Xen (the hypervisor keeps the crash image)";
	if (!(rc = baton_crash_info_finish(info, "xen", err)))
		return 0;
fail:
	baton_crash_info_free(info);
	return rc;
}

/* dom0's maps are pseudo-physical: the machine's firmware tables are the hypervisor's, and
 * the new kernel gets no EFI runtime from dom0's view. */
static int xen_efi(const struct baton_backend *be, const struct boot_params *running,
		   struct baton_efi *efi, struct baton_error *err)
{
	(void)be;
	(void)running;
	(void)err;
	memset(efi, 0, sizeof(*efi));
	return 0;
}

/* The firmware's tables are Xen's: dom0's view of them is no address to hand on. The new kernel
 * (Xen) scans for the RSDP itself on a BIOS machine. */
static int xen_rsdp(const struct baton_backend *be, const struct boot_params *running,
		    struct baton_rsdp *rsdp, struct baton_error *err)
{
	(void)be;
	(void)running;
	memset(rsdp, 0, sizeof(*rsdp));
	return baton_fail(err, EOPNOTSUPP, "acpi: under Xen the ACPI tables are the hypervisor's: "
			  "no ACPI tag (the new kernel finds the RSDP itself)");
}

static int xen_random(const struct baton_backend *be, void *buf, size_t len)
{
	return baton_backend_linux.random(be, buf, len);   /* dom0's kernel pool */
}

const struct baton_backend_ops baton_backend_xen = {
	.name = "Xen",
	.probe = baton_xen_is_dom0,
	.open = xen_open,
	.close = xen_close,
	.memmap = xen_memmap,
	.crash_facts = xen_crash_facts,
	.cpu_features = xen_cpu_features,
	.boot_params = baton_linux_boot_params,   /* dom0's own zero page */
	.efi = xen_efi,
	.rsdp = xen_rsdp,
	.loaded = xen_loaded,
	.cmdline = baton_linux_cmdline,   /* dom0's */
	.random = xen_random,
	.kexec_load = xen_kexec_load,
	.kexec_file_load = xen_kexec_file_load,
	.no_file_load = "under Xen only kexec_load exists",
	.reboot_kexec = xen_reboot_kexec,
	.sync = baton_linux_sync,      /* dom0's file systems */
	.ifdown = baton_linux_ifdown,  /* dom0's interfaces */
};

int baton_under_xen(const struct baton *b)
{
	return b->be.ops == &baton_backend_xen;
}

/* Xen as the old kernel: kexec through the hypervisor, via libxenctrl loaded at run time. */
#ifndef BATON_LIB_XEN_H
#define BATON_LIB_XEN_H

#include "crash.h"
#include "error.h"
#include "memmap.h"
#include "sys.h"

struct baton_xen;

/* 1 when ROOT/proc/xen/capabilities says this is Xen's control domain (dom0). */
int baton_xen_is_dom0(const char *root);

/* dlopen libxenctrl and open the hypervisor interface. `library` NULL: the usual sonames. */
int baton_xen_open(struct baton_xen **xen, const char *library, struct baton_error *err);
void baton_xen_close(struct baton_xen *xen);

/* The syscall seam served by the hypervisor: segments go to xc_kexec_load, exec to
 * xc_kexec_exec. The ops live as long as `xen`. */
void baton_xen_sys(struct baton_xen *xen, struct baton_sys *sys);
/* The machine's memory map (not dom0's pseudo-physical one). As every reader's output, *map
 * and, below, *info are overwritten, and left empty after an error. */
int baton_xen_memmap(struct baton_xen *xen, struct baton_memmap *map, struct baton_error *err);
/* What the real CPU offers the purgatory (enum baton_cpu_feature), from the hypervisor: dom0's
 * CPUID is filtered. Never BATON_CPU_LA57: Xen runs 4-level paging. */
int baton_xen_cpu_features(struct baton_xen *xen, unsigned *features, struct baton_error *err);
/* 1 if an image of the type is loaded. */
int baton_xen_loaded(struct baton_xen *xen, int crash, int *loaded, struct baton_error *err);
/* The crash facts from Xen's ranges: crash area, per-CPU notes, vmcoreinfo, Xen itself;
 * RAM from the machine map. */
int baton_xen_crash_read(struct baton_xen *xen, const struct baton_memmap *machine,
			 struct baton_crash_info *info, struct baton_error *err);

#endif

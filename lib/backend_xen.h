/* SPDX-License-Identifier: MIT */
/* Xen as the old kernel: kexec through the hypervisor, via libxenctrl loaded at run time. The
 * only part of baton that knows of Xen. */
#ifndef BATON_LIB_BACKEND_XEN_H
#define BATON_LIB_BACKEND_XEN_H

#include "backend.h"

/* Its probe: 1 when ROOT/proc/xen/capabilities says this is Xen's control domain (dom0). Its
 * open dlopens libxenctrl (baton_config.xenctrl, NULL: the usual sonames) and opens the
 * hypervisor interface. Segments go to xc_kexec_load, exec to xc_kexec_exec; the memory map
 * and crash facts are the machine's, from the hypervisor. */
extern const struct baton_backend_ops baton_backend_xen;

int baton_xen_is_dom0(const char *root);

#endif

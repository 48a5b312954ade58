/* SPDX-License-Identifier: MIT */
/* What a load reads from the files and the running system: read-only once read. */
#ifndef BATON_LIB_INPUTS_H
#define BATON_LIB_INPUTS_H

#include "acpi.h"
#include "bootparam.h"
#include "crash.h"
#include "efi.h"
#include "file.h"
#include "format.h"
#include "memmap.h"

/* A --module: the file, mapped, and its string as given ("FILE ARGS": multiboot hands it to
 * the kernel as the module's command line). */
struct baton_module {
	struct baton_file file;
	char *string;                      /* owned */
};

struct baton_inputs {
	struct baton_file kernel_file;     /* mapped */
	struct baton_file initrd_file;     /* mapped; size 0: none */
	struct baton_kernel kernel;        /* the kernel file as its format parsed it */
	struct baton_module *modules;      /* in the order given */
	size_t nr_modules;
	unsigned features;                 /* enum baton_cpu_feature of the running machine */
	struct baton_memmap memmap;        /* the machine's, as the backend sees it */
	struct baton_crash_info crash;     /* crash images only */
	struct boot_params running;        /* the running kernel's zero page, if have_running */
	int have_running;
	struct baton_efi efi;              /* UEFI runtime map and tables, if present */
	int booted_efi;                    /* the running kernel was started by UEFI firmware */
	struct baton_rsdp rsdp;            /* formats with bios_area: the firmware's (size 0: none) */
};

/* Unmaps and frees what was read; leaves *in zeroed. */
void baton_inputs_free(struct baton_inputs *in);

#endif

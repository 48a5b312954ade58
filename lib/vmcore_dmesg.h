/* SPDX-License-Identifier: MIT */
/* The dead kernel's log from a crash dump, as kexec-tools' vmcore-dmesg prints it: one
 * "[seconds.micro] text" line per record, oldest first. */
#ifndef BATON_LIB_VMCORE_DMESG_H
#define BATON_LIB_VMCORE_DMESG_H

#include <stddef.h>

#include "error.h"
#include "vmcore.h"

struct baton_dmesg {
	char *text;   /* NUL-terminated; len bytes before the NUL */
	size_t len;
	size_t cap;
};

/* Reads the printk ring that VMCOREINFO describes: the lockless ring of Linux 5.10 and later
 * (SYMBOL(prb)) or the variable-length records of 3.5 to 5.9 (SYMBOL(log_first_idx)).
 * Characters neither printable nor white space come out as \xNN. */
int baton_vmcore_dmesg(const struct baton_vmcore *vc, struct baton_dmesg *out,
		       struct baton_error *err);
void baton_dmesg_free(struct baton_dmesg *d);

#endif

/* SPDX-License-Identifier: MIT */
/* baton --vmcore-dmesg (and vmcore-dmesg): the dead kernel's log from a crash dump. */
#ifndef BATON_CLI_DMESG_H
#define BATON_CLI_DMESG_H

#include "options.h"

/* Prints the log in o->vmcore, or in ROOT/proc/vmcore; the exit status. */
int cli_vmcore_dmesg(const char *root, const struct cli_options *o);

#endif

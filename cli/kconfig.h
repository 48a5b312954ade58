/* SPDX-License-Identifier: MIT */
/* One symbol of the running kernel's build configuration, for refusals that depend on it. */
#ifndef BATON_CLI_KCONFIG_H
#define BATON_CLI_KCONFIG_H

#include <stddef.h>

/* CONFIG_`sym` of the running kernel (its release from ROOT/proc/sys/kernel/osrelease):
 * ROOT/boot/config-RELEASE, else ROOT/proc/config.gz. 1: =y or =m, 0: not set, -1: no config
 * readable. `where` gets the file read. */
int cli_kconfig(const char *root, const char *sym, char *where, size_t where_size);

#endif

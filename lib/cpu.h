/* What the running machine offers the identity map: 1 GiB pages, 5-level paging in use. */
#ifndef BATON_LIB_CPU_H
#define BATON_LIB_CPU_H

#include "error.h"

/* Features (enum baton_cpu_feature) from ROOT/proc/cpuinfo's first "flags" line. The kernel
 * drops "la57" from that line when it does not run 5-level paging, so the flag means "in use". */
int baton_cpu_features(const char *root, unsigned *features, struct baton_error *err);
/* The same from the text of a cpuinfo file. */
unsigned baton_cpu_features_parse(const char *cpuinfo);

#endif

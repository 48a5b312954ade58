/* SPDX-License-Identifier: MIT */
/* What the running machine offers the identity map (1 GiB pages, 5-level paging in use), and
 * whether it is a confidential guest, in which baton's purgatory cannot run. */
#ifndef BATON_LIB_CPU_H
#define BATON_LIB_CPU_H

#include "error.h"

/* A guest whose memory and registers the hypervisor cannot see. Port I/O and CPUID trap to
 * #VE (TDX) or #VC (SEV-ES, SEV-SNP), and SEV needs the C-bit in every page-table entry:
 * baton's purgatory handles none of that, so it would reset the machine. */
enum baton_cc_guest {
	BATON_CC_NONE,
	BATON_CC_SEV,
	BATON_CC_SEV_ES,
	BATON_CC_SEV_SNP,
	BATON_CC_TDX,
};

struct baton_cpu_info {
	unsigned features;               /* enum baton_cpu_feature */
	enum baton_cc_guest cc_guest;
};

/* Both from ROOT/proc/cpuinfo's first "flags" line, and ROOT/sys/devices/system/cpu/sev. The
 * kernel drops "la57" from that line when it does not run 5-level paging, so the flag means
 * "in use". */
int baton_cpu_read(const char *root, struct baton_cpu_info *cpu, struct baton_error *err);
/* The features from the text of a cpuinfo file. */
unsigned baton_cpu_features_parse(const char *cpuinfo);
/* The confidential guest the flags of a cpuinfo file show. */
enum baton_cc_guest baton_cpu_cc_guest_parse(const char *cpuinfo);
/* "an AMD SEV-SNP guest", ...; "" for BATON_CC_NONE. */
const char *baton_cc_guest_name(enum baton_cc_guest guest);

#endif

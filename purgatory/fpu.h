/* SPDX-License-Identifier: MIT */
/* SSE for the SHA-NI hash: enabled around the verification only, then put back as it was. */
#ifndef BATON_PURGATORY_FPU_H
#define BATON_PURGATORY_FPU_H

#include <stdint.h>

struct fpu_saved {
	uint64_t cr0;
	uint64_t cr4;
	int changed;
};

/* Where the CPU has SHA-NI: saves CR0 and CR4, then enables SSE (CR4.OSFXSR and OSXMMEXCPT;
 * CR0.MP set, EM and TS clear). Elsewhere nothing changes and the hash stays portable. */
void fpu_sse_begin(struct fpu_saved *s);
/* Puts CR0 and CR4 back exactly as fpu_sse_begin found them. */
void fpu_sse_end(const struct fpu_saved *s);

#endif

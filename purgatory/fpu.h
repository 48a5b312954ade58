/* SPDX-License-Identifier: MIT */
/* SSE (SHA-NI) and AVX state for the hash: enabled around the verification only, then put back
 * as it was. */
#ifndef BATON_PURGATORY_FPU_H
#define BATON_PURGATORY_FPU_H

#include <stdint.h>

struct fpu_saved {
	uint64_t cr0;
	uint64_t cr4;
	uint64_t xcr0;     /* as found, when xcr0_changed */
	int changed;       /* CR0 and CR4 were changed (SSE enabled) */
	int xcr0_changed;  /* CR4.OSXSAVE was set for us and XCR0 written */
};

/* Where the CPU has SHA-NI or AVX2: saves CR0 and CR4, then enables SSE (CR4.OSFXSR and
 * OSXMMEXCPT; CR0.MP set, EM and TS clear); where it has AVX2 also CR4.OSXSAVE and, saving
 * XCR0 first, XCR0 = x87 | SSE | AVX, plus the opmask and ZMM state where it has AVX-512F.
 * Elsewhere nothing changes and the hash stays portable. */
void fpu_simd_begin(struct fpu_saved *s);
/* Puts XCR0, CR4 and CR0 back exactly as fpu_simd_begin found them. */
void fpu_simd_end(const struct fpu_saved *s);

#endif

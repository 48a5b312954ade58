/* SPDX-License-Identifier: MIT */
/* Multi-buffer SHA-256: several equal-length messages hashed at once, one per lane, to hide the
 * latency one stream is bound by. Shared by the loader and the purgatory (no libc). */
#ifndef BATON_COMMON_SHA256_MB_H
#define BATON_COMMON_SHA256_MB_H

#include <stddef.h>
#include <stdint.h>

#define BATON_SHA256_MB_MAX_LANES 16

/* Compress nblocks 64-byte blocks of each lane's message p[l] into its state h[l]. */
typedef void baton_sha256_mb_fn(uint32_t (*h)[8], const uint8_t *const *p, size_t nblocks);

enum baton_sha256_mb_kind {
	BATON_SHA256_MB_PORTABLE,   /* 1 lane, common/sha256.c: the reference and the fallback */
	BATON_SHA256_MB_NI,         /* 1 lane, SHA-NI (common/sha256_ni.S) */
	BATON_SHA256_MB_NI_X2,      /* 2 interleaved SHA-NI streams (common/sha256_ni_x2.S) */
	BATON_SHA256_MB_AVX2,       /* 8 lanes in YMM registers */
	BATON_SHA256_MB_AVX512,     /* 16 lanes in ZMM registers */
	BATON_SHA256_MB_NR_KINDS,
};

struct baton_sha256_mb {
	enum baton_sha256_mb_kind kind;
	const char *name;           /* "ni-x2", "avx2", ... */
	unsigned lanes;
	baton_sha256_mb_fn *blocks;
};

/* The block function of a kind (whether or not this CPU can run it). */
struct baton_sha256_mb baton_sha256_mb_get(enum baton_sha256_mb_kind kind);
/* Whether the CPU has what the kind needs and the state it uses is enabled: always so for SSE
 * in a hosted process; AVX state only where XCR0 has it (in the purgatory: purgatory/fpu.c). */
int baton_sha256_mb_usable(enum baton_sha256_mb_kind kind);
/* The fastest usable kind as measured on CPUs that have them all (docs/performance.md): SHA-NI
 * x2, AVX-512, AVX2, SHA-NI, portable. What the loader uses. */
struct baton_sha256_mb baton_sha256_mb_best(void);
/* The usable kind that runs fastest here and now, timed with the TSC on a few blocks (about
 * 50 KiB in all): where vector instructions are emulated (QEMU's TCG) the portable code can win,
 * as it does there. What the purgatory verifies with. */
struct baton_sha256_mb baton_sha256_mb_fastest(void);

/* The CPU's AVX2, and AVX-512F with BW (CPUID only; the OS or the purgatory must also enable
 * the state). */
int baton_sha256_cpu_has_avx2(void);
int baton_sha256_cpu_has_avx512(void);

/* The SIMD block functions, each usable only where baton_sha256_mb_usable() says so. */
void baton_sha256_mb_ni_x2(uint32_t (*h)[8], const uint8_t *const *p, size_t nblocks);
void baton_sha256_mb_avx2(uint32_t (*h)[8], const uint8_t *const *p, size_t nblocks);
void baton_sha256_mb_avx512(uint32_t (*h)[8], const uint8_t *const *p, size_t nblocks);

#endif

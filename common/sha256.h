/* SPDX-License-Identifier: MIT */
/* SHA-256 (FIPS 180-4), shared by the hosted library and the freestanding purgatory. */
#ifndef BATON_COMMON_SHA256_H
#define BATON_COMMON_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define BATON_SHA256_DIGEST_SIZE 32
#define BATON_SHA256_BLOCK_SIZE 64

/* Which block function a context uses. */
enum baton_sha256_impl {
	BATON_SHA256_AUTO,       /* SHA-NI when usable (baton_sha256_ni_usable), else portable */
	BATON_SHA256_PORTABLE,   /* plain C */
	BATON_SHA256_NI,         /* x86 SHA extensions (common/sha256_ni.S) */
};

struct baton_sha256 {
	uint32_t h[8];
	uint64_t len;       /* bytes hashed so far */
	uint8_t buf[64];    /* partial block */
	size_t fill;        /* bytes in buf */
	enum baton_sha256_impl impl;   /* PORTABLE or NI, never AUTO */
};

/* Uses SHA-NI when usable, else the portable code. */
void baton_sha256_init(struct baton_sha256 *ctx);
/* The same with the block function chosen; asking for NI where it is not usable gives the
 * portable one and returns -1 (tests use this to check each path explicitly). */
int baton_sha256_init_impl(struct baton_sha256 *ctx, enum baton_sha256_impl impl);
void baton_sha256_update(struct baton_sha256 *ctx, const void *data, size_t len);
/* Writes the digest; ctx must be initialised again before reuse. */
void baton_sha256_final(struct baton_sha256 *ctx, uint8_t out[32]);
void baton_sha256(const void *data, size_t len, uint8_t out[32]);

/* CPUID: SHA extensions, plus the SSSE3 and SSE4.1 the NI block function also uses. */
int baton_sha256_cpu_has_ni(void);
/* The CPU has them and SSE is enabled: always so in a hosted process; in the freestanding
 * purgatory only while CR4.OSFXSR is set and CR0.EM and CR0.TS are clear (purgatory/fpu.c). */
int baton_sha256_ni_usable(void);

/* The block functions: compress nblocks 64-byte blocks at p into h. The NI one may only be
 * called when baton_sha256_ni_usable(). */
void baton_sha256_blocks_portable(uint32_t h[8], const uint8_t *p, size_t nblocks);
void baton_sha256_blocks_ni(uint32_t h[8], const uint8_t *p, size_t nblocks);

#endif

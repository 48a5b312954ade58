/* SHA-256 (FIPS 180-4), shared by the hosted library and the freestanding purgatory. */
#ifndef BATON_COMMON_SHA256_H
#define BATON_COMMON_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define BATON_SHA256_DIGEST_SIZE 32
#define BATON_SHA256_BLOCK_SIZE 64

struct baton_sha256 {
	uint32_t h[8];
	uint64_t len;       /* bytes hashed so far */
	uint8_t buf[64];    /* partial block */
	size_t fill;        /* bytes in buf */
};

void baton_sha256_init(struct baton_sha256 *ctx);
void baton_sha256_update(struct baton_sha256 *ctx, const void *data, size_t len);
/* Writes the digest; ctx must be initialised again before reuse. */
void baton_sha256_final(struct baton_sha256 *ctx, uint8_t out[32]);
void baton_sha256(const void *data, size_t len, uint8_t out[32]);

#endif

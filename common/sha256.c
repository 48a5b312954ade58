/* SPDX-License-Identifier: MIT */
/* SHA-256 (FIPS 180-4): portable C (hosted and freestanding: no libc, no SSE) and the choice of
 * block function, portable or SHA-NI (sha256_ni.S), made per context when it is initialised. */
#include "sha256.h"

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static const uint32_t H0[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
#define BSIG0(x) (ROTR(x, 2) ^ ROTR(x, 13) ^ ROTR(x, 22))
#define BSIG1(x) (ROTR(x, 6) ^ ROTR(x, 11) ^ ROTR(x, 25))
#define SSIG0(x) (ROTR(x, 7) ^ ROTR(x, 18) ^ ((x) >> 3))
#define SSIG1(x) (ROTR(x, 17) ^ ROTR(x, 19) ^ ((x) >> 10))
#define CH(x, y, z) ((z) ^ ((x) & ((y) ^ (z))))

/* Message schedule words, kept in a 16-word ring: W(k) for k in 0..15 names slot k. */
#define W(k) w[(k) & 15]
#define LOAD(k) (W(k) = load_be32(p + 4 * (k)))
#define EXPAND(k) (W(k) += SSIG1(W((k) + 14)) + W((k) + 9) + SSIG0(W((k) + 1)))

/* One round; the caller rotates the roles of a..h instead of moving values. Maj(a, b, c) is
 * b ^ ((a ^ b) & (b ^ c)), and this round's a ^ b is the next round's b ^ c: carried in bc. */
#define ROUND(a, b, c, d, e, f, g, h, kt, wt) do {                        \
	uint32_t t1_ = (h) + BSIG1(e) + CH(e, f, g) + (kt) + (wt);        \
	uint32_t ab_ = (a) ^ (b);                                         \
	(d) += t1_;                                                       \
	(h) = t1_ + BSIG0(a) + ((b) ^ (ab_ & bc));                        \
	bc = ab_;                                                         \
} while (0)

/* Sixteen rounds starting at round j; slot k of the ring holds the word for round j + k. */
#define ROUNDS16(j, WORD) do {                                            \
	ROUND(a, b, c, d, e, f, g, h, K[(j) + 0], WORD(0));               \
	ROUND(h, a, b, c, d, e, f, g, K[(j) + 1], WORD(1));               \
	ROUND(g, h, a, b, c, d, e, f, K[(j) + 2], WORD(2));               \
	ROUND(f, g, h, a, b, c, d, e, K[(j) + 3], WORD(3));               \
	ROUND(e, f, g, h, a, b, c, d, K[(j) + 4], WORD(4));               \
	ROUND(d, e, f, g, h, a, b, c, K[(j) + 5], WORD(5));               \
	ROUND(c, d, e, f, g, h, a, b, K[(j) + 6], WORD(6));               \
	ROUND(b, c, d, e, f, g, h, a, K[(j) + 7], WORD(7));               \
	ROUND(a, b, c, d, e, f, g, h, K[(j) + 8], WORD(8));               \
	ROUND(h, a, b, c, d, e, f, g, K[(j) + 9], WORD(9));               \
	ROUND(g, h, a, b, c, d, e, f, K[(j) + 10], WORD(10));             \
	ROUND(f, g, h, a, b, c, d, e, K[(j) + 11], WORD(11));             \
	ROUND(e, f, g, h, a, b, c, d, K[(j) + 12], WORD(12));             \
	ROUND(d, e, f, g, h, a, b, c, K[(j) + 13], WORD(13));             \
	ROUND(c, d, e, f, g, h, a, b, K[(j) + 14], WORD(14));             \
	ROUND(b, c, d, e, f, g, h, a, K[(j) + 15], WORD(15));             \
} while (0)

static inline uint32_t load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void store_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

void baton_sha256_blocks_portable(uint32_t st[8], const uint8_t *p, size_t nblocks)
{
	uint32_t w[16];

	for (; nblocks; nblocks--, p += 64) {
		uint32_t a = st[0], b = st[1], c = st[2], d = st[3];
		uint32_t e = st[4], f = st[5], g = st[6], h = st[7];
		uint32_t bc = b ^ c;

		/* Written out, not looped: the round constants become immediates (under QEMU's TCG,
		 * where the purgatory hashes with this code, every instruction counts). */
		ROUNDS16(0, LOAD);
		ROUNDS16(16, EXPAND);
		ROUNDS16(32, EXPAND);
		ROUNDS16(48, EXPAND);

		st[0] += a; st[1] += b; st[2] += c; st[3] += d;
		st[4] += e; st[5] += f; st[6] += g; st[7] += h;
	}
}

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

int baton_sha256_cpu_has_ni(void)
{
	uint32_t r[4];

	cpuid(0, 0, r);
	if (r[0] < 7)
		return 0;
	cpuid(1, 0, r);
	if (!(r[2] & (1u << 9)) || !(r[2] & (1u << 19)))    /* SSSE3, SSE4.1 */
		return 0;
	cpuid(7, 0, r);
	return (r[1] >> 29) & 1;                             /* SHA */
}

#ifdef BATON_FREESTANDING
/* No OS has enabled SSE for the purgatory: it is usable only while the purgatory enables it. */
static int sse_enabled(void)
{
	uint64_t cr0, cr4;

	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	return (cr4 & (1u << 9)) && !(cr0 & ((1u << 2) | (1u << 3)));   /* OSFXSR; EM, TS */
}
#else
static int sse_enabled(void)
{
	return 1;   /* the x86-64 ABI guarantees SSE to every process */
}
#endif

int baton_sha256_ni_usable(void)
{
	return baton_sha256_cpu_has_ni() && sse_enabled();
}

static void blocks(const struct baton_sha256 *ctx, uint32_t h[8], const uint8_t *p, size_t n)
{
	if (ctx->impl == BATON_SHA256_NI)
		baton_sha256_blocks_ni(h, p, n);
	else
		baton_sha256_blocks_portable(h, p, n);
}

/* No memcpy: the purgatory has no C library. */
static void copy_bytes(uint8_t *dst, const uint8_t *src, size_t n)
{
	while (n--)
		*dst++ = *src++;
}

int baton_sha256_init_impl(struct baton_sha256 *ctx, enum baton_sha256_impl impl)
{
	int rc = 0;

	if (impl != BATON_SHA256_PORTABLE) {
		int ni = baton_sha256_ni_usable();
		if (impl == BATON_SHA256_NI && !ni)
			rc = -1;
		impl = ni ? BATON_SHA256_NI : BATON_SHA256_PORTABLE;
	}
	for (int i = 0; i < 8; i++)
		ctx->h[i] = H0[i];
	ctx->len = 0;
	ctx->fill = 0;
	ctx->impl = impl;
	return rc;
}

void baton_sha256_init(struct baton_sha256 *ctx)
{
	baton_sha256_init_impl(ctx, BATON_SHA256_AUTO);
}

void baton_sha256_update(struct baton_sha256 *ctx, const void *data, size_t len)
{
	const uint8_t *p = data;

	if (!len)   /* data may then be NULL, on which even p + 0 is undefined */
		return;
	ctx->len += len;
	if (ctx->fill) {
		size_t n = 64 - ctx->fill;
		if (n > len)
			n = len;
		copy_bytes(ctx->buf + ctx->fill, p, n);
		ctx->fill += n;
		p += n;
		len -= n;
		if (ctx->fill < 64)
			return;
		blocks(ctx, ctx->h, ctx->buf, 1);
		ctx->fill = 0;
	}
	if (len >= 64) {
		size_t nblocks = len / 64;
		blocks(ctx, ctx->h, p, nblocks);
		p += nblocks * 64;
		len -= nblocks * 64;
	}
	copy_bytes(ctx->buf, p, len);
	ctx->fill = len;
}

void baton_sha256_final(struct baton_sha256 *ctx, uint8_t out[32])
{
	uint64_t bits = ctx->len * 8;
	size_t i = ctx->fill;

	ctx->buf[i++] = 0x80;
	if (i > 56) {
		while (i < 64)
			ctx->buf[i++] = 0;
		blocks(ctx, ctx->h, ctx->buf, 1);
		i = 0;
	}
	while (i < 56)
		ctx->buf[i++] = 0;
	store_be32(ctx->buf + 56, (uint32_t)(bits >> 32));
	store_be32(ctx->buf + 60, (uint32_t)bits);
	blocks(ctx, ctx->h, ctx->buf, 1);

	for (i = 0; i < 8; i++)
		store_be32(out + 4 * i, ctx->h[i]);
}

void baton_sha256(const void *data, size_t len, uint8_t out[32])
{
	struct baton_sha256 ctx;

	baton_sha256_init(&ctx);
	baton_sha256_update(&ctx, data, len);
	baton_sha256_final(&ctx, out);
}

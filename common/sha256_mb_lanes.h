/* SPDX-License-Identifier: MIT */
/* Message-parallel SHA-256: LANES independent messages, one per vector lane, written once with
 * the compiler's vector extensions and built once per width (sha256_mb_avx2.c: 8 lanes in YMM,
 * sha256_mb_avx512.c: 16 lanes in ZMM), each file with its own -m flags. No header, no libc:
 * the purgatory builds it too. Define LANES and MB_FN, then include. */
#include <stddef.h>
#include <stdint.h>

#include "sha256_mb.h"

typedef uint32_t vec __attribute__((vector_size(4 * LANES)));
typedef uint8_t vbytes __attribute__((vector_size(4 * LANES)));
typedef uint32_t vec_u __attribute__((vector_size(4 * LANES), aligned(1), may_alias));

/* Shuffle patterns: big-endian words, and the transposition's stages (below). */
#define BS4(i) (i) + 3, (i) + 2, (i) + 1, (i)
#define BS16(i) BS4(i), BS4((i) + 4), BS4((i) + 8), BS4((i) + 12)
#if LANES == 8
#define BSWAP_IDX BS16(0), BS16(16)
#define T1 0, 8, 2, 10, 4, 12, 6, 14
#define U1 1, 9, 3, 11, 5, 13, 7, 15
#define T2 0, 1, 8, 9, 4, 5, 12, 13
#define U2 2, 3, 10, 11, 6, 7, 14, 15
#define T4 0, 1, 2, 3, 8, 9, 10, 11
#define U4 4, 5, 6, 7, 12, 13, 14, 15
#elif LANES == 16
#define BSWAP_IDX BS16(0), BS16(16), BS16(32), BS16(48)
#define T1 0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30
#define U1 1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31
#define T2 0, 1, 16, 17, 4, 5, 20, 21, 8, 9, 24, 25, 12, 13, 28, 29
#define U2 2, 3, 18, 19, 6, 7, 22, 23, 10, 11, 26, 27, 14, 15, 30, 31
#define T4 0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27
#define U4 4, 5, 6, 7, 20, 21, 22, 23, 12, 13, 14, 15, 28, 29, 30, 31
#define T8 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23
#define U8 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31
#else
#error "LANES is 8 or 16"
#endif

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

#define VROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
#define VBSIG0(x) (VROTR(x, 2) ^ VROTR(x, 13) ^ VROTR(x, 22))
#define VBSIG1(x) (VROTR(x, 6) ^ VROTR(x, 11) ^ VROTR(x, 25))
#define VSSIG0(x) (VROTR(x, 7) ^ VROTR(x, 18) ^ ((x) >> 3))
#define VSSIG1(x) (VROTR(x, 17) ^ VROTR(x, 19) ^ ((x) >> 10))
#define VCH(x, y, z) ((z) ^ ((x) & ((y) ^ (z))))
#define VMAJ(x, y, z) (((x) & (y)) | ((z) & ((x) | (y))))

/* One round with the roles of a..h rotated by the caller, as in sha256.c. */
#define VROUND(a, b, c, d, e, f, g, h, t) do {                           \
	vec t1_ = (h) + VBSIG1(e) + VCH(e, f, g) + K[t] + w[(t) & 15];    \
	(d) += t1_;                                                       \
	(h) = t1_ + VBSIG0(a) + VMAJ(a, b, c);                            \
} while (0)

#define VEXPAND(t) (w[(t) & 15] += VSSIG1(w[((t) + 14) & 15]) + w[((t) + 9) & 15] + \
		    VSSIG0(w[((t) + 1) & 15]))

#define VROUNDS8(t) do {                                                  \
	VROUND(a, b, c, d, e, f, g, h, (t) + 0);                          \
	VROUND(h, a, b, c, d, e, f, g, (t) + 1);                          \
	VROUND(g, h, a, b, c, d, e, f, (t) + 2);                          \
	VROUND(f, g, h, a, b, c, d, e, (t) + 3);                          \
	VROUND(e, f, g, h, a, b, c, d, (t) + 4);                          \
	VROUND(d, e, f, g, h, a, b, c, (t) + 5);                          \
	VROUND(c, d, e, f, g, h, a, b, (t) + 6);                          \
	VROUND(b, c, d, e, f, g, h, a, (t) + 7);                          \
} while (0)

/* LANES message words of one lane, big-endian, from any alignment. */
static inline vec load_be(const uint8_t *p)
{
	vbytes b = (vbytes)*(const vec_u *)p;

	return (vec)__builtin_shufflevector(b, b, BSWAP_IDX);
}

/* One stage of the transposition: rows i and i + s (i without bit s) swap the blocks of s
 * columns that lie off the diagonal. log2(LANES) stages transpose the whole square. */
#define STAGE(s, T, U) do {                                               \
	for (int i_ = 0; i_ < LANES; i_++) {                              \
		if (i_ & (s))                                             \
			continue;                                         \
		vec a_ = r[i_], b_ = r[i_ + (s)];                         \
		r[i_] = __builtin_shufflevector(a_, b_, T);               \
		r[i_ + (s)] = __builtin_shufflevector(a_, b_, U);         \
	}                                                                 \
} while (0)

/* w[first + t], lane l := word t of lane l's block at p[l] + off, for t < LANES: the lanes'
 * rows loaded whole and transposed, instead of 4 * LANES byte loads per word. */
static inline void load_words(vec *w, const uint8_t *const *p, size_t off)
{
	vec r[LANES];

	for (int l = 0; l < LANES; l++)
		r[l] = load_be(p[l] + off);
	STAGE(1, T1, U1);
	STAGE(2, T2, U2);
	STAGE(4, T4, U4);
#if LANES == 16
	STAGE(8, T8, U8);
#endif
	for (int t = 0; t < LANES; t++)
		w[t] = r[t];
}

void MB_FN(uint32_t (*st)[8], const uint8_t *const *p, size_t nblocks)
{
	vec s[8], w[16];

	for (int i = 0; i < 8; i++)
		for (int l = 0; l < LANES; l++)
			s[i][l] = st[l][i];
	for (size_t off = 0; nblocks; nblocks--, off += 64) {
		vec a = s[0], b = s[1], c = s[2], d = s[3], e = s[4], f = s[5], g = s[6], h = s[7];

		for (int t = 0; t < 16; t += LANES)
			load_words(w + t, p, off + 4 * t);
		VROUNDS8(0);
		VROUNDS8(8);
		for (int t = 16; t < 64; t += 16) {
			for (int k = 0; k < 16; k++)
				VEXPAND(t + k);
			VROUNDS8(t);
			VROUNDS8(t + 8);
		}
		s[0] += a; s[1] += b; s[2] += c; s[3] += d;
		s[4] += e; s[5] += f; s[6] += g; s[7] += h;
	}
	for (int i = 0; i < 8; i++)
		for (int l = 0; l < LANES; l++)
			st[l][i] = s[i][l];
}

/* SPDX-License-Identifier: MIT */
/* The multi-buffer block functions by kind, what each needs of the CPU, and the choice of one. */
#include "sha256_mb.h"

#include "sha256.h"

static void mb_portable(uint32_t (*h)[8], const uint8_t *const *p, size_t nblocks)
{
	baton_sha256_blocks_portable(h[0], p[0], nblocks);
}

static void mb_ni(uint32_t (*h)[8], const uint8_t *const *p, size_t nblocks)
{
	baton_sha256_blocks_ni(h[0], p[0], nblocks);
}

/* Only static functions' addresses are taken: an external one's address comes from the GOT,
 * which the purgatory's static link turns into an absolute address (it would run only at 0). */
static void mb_ni_x2(uint32_t (*h)[8], const uint8_t *const *p, size_t nblocks)
{
	baton_sha256_mb_ni_x2(h, p, nblocks);
}

static void mb_avx2(uint32_t (*h)[8], const uint8_t *const *p, size_t nblocks)
{
	baton_sha256_mb_avx2(h, p, nblocks);
}

static void mb_avx512(uint32_t (*h)[8], const uint8_t *const *p, size_t nblocks)
{
	baton_sha256_mb_avx512(h, p, nblocks);
}


/* Fastest first, as measured on an AMD EPYC with all of them (docs/performance.md). */
static const enum baton_sha256_mb_kind preference[] = {
	BATON_SHA256_MB_NI_X2, BATON_SHA256_MB_AVX512, BATON_SHA256_MB_AVX2, BATON_SHA256_MB_NI,
	BATON_SHA256_MB_PORTABLE,
};

/* Filled in at run time, not taken from a table or an initialiser of pointers: the purgatory runs
 * at any address and must have no absolute relocations (the compiler would make one of either). */
static struct baton_sha256_mb __attribute__((noinline))
mb(enum baton_sha256_mb_kind kind, const char *name, unsigned lanes, baton_sha256_mb_fn *blocks)
{
	struct baton_sha256_mb m;

	m.kind = kind;
	m.name = name;
	m.lanes = lanes;
	m.blocks = blocks;
	return m;
}

struct baton_sha256_mb baton_sha256_mb_get(enum baton_sha256_mb_kind kind)
{
	switch (kind) {
	case BATON_SHA256_MB_NI:
		return mb(kind, "ni", 1, mb_ni);
	case BATON_SHA256_MB_NI_X2:
		return mb(kind, "ni-x2", 2, mb_ni_x2);
	case BATON_SHA256_MB_AVX2:
		return mb(kind, "avx2", 8, mb_avx2);
	case BATON_SHA256_MB_AVX512:
		return mb(kind, "avx512", 16, mb_avx512);
	default:
		return mb(BATON_SHA256_MB_PORTABLE, "portable", 1, mb_portable);
	}
}

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

#define XCR0_SSE_AVX 0x6u            /* XMM and the upper halves of YMM */
#define XCR0_AVX512 0xe6u            /* the same, the opmask registers, ZMM0-15's upper halves, ZMM16-31 */

/* The state components XCR0 enables; none unless CR4.OSXSAVE (mirrored in CPUID.1:ECX bit 27)
 * allows xgetbv at all. The purgatory sets both around the hash (purgatory/fpu.c). */
static uint32_t xcr0(void)
{
	uint32_t r[4], lo, hi;

	cpuid(1, 0, r);
	if (!(r[2] & (1u << 27)))
		return 0;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return lo;
}

static uint32_t leaf7_ebx(void)
{
	uint32_t r[4];

	cpuid(0, 0, r);
	if (r[0] < 7)
		return 0;
	cpuid(7, 0, r);
	return r[1];
}

int baton_sha256_cpu_has_avx2(void)
{
	uint32_t r[4];

	cpuid(1, 0, r);
	return (r[2] & (1u << 28)) && (leaf7_ebx() & (1u << 5));    /* AVX, AVX2 */
}

int baton_sha256_cpu_has_avx512(void)
{
	/* AVX512F, and AVX512BW for the byte shuffle that makes the words big-endian */
	return baton_sha256_cpu_has_avx2() && (leaf7_ebx() & (1u << 16)) && (leaf7_ebx() & (1u << 30));
}

int baton_sha256_mb_usable(enum baton_sha256_mb_kind kind)
{
	switch (kind) {
	case BATON_SHA256_MB_PORTABLE:
		return 1;
	case BATON_SHA256_MB_NI:
	case BATON_SHA256_MB_NI_X2:
		return baton_sha256_ni_usable();
	case BATON_SHA256_MB_AVX2:
		return baton_sha256_cpu_has_avx2() && (xcr0() & XCR0_SSE_AVX) == XCR0_SSE_AVX;
	case BATON_SHA256_MB_AVX512:
		return baton_sha256_cpu_has_avx512() && (xcr0() & XCR0_AVX512) == XCR0_AVX512;
	default:
		return 0;
	}
}

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* TSC cycles one kind takes per byte, times 1024, over CALIBRATE_BLOCKS blocks in every lane
 * (all lanes read the same zero bytes: only the arithmetic is compared). The second of two
 * passes counts: under an emulator the first one also translates the code. */
#define CALIBRATE_BLOCKS 16
static uint64_t cycles_per_kib(const struct baton_sha256_mb *mb)
{
	static const uint8_t zero[CALIBRATE_BLOCKS * 64];
	uint32_t h[BATON_SHA256_MB_MAX_LANES][8] = { { 0 } };
	const uint8_t *p[BATON_SHA256_MB_MAX_LANES];
	uint64_t t0 = 0, t1 = 0;

	for (unsigned l = 0; l < mb->lanes; l++)
		p[l] = zero;
	for (int pass = 0; pass < 2; pass++) {
		t0 = rdtsc();
		mb->blocks(h, p, CALIBRATE_BLOCKS);
		t1 = rdtsc();
	}
	return (t1 - t0) * 1024 / (mb->lanes * sizeof(zero));
}

struct baton_sha256_mb baton_sha256_mb_fastest(void)
{
	struct baton_sha256_mb best = baton_sha256_mb_get(BATON_SHA256_MB_PORTABLE);
	uint64_t best_cost = cycles_per_kib(&best);

	for (int k = 0; k < BATON_SHA256_MB_NR_KINDS; k++) {
		struct baton_sha256_mb mb = baton_sha256_mb_get((enum baton_sha256_mb_kind)k);
		uint64_t cost;

		if (k == BATON_SHA256_MB_PORTABLE || !baton_sha256_mb_usable(mb.kind))
			continue;
		cost = cycles_per_kib(&mb);
		if (cost < best_cost) {
			best = mb;
			best_cost = cost;
		}
	}
	return best;
}

struct baton_sha256_mb baton_sha256_mb_best(void)
{
	for (size_t i = 0; i < sizeof(preference) / sizeof(preference[0]); i++)
		if (baton_sha256_mb_usable(preference[i]))
			return baton_sha256_mb_get(preference[i]);
	return baton_sha256_mb_get(BATON_SHA256_MB_PORTABLE);
}

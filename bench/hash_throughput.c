/* SPDX-License-Identifier: MIT */
/* SHA-256 throughput: baton's portable and SHA-NI block functions against a textbook reference
 * and OpenSSL, on one buffer (default 256 MiB); then the tree digest with every multi-buffer
 * block function and chunk size, and the purgatory's verification as built for the host. Not a
 * test: run by `make bench`.
 *
 *   hash_throughput [MiB] [runs]     prints MB/s (10^6 bytes per second), the best of the runs,
 *                                    and for the tree TSC cycles per byte per lane
 *
 * Timed in the thread's CPU time, so that other jobs sharing the CPUs do not count.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/sha.h>

#include "sha256.h"
#include "sha256_mb.h"
#include "sha256_tree.h"
#include "verify.h"

/* FIPS 180-4 section 6.2.2 as written: a 64-word schedule, then 64 rounds moving a..h. The
 * yardstick the portable code must beat. */
static uint32_t rotr(uint32_t x, int n)
{
	return (x >> n) | (x << (32 - n));
}

static void reference_block(uint32_t h[8], const uint8_t *m)
{
	static const uint32_t k[64] = {
		0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
		0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
		0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
		0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
		0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
		0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
		0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
		0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
		0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
		0xc67178f2,
	};
	uint32_t w[64], a, b, c, d, e, f, g, hh;
	int t;

	for (t = 0; t < 16; t++)
		w[t] = (uint32_t)m[4 * t] << 24 | (uint32_t)m[4 * t + 1] << 16 |
		       (uint32_t)m[4 * t + 2] << 8 | m[4 * t + 3];
	for (t = 16; t < 64; t++) {
		uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
		uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
		w[t] = s1 + w[t - 7] + s0 + w[t - 16];
	}
	a = h[0]; b = h[1]; c = h[2]; d = h[3]; e = h[4]; f = h[5]; g = h[6]; hh = h[7];
	for (t = 0; t < 64; t++) {
		uint32_t t1 = hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) +
			      k[t] + w[t];
		uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		hh = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

static void reference_blocks(uint32_t h[8], const uint8_t *p, size_t nblocks)
{
	for (; nblocks; nblocks--, p += 64)
		reference_block(h, p);
}

/* Each contender hashes the whole buffer; the block-function ones through one context (the
 * buffer is whole blocks, so finalising adds one padding block). */
typedef void (*hash_fn)(const uint8_t *p, size_t len, uint8_t out[32]);

static void hash_with(void (*blocks)(uint32_t *, const uint8_t *, size_t), const uint8_t *p,
		      size_t len, uint8_t out[32])
{
	struct baton_sha256 ctx;
	uint8_t pad[64] = { 0x80 };
	uint64_t bits = (uint64_t)len * 8;

	baton_sha256_init_impl(&ctx, BATON_SHA256_PORTABLE);
	blocks(ctx.h, p, len / 64);
	for (int i = 0; i < 8; i++)
		pad[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
	blocks(ctx.h, pad, 1);
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(ctx.h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(ctx.h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(ctx.h[i] >> 8);
		out[4 * i + 3] = (uint8_t)ctx.h[i];
	}
}

static void hash_reference(const uint8_t *p, size_t len, uint8_t out[32])
{
	hash_with(reference_blocks, p, len, out);
}

static void hash_portable(const uint8_t *p, size_t len, uint8_t out[32])
{
	hash_with(baton_sha256_blocks_portable, p, len, out);
}

static void hash_ni(const uint8_t *p, size_t len, uint8_t out[32])
{
	hash_with(baton_sha256_blocks_ni, p, len, out);
}

/* What the loader calls: the automatic choice through baton_sha256_update. */
static void hash_baton(const uint8_t *p, size_t len, uint8_t out[32])
{
	baton_sha256(p, len, out);
}

static void hash_openssl(const uint8_t *p, size_t len, uint8_t out[32])
{
	SHA256(p, len, out);
}

static uint64_t tsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* TSC ticks per second, against the monotonic clock over 100 ms: cycles per byte are then the
 * best run's CPU time in TSC cycles, so that time other jobs took the CPU does not count. */
static double tsc_hz(void)
{
	struct timespec a, b, pause = { 0, 100 * 1000 * 1000 };
	uint64_t t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &a);
	t0 = tsc();
	nanosleep(&pause, NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	t1 = tsc();
	return (double)(t1 - t0) / ((double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The purgatory's verification as the host builds it: one region over the whole buffer. */
static double verify_seconds(const uint8_t *buf, size_t len, uint32_t chunk, int *ok)
{
	static struct baton_params p;
	double t0;

	p.nr_regions = 1;
	p.digest = BATON_DIGEST_TREE;
	p.digest_chunk = chunk;
	p.regions[0].start = (uintptr_t)buf;
	p.regions[0].size = len;
	baton_sha256_tree(NULL, buf, len, chunk, p.regions[0].sha256);
	t0 = now();
	*ok = baton_verify_regions(&p, NULL) < 0;
	return now() - t0;
}

/* The tree root with every block function and chunk size, each checked against the portable
 * one's root; then the purgatory's verification (which picks the best usable function). */
static int bench_tree(const uint8_t *buf, size_t len, int runs)
{
	static const uint32_t chunks[] = { 64u << 10, 256u << 10, 1u << 20 };
	double hz = tsc_hz();
	int bad = 0;

	printf("tree digest (multi-buffer block functions), MB/s and TSC cycles (%.2f GHz) per byte "
	       "per lane, best of %d\n", hz / 1e9, runs);
	for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
		uint8_t expect[32];

		struct baton_sha256_mb portable = baton_sha256_mb_get(BATON_SHA256_MB_PORTABLE);

		baton_sha256_tree(&portable, buf, len, chunks[c], expect);
		for (int k = 0; k < BATON_SHA256_MB_NR_KINDS; k++) {
			struct baton_sha256_mb kind = baton_sha256_mb_get(k), *mb = &kind;
			double best = 1e30;
			uint8_t d[32];

			if (!baton_sha256_mb_usable(k)) {
				printf("  %4u KiB chunks %-9s %10s\n", chunks[c] >> 10, mb->name, "n/a");
				continue;
			}
			for (int r = 0; r < runs; r++) {
				double t0 = now();
				baton_sha256_tree(mb, buf, len, chunks[c], d);
				double t = now() - t0;
				if (t < best)
					best = t;
			}
			int ok = !memcmp(d, expect, 32);
			bad |= !ok;
			printf("  %4u KiB chunks %-9s %10.1f MB/s %6.2f cycles/byte/lane (%u lanes)%s\n",
			       chunks[c] >> 10, mb->name, len / best / 1e6, best * hz / len * mb->lanes,
			       mb->lanes, ok ? "" : "  WRONG ROOT");
		}
	}
	double best = 1e30;
	int ok = 1;
	for (int r = 0; r < runs; r++) {
		int one;
		double t = verify_seconds(buf, len, BATON_TREE_CHUNK, &one);
		ok &= one;
		if (t < best)
			best = t;
	}
	bad |= !ok;
	printf("purgatory verification (host build, %s, %u KiB chunks) %10.1f MB/s%s\n",
	       baton_sha256_mb_fastest().name, BATON_TREE_CHUNK >> 10, len / best / 1e6,
	       ok ? "" : "  MISMATCH");
	return bad;
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 256;
	int runs = argc > 2 ? atoi(argv[2]) : 5;
	size_t len = mib << 20;
	uint8_t *buf = malloc(len);
	uint64_t s = 0x243f6a8885a308d3ULL;
	uint8_t expect[32];
	int ni = baton_sha256_ni_usable();
	const struct {
		const char *name;
		hash_fn fn;
		int needs_ni;
	} impls[] = {
		{ "reference (textbook C)", hash_reference, 0 },
		{ "baton portable", hash_portable, 0 },
		{ "baton SHA-NI", hash_ni, 1 },
		{ "baton_sha256 (auto)", hash_baton, 0 },
		{ "OpenSSL SHA256()", hash_openssl, 0 },
	};
	int bad = 0;

	if (!buf || !mib || runs < 1) {
		fprintf(stderr, "usage: hash_throughput [MiB] [runs]\n");
		return 2;
	}
	for (size_t i = 0; i < len; i += 8) {   /* also faults every page in before timing */
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		memcpy(buf + i, &s, 8);
	}
	SHA256(buf, len, expect);
	printf("SHA-256 over %zu MiB, best of %d (CPU time); this CPU %s SHA-NI\n", mib, runs,
	       ni ? "has" : "does not have");
	for (size_t i = 0; i < sizeof(impls) / sizeof(impls[0]); i++) {
		double best = 1e30;
		uint8_t d[32];

		if (impls[i].needs_ni && !ni) {
			printf("  %-24s %10s\n", impls[i].name, "n/a");
			continue;
		}
		for (int r = 0; r < runs; r++) {
			double t0 = now();
			impls[i].fn(buf, len, d);
			double t = now() - t0;
			if (t < best)
				best = t;
		}
		int ok = !memcmp(d, expect, 32);
		bad |= !ok;
		printf("  %-24s %10.1f MB/s%s\n", impls[i].name, len / best / 1e6,
		       ok ? "" : "  WRONG DIGEST");
	}
	bad |= bench_tree(buf, len, runs);
	free(buf);
	return bad;
}

/* SPDX-License-Identifier: MIT */
/* Tests for common/sha256.c and common/sha256_ni.S: NIST vectors, padding boundaries, incremental
 * use and OpenSSL cross-checks, each run on both block functions (portable, and SHA-NI where this
 * CPU has it), plus the CPU detection and the block functions against each other. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/sha.h>

#include "sha256.h"

static enum baton_sha256_impl impl_portable = BATON_SHA256_PORTABLE;
static enum baton_sha256_impl impl_ni = BATON_SHA256_NI;

/* The implementation a test runs on (its prestate); NI tests are skipped on a CPU without it. */
static enum baton_sha256_impl impl_of(void **state)
{
	enum baton_sha256_impl impl = *(enum baton_sha256_impl *)*state;

	if (impl == BATON_SHA256_NI && !baton_sha256_ni_usable()) {
		print_message("no SHA-NI on this CPU: skipped\n");
		skip();
	}
	return impl;
}

static void init(struct baton_sha256 *ctx, enum baton_sha256_impl impl)
{
	assert_int_equal(baton_sha256_init_impl(ctx, impl), 0);
	assert_int_equal(ctx->impl, impl);
}

static void digest(enum baton_sha256_impl impl, const void *data, size_t len, uint8_t out[32])
{
	struct baton_sha256 ctx;

	init(&ctx, impl);
	baton_sha256_update(&ctx, data, len);
	baton_sha256_final(&ctx, out);
}

static void hex(const uint8_t d[32], char out[65])
{
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void check_oneshot(enum baton_sha256_impl impl, const void *data, size_t len,
			  const char *expect)
{
	uint8_t d[32];
	char got[65];

	digest(impl, data, len, d);
	hex(d, got);
	assert_string_equal(got, expect);
}

static void check_against_openssl(enum baton_sha256_impl impl, const uint8_t *data, size_t len)
{
	uint8_t ours[32], ref[32];

	digest(impl, data, len, ours);
	SHA256(data, len, ref);
	assert_memory_equal(ours, ref, 32);
}

/* A repeatable generator, so a failure can be reproduced from the printed seed. */
static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void fill_random(uint8_t *p, size_t n, uint64_t *s)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(rng_next(s) >> 24);
}

static void test_nist_empty(void **state)
{
	enum baton_sha256_impl impl = impl_of(state);

	check_oneshot(impl, "", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check_oneshot(impl, NULL, 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_nist_abc(void **state)
{
	check_oneshot(impl_of(state), "abc", 3,
		      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_nist_448(void **state)
{
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

	check_oneshot(impl_of(state), m, strlen(m),
		      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_nist_896(void **state)
{
	const char *m = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
			"ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

	check_oneshot(impl_of(state), m, strlen(m),
		      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_nist_million_a(void **state)
{
	enum baton_sha256_impl impl = impl_of(state);
	const char *expect = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
	size_t n = 1000000;
	uint8_t *m = malloc(n);
	struct baton_sha256 ctx;
	uint8_t d[32];
	char got[65];

	assert_non_null(m);
	memset(m, 'a', n);
	check_oneshot(impl, m, n, expect);

	/* The same message fed one byte at a time exercises the buffered path only. */
	init(&ctx, impl);
	for (size_t i = 0; i < n; i++)
		baton_sha256_update(&ctx, "a", 1);
	baton_sha256_final(&ctx, d);
	hex(d, got);
	assert_string_equal(got, expect);
	free(m);
}

/* Lengths around the padding boundary: 55 fits the length in one block, 56 needs a second. */
static void test_boundary_lengths(void **state)
{
	static const struct {
		size_t len;
		const char *digest;   /* SHA-256 of len bytes of 'a' */
	} v[] = {
		{ 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318" },
		{ 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a" },
		{ 63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34" },
		{ 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb" },
		{ 65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0" },
	};
	enum baton_sha256_impl impl = impl_of(state);
	uint8_t m[128];

	memset(m, 'a', sizeof(m));
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		check_oneshot(impl, m, v[i].len, v[i].digest);
	for (size_t len = 0; len <= sizeof(m); len++)
		check_against_openssl(impl, m, len);
}

static void test_incremental_random_chunks(void **state)
{
	enum baton_sha256_impl impl = impl_of(state);
	size_t n = 300000;
	uint8_t *m = malloc(n);
	uint64_t seed = 0x6261746f6eULL;
	uint8_t whole[32], parts[32];

	assert_non_null(m);
	fill_random(m, n, &seed);
	digest(impl, m, n, whole);

	for (int round = 0; round < 20; round++) {
		struct baton_sha256 ctx;
		size_t off = 0;

		init(&ctx, impl);
		while (off < n) {
			/* Mostly small chunks (0..130 bytes, crossing block edges), sometimes large ones. */
			size_t r = rng_next(&seed);
			size_t chunk = (r & 7) == 0 ? r % 9000 : r % 131;
			if (chunk > n - off)
				chunk = n - off;
			baton_sha256_update(&ctx, m + off, chunk);
			off += chunk;
		}
		baton_sha256_final(&ctx, parts);
		assert_memory_equal(whole, parts, 32);
	}
	free(m);
}

static void test_random_against_openssl(void **state)
{
	enum baton_sha256_impl impl = impl_of(state);
	size_t max = 1u << 20;
	uint8_t *m = malloc(max);
	uint64_t seed = 0x9e3779b97f4a7c15ULL;

	assert_non_null(m);
	fill_random(m, max, &seed);
	check_against_openssl(impl, m, max);
	for (int i = 0; i < 200; i++) {
		size_t len = rng_next(&seed) % (max + 1);
		size_t off = rng_next(&seed) % 64;   /* unaligned input too */
		if (len > max - off)
			len = max - off;
		check_against_openssl(impl, m + off, len);
	}
	free(m);
}

/* The kernel's view of the CPU and baton's CPUID test must agree, or the NI tests above would be
 * skipped on a CPU that has it (or run where it is missing). */
static void test_detection_matches_cpuinfo(void **state)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[8192];
	int flags_seen = 0, sha_ni = 0;

	(void)state;
	if (!f)
		skip();
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5))
			continue;
		flags_seen = 1;
		sha_ni = strstr(line, " sha_ni") != NULL;
		break;
	}
	fclose(f);
	if (!flags_seen)
		skip();
	print_message("sha_ni in /proc/cpuinfo: %s\n", sha_ni ? "yes" : "no");
	assert_int_equal(baton_sha256_cpu_has_ni(), sha_ni);
	assert_int_equal(baton_sha256_ni_usable(), sha_ni);
}

/* Automatic choice: NI exactly where usable; asking for NI elsewhere falls back and says so. */
static void test_auto_choice(void **state)
{
	struct baton_sha256 ctx;
	int ni = baton_sha256_ni_usable();

	(void)state;
	baton_sha256_init(&ctx);
	assert_int_equal(ctx.impl, ni ? BATON_SHA256_NI : BATON_SHA256_PORTABLE);
	assert_int_equal(baton_sha256_init_impl(&ctx, BATON_SHA256_AUTO), 0);
	assert_int_equal(baton_sha256_init_impl(&ctx, BATON_SHA256_PORTABLE), 0);
	assert_int_equal(ctx.impl, BATON_SHA256_PORTABLE);
	assert_int_equal(baton_sha256_init_impl(&ctx, BATON_SHA256_NI), ni ? 0 : -1);
	assert_int_equal(ctx.impl, ni ? BATON_SHA256_NI : BATON_SHA256_PORTABLE);
}

/* The two block functions from random states (not only the initial one), one block at a time
 * and many at once, and a zero count leaves the state alone. */
static void test_block_functions_agree(void **state)
{
	enum { BLOCKS = 37 };
	uint8_t m[BLOCKS * 64 + 1];
	uint64_t seed = 0x5348412d4e49ULL;
	uint32_t a[8], b[8], c[8];

	impl_of(state);
	fill_random(m, sizeof(m), &seed);
	for (int round = 0; round < 200; round++) {
		size_t n = rng_next(&seed) % (BLOCKS + 1);
		const uint8_t *p = m + (round & 1);   /* odd addresses too */

		for (int i = 0; i < 8; i++)
			a[i] = b[i] = c[i] = (uint32_t)rng_next(&seed);
		baton_sha256_blocks_portable(a, p, n);
		baton_sha256_blocks_ni(b, p, n);
		for (size_t i = 0; i < n; i++)
			baton_sha256_blocks_ni(c, p + 64 * i, 1);
		assert_memory_equal(a, b, sizeof(a));
		assert_memory_equal(a, c, sizeof(a));
	}
}

/* Each test twice, named after the block function it runs on. */
#define BOTH(f) { #f " (portable)", f, NULL, NULL, &impl_portable }, \
		{ #f " (sha-ni)", f, NULL, NULL, &impl_ni }

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_nist_empty),
		BOTH(test_nist_abc),
		BOTH(test_nist_448),
		BOTH(test_nist_896),
		BOTH(test_nist_million_a),
		BOTH(test_boundary_lengths),
		BOTH(test_incremental_random_chunks),
		BOTH(test_random_against_openssl),
		cmocka_unit_test(test_detection_matches_cpuinfo),
		cmocka_unit_test(test_auto_choice),
		{ "test_block_functions_agree (sha-ni)", test_block_functions_agree, NULL, NULL, &impl_ni },
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

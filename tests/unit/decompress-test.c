/* SPDX-License-Identifier: MIT */
/* Tests for compressed images: round trips through the libraries' own compressors, several
 * members, corrupt, truncated and oversized input, and files passed through as they are. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include "decompress.h"
#include "support/fixture.h"

struct buf {
	uint8_t *p;
	size_t n;
};

/* Half noise, half pattern: the compressed form spans several input chunks of the decoder. */
static struct buf sample(size_t n, unsigned seed)
{
	struct buf b = { malloc(n ? n : 1), n };
	uint32_t x = seed * 2654435761u + 1;

	assert_non_null(b.p);
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		b.p[i] = i < n / 2 ? (uint8_t)(x >> 16) : (uint8_t)(i / 64);
	}
	return b;
}

static struct buf gz(const struct buf *in)
{
	z_stream s;
	struct buf b;

	memset(&s, 0, sizeof(s));
	assert_int_equal(deflateInit2(&s, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
			 Z_OK);
	b.n = deflateBound(&s, in->n);
	b.p = malloc(b.n);
	s.next_in = in->p;
	s.avail_in = (uInt)in->n;
	s.next_out = b.p;
	s.avail_out = (uInt)b.n;
	assert_int_equal(deflate(&s, Z_FINISH), Z_STREAM_END);
	b.n = s.total_out;
	deflateEnd(&s);
	return b;
}

static struct buf xz(const struct buf *in)
{
	struct buf b = { NULL, 0 };
	size_t cap = lzma_stream_buffer_bound(in->n);

	b.p = malloc(cap);
	assert_int_equal(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL, in->p, in->n, b.p,
						 &b.n, cap), LZMA_OK);
	return b;
}

/* As the zstd command makes them (the kernel's too): with a checksum of the content. */
static struct buf zst(const struct buf *in)
{
	struct buf b = { malloc(ZSTD_compressBound(in->n)), 0 };
	ZSTD_CCtx *c = ZSTD_createCCtx();

	ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, 19);
	ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
	b.n = ZSTD_compress2(c, b.p, ZSTD_compressBound(in->n), in->p, in->n);
	assert_false(ZSTD_isError(b.n));
	ZSTD_freeCCtx(c);
	return b;
}

static struct buf cat(const struct buf *a, const struct buf *b)
{
	struct buf c = { malloc(a->n + b->n), a->n + b->n };

	memcpy(c.p, a->p, a->n);
	memcpy(c.p + a->n, b->p, b->n);
	return c;
}

typedef struct buf (*compressor)(const struct buf *);

static const struct {
	enum baton_compression c;
	compressor pack;
	const char *name;
} formats[] = {
	{ BATON_COMPRESSION_GZIP, gz, "gzip" },
	{ BATON_COMPRESSION_XZ, xz, "xz" },
	{ BATON_COMPRESSION_ZSTD, zst, "zstd" },
};

#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

/* A refusal: the code, one line naming the file and the words, and an empty output. */
static void refused(int rc, int code, const struct baton_file *f, const struct baton_error *err,
		    const char *words)
{
	assert_int_equal(rc, -code);
	assert_true(fx_all_zero(f, sizeof(*f)));
	assert_null(strchr(err->msg, '\n'));
	assert_non_null(strstr(err->msg, "kernel: /k: "));
	if (!strstr(err->msg, words))
		fail_msg("\"%s\" not in \"%s\"", words, err->msg);
}

static void detects_by_magic(void **state)
{
	(void)state;
	static const uint8_t gzm[] = { 0x1f, 0x8b, 8 }, xzm[] = { 0xfd, '7', 'z', 'X', 'Z', 0 },
		zsm[] = { 0x28, 0xb5, 0x2f, 0xfd }, bz[] = { 0x4d, 0x5a, 0 }, elf[] = "\177ELF";

	assert_int_equal(baton_compression_detect(gzm, sizeof(gzm)), BATON_COMPRESSION_GZIP);
	assert_int_equal(baton_compression_detect(xzm, sizeof(xzm)), BATON_COMPRESSION_XZ);
	assert_int_equal(baton_compression_detect(xzm, sizeof(xzm) - 1), BATON_COMPRESSION_NONE);
	assert_int_equal(baton_compression_detect(zsm, sizeof(zsm)), BATON_COMPRESSION_ZSTD);
	assert_int_equal(baton_compression_detect(bz, sizeof(bz)), BATON_COMPRESSION_NONE);
	assert_int_equal(baton_compression_detect(elf, 4), BATON_COMPRESSION_NONE);
	assert_int_equal(baton_compression_detect(gzm, 1), BATON_COMPRESSION_NONE);
	assert_int_equal(baton_compression_detect(NULL, 0), BATON_COMPRESSION_NONE);
	assert_string_equal(baton_compression_name(BATON_COMPRESSION_ZSTD), "zstd");
}

static void round_trips(void **state)
{
	(void)state;
	struct buf plain = sample(3u << 20, 1);

	for (size_t i = 0; i < NFORMATS; i++) {
		struct buf packed = formats[i].pack(&plain);
		struct baton_file f;
		struct baton_error err = { 0 };

		assert_int_equal(baton_decompress(&f, packed.p, packed.n, formats[i].c, 0, "kernel",
						  "/k", &err), 0);
		assert_int_equal(f.size, plain.n);
		assert_memory_equal(f.data, plain.p, plain.n);
		assert_int_equal(f.compression, formats[i].c);
		assert_int_equal(f.packed_size, packed.n);
		assert_int_equal(f.mapped, 1);
		baton_file_free(&f);
		assert_true(fx_all_zero(&f, sizeof(f)));
		free(packed.p);
	}
	free(plain.p);
}

/* gzip -c a b, xz and zstd likewise: the parts one after the other. The size hint (gzip's and
 * xz's are of the last part, zstd's of the first) is short, so the output grows. */
static void several_members_are_one_image(void **state)
{
	(void)state;
	struct buf a = sample(600000, 2), b = sample(5000, 3), both = cat(&a, &b);

	for (size_t i = 0; i < NFORMATS; i++) {
		struct buf pa = formats[i].pack(&a), pb = formats[i].pack(&b);
		struct buf pab = cat(&pb, &pa), pba = cat(&pa, &pb);
		struct baton_file f;
		struct baton_error err = { 0 };

		assert_int_equal(baton_decompress(&f, pba.p, pba.n, formats[i].c, 0, "kernel", "/k",
						  &err), 0);
		assert_int_equal(f.size, both.n);
		assert_memory_equal(f.data, both.p, both.n);
		baton_file_free(&f);
		assert_int_equal(baton_decompress(&f, pab.p, pab.n, formats[i].c, 0, "kernel", "/k",
						  &err), 0);
		assert_int_equal(f.size, both.n);
		assert_memory_equal(f.data, b.p, b.n);
		assert_memory_equal(f.data + b.n, a.p, a.n);
		baton_file_free(&f);
		free(pa.p);
		free(pb.p);
		free(pab.p);
		free(pba.p);
	}
	free(a.p);
	free(b.p);
	free(both.p);
}

static void gzip_crc_mismatch_is_refused(void **state)
{
	(void)state;
	struct buf plain = sample(100000, 4), packed = gz(&plain);
	struct baton_file f;
	struct baton_error err = { 0 };

	packed.p[packed.n - 8] ^= 1;     /* the CRC-32 trailer */
	refused(baton_decompress(&f, packed.p, packed.n, BATON_COMPRESSION_GZIP, 0, "kernel", "/k",
				 &err), EBADMSG, &f, &err, "gzip data corrupt (incorrect data check)");
	free(packed.p);
	free(plain.p);
}

static void flipped_payload_is_refused(void **state)
{
	(void)state;
	struct buf plain = sample(100000, 5);

	for (size_t i = 0; i < NFORMATS; i++) {
		struct buf packed = formats[i].pack(&plain);
		struct baton_file f;
		struct baton_error err = { 0 };
		char words[32];

		packed.p[packed.n / 2] ^= 0x40;
		snprintf(words, sizeof(words), "%s data corrupt (", formats[i].name);
		refused(baton_decompress(&f, packed.p, packed.n, formats[i].c, 0, "kernel", "/k",
					 &err), EBADMSG, &f, &err, words);
		free(packed.p);
	}
	free(plain.p);
}

static void truncated_is_refused(void **state)
{
	(void)state;
	struct buf plain = sample(200000, 6);

	for (size_t i = 0; i < NFORMATS; i++) {
		struct buf packed = formats[i].pack(&plain);
		size_t cuts[] = { packed.n - 1, packed.n - 5, packed.n / 2, 7 };

		for (size_t k = 0; k < sizeof(cuts) / sizeof(cuts[0]); k++) {
			struct baton_file f;
			struct baton_error err = { 0 };
			char words[32];

			snprintf(words, sizeof(words), "%s data corrupt (", formats[i].name);
			refused(baton_decompress(&f, packed.p, cuts[k], formats[i].c, 0, "kernel",
						 "/k", &err), EBADMSG, &f, &err, words);
		}
		free(packed.p);
	}
	free(plain.p);
}

static void trailing_garbage_is_refused(void **state)
{
	(void)state;
	struct buf plain = sample(10000, 7), junk = { (uint8_t *)"JUNK", 4 };

	for (size_t i = 0; i < NFORMATS; i++) {
		struct buf packed = formats[i].pack(&plain), bad = cat(&packed, &junk);
		struct baton_file f;
		struct baton_error err = { 0 };
		char words[32];

		snprintf(words, sizeof(words), "%s data corrupt (", formats[i].name);
		refused(baton_decompress(&f, bad.p, bad.n, formats[i].c, 0, "kernel", "/k", &err),
			EBADMSG, &f, &err, words);
		free(packed.p);
		free(bad.p);
	}
	free(plain.p);
}

/* A bomb: 8 MiB of zeros (a few KiB packed) against a 1 MiB cap, and against a cap in bytes. */
static void output_beyond_the_cap_is_refused(void **state)
{
	(void)state;
	struct buf zeros = { calloc(8u << 20, 1), 8u << 20 }, small = sample(5000, 8);

	for (size_t i = 0; i < NFORMATS; i++) {
		struct buf packed = formats[i].pack(&zeros), ps = formats[i].pack(&small);
		struct baton_file f;
		struct baton_error err = { 0 };
		char words[64];

		snprintf(words, sizeof(words), "%s data unpacks to more than 1 MiB (the limit)",
			 formats[i].name);
		refused(baton_decompress(&f, packed.p, packed.n, formats[i].c, 1u << 20, "kernel",
					 "/k", &err), EFBIG, &f, &err, words);
		refused(baton_decompress(&f, ps.p, ps.n, formats[i].c, 4999, "kernel", "/k", &err),
			EFBIG, &f, &err, "more than 4999 bytes");
		/* Exactly at the cap is allowed. */
		assert_int_equal(baton_decompress(&f, ps.p, ps.n, formats[i].c, 5000, "kernel", "/k",
						  &err), 0);
		assert_int_equal(f.size, 5000);
		baton_file_free(&f);
		free(packed.p);
		free(ps.p);
	}
	free(zeros.p);
	free(small.p);
}

static void empty_content_unpacks_to_an_empty_file(void **state)
{
	(void)state;
	struct buf none = { (uint8_t *)"", 0 };

	for (size_t i = 0; i < NFORMATS; i++) {
		struct buf packed = formats[i].pack(&none);
		struct baton_file f;
		struct baton_error err = { 0 };

		assert_int_equal(baton_decompress(&f, packed.p, packed.n, formats[i].c, 0, "kernel",
						  "/k", &err), 0);
		assert_int_equal(f.size, 0);
		baton_file_free(&f);
		free(packed.p);
	}
}

static void map_image_unpacks_only_when_asked(void **state)
{
	(void)state;
	char *dir = fx_tmpdir(), path[4200];
	struct buf plain = sample(300000, 9), packed = gz(&plain);
	struct baton_file f;
	struct baton_error err = { 0 };

	fx_write(dir, "k.gz", packed.p, packed.n);
	snprintf(path, sizeof(path), "%s/k.gz", dir);
	assert_int_equal(baton_file_map_image(&f, path, "kernel", BATON_IMAGE_DECOMPRESS, 0, &err),
			 0);
	assert_int_equal(f.size, plain.n);
	assert_memory_equal(f.data, plain.p, plain.n);
	assert_int_equal(f.compression, BATON_COMPRESSION_GZIP);
	assert_int_equal(f.packed_size, packed.n);
	baton_file_free(&f);

	/* Without the flag (an initrd): the file as it is. */
	assert_int_equal(baton_file_map_image(&f, path, "initrd", 0, 0, &err), 0);
	assert_int_equal(f.size, packed.n);
	assert_memory_equal(f.data, packed.p, packed.n);
	assert_int_equal(f.compression, BATON_COMPRESSION_NONE);
	baton_file_free(&f);

	/* Not compressed: unchanged. */
	fx_write(dir, "k", plain.p, plain.n);
	snprintf(path, sizeof(path), "%s/k", dir);
	assert_int_equal(baton_file_map_image(&f, path, "kernel", BATON_IMAGE_DECOMPRESS, 0, &err),
			 0);
	assert_int_equal(f.size, plain.n);
	assert_memory_equal(f.data, plain.p, plain.n);
	assert_int_equal(f.compression, BATON_COMPRESSION_NONE);
	assert_int_equal(f.packed_size, 0);
	baton_file_free(&f);

	/* Empty: maps as size 0. */
	fx_write(dir, "empty", "", 0);
	snprintf(path, sizeof(path), "%s/empty", dir);
	assert_int_equal(baton_file_map_image(&f, path, "kernel", BATON_IMAGE_DECOMPRESS, 0, &err),
			 0);
	assert_int_equal(f.size, 0);
	baton_file_free(&f);

	fx_rm_rf(dir);
	free(dir);
	free(plain.p);
	free(packed.p);
}

static void map_image_refuses_corrupt_and_missing_files(void **state)
{
	(void)state;
	char *dir = fx_tmpdir(), path[4200];
	struct buf plain = sample(300000, 10), packed = zst(&plain);
	struct baton_file f;
	struct baton_error err = { 0 };

	fx_write(dir, "k.zst", packed.p, packed.n - 3);
	snprintf(path, sizeof(path), "%s/k.zst", dir);
	assert_int_equal(baton_file_map_image(&f, path, "kernel", BATON_IMAGE_DECOMPRESS, 0, &err),
			 -EBADMSG);
	assert_true(fx_all_zero(&f, sizeof(f)));
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, "zstd data corrupt"));

	snprintf(path, sizeof(path), "%s/none", dir);
	assert_int_equal(baton_file_map_image(&f, path, "kernel", BATON_IMAGE_DECOMPRESS, 0, &err),
			 -ENOENT);
	assert_true(fx_all_zero(&f, sizeof(f)));

	fx_rm_rf(dir);
	free(dir);
	free(plain.p);
	free(packed.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(detects_by_magic),
		cmocka_unit_test(round_trips),
		cmocka_unit_test(several_members_are_one_image),
		cmocka_unit_test(gzip_crc_mismatch_is_refused),
		cmocka_unit_test(flipped_payload_is_refused),
		cmocka_unit_test(truncated_is_refused),
		cmocka_unit_test(trailing_garbage_is_refused),
		cmocka_unit_test(output_beyond_the_cap_is_refused),
		cmocka_unit_test(empty_content_unpacks_to_an_empty_file),
		cmocka_unit_test(map_image_unpacks_only_when_asked),
		cmocka_unit_test(map_image_refuses_corrupt_and_missing_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

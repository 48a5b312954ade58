/* SPDX-License-Identifier: MIT */
/* Fuzz target: baton_decompress on gzip, xz and zstd data, under a 16 MiB cap. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "decompress.h"
#include "fuzz.h"

#define CAP (16UL << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct baton_file f;
	struct baton_error err = { 0 };
	enum baton_compression c = baton_compression_detect(data, size);
	uint8_t sum = 0;
	int rc;

	/* Input without a magic goes to the decoder the first byte names, so that the decoders see
	 * headers the detection would not let through. */
	if (c == BATON_COMPRESSION_NONE) {
		if (!size)
			return 0;
		c = (enum baton_compression)(BATON_COMPRESSION_GZIP + data[0] % 3);
		data++;
		size--;
	}
	rc = baton_decompress(&f, data, size, c, CAP, "kernel", "fuzz", &err);
	if (rc) {
		fuzz_check_error(rc, &err);
		FUZZ_CHECK(rc == -EBADMSG || rc == -EFBIG || rc == -ENOMEM, "rc %d: %s", rc, err.msg);
		FUZZ_CHECK(strstr(err.msg, baton_compression_name(c)), "message: %s", err.msg);
		FUZZ_CHECK(!f.data && !f.size && !f.mapped, "a refusal left output");
		return 0;
	}
	FUZZ_CHECK(f.size <= CAP, "%zu bytes, over the cap", f.size);
	FUZZ_CHECK(!f.size || (f.mapped && f.compression == (int)c && f.packed_size == size),
		   "output fields");
	for (size_t i = 0; i < f.size; i += 4096)
		sum ^= f.data[i];     /* every page readable */
	(void)sum;
	/* A gzip stream zlib's own one-shot decoder reads gives the same bytes. */
	if (c == BATON_COMPRESSION_GZIP && f.size && f.size <= (1UL << 20)) {
		uint8_t *again = malloc(f.size);
		z_stream s;

		FUZZ_CHECK(again, "out of memory");
		memset(&s, 0, sizeof(s));
		FUZZ_CHECK(inflateInit2(&s, 16 + MAX_WBITS) == Z_OK, "inflateInit2");
		s.next_in = (Bytef *)data;
		s.avail_in = (uInt)size;
		s.next_out = again;
		s.avail_out = (uInt)f.size;
		inflate(&s, Z_FINISH);
		FUZZ_CHECK(!memcmp(again, f.data, s.total_out),
			   "zlib disagrees on the first member");
		inflateEnd(&s);
		free(again);
	}
	baton_file_free(&f);
	return 0;
}

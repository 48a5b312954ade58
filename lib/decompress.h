/* SPDX-License-Identifier: MIT */
/* Compressed images (gzip, xz, zstd): detected by magic, unpacked through zlib, liblzma and
 * libzstd into one read-only anonymous mapping, with a cap on the unpacked size. */
#ifndef BATON_LIB_DECOMPRESS_H
#define BATON_LIB_DECOMPRESS_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "file.h"

enum baton_compression {
	BATON_COMPRESSION_NONE = 0,
	BATON_COMPRESSION_GZIP,    /* 1f 8b, one member or several */
	BATON_COMPRESSION_XZ,      /* fd 37 7a 58 5a 00, one stream or several */
	BATON_COMPRESSION_ZSTD,    /* 28 b5 2f fd, one frame or several */
};

/* The default cap on an unpacked image: more is refused as a decompression bomb. */
#define BATON_DECOMPRESS_MAX (1ULL << 30)
/* The largest cap a caller may ask for. */
#define BATON_DECOMPRESS_MAX_LIMIT (1ULL << 40)

enum baton_image_flag {
	BATON_IMAGE_DECOMPRESS = 1u << 0,   /* unpack a gzip, xz or zstd file; else map as it is */
};

/* By magic at offset 0; BATON_COMPRESSION_NONE for anything else (a bzImage, an ELF file). */
enum baton_compression baton_compression_detect(const uint8_t *data, size_t size);
/* "gzip", "xz", "zstd"; "none". */
const char *baton_compression_name(enum baton_compression c);

/* Unpack `size` bytes of `c` data into *out (an anonymous read-only mapping; size 0: empty).
 * At most `max` bytes (0: BATON_DECOMPRESS_MAX) or -EFBIG; corrupt data (bad check, truncated,
 * trailing bytes that start no further member) -EBADMSG, one line "WHAT: PATH: gzip data
 * corrupt (...)". The input is only read. */
int baton_decompress(struct baton_file *out, const uint8_t *data, size_t size,
		     enum baton_compression c, size_t max, const char *what, const char *path,
		     struct baton_error *err);

/* Map `path` as baton_file_map() does; with BATON_IMAGE_DECOMPRESS a compressed file comes back
 * unpacked (f->compression names its format, f->packed_size the file's size), the file's pages
 * released as they are consumed and the file unmapped before this returns. `max` as for
 * baton_decompress(). Anything not compressed, or without the flag, is mapped as it is. */
int baton_file_map_image(struct baton_file *f, const char *path, const char *what,
			 unsigned flags, size_t max, struct baton_error *err);

#endif

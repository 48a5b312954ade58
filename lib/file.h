/* SPDX-License-Identifier: MIT */
/* Input files: mapped read-only (never copied), or read whole when small (sysfs, procfs).
 * Compressed images are unpacked by decompress.h's baton_file_map_image(). */
#ifndef BATON_LIB_FILE_H
#define BATON_LIB_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct baton_file {
	const uint8_t *data;
	size_t size;
	int mapped;      /* 1: munmap on free; 0: heap */
	int compression; /* enum baton_compression (decompress.h) data was unpacked from; 0: none */
	size_t packed_size;   /* the file's own size when unpacked, else 0 */
};

/* Map `path` read-only; an empty file maps as size 0. `what` names the file's role in messages
 * ("kernel", "initrd"). */
int baton_file_map(struct baton_file *f, const char *path, const char *what,
		   struct baton_error *err);
/* Read a small file (at most `max` bytes) into a NUL-terminated heap buffer. */
int baton_file_read(struct baton_file *f, const char *path, size_t max, struct baton_error *err);
void baton_file_free(struct baton_file *f);
/* A small text file (sysfs, procfs) into buf, surrounding whitespace removed, NUL-terminated:
 * 0, -EFBIG when it holds `size` - 1 bytes or more before trimming, else -errno from open or
 * read. No message: the caller names its module and the file's meaning. */
int baton_file_read_text(const char *path, char *buf, size_t size);

/* "ROOT/rel" into buf: ROOT "" or NULL means the machine's own filesystem. -ENAMETOOLONG when
 * it does not fit: never a truncated path, which could name another file. */
int baton_path(char *buf, size_t size, const char *root, const char *rel, struct baton_error *err);

#endif

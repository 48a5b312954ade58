/* SPDX-License-Identifier: MIT */
/* The tree digest (version 1): a region cut into fixed-size chunks, each chunk's SHA-256
 * computed independently (so several at once, by a multi-buffer block function), the root the
 * SHA-256 of a small header and the chunk digests in order. docs/handover.md defines it. */
#ifndef BATON_COMMON_SHA256_TREE_H
#define BATON_COMMON_SHA256_TREE_H

#include <stdint.h>

#include "sha256_mb.h"

#define BATON_TREE_VERSION 1
#define BATON_TREE_HEADER_SIZE 24
/* The chunk size the loader uses (256 KiB: measured, docs/performance.md). */
#define BATON_TREE_CHUNK (256u * 1024)
#define BATON_TREE_CHUNK_MIN 4096u
#define BATON_TREE_CHUNK_MAX (16u * 1024 * 1024)

/* A chunk size the tree accepts: a power of two in [BATON_TREE_CHUNK_MIN, BATON_TREE_CHUNK_MAX]. */
int baton_sha256_tree_chunk_ok(uint64_t chunk);

/* The root of size bytes at data, in chunks of `chunk` bytes (baton_sha256_tree_chunk_ok), the
 * chunks hashed with mb (NULL: baton_sha256_mb_best()). Every mb gives the same root. */
void baton_sha256_tree(const struct baton_sha256_mb *mb, const void *data, uint64_t size,
		       uint32_t chunk, uint8_t root[32]);

#endif

/* SPDX-License-Identifier: MIT */
/* The tree digest from its definition: SHA-256("BATNTREE" | le64 size | le32 chunk | le32 1 |
 * SHA-256(chunk 0) | SHA-256(chunk 1) | ...), the last chunk shorter, none for size 0. */
#include "tree_oracle.h"

#include <stdlib.h>

#include <openssl/sha.h>

void fx_tree_root(const void *data, uint64_t size, uint32_t chunk, uint8_t root[32])
{
	const unsigned char *p = data;
	uint64_t leaves = (size + chunk - 1) / chunk;
	unsigned char *msg = calloc(1, 24 + 32 * leaves);

	if (!msg)
		abort();
	for (int i = 0; i < 8; i++)
		msg[i] = (unsigned char)"BATNTREE"[i];
	for (int i = 0; i < 8; i++)
		msg[8 + i] = (unsigned char)(size >> (8 * i));
	for (int i = 0; i < 4; i++)
		msg[16 + i] = (unsigned char)(chunk >> (8 * i));
	msg[20] = 1;
	for (uint64_t i = 0; i < leaves; i++) {
		uint64_t at = i * chunk, n = size - at < chunk ? size - at : chunk;
		SHA256(p + at, n, msg + 24 + 32 * i);
	}
	SHA256(msg, 24 + 32 * leaves, root);
	free(msg);
}

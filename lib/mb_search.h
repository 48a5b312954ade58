/* SPDX-License-Identifier: MIT */
/* The header search both multiboot versions share: a magic at an aligned offset near the start of
 * the file, followed by fields whose 32-bit sum with it is zero. */
#ifndef BATON_LIB_MB_SEARCH_H
#define BATON_LIB_MB_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "le.h"

#define BATON_MB_NOT_FOUND ((size_t)-1)

/* The first offset below `limit` (a multiple of `align`, with the whole `words`-word header
 * before `size` and `limit`) where `magic` stands and the header's words add up to 0 mod 2^32;
 * BATON_MB_NOT_FOUND if none. *seen (may be NULL) says whether the magic stood anywhere, so a
 * caller can tell "no header" from "a header whose checksum does not add up". */
static inline size_t baton_mb_find(const uint8_t *data, size_t size, size_t limit,
				   uint32_t magic, size_t align, size_t words, int *seen)
{
	size_t end = size < limit ? size : limit;

	if (seen)
		*seen = 0;
	for (size_t off = 0; off + 4 * words <= end; off += align) {
		uint32_t sum = 0;

		if (baton_le32(data + off) != magic)
			continue;
		if (seen)
			*seen = 1;
		for (size_t w = 0; w < words; w++)
			sum += baton_le32(data + off + 4 * w);
		if (!sum)
			return off;
	}
	return BATON_MB_NOT_FOUND;
}

#endif

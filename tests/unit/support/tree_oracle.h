/* SPDX-License-Identifier: MIT */
/* The tree digest (docs/handover.md) written again from its definition on OpenSSL's SHA-256: an
 * oracle that shares no code with common/sha256_tree.c. */
#ifndef BATON_TESTS_TREE_ORACLE_H
#define BATON_TESTS_TREE_ORACLE_H

#include <stddef.h>
#include <stdint.h>

void fx_tree_root(const void *data, uint64_t size, uint32_t chunk, uint8_t root[32]);

#endif

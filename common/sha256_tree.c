/* SPDX-License-Identifier: MIT */
/* The tree digest: full chunks go through the multi-buffer function a batch of lanes at a time
 * (all of the same length, so one padding block serves every lane), the rest one at a time. */
#include "sha256_tree.h"

#include "sha256.h"

static const uint32_t H0[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

int baton_sha256_tree_chunk_ok(uint64_t chunk)
{
	return chunk >= BATON_TREE_CHUNK_MIN && chunk <= BATON_TREE_CHUNK_MAX &&
	       !(chunk & (chunk - 1));
}

static void put_le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* The last block of a message of len bytes, len a multiple of 64: 0x80, zeros, the bit length. */
static void padding_block(uint8_t pad[64], uint64_t len)
{
	for (int i = 0; i < 64; i++)
		pad[i] = 0;
	pad[0] = 0x80;
	put_be32(pad + 56, (uint32_t)(len * 8 >> 32));
	put_be32(pad + 60, (uint32_t)(len * 8));
}

/* Chunk digests of `lanes` full chunks starting at p, added to the root in order. */
static void full_chunks(const struct baton_sha256_mb *mb, const uint8_t *p, uint32_t chunk,
			unsigned used, struct baton_sha256 *root)
{
	uint32_t h[BATON_SHA256_MB_MAX_LANES][8];
	const uint8_t *lane[BATON_SHA256_MB_MAX_LANES];
	uint8_t pad[64], leaf[32];

	/* Lanes beyond `used` repeat the last chunk and are thrown away. */
	for (unsigned l = 0; l < mb->lanes; l++) {
		lane[l] = p + (uint64_t)(l < used ? l : used - 1) * chunk;
		for (int i = 0; i < 8; i++)
			h[l][i] = H0[i];
	}
	mb->blocks(h, lane, chunk / 64);
	padding_block(pad, chunk);
	for (unsigned l = 0; l < mb->lanes; l++)
		lane[l] = pad;
	mb->blocks(h, lane, 1);
	for (unsigned l = 0; l < used; l++) {
		for (int i = 0; i < 8; i++)
			put_be32(leaf + 4 * i, h[l][i]);
		baton_sha256_update(root, leaf, sizeof(leaf));
	}
}

void baton_sha256_tree(const struct baton_sha256_mb *mb, const void *data, uint64_t size,
		       uint32_t chunk, uint8_t out[32])
{
	const uint8_t *p = data;
	uint64_t nfull = size / chunk, i = 0;
	uint8_t header[BATON_TREE_HEADER_SIZE] = "BATNTREE";
	struct baton_sha256 root;
	struct baton_sha256_mb best;
	uint8_t leaf[32];

	if (!mb) {
		best = baton_sha256_mb_best();
		mb = &best;
	}
	put_le(header + 8, size, 8);
	put_le(header + 16, chunk, 4);
	put_le(header + 20, BATON_TREE_VERSION, 4);
	baton_sha256_init(&root);
	baton_sha256_update(&root, header, sizeof(header));

	/* A batch is worth running with lanes to spare while it is at least half full; fewer
	 * chunks go one at a time through the fastest single stream. */
	while (nfull - i >= mb->lanes || (mb->lanes > 1 && 2 * (nfull - i) >= mb->lanes)) {
		unsigned used = nfull - i >= mb->lanes ? mb->lanes : (unsigned)(nfull - i);
		full_chunks(mb, p + i * chunk, chunk, used, &root);
		i += used;
	}
	for (; i < nfull; i++) {
		baton_sha256(p + i * chunk, chunk, leaf);
		baton_sha256_update(&root, leaf, sizeof(leaf));
	}
	if (size % chunk) {
		baton_sha256(p + nfull * chunk, size % chunk, leaf);
		baton_sha256_update(&root, leaf, sizeof(leaf));
	}
	baton_sha256_final(&root, out);
}

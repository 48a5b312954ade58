/* SPDX-License-Identifier: MIT */
/* Appending nodes to a Linux setup_data list inside one segment, counting when there is no
 * buffer: the zero page's list and the real-mode header's share it. */
#ifndef BATON_LIB_SETUP_NODES_H
#define BATON_LIB_SETUP_NODES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bootparam.h"

struct baton_setup_nodes {
	uint8_t *seg;       /* NULL: count only */
	uint64_t phys;      /* the segment's load address */
	size_t at;          /* where the next node goes */
	size_t link;        /* offset of the list head (hdr.setup_data), then of the last next */
};

static inline size_t baton_align8(size_t v)
{
	return (v + 7) & ~(size_t)7;
}

/* The new node's data (len bytes, zeroed by the caller's buffer), or NULL when counting. */
static inline void *baton_setup_node_add(struct baton_setup_nodes *w, uint32_t type, uint32_t len)
{
	struct setup_data *node;
	uint64_t addr;

	w->at = baton_align8(w->at);
	if (!w->seg) {
		w->at += sizeof(*node) + len;
		return NULL;
	}
	node = (struct setup_data *)(w->seg + w->at);
	node->type = type;
	node->len = len;
	addr = w->phys + w->at;
	memcpy(w->seg + w->link, &addr, sizeof(addr));
	w->link = w->at + offsetof(struct setup_data, next);
	w->at += sizeof(*node) + len;
	return node->data;
}

#endif

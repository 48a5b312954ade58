/* SPDX-License-Identifier: MIT */
/* Little-endian reads and writes of wire fields at any alignment (multiboot, ELF). */
#ifndef BATON_LIB_LE_H
#define BATON_LIB_LE_H

#include <stdint.h>

static inline uint16_t baton_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t baton_le32(const uint8_t *p)
{
	return (uint32_t)baton_le16(p) | (uint32_t)baton_le16(p + 2) << 16;
}

static inline uint64_t baton_le64(const uint8_t *p)
{
	return (uint64_t)baton_le32(p) | (uint64_t)baton_le32(p + 4) << 32;
}

static inline void baton_put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void baton_put_le32(uint8_t *p, uint32_t v)
{
	baton_put_le16(p, (uint16_t)v);
	baton_put_le16(p + 2, (uint16_t)(v >> 16));
}

static inline void baton_put_le64(uint8_t *p, uint64_t v)
{
	baton_put_le32(p, (uint32_t)v);
	baton_put_le32(p + 4, (uint32_t)(v >> 32));
}

#endif

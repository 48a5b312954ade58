/* SPDX-License-Identifier: MIT */
/* The ACPI RSDP's own checks: the loader's when it reads one, the purgatory's before it copies
 * one at exec time. */
#include "rsdp.h"

#define RSDP_V1_SIZE 20
#define RSDP_V2_HEAD 24   /* through the length field */

static uint8_t sum(const volatile uint8_t *b, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *b++;
	return s;
}

size_t baton_rsdp_check(const volatile uint8_t *b, size_t avail)
{
	static const char sig[8] = "RSD PTR ";
	size_t len;

	if (avail < RSDP_V1_SIZE)
		return 0;
	for (int i = 0; i < 8; i++)
		if (b[i] != (uint8_t)sig[i])
			return 0;
	if (sum(b, RSDP_V1_SIZE))
		return 0;
	if (b[15] < 2)
		return RSDP_V1_SIZE;
	if (avail < RSDP_V2_HEAD)
		return 0;
	len = (size_t)b[20] | (size_t)b[21] << 8 | (size_t)b[22] << 16 | (size_t)b[23] << 24;
	if (len < 36 || len > BATON_RSDP_MAX || len > avail || sum(b, len))
		return 0;
	return len;
}

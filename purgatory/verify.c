/* SPDX-License-Identifier: MIT */
/* Parameter and region verification: the purgatory runs nothing it has not checked. */
#include "verify.h"

#include <stddef.h>

#include "sha256.h"
#include "sha256_tree.h"

void baton_params_digest(const struct baton_params *p, uint8_t out[32])
{
	static const uint8_t zero[32];
	const uint8_t *bytes = (const uint8_t *)p;
	size_t at = offsetof(struct baton_params, self_sha256);
	struct baton_sha256 s;

	baton_sha256_init(&s);
	baton_sha256_update(&s, bytes, at);
	baton_sha256_update(&s, zero, sizeof(zero));
	baton_sha256_update(&s, bytes + at + 32, sizeof(*p) - at - 32);
	baton_sha256_final(&s, out);
}

static int same_digest(const uint8_t *a, const uint8_t *b)
{
	uint8_t diff = 0;
	for (int i = 0; i < 32; i++)
		diff |= a[i] ^ b[i];
	return diff == 0;
}

/* The purgatory writes these bytes with its own hands: inside conventional memory, whatever the
 * digest says. */
static int bios_area_fits(const struct baton_bios_area *b)
{
	uint64_t bytes = (uint64_t)b->ebda_kib * 1024;

	return b->ebda % 1024 == 0 && b->ebda >= 1024 && b->ebda < BATON_BIOS_CONVENTIONAL_END &&
	       bytes && bytes <= BATON_BIOS_CONVENTIONAL_END - b->ebda &&
	       (uint64_t)b->base_kib * 1024 <= b->ebda &&
	       (!b->rsdp || BATON_EBDA_RSDP + BATON_RSDP_MAX <= bytes);
}

/* The purgatory draws into these bytes: whole lines of whole pixels below what the identity
 * map reaches with 4-level paging (1 << 47), colours inside a pixel. */
static int fb_fits(const struct baton_fb *f)
{
	uint64_t bytes = (uint64_t)f->stride * f->height;
	unsigned bits = f->bpp;

	return (bits == 16 || bits == 24 || bits == 32) && f->base && f->width && f->height &&
	       f->stride >= (uint64_t)f->width * bits / 8 && f->base < (1ULL << 47) &&
	       bytes <= (1ULL << 47) - f->base && f->red_pos + f->red_size <= bits &&
	       f->green_pos + f->green_size <= bits && f->blue_pos + f->blue_size <= bits;
}

enum baton_params_status baton_verify_params(const struct baton_params *p)
{
	uint8_t digest[32];

	if (p->magic != BATON_PARAMS_MAGIC)
		return BATON_PARAMS_BAD_MAGIC;
	if (p->version != BATON_ABI_VERSION || p->size != sizeof(*p))
		return BATON_PARAMS_BAD_VERSION;
	baton_params_digest(p, digest);
	if (!same_digest(digest, p->self_sha256))
		return BATON_PARAMS_BAD_DIGEST;
	if (p->nr_regions > BATON_MAX_REGIONS)
		return BATON_PARAMS_BAD_REGIONS;
	if (p->exit_mode >= BATON_EXIT_NR_MODES)
		return BATON_PARAMS_BAD_EXIT;
	if ((p->flags & BATON_PF_BIOS_AREA) && !bios_area_fits(&p->bios))
		return BATON_PARAMS_BAD_BIOS;
	if (p->digest != BATON_DIGEST_SHA256 &&
	    (p->digest != BATON_DIGEST_TREE || !baton_sha256_tree_chunk_ok(p->digest_chunk)))
		return BATON_PARAMS_BAD_DIGEST_KIND;
	if ((p->flags & BATON_PF_CONSOLE_FB) && !fb_fits(&p->fb))
		return BATON_PARAMS_BAD_FB;
	/* Real mode reaches only the first MiB, and the trampoline's segment base is 16-aligned. */
	if (p->exit_mode == BATON_EXIT_REAL16 &&
	    (p->exit_entry >= BATON_REAL_MODE_LIMIT || p->exit_trampoline % 16 ||
	     p->exit_trampoline + BATON_TRAMPOLINE_MAX > BATON_REAL_MODE_LIMIT))
		return BATON_PARAMS_BAD_EXIT;
	return BATON_PARAMS_OK;
}

/* A region's bytes against its digest, of the block's kind. */
static int region_ok(const struct baton_params *p, const struct baton_region *r,
		     const struct baton_sha256_mb *mb)
{
	const void *bytes = (const void *)(uintptr_t)r->start;
	uint8_t digest[32];

	if (p->digest == BATON_DIGEST_TREE)
		baton_sha256_tree(mb, bytes, r->size, p->digest_chunk, digest);
	else
		baton_sha256(bytes, r->size, digest);
	return same_digest(digest, r->sha256);
}

int baton_verify_region_at(const struct baton_params *p, uint64_t addr)
{
	/* On the failure path: whatever state the SIMD units are in, the portable code runs. */
	struct baton_sha256_mb portable = baton_sha256_mb_get(BATON_SHA256_MB_PORTABLE);

	for (uint32_t i = 0; i < p->nr_regions && i < BATON_MAX_REGIONS; i++) {
		const struct baton_region *r = &p->regions[i];

		if (addr >= r->start && addr - r->start < r->size)
			return region_ok(p, r, &portable);
	}
	return 0;
}

int baton_verify_regions(const struct baton_params *p, const struct baton_sha256_mb *mb)
{
	struct baton_sha256_mb fastest;

	if (!mb) {
		fastest = baton_sha256_mb_fastest();
		mb = &fastest;
	}
	for (uint32_t i = 0; i < p->nr_regions; i++)
		if (!region_ok(p, &p->regions[i], mb))
			return (int)i;
	return -1;
}

/* Linux's crash_prepare_elf64_headers() writes the header the capture kernel reads: this is what
 * both it and baton's lib/elfcore.c produce (ELF64 little-endian ET_CORE for x86-64). */
#define EHDR_SIZE 64
#define PHDR_SIZE 56

static uint64_t le(const volatile uint8_t *b, unsigned n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | b[n];
	return v;
}

enum baton_elfcore_status baton_verify_elfcore(const struct baton_params *p)
{
	const volatile uint8_t *h = (const volatile uint8_t *)(uintptr_t)p->elfcorehdr;
	uint64_t size = p->elfcorehdr_size, phoff, phnum;

	if (!(p->flags & BATON_PF_ELFCORE_HOTPLUG))
		return BATON_ELFCORE_OK;
	if (size < EHDR_SIZE || le(h, 4) != 0x464c457f || h[4] != 2 /* ELFCLASS64 */ ||
	    h[5] != 1 /* ELFDATA2LSB */ || le(h + 16, 2) != 4 /* ET_CORE */ ||
	    le(h + 18, 2) != 62 /* EM_X86_64 */)
		return BATON_ELFCORE_BAD_IDENT;
	phoff = le(h + 32, 8);
	phnum = le(h + 56, 2);
	if (le(h + 54, 2) != PHDR_SIZE || !phnum || phoff < EHDR_SIZE || phoff > size ||
	    phnum * PHDR_SIZE > size - phoff)
		return BATON_ELFCORE_BAD_PHDRS;
	return BATON_ELFCORE_OK;
}

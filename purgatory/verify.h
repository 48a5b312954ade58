/* SPDX-License-Identifier: MIT */
/* Checks of the loader's parameters and of every region, free of hardware: also built on the host. */
#ifndef BATON_PURGATORY_VERIFY_H
#define BATON_PURGATORY_VERIFY_H

#include <stdint.h>

#include "baton/abi.h"
#include "sha256_mb.h"

enum baton_params_status {
	BATON_PARAMS_OK,
	BATON_PARAMS_BAD_MAGIC,
	BATON_PARAMS_BAD_VERSION,
	BATON_PARAMS_BAD_DIGEST,
	BATON_PARAMS_BAD_REGIONS,
	BATON_PARAMS_BAD_EXIT,     /* an exit_mode entry.S does not know, or real mode out of reach */
	BATON_PARAMS_BAD_BIOS,     /* a BIOS area outside conventional memory, or overfull */
	BATON_PARAMS_BAD_DIGEST_KIND,   /* a digest kind or tree chunk size this purgatory cannot check */
	BATON_PARAMS_BAD_FB,       /* a framebuffer the purgatory cannot draw into safely */
};

/* Magic, version, size, region count, exit mode, digest kind and the parameters' own digest. */
enum baton_params_status baton_verify_params(const struct baton_params *p);

/* Index of the first region whose bytes (read at their physical address, which the purgatory
 * identity-maps and host tests fill with host addresses) do not match their digest; -1 if all do.
 * A tree digest's chunks are hashed with mb (NULL: baton_sha256_mb_fastest()). */
int baton_verify_regions(const struct baton_params *p, const struct baton_sha256_mb *mb);

enum baton_elfcore_status {
	BATON_ELFCORE_OK,
	BATON_ELFCORE_BAD_IDENT,   /* not ELF magic, ELF64, little-endian, ET_CORE, EM_X86_64 */
	BATON_ELFCORE_BAD_PHDRS,   /* program headers of another size, or not inside the segment */
};

/* With BATON_PF_ELFCORE_HOTPLUG, the ELF core header the kernel may have rewritten since the
 * load: no digest can cover it, so its shape is checked (OK without the flag). */
enum baton_elfcore_status baton_verify_elfcore(const struct baton_params *p);
/* 1 if the region holding addr is there and its digest matches (0 for none or a mismatch);
 * hashed with the portable code, whatever the SIMD state. */
int baton_verify_region_at(const struct baton_params *p, uint64_t addr);

/* The digest baton_verify_params expects in self_sha256. */
void baton_params_digest(const struct baton_params *p, uint8_t out[32]);

#endif

/* The embedded purgatory image (lib/purgatory_blob.S) and how the loader reads its header. */
#ifndef BATON_LIB_PURGATORY_IMAGE_H
#define BATON_LIB_PURGATORY_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "baton/abi.h"
#include "error.h"

extern const uint8_t baton_purgatory_image[];
extern const uint64_t baton_purgatory_image_size;

struct baton_purgatory_layout {
	uint32_t params_offset;
	uint32_t text_offset;
	uint32_t text_end;
	uint32_t image_size;
};

/* Check an image's header (magic, version, offsets inside the image) and return its layout. */
int baton_purgatory_layout(const uint8_t *image, size_t size, struct baton_purgatory_layout *out,
			   struct baton_error *err);

#endif

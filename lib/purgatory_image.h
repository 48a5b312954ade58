/* SPDX-License-Identifier: MIT */
/* The embedded purgatory image (lib/purgatory_blob.S); its header is read by purgatory_params.h. */
#ifndef BATON_LIB_PURGATORY_IMAGE_H
#define BATON_LIB_PURGATORY_IMAGE_H

#include <stdint.h>

#include "purgatory_params.h"

extern const uint8_t baton_purgatory_image[];
extern const uint64_t baton_purgatory_image_size;

#endif

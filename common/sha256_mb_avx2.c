/* SPDX-License-Identifier: MIT */
/* 8-lane SHA-256 in AVX2 (built with -mavx2): called only where baton_sha256_mb_usable() says so. */
#define LANES 8
#define MB_FN baton_sha256_mb_avx2
#include "sha256_mb_lanes.h"

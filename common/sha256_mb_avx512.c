/* SPDX-License-Identifier: MIT */
/* 16-lane SHA-256 in AVX-512F and BW (built with -mavx512f -mavx512bw): rotates and three-input
 * logic are one instruction each (vprord, vpternlogd), the byte swap one vpshufb. Called only
 * where baton_sha256_mb_usable() says so. */
#define LANES 16
#define MB_FN baton_sha256_mb_avx512
#include "sha256_mb_lanes.h"

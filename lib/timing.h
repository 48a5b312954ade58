/* The handover timing record, as the new kernel shows it (see BATON_SETUP_TIMING in abi.h). */
#ifndef BATON_LIB_TIMING_H
#define BATON_LIB_TIMING_H

#include <stdint.h>

#include "baton/abi.h"
#include "error.h"

struct baton_handover_report {
	struct baton_timing raw;
	uint64_t tsc_khz;          /* the new kernel's idea of the TSC rate (0: unknown) */
	double verify_ms;          /* purgatory entry -> all regions verified */
	double total_ms;           /* purgatory entry -> jump into the kernel */
	double hash_mb_per_s;      /* bytes hashed / verification time (0: unknown) */
};

/* Find baton's node under ROOT/sys/kernel/boot_params/setup_data; -ENOENT when this kernel was
 * not started by baton (or the record was never filled in). */
int baton_timing_read(const char *root, struct baton_handover_report *r, struct baton_error *err);

#endif

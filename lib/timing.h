/* SPDX-License-Identifier: MIT */
/* The handover timing record, as the new kernel shows it (see BATON_SETUP_TIMING in abi.h). */
#ifndef BATON_LIB_TIMING_H
#define BATON_LIB_TIMING_H

#include <stdint.h>

#include "baton/abi.h"
#include "error.h"

struct baton_handover_report {
	struct baton_timing raw;
	uint64_t tsc_khz;          /* the TSC rate (0: unknown), see baton_tsc_khz() */
	double verify_ms;          /* purgatory entry -> all regions verified */
	double total_ms;           /* purgatory entry -> jump into the kernel */
	double hash_mb_per_s;      /* bytes hashed / verification time (0: unknown) */
};

/* The hardware the TSC rate is read from, as a seam: tests give fakes. */
struct baton_tsc_ops {
	/* CPUID leaf (subleaf 0) into regs[] = EAX, EBX, ECX, EDX. */
	void (*cpuid)(void *ctx, uint32_t leaf, uint32_t regs[4]);
	uint64_t (*rdtsc)(void *ctx);
	uint64_t (*clock_ns)(void *ctx);        /* CLOCK_MONOTONIC_RAW: not slewed by NTP */
	void (*sleep_ns)(void *ctx, uint64_t ns);
	void *ctx;
};

/* This CPU's TSC, CLOCK_MONOTONIC_RAW and nanosleep. */
extern const struct baton_tsc_ops baton_tsc_hw;

/* The TSC rate in kHz: CPUID 0x15 (crystal clock x TSC/crystal ratio) where it enumerates the
 * crystal, its ratio with CPUID 0x16's base frequency where it does not, else measured against
 * CLOCK_MONOTONIC_RAW over 20 ms. Never cpuinfo's "cpu MHz", the current P-state's clock. */
uint64_t baton_tsc_khz(const struct baton_tsc_ops *ops);

/* Find baton's node under ROOT/sys/kernel/boot_params/setup_data; -ENOENT when this kernel was
 * not started by baton (or the record was never filled in). The TSC rate comes from `tsc`
 * (NULL: baton_tsc_hw). */
int baton_timing_read(const char *root, const struct baton_tsc_ops *tsc,
		      struct baton_handover_report *r, struct baton_error *err);

#endif

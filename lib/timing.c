/* SPDX-License-Identifier: MIT */
/* Reading the purgatory's timing record back in the new kernel. */
#include "timing.h"

#include <cpuid.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#include "file.h"

static void hw_cpuid(void *ctx, uint32_t leaf, uint32_t regs[4])
{
	(void)ctx;
	__cpuid_count(leaf, 0, regs[0], regs[1], regs[2], regs[3]);
}

static uint64_t hw_rdtsc(void *ctx)
{
	(void)ctx;
	return __rdtsc();
}

static uint64_t hw_clock_ns(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	if (clock_gettime(CLOCK_MONOTONIC_RAW, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void hw_sleep_ns(void *ctx, uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000u), (long)(ns % 1000000000u) };

	(void)ctx;
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

const struct baton_tsc_ops baton_tsc_hw = { hw_cpuid, hw_rdtsc, hw_clock_ns, hw_sleep_ns, NULL };

#define TSC_MEASURE_NS 20000000u   /* 20 ms: a 50 ppm clock read error costs 0.005 % */

/* Intel SDM vol. 3B, 18.7.3 "Determining the Processor Base Frequency": CPUID 0x15 gives the
 * TSC/crystal ratio EBX/EAX and the crystal's Hz in ECX (0: not enumerated). Without ECX the
 * TSC runs at the processor base frequency, CPUID 0x16 EAX in MHz (as Linux's
 * native_calibrate_tsc derives it). 0: neither leaf tells. */
static uint64_t tsc_khz_cpuid(const struct baton_tsc_ops *ops)
{
	uint32_t r[4];

	ops->cpuid(ops->ctx, 0, r);
	uint32_t max = r[0];
	if (max < 0x15)
		return 0;
	ops->cpuid(ops->ctx, 0x15, r);
	if (!r[0] || !r[1])
		return 0;   /* no ratio enumerated */
	if (r[2])
		return (uint64_t)r[2] * r[1] / r[0] / 1000;
	if (max < 0x16)
		return 0;
	ops->cpuid(ops->ctx, 0x16, r);
	return (uint64_t)(r[0] & 0xffff) * 1000;
}

/* TSC cycles over a known stretch of CLOCK_MONOTONIC_RAW. Each end reads the TSC between two
 * clock reads and takes the clock's midpoint, so the clock's own cost cancels out. */
static uint64_t tsc_khz_measured(const struct baton_tsc_ops *ops)
{
	uint64_t a0 = ops->clock_ns(ops->ctx), c0 = ops->rdtsc(ops->ctx), b0 = ops->clock_ns(ops->ctx);
	ops->sleep_ns(ops->ctx, TSC_MEASURE_NS);
	uint64_t a1 = ops->clock_ns(ops->ctx), c1 = ops->rdtsc(ops->ctx), b1 = ops->clock_ns(ops->ctx);
	uint64_t ns = (a1 + b1) / 2 - (a0 + b0) / 2;

	if (!a0 || !ns || c1 <= c0)
		return 0;
	return (uint64_t)((double)(c1 - c0) * 1e6 / (double)ns + 0.5);
}

uint64_t baton_tsc_khz(const struct baton_tsc_ops *ops)
{
	uint64_t khz = tsc_khz_cpuid(ops);

	return khz ? khz : tsc_khz_measured(ops);
}

static int read_node(const char *dir, const char *name, struct baton_timing *t)
{
	char path[4096 + 512];
	struct baton_file f;
	int found = 0;

	snprintf(path, sizeof(path), "%s/%s/type", dir, name);
	if (baton_file_read(&f, path, 64, NULL))
		return 0;
	found = strtoul((const char *)f.data, NULL, 0) == BATON_SETUP_TIMING;
	baton_file_free(&f);
	if (!found)
		return 0;
	snprintf(path, sizeof(path), "%s/%s/data", dir, name);
	if (baton_file_read(&f, path, sizeof(*t), NULL))
		return 0;
	/* A record of ABI version 1 (a purgatory without the NMI count) reads with nmis = 0. */
	found = f.size == sizeof(*t) || f.size == BATON_TIMING_V1_SIZE;
	if (found) {
		memset(t, 0, sizeof(*t));
		memcpy(t, f.data, f.size);
	}
	baton_file_free(&f);
	return found && t->magic == BATON_TIMING_MAGIC;
}

int baton_timing_read(const char *root, const struct baton_tsc_ops *tsc,
		      struct baton_handover_report *r, struct baton_error *err)
{
	char dir[4096];
	struct dirent *d;
	DIR *dp;
	int found = 0;

	memset(r, 0, sizeof(*r));
	if (baton_path(dir, sizeof(dir), root, "/sys/kernel/boot_params/setup_data", err))
		return -ENAMETOOLONG;
	dp = opendir(dir);
	if (!dp)
		return baton_fail(err, ENOENT, "report: %s: no setup_data: this kernel was not "
				  "started by baton", dir);
	while (!found && (d = readdir(dp)))
		if (d->d_name[0] != '.')
			found = read_node(dir, d->d_name, &r->raw);
	closedir(dp);
	if (!found)
		return baton_fail(err, ENOENT, "report: %s: no baton timing record: this kernel "
				  "was not started by baton", dir);
	r->tsc_khz = baton_tsc_khz(tsc ? tsc : &baton_tsc_hw);
	if (r->tsc_khz) {
		double per_ms = (double)r->tsc_khz;
		r->verify_ms = (double)(r->raw.tsc_verified - r->raw.tsc_entry) / per_ms;
		r->total_ms = (double)(r->raw.tsc_jump - r->raw.tsc_entry) / per_ms;
		if (r->verify_ms > 0)
			r->hash_mb_per_s = (double)r->raw.bytes_hashed / 1e3 / r->verify_ms;
	}
	return 0;
}

int baton_report_read(const struct baton_config *cfg, struct baton_report *r,
		      struct baton_error *err)
{
	struct baton_handover_report h;
	int rc = baton_timing_read(cfg && cfg->root ? cfg->root : "", NULL, &h, err);

	memset(r, 0, sizeof(*r));
	if (rc)
		return rc;
	r->tsc_entry = h.raw.tsc_entry;
	r->tsc_verified = h.raw.tsc_verified;
	r->tsc_jump = h.raw.tsc_jump;
	r->tsc_khz = h.tsc_khz;
	r->verify_ms = h.verify_ms;
	r->total_ms = h.total_ms;
	r->hash_mb_per_s = h.hash_mb_per_s;
	r->bytes_hashed = h.raw.bytes_hashed;
	r->regions = h.raw.regions;
	r->nmis = h.raw.nmis;
	r->sha_ni = (h.raw.flags & BATON_TIMING_SHA_NI) ? 1 : (h.raw.flags & BATON_TIMING_AVX) ? 2 : 0;
	r->paging_levels = (h.raw.flags & BATON_TIMING_LA57) ? 5 : 4;
	r->entry_32bit = !!(h.raw.flags & BATON_TIMING_ENTRY_32BIT);
	r->entry_real_mode = !!(h.raw.flags & BATON_TIMING_ENTRY_REAL16);
	return 0;
}

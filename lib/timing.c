/* Reading the purgatory's timing record back in the new kernel. */
#include "timing.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"

/* "cpu MHz" of the first CPU in cpuinfo, in kHz: the TSC runs at that rate on CPUs with an
 * invariant TSC, which is every x86-64 server of the last decade. */
static uint64_t tsc_khz(const char *root)
{
	char path[4096];
	struct baton_file f;
	uint64_t khz = 0;

	if (baton_path(path, sizeof(path), root, "/proc/cpuinfo", NULL) ||
	    baton_file_read(&f, path, 64 << 10, NULL))
		return 0;
	const char *p = strstr((const char *)f.data, "cpu MHz");
	if (p && (p = strchr(p, ':')))
		khz = (uint64_t)(strtod(p + 1, NULL) * 1000.0);
	baton_file_free(&f);
	return khz;
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
	found = f.size == sizeof(*t);
	if (found)
		memcpy(t, f.data, sizeof(*t));
	baton_file_free(&f);
	return found && t->magic == BATON_TIMING_MAGIC;
}

int baton_timing_read(const char *root, struct baton_handover_report *r, struct baton_error *err)
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
	r->tsc_khz = tsc_khz(root);
	if (r->tsc_khz) {
		double per_ms = (double)r->tsc_khz;
		r->verify_ms = (double)(r->raw.tsc_verified - r->raw.tsc_entry) / per_ms;
		r->total_ms = (double)(r->raw.tsc_jump - r->raw.tsc_entry) / per_ms;
		if (r->verify_ms > 0)
			r->hash_mb_per_s = (double)r->raw.bytes_hashed / 1e3 / r->verify_ms;
	}
	return 0;
}

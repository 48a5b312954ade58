/* SPDX-License-Identifier: MIT */
/* Helpers shared by the fuzz targets (see fuzz.h). */
#include "fuzz.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct baton_mem_range qemu_1g[] = {
	{ 0x0, 0x9fc00, BATON_MEM_RAM },
	{ 0x9fc00, 0xa0000, BATON_MEM_RESERVED },
	{ 0xf0000, 0x100000, BATON_MEM_RESERVED },
	{ 0x100000, 0x3ffe0000, BATON_MEM_RAM },
	{ 0x3ffe0000, 0x40000000, BATON_MEM_RESERVED },
	{ 0xfffc0000, 0x100000000, BATON_MEM_RESERVED },
	{ 0xfd00000000, 0x10000000000, BATON_MEM_RESERVED },
};

const struct baton_memmap fuzz_qemu_1g = { qemu_1g, sizeof(qemu_1g) / sizeof(qemu_1g[0]),
					   sizeof(qemu_1g) / sizeof(qemu_1g[0]) };

void fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "\n%s:%d: invariant failed: %s\n  ", file, line, cond);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

int fuzz_known(const char *name)
{
	const char *list = getenv("BATON_FUZZ_KNOWN"), *p;
	size_t n = strlen(name);

	for (p = list; p && (p = strstr(p, name)); p += n)
		if ((p == list || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return 1;
	return 0;
}

void fuzz_check_error(int rc, const struct baton_error *err)
{
	static int verbose = -1;
	size_t len = strnlen(err->msg, sizeof(err->msg));

	if (verbose < 0)
		verbose = getenv("BATON_FUZZ_VERBOSE") != NULL;
	if (verbose)
		fprintf(stderr, "refused (%d): %.*s\n", rc, (int)len, err->msg);

	FUZZ_CHECK(rc < 0, "rc %d", rc);
	FUZZ_CHECK(err->code == -rc, "err.code %d, rc %d", err->code, rc);
	FUZZ_CHECK(len > 0 && len < sizeof(err->msg), "message length %zu", len);
}

void fuzz_check_memmap(const struct baton_memmap *map)
{
	FUZZ_CHECK(map->nr <= BATON_MEMMAP_MAX, "%zu ranges", map->nr);
	FUZZ_CHECK(map->nr <= map->cap, "nr %zu > cap %zu", map->nr, map->cap);
	for (size_t i = 0; i < map->nr; i++) {
		const struct baton_mem_range *r = &map->ranges[i], *p = r - 1;

		FUZZ_CHECK(r->start < r->end, "range %zu: 0x%llx-0x%llx", i,
			   (unsigned long long)r->start, (unsigned long long)r->end);
		FUZZ_CHECK((unsigned)r->kind <= BATON_MEM_SOFT_RESERVED, "range %zu: kind %d", i,
			   (int)r->kind);
		if (!i)
			continue;
		FUZZ_CHECK(p->end <= r->start, "ranges %zu and %zu overlap", i - 1, i);
		FUZZ_CHECK(p->end < r->start || p->kind != r->kind,
			   "ranges %zu and %zu touch with one kind: not merged", i - 1, i);
	}
}

size_t fuzz_split(const uint8_t *data, size_t size, const char *sep, struct fuzz_part *parts,
		  size_t max)
{
	size_t n = 0, seplen = strlen(sep);
	const uint8_t *p = data, *end = data + size;

	while (n + 1 < max) {
		const uint8_t *s = memmem(p, (size_t)(end - p), sep, seplen);

		if (!s)
			break;
		parts[n++] = (struct fuzz_part){ p, (size_t)(s - p) };
		p = s + seplen;
	}
	parts[n++] = (struct fuzz_part){ p, (size_t)(end - p) };
	return n;
}

static char scratch[128];

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void remove_scratch(void)
{
	if (scratch[0])
		nftw(scratch, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

const char *fuzz_scratch(const char *tag)
{
	if (!scratch[0]) {
		snprintf(scratch, sizeof(scratch), "/dev/shm/baton-fuzz-%s-%ld", tag, (long)getpid());
		remove_scratch();
		fuzz_mkdirs(scratch);
		atexit(remove_scratch);
	}
	return scratch;
}

void fuzz_mkdirs(const char *path)
{
	char buf[4096];
	size_t len = strlen(path);

	if (len >= sizeof(buf))
		abort();
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; ; p++) {
		if (*p == '/' || !*p) {
			char c = *p;

			*p = 0;
			if (mkdir(buf, 0755) && errno != EEXIST) {
				perror(buf);
				abort();
			}
			*p = c;
			if (!c)
				break;
		}
	}
}

void fuzz_write(const char *path, const void *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t done = 0;

	if (fd < 0) {
		perror(path);
		abort();
	}
	while (done < size) {
		ssize_t n = write(fd, (const uint8_t *)data + done, size - done);

		if (n <= 0) {
			perror(path);
			abort();
		}
		done += (size_t)n;
	}
	close(fd);
}

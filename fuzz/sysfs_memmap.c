/* SPDX-License-Identifier: MIT */
/* Fuzz target: /sys/firmware/memmap-style trees through baton_memmap_read_sysfs.
 * The input is a list of entries separated by 0x1e; each entry's fields, separated by 0x1f, are the
 * bytes of its start, end and type files and, optionally, the entry's directory name (else its
 * index). An entry with fewer fields lacks those files. The tree is written to /dev/shm per input. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "memmap.h"

#define MAX_ENTRIES 64
#define NAME_MAX_LEN 16

static const char *const files[] = { "start", "end", "type" };
static char names[MAX_ENTRIES][NAME_MAX_LEN + 1];
static size_t nr_names;

static void clear_tree(const char *dir)
{
	char path[512];

	for (size_t i = 0; i < nr_names; i++) {
		for (size_t f = 0; f < 3; f++) {
			snprintf(path, sizeof(path), "%s/%s/%s", dir, names[i], files[f]);
			unlink(path);
		}
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		rmdir(path);
	}
	nr_names = 0;
}

/* The name field when it is a plain file name, else the entry's index. */
static void entry_name(char *out, const struct fuzz_part *field, size_t index)
{
	size_t n = 0;

	if (field && field->size && field->size <= NAME_MAX_LEN) {
		for (; n < field->size; n++) {
			char c = (char)field->data[n];

			if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			      c == '_' || c == '-' || (c == '.' && n)))
				break;
			out[n] = c;
		}
		if (n == field->size) {
			out[n] = 0;
			return;
		}
	}
	snprintf(out, NAME_MAX_LEN + 1, "%zu", index);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_part entries[MAX_ENTRIES], fields[4];
	struct baton_memmap map = { 0 };
	struct baton_error err = { 0 };
	char dir[256], path[512];
	size_t ne;
	int rc;

	snprintf(dir, sizeof(dir), "%s/memmap", fuzz_scratch("sysfs"));
	fuzz_mkdirs(dir);
	clear_tree(dir);
	ne = size ? fuzz_split(data, size, "\x1e", entries, MAX_ENTRIES) : 0;
	for (size_t i = 0; i < ne; i++) {
		size_t nf = fuzz_split(entries[i].data, entries[i].size, "\x1f", fields, 4);

		entry_name(names[nr_names], nf == 4 ? &fields[3] : NULL, i);
		snprintf(path, sizeof(path), "%s/%s", dir, names[nr_names++]);
		fuzz_mkdirs(path);
		for (size_t f = 0; f < nf && f < 3; f++) {
			snprintf(path, sizeof(path), "%s/%s/%s", dir, names[nr_names - 1], files[f]);
			fuzz_write(path, fields[f].data, fields[f].size);
		}
	}

	rc = baton_memmap_read_sysfs(&map, dir, &err);
	if (rc) {
		fuzz_check_error(rc, &err);
	} else {
		FUZZ_CHECK(map.nr > 0 || fuzz_known("empty-map"), "accepted an empty map");
		fuzz_check_memmap(&map);
	}
	baton_memmap_free(&map);
	return 0;
}

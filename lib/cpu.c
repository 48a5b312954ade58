/* CPU features from /proc/cpuinfo. */
#include "cpu.h"

#include <string.h>

#include "file.h"
#include "identmap.h"

static int has_flag(const char *flags, size_t len, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = flags; p + n <= flags + len; p++) {
		if ((p == flags || p[-1] == ' ' || p[-1] == '\t') && !strncmp(p, name, n) &&
		    (p + n == flags + len || p[n] == ' ' || p[n] == '\n'))
			return 1;
	}
	return 0;
}

unsigned baton_cpu_features_parse(const char *cpuinfo)
{
	const char *line = cpuinfo;
	unsigned features = 0;

	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		if (!strncmp(line, "flags", 5)) {
			const char *colon = memchr(line, ':', len);
			if (colon) {
				size_t flen = len - (size_t)(colon + 1 - line);
				if (has_flag(colon + 1, flen, "pdpe1gb"))
					features |= BATON_CPU_GBPAGES;
				if (has_flag(colon + 1, flen, "la57"))
					features |= BATON_CPU_LA57;
				break;
			}
		}
		line = end ? end + 1 : NULL;
	}
	return features;
}

int baton_cpu_features(const char *root, unsigned *features, struct baton_error *err)
{
	char path[4096];
	struct baton_file f;
	int rc = baton_path(path, sizeof(path), root, "/proc/cpuinfo", err);

	if (rc)
		return rc;
	rc = baton_file_read(&f, path, 64 << 10, NULL);   /* the first "flags" line is near the top */
	if (rc)
		return baton_fail(err, -rc, "cpu: %s: %s", path, strerror(-rc));
	*features = baton_cpu_features_parse((const char *)f.data);
	baton_file_free(&f);
	return 0;
}

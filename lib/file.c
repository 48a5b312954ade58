/* SPDX-License-Identifier: MIT */
/* File access for the loader. */
#include "file.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "text.h"

int baton_file_map(struct baton_file *f, const char *path, const char *what,
		   struct baton_error *err)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	memset(f, 0, sizeof(*f));
	if (fd < 0)
		return baton_fail(err, errno, "%s: %s: %s", what, path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		return baton_fail(err, e, "%s: %s: %s", what, path, strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return baton_fail(err, S_ISDIR(st.st_mode) ? EISDIR : EINVAL,
				  "%s: %s: not a regular file", what, path);
	}
	if (st.st_size > 0) {
		void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
		if (p == MAP_FAILED) {
			int e = errno;
			close(fd);
			/* A sysfs binary file (/sys/firmware/initrd) may not map: read it. */
			if (e == ENODEV)
				return baton_file_read(f, path, (size_t)st.st_size, err);
			return baton_fail(err, e, "%s: %s: %s", what, path, strerror(e));
		}
		f->data = p;
		f->size = (size_t)st.st_size;
		f->mapped = 1;
	}
	close(fd);
	return 0;
}

int baton_file_read(struct baton_file *f, const char *path, size_t max, struct baton_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	uint8_t *buf;
	size_t len = 0;

	memset(f, 0, sizeof(*f));
	if (fd < 0)
		return baton_fail(err, errno, "%s: %s", path, strerror(errno));
	buf = malloc(max + 1);
	if (!buf) {
		close(fd);
		return baton_fail(err, ENOMEM, "%s: out of memory", path);
	}
	for (;;) {
		ssize_t n = read(fd, buf + len, max - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			free(buf);
			close(fd);
			return baton_fail(err, e, "%s: %s", path, strerror(e));
		}
		if (n == 0 || len + (size_t)n == max) {
			len += (size_t)n;
			break;
		}
		len += (size_t)n;
	}
	close(fd);
	buf[len] = 0;
	f->data = buf;
	f->size = len;
	return 0;
}

void baton_file_free(struct baton_file *f)
{
	if (f->mapped)
		munmap((void *)f->data, f->size);
	else
		free((void *)f->data);
	memset(f, 0, sizeof(*f));
}

int baton_file_read_text(const char *path, char *buf, size_t size)
{
	struct baton_file f;
	const char *start, *end;
	int rc = baton_file_read(&f, path, size, NULL);

	if (rc)
		return rc;
	if (f.size == size) {
		baton_file_free(&f);
		return -EFBIG;
	}
	start = (const char *)f.data;
	end = start + f.size;
	baton_trim(&start, &end);
	memcpy(buf, start, (size_t)(end - start));
	buf[end - start] = 0;
	baton_file_free(&f);
	return 0;
}

int baton_path(char *buf, size_t size, const char *root, const char *rel, struct baton_error *err)
{
	int n = snprintf(buf, size, "%s%s", root ? root : "", rel);

	if (n < 0 || (size_t)n >= size) {
		if (size)
			buf[0] = 0;
		return baton_fail(err, ENAMETOOLONG, "%.48s...%s: path longer than %zu bytes",
				  root ? root : "", rel, size ? size - 1 : 0);
	}
	return 0;
}

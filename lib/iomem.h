/* SPDX-License-Identifier: MIT */
/* /proc/iomem: read whole, then walked line by line ("start-end : name", nested by indent). */
#ifndef BATON_LIB_IOMEM_H
#define BATON_LIB_IOMEM_H

#include <stddef.h>

#include "file.h"
#include "text.h"   /* struct baton_iomem_entry, baton_iomem_line() */

#define BATON_IOMEM_MAX (16u << 20)   /* far above any real /proc/iomem; bounds a runaway read */

/* The file at path, whole: 0, -EFBIG when it reaches BATON_IOMEM_MAX, else -errno. No message:
 * the caller names its module. */
int baton_iomem_read(struct baton_file *f, const char *path);

enum baton_iomem_depth {
	BATON_IOMEM_ALL,   /* every entry, nested ones too ("Kernel code" inside System RAM) */
	BATON_IOMEM_TOP,   /* unindented entries only, which tile the address space; the
			    * others are skipped unparsed */
};

struct baton_iomem_iter {
	const char *p, *text_end;   /* what is left to walk */
	enum baton_iomem_depth depth;
	int line;                   /* lines seen so far, blank ones too: the current one's number */
	const char *l, *l_end;      /* the current line, for messages */
	int nonzero;                /* some entry returned so far has an address that is not 0 */
};

void baton_iomem_begin(struct baton_iomem_iter *it, const char *text, size_t len,
		       enum baton_iomem_depth depth);
/* The next entry into *e: 1; 0 at the end of the text; -EINVAL when the current line is not
 * "start-end : name" in hex. Blank lines are skipped. An end below the start is the caller's
 * to judge. */
int baton_iomem_next(struct baton_iomem_iter *it, struct baton_iomem_entry *e);
/* The current line's first 40 characters at most, for messages: "%.*s" with the length. */
int baton_iomem_excerpt(const struct baton_iomem_iter *it, const char **s);

#endif

/* SPDX-License-Identifier: MIT */
/* The public library: sessions and plans over the loader's internals. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdline.h"
#include "decompress.h"
#include "kexec.h"
#include "session.h"

/* The public type numbering is the internal one. */
_Static_assert(BATON_MEM_TYPE_RAM == (int)BATON_MEM_RAM &&
	       BATON_MEM_TYPE_RESERVED == (int)BATON_MEM_RESERVED &&
	       BATON_MEM_TYPE_ACPI == (int)BATON_MEM_ACPI &&
	       BATON_MEM_TYPE_NVS == (int)BATON_MEM_NVS &&
	       BATON_MEM_TYPE_UNUSABLE == (int)BATON_MEM_UNUSABLE &&
	       BATON_MEM_TYPE_PMEM == (int)BATON_MEM_PMEM &&
	       BATON_MEM_TYPE_SOFT_RESERVED == (int)BATON_MEM_SOFT_RESERVED, "memory types");

/* ops NULL: the backend whose probe claims the root. */
static int open_session(struct baton **out, const struct baton_config *cfg,
			const struct baton_backend_ops *ops, void *priv, struct baton_error *err)
{
	const char *root = cfg && cfg->root ? cfg->root : "";
	struct baton *b;
	int rc;

	*out = NULL;
	if (strlen(root) >= sizeof(b->root))
		return baton_fail(err, ENAMETOOLONG, "root: %.64s...: path too long", root);
	b = calloc(1, sizeof(*b));
	if (!b)
		return baton_fail(err, ENOMEM, "out of memory");
	strcpy(b->root, root);
	rc = ops ? baton_backend_open_ops(&b->be, ops, priv, b->root, cfg, err)
		 : baton_backend_open(&b->be, b->root, cfg, err);
	if (rc) {
		free(b);
		return rc;
	}
	*out = b;
	return 0;
}

int baton_open(struct baton **out, const struct baton_config *cfg, struct baton_error *err)
{
	return open_session(out, cfg, NULL, NULL, err);
}

int baton_open_backend(struct baton **out, const struct baton_config *cfg,
		       const struct baton_backend_ops *ops, void *priv, struct baton_error *err)
{
	return open_session(out, cfg, ops, priv, err);
}

void baton_close(struct baton *b)
{
	if (!b)
		return;
	baton_backend_close(&b->be);
	free(b);
}

/* The kernel file's own command line (a UKI's .cmdline) onto c, for BATON_LOAD_IMAGE_CMDLINE:
 * the file is mapped and its section table read (cheap: nothing is unpacked). A file of another
 * format, or one that -t loads as another format, adds nothing. */
static int append_image_cmdline(const struct baton_load_opts *o, struct baton_cmdline *c,
				struct baton_error *err)
{
	struct baton_file f;
	struct baton_uki uki;
	char *text;
	int rc;

	/* The same question the kernel's loader asks (lib/kexec.c), so both get the same line. */
	if (!baton_kexec_file_is_uki(o))
		return 0;
	rc = baton_file_map(&f, o->kernel, "kernel", err);
	if (rc)
		return rc;
	rc = baton_uki_parse(&uki, f.data, f.size, o->kernel, err);
	if (!rc && uki.cmdline.size) {
		text = malloc(uki.cmdline.size + 1);
		if (!text)
			rc = baton_fail(err, ENOMEM, "cmdline: out of memory");
		else {
			baton_uki_cmdline(&uki, text, uki.cmdline.size + 1);
			rc = baton_cmdline_append(c, text, err);
			free(text);
		}
	}
	baton_file_free(&f);
	return rc;
}

/* The command line as asked: the running kernel's first with BATON_LOAD_REUSE_CMDLINE, then
 * the kernel file's with BATON_LOAD_IMAGE_CMDLINE, then the caller's. *out is NULL for an empty
 * line. */
static int compose_cmdline(const struct baton *b, const struct baton_load_opts *o, char **out,
			   struct baton_error *err)
{
	struct baton_cmdline c = { 0 };
	int rc = 0;

	*out = NULL;
	if (o->flags & BATON_LOAD_REUSE_CMDLINE) {
		struct baton_file f;
		rc = b->be.ops->cmdline(&b->be, &f, err);
		if (rc)
			return rc;
		/* A capture kernel must not reserve a crash region of its own. */
		rc = baton_cmdline_append_reused(&c, (const char *)f.data,
						 (o->flags & BATON_LOAD_CRASH) ? BATON_DROP_CRASHKERNEL
									      : 0, err);
		baton_file_free(&f);
	}
	if (!rc && (o->flags & BATON_LOAD_IMAGE_CMDLINE))
		rc = append_image_cmdline(o, &c, err);
	if (!rc && o->cmdline)
		rc = baton_cmdline_append(&c, o->cmdline, err);
	if (rc) {
		baton_cmdline_free(&c);
		return rc;
	}
	*out = c.text;
	return 0;
}

/* What the kernel's own loader (kexec_file_load) cannot do, by name; NULL if it can do all. */
static const char *file_load_lacks(unsigned flags)
{
	if (flags & BATON_LOAD_MEM_BOUNDS)
		return "placement bounds (mem_min/mem_max)";
	if (flags & BATON_LOAD_DTB)
		return "device tree (SETUP_DTB)";
	if (flags & BATON_LOAD_MEMMAP_CMDLINE)
		return "memmap= on the capture kernel's command line";
	if (flags & BATON_LOAD_ELF32_CORE)
		return "ELF32 core header";
	if (flags & BATON_LOAD_NO_EFI)
		return "--noefi (it passes the EFI runtime on itself)";
	if (flags & (BATON_LOAD_ENTRY | BATON_LOAD_ARGS_LINUX | BATON_LOAD_ARGS_ELF |
		     BATON_LOAD_ARGS_NONE))
		return "--entry or --args-* (it loads bzImages only)";
	return NULL;
}

static int refusal(int rc)
{
	return rc == -EPERM || rc == -EACCES || rc == -ENOSYS || rc == -EOPNOTSUPP;
}

/* What baton's own way may give up for the kernel's loader (BATON_LOAD_FALLBACK_FILE), which
 * takes no modules and no multiboot image: a multiboot kernel is never handed to it. Nor is a
 * real-mode entry: the kernel's loader enters in 64-bit mode only. */
static int refused(const struct baton *b, unsigned flags, size_t nr_modules,
		   const struct baton_format *f, int rc)
{
	return refusal(rc) && (flags & BATON_LOAD_FALLBACK_FILE) && !b->be.ops->no_file_load &&
	       !nr_modules && !(f && f->no_file_load) && !file_load_lacks(flags) &&
	       !(flags & BATON_LOAD_REAL_MODE);
}

/* Under lockdown or Secure Boot a multiboot image, a real-mode entry, or a load asking what
 * the kernel's loader cannot do, has nowhere else to go: say so. */
static int no_fallback(const struct baton_format *f, unsigned flags, int rc,
		       struct baton_error *err)
{
	char why[sizeof(err->msg)];

	if (!err || !refusal(rc))
		return rc;
	snprintf(why, sizeof(why), "%s", err->msg);
	if (flags & BATON_LOAD_REAL_MODE)
		return baton_fail(err, -rc, "%s; --real-mode has no kexec_file_load fallback (the "
				  "kernel's own loader enters in 64-bit mode only)", why);
	if (f && f->no_file_load)
		return baton_fail(err, -rc, "%s; a %s image has no kexec_file_load fallback (the "
				  "kernel's own loader takes bzImages only)", why, f->name);
	if ((flags & BATON_LOAD_FALLBACK_FILE) && file_load_lacks(flags))
		return baton_fail(err, -rc, "%s; no kexec_file_load fallback: the kernel's own loader"
				  " takes no %s", why, file_load_lacks(flags));
	return rc;
}

/* The kernel's format as the plan would have chosen it, for a plan that failed (NULL: unknown). */
static const struct baton_format *kernel_format(const struct baton_load_opts *o)
{
	const struct baton_format *f = NULL;
	struct baton_kernel k;
	struct baton_file file;

	if ((o->flags & BATON_LOAD_TYPE) && o->type)
		return baton_format_lookup(o->type);
	if (baton_file_map_image(&file, o->kernel, "kernel", BATON_IMAGE_DECOMPRESS, 0, NULL))
		return NULL;
	if (!baton_format_detect(file.data, file.size, o->kernel, &k, NULL))
		f = k.format;
	baton_file_free(&file);
	return f;
}

#define RETAINED_INITRD "/sys/firmware/initrd"

/* Whether the running kernel's command line asks it to keep its initrd. */
static int retains_initrd(const struct baton *b)
{
	struct baton_file f;
	int yes;

	if (b->be.ops->cmdline(&b->be, &f, NULL))
		return 0;
	yes = baton_cmdline_has((const char *)f.data, "retain_initrd");
	baton_file_free(&f);
	return yes;
}

/* With BATON_LOAD_REUSE_INITRD, the initrd the running kernel kept (retain_initrd), as a path
 * both loaders open: *path is ROOT/sys/firmware/initrd, else NULL (o->initrd stands). */
static int retained_initrd(const struct baton *b, const struct baton_load_opts *o, char *path,
			   size_t size, struct baton_error *err)
{
	int rc;

	path[0] = 0;
	if (!(o->flags & BATON_LOAD_REUSE_INITRD))
		return 0;
	if (o->initrd)
		return baton_fail(err, EINVAL, "initrd: %s: give an initrd or reuse the retained one,"
				  " not both", o->initrd);
	rc = baton_path(path, size, b->root, RETAINED_INITRD, err);
	if (!rc && access(path, R_OK)) {
		int e = errno;
		rc = e != ENOENT ? baton_fail(err, e, "initrd: %s: %s", path, strerror(e))
		     : retains_initrd(b) ? baton_fail(err, e, "initrd: %s: the running kernel kept its"
						    " initrd (retain_initrd) but shows it there "
						    "only from Linux 6.10 on", path)
		     : baton_fail(err, e, "initrd: %s: the running kernel kept no initrd (boot it"
				  " with retain_initrd)", path);
	}
	if (rc)
		path[0] = 0;
	return rc;
}

static char *dup_or_null(const char *s, int *failed)
{
	char *d = s ? strdup(s) : NULL;

	if (s && !d)
		*failed = 1;
	return d;
}

static void plan_free(struct baton_plan *p)
{
	baton_image_free(&p->img);
	free(p->kernel);
	free(p->initrd);
	free(p->cmdline);
	free(p);
}

/* The caller's options, reading the fields added after 0.1.0 only where a flag asks for them:
 * a program built against 0.1.0 passes a struct that ends before them. */
static void take_opts(struct baton_load_opts *o, const struct baton_load_opts *opts)
{
	memset(o, 0, sizeof(*o));
	memcpy(o, opts, offsetof(struct baton_load_opts, modules));
	if (o->flags & BATON_LOAD_MODULES) {
		o->modules = opts->modules;
		o->nr_modules = opts->nr_modules;
	}
	if (o->flags & BATON_LOAD_TYPE)
		o->type = opts->type;
	if (o->flags & BATON_LOAD_MEM_BOUNDS) {
		o->mem_min = opts->mem_min;
		o->mem_max = opts->mem_max;
	}
	if (o->flags & BATON_LOAD_DTB)
		o->dtb = opts->dtb;
	if (o->flags & BATON_LOAD_ENTRY)
		o->entry = opts->entry;
}

/* A plan for the kernel's own loader, or a load through it: what it cannot do is refused. */
static int file_load_check(const struct baton_load_opts *o, struct baton_error *err)
{
	if (o->nr_modules)
		return baton_fail(err, EINVAL, "kexec_file_load: %s: the kernel's loader takes no "
				  "--module", o->kernel);
	if (file_load_lacks(o->flags))
		return baton_fail(err, EINVAL, "kexec_file_load: %s: the kernel's loader takes no %s",
				  o->kernel, file_load_lacks(o->flags));
	return 0;
}

int baton_plan_create(struct baton *b, const struct baton_load_opts *opts,
		      struct baton_plan **out, struct baton_error *err)
{
	struct baton_load_opts o;
	struct baton_plan *p;
	char retained[4096];
	int rc, nomem = 0;

	*out = NULL;
	take_opts(&o, opts);
	memset(&b->fallback, 0, sizeof(b->fallback));
	if (!o.serial_port)
		o.serial_port = 0x3f8;
	if (!o.serial_baud)
		o.serial_baud = 115200;
	if ((o.flags & BATON_LOAD_FILE) && (o.flags & BATON_LOAD_REAL_MODE))
		return baton_fail(err, EINVAL, "kexec_file_load: %s: the kernel's loader has no "
				  "real-mode entry (--real-mode needs baton's purgatory)", o.kernel);
	if ((o.flags & BATON_LOAD_FILE) && (rc = file_load_check(&o, err)))
		return rc;
	if ((rc = retained_initrd(b, &o, retained, sizeof(retained), err)))
		return rc;
	if (retained[0])
		o.initrd = retained;
	p = calloc(1, sizeof(*p));
	if (!p)
		return baton_fail(err, ENOMEM, "out of memory");
	rc = compose_cmdline(b, &o, &p->cmdline, err);
	if (rc) {
		plan_free(p);
		return rc;
	}
	p->flags = o.flags;
	p->kernel = dup_or_null(o.kernel, &nomem);
	p->initrd = dup_or_null(o.initrd, &nomem);
	if (nomem) {
		plan_free(p);
		return baton_fail(err, ENOMEM, "out of memory");
	}
	o.cmdline = p->cmdline;
	rc = (o.flags & BATON_LOAD_FILE) ? 0 : baton_image_prepare(&b->be, &o, &p->img, err);
	if (refused(b, o.flags, o.nr_modules, refusal(rc) ? kernel_format(&o) : NULL, rc)) {
		b->fallback = err ? *err : (struct baton_error){ -rc, "" };
		p->flags |= BATON_LOAD_FILE;
		rc = 0;
	}
	if (rc) {
		rc = no_fallback(NULL, o.flags, rc, err);
		plan_free(p);
		return rc;
	}
	for (size_t i = 0; i < p->img.segs.nr; i++) {
		const struct baton_segment *s = &p->img.segs.seg[i];
		struct baton_plan_segment *d = &p->segs[p->nr_segs];
		d->name = s->name;
		d->mem = s->mem;
		d->memsz = s->memsz;
		d->bufsz = s->bufsz;
		memcpy(d->sha256, s->sha256, sizeof(d->sha256));
		memcpy(d->root, s->root, sizeof(d->root));
		p->nr_segs++;
	}
	*out = p;
	return 0;
}

void baton_plan_free(struct baton_plan *p)
{
	if (p)
		plan_free(p);
}

void baton_plan_info(const struct baton_plan *p, struct baton_plan_info *info)
{
	const struct baton_image *img = &p->img;

	memset(info, 0, sizeof(*info));
	if (p->flags & BATON_LOAD_FILE) {
		info->cmdline = p->cmdline ? p->cmdline : "";
		info->flags = p->flags;
		return;
	}
	info->cmdline = img->cmdline ? img->cmdline : "";
	info->flags = img->flags;
	info->boot_protocol = img->in.kernel.bz.protocol;
	info->entry = img->entry;
	info->kernel_entry = img->kernel_entry;
	info->pml4 = img->roots.pml4;
	info->pml5 = img->roots.pml5;
	info->paging_levels = (img->in.features & BATON_CPU_LA57) ? 5 : 4;
	info->gbpages = !!(img->in.features & BATON_CPU_GBPAGES);
	info->table_pages = img->map_stats.table_pages;
	memcpy(info->pages, img->map_stats.leaves, sizeof(info->pages));
	info->nr_segments = p->nr_segs;
	info->nr_ranges = img->in.memmap.nr;
}

const char *baton_plan_warning(const struct baton_plan *p, size_t i)
{
	if (p->flags & BATON_LOAD_FILE)
		return NULL;
	return i < p->img.warnings.nr ? p->img.warnings.line[i] : NULL;
}

const struct baton_plan_segment *baton_plan_segment(const struct baton_plan *p, size_t i)
{
	return i < p->nr_segs ? &p->segs[i] : NULL;
}

int baton_plan_range(const struct baton_plan *p, size_t i, struct baton_plan_range *out)
{
	const struct baton_mem_range *r;

	if (i >= p->img.in.memmap.nr)
		return -ERANGE;
	r = &p->img.in.memmap.ranges[i];
	out->start = r->start;
	out->end = r->end;
	out->type = (enum baton_mem_type)r->kind;
	out->type_name = baton_mem_kind_name(r->kind);
	return 0;
}

static int load_by_kernel(struct baton *b, const struct baton_plan *p, struct baton_error *err)
{
	struct baton_load_opts o = { .kernel = p->kernel, .initrd = p->initrd, .cmdline = p->cmdline,
				     .flags = p->flags };

	return baton_kexec_file_load(&b->be, &o, err);
}

int baton_load(struct baton *b, const struct baton_plan *p, struct baton_error *err)
{
	int rc;

	memset(&b->fallback, 0, sizeof(b->fallback));
	if (p->flags & BATON_LOAD_FILE)
		return load_by_kernel(b, p, err);
	rc = baton_kexec_load(&b->be, &p->img, err);
	if (!refused(b, p->flags, p->img.in.nr_modules, p->img.in.kernel.format, rc))
		return no_fallback(p->img.in.kernel.format, p->flags, rc, err);
	b->fallback = err ? *err : (struct baton_error){ -rc, "" };
	return load_by_kernel(b, p, err);
}

int baton_fell_back(const struct baton *b, struct baton_error *why)
{
	if (why)
		*why = b->fallback;
	return b->fallback.code != 0;
}

int baton_load_file(struct baton *b, const struct baton_load_opts *opts, struct baton_error *err)
{
	struct baton_load_opts o;
	char retained[4096];
	char *cmdline;
	int rc;

	take_opts(&o, opts);
	if ((rc = file_load_check(&o, err)) ||
	    (rc = retained_initrd(b, &o, retained, sizeof(retained), err)))
		return rc;
	if (retained[0])
		o.initrd = retained;
	rc = compose_cmdline(b, &o, &cmdline, err);
	if (rc)
		return rc;
	o.cmdline = cmdline;
	rc = baton_kexec_file_load(&b->be, &o, err);
	free(cmdline);
	return rc;
}

int baton_unload(struct baton *b, int crash, struct baton_error *err)
{
	return baton_kexec_unload(&b->be, crash, err);
}

int baton_loaded(struct baton *b, int crash, int *loaded, struct baton_error *err)
{
	return baton_kexec_loaded(&b->be, crash, loaded, err);
}

int baton_crash_size(struct baton *b, uint64_t *size, struct baton_error *err)
{
	uint64_t start, end;
	int rc = b->be.ops->crash_region(&b->be, &start, &end, err);

	*size = rc ? 0 : end - start;
	return rc;
}

int baton_exec(struct baton *b, unsigned flags, struct baton_error *err)
{
	return baton_kexec_exec(&b->be, flags, err);
}

/* SPDX-License-Identifier: MIT */
/* The UKI format: a Unified Kernel Image's .linux is a bzImage and is loaded as one (the bzImage
 * format's steps), with .ucode, .initrd and then --initrd as its initrd. The .cmdline is the
 * default command line (BATON_LOAD_IMAGE_CMDLINE, lib/api.c). The stub is not run: baton does
 * what it would do, so its measurements (TPM PCRs) are not taken. */
#include "format.h"

#include <stdio.h>
#include <string.h>

#include "inputs.h"

static int uki_parse(const uint8_t *data, size_t size, const char *file, struct baton_kernel *out,
		     struct baton_error *err)
{
	char name[256];
	int rc = baton_uki_parse(&out->uki, data, size, file, err);

	if (rc)
		return rc;
	snprintf(name, sizeof(name), "%s (.linux)", file);
	return baton_bzimage_parse(&out->bz, out->uki.linux_.data, out->uki.linux_.size, name, err);
}

/* Microcode first (the kernel's early loader looks at the start of the initrd), then the
 * image's initrd, then the one given. */
static int uki_plan(const struct baton_format_ctx *ctx, struct baton_format_plan *out,
		    struct baton_error *err)
{
	const struct baton_uki *u = &ctx->in->kernel.uki;
	const struct baton_file *initrd = &ctx->in->initrd_file;
	const char *file = ctx->opts->kernel;
	const struct baton_initrd_part parts[] = {
		{ u->ucode.data, u->ucode.size, ".ucode", file },
		{ u->initrd.data, u->initrd.size, ".initrd", file },
		{ initrd->data, initrd->size, "initrd", ctx->opts->initrd },
	};

	return baton_bzimage_plan_with(ctx, parts, sizeof(parts) / sizeof(parts[0]), out, err);
}

static void uki_describe(const struct baton_kernel *k, const struct baton_segments *segs,
			 char *buf, size_t cap)
{
	const struct baton_uki *u = &k->uki;
	int n;

	(void)segs;
	n = snprintf(buf, cap, "UKI: .linux boot protocol %u.%02u%s%s%s", k->bz.protocol >> 8,
		     k->bz.protocol & 0xff, u->ucode.size ? ", .ucode" : "",
		     u->initrd.size ? ", .initrd" : "", u->cmdline.size ? ", .cmdline" : "");
	if (u->uname.size && n > 0 && (size_t)n < cap) {
		char uname[65];
		size_t len = 0;

		/* Text from the file: up to its first NUL or newline, printable only. */
		for (size_t i = 0; i < u->uname.size && len + 1 < sizeof(uname); i++) {
			char c = (char)u->uname.data[i];
			if (!c || c == '\n')
				break;
			uname[len++] = c < 0x20 || c > 0x7e ? '?' : c;
		}
		uname[len] = 0;
		n += snprintf(buf + n, cap - (size_t)n, ", .uname %s", uname);
	}
	if (u->dtb.size && n > 0 && (size_t)n < cap)
		snprintf(buf + n, cap - (size_t)n, "; .dtb not passed");
}

const struct baton_format baton_format_uki = {
	.name = "uki",
	.boot_info_name = "boot_params",
	.probe = baton_uki_probe,
	.parse = uki_parse,
	.plan = uki_plan,
	.boot_info = baton_bzimage_boot_info,
	.exit = baton_bzimage_exit,
	.version = baton_bzimage_version,
	.describe = uki_describe,
};

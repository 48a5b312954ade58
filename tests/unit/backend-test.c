/* SPDX-License-Identifier: MIT */
/* The backend seam: every ops table complete, the choice made once at open, and the fake
 * backend driving a whole plan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "backend.h"
#include "backend_xen.h"
#include "session.h"
#include "support/fake_sys.h"
#include "support/fixture.h"

static void ops_complete(const struct baton_backend_ops *o)
{
	const void *fns[] = {
		o->probe, o->open, o->close, o->memmap, o->crash_facts, o->cpu_features,
		o->boot_params, o->efi, o->loaded, o->cmdline, o->random, o->kexec_load, o->kexec_file_load,
		o->reboot_kexec, o->sync, o->ifdown,
	};

	assert_non_null(o->name);
	for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
		if (!fns[i])
			fail_msg("%s: op %zu is NULL", o->name, i);
}

static void every_ops_table_is_complete(void **state)
{
	(void)state;
	ops_complete(&baton_backend_linux);
	ops_complete(&baton_backend_xen);
	ops_complete(&fake_backend_ops);
	assert_null(baton_backend_linux.no_file_load);
	assert_non_null(baton_backend_xen.no_file_load);
}

static void the_backend_is_chosen_at_open(void **state)
{
	(void)state;
	char *root = fx_tmpdir();
	struct baton_config cfg = { root, FAKE_XENCTRL };
	struct baton *b;

	assert_int_equal(baton_open(&b, &cfg, NULL), 0);
	assert_ptr_equal(b->be.ops, &baton_backend_linux);
	assert_false(baton_under_xen(b));
	baton_close(b);
	fx_write_str(root, "proc/xen/capabilities", "control_d\n");
	assert_int_equal(baton_open(&b, &cfg, NULL), 0);
	assert_ptr_equal(b->be.ops, &baton_backend_xen);
	assert_true(baton_under_xen(b));
	baton_close(b);
	fx_rm_rf(root);
	free(root);
}

/* Everything the plan knows of the running system came through the fake's ops. */
static void the_fake_backend_drives_a_plan_and_a_load(void **state)
{
	(void)state;
	char *root = fx_tmpdir();
	struct fx_bzimage spec = fx_bzimage_defaults();
	size_t size;
	uint8_t *bz = fx_bzimage_build(&spec, &size);
	char kernel[4200];
	struct baton_config cfg = { root, NULL };
	struct baton_load_opts o = { kernel, NULL, "console=ttyS0", 0, 0, 0, NULL, 0, NULL, 0 };
	struct fake_sys f = { 0 };
	struct baton_error err = { 0 };
	struct baton_plan *plan;
	struct baton *b;
	uint8_t seed[32];

	fx_memmap_from_file(root, FIXTURES "/qemu-1g.memmap");
	fx_cpuinfo(root, "fpu pdpe1gb");
	fx_write(root, "boot/vmlinuz", bz, size);
	free(bz);
	snprintf(kernel, sizeof(kernel), "%s/boot/vmlinuz", root);
	assert_int_equal(baton_open_backend(&b, &cfg, &fake_backend_ops, &f, NULL), 0);
	if (baton_plan_create(b, &o, &plan, &err))
		fail_msg("%s", err.msg);
	for (size_t i = 0; i < sizeof(seed); i++)
		seed[i] = (uint8_t)(FAKE_RANDOM_BASE + i);
	const struct baton_segment *bp = baton_segments_get(&plan->img.segs, BATON_SEG_BOOT_INFO);
	assert_non_null(memmem(bp->buf, bp->bufsz, seed, sizeof(seed)));
	assert_int_equal(baton_load(b, plan, &err), 0);
	assert_int_equal(f.loads, 1);
	assert_int_equal(f.entry, plan->img.entry);
	assert_int_equal(baton_exec(b, 0, &err), 0);
	assert_int_equal(f.syncs, 1);
	assert_int_equal(f.reboots, 1);
	baton_plan_free(plan);
	f.random_result = -EIO;
	assert_int_equal(baton_plan_create(b, &o, &plan, &err), -EIO);
	assert_null(plan);
	baton_close(b);
	fx_rm_rf(root);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_ops_table_is_complete),
		cmocka_unit_test(the_backend_is_chosen_at_open),
		cmocka_unit_test(the_fake_backend_drives_a_plan_and_a_load),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

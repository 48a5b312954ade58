/* Tests for the public library (baton/baton.h) over a fake syscall seam and fixture machines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "baton/baton.h"
#include "session.h"
#include "support/fake_sys.h"
#include "support/fixture.h"

struct world {
	char *root;
	char kernel[4200];
	struct fake_sys fake;
	struct baton *b;
};

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	struct fx_bzimage spec = fx_bzimage_defaults();
	size_t size;
	uint8_t *bz = fx_bzimage_build(&spec, &size);
	struct baton_sys sys = fake_sys_ops(&w->fake);
	struct baton_config cfg;

	w->root = fx_tmpdir();
	fx_memmap_from_file(w->root, FIXTURES "/qemu-1g.memmap");
	fx_cpuinfo(w->root, "fpu pdpe1gb");
	fx_write(w->root, "boot/vmlinuz", bz, size);
	fx_write_str(w->root, "sys/kernel/kexec_loaded", "1\n");
	fx_write_str(w->root, "sys/kernel/kexec_crash_loaded", "0\n");
	free(bz);
	snprintf(w->kernel, sizeof(w->kernel), "%s/boot/vmlinuz", w->root);
	cfg = (struct baton_config){ .root = w->root };
	assert_int_equal(baton_open_sys(&w->b, &cfg, &sys, NULL), 0);
	assert_false(baton_under_xen(w->b));
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;
	baton_close(w->b);
	fx_rm_rf(w->root);
	free(w->root);
	free(w);
	return 0;
}

static void plan_describes_what_load_hands_over(void **state)
{
	struct world *w = *state;
	struct baton_load_opts opts = { .kernel = w->kernel, .cmdline = "console=ttyS0" };
	struct baton_plan_info info;
	struct baton_plan *plan;

	assert_int_equal(baton_plan_create(w->b, &opts, &plan, NULL), 0);
	assert_int_equal(w->fake.loads, 0);   /* planning loads nothing */
	baton_plan_info(plan, &info);
	assert_string_equal(info.cmdline, "console=ttyS0");
	assert_int_equal(info.boot_protocol, 0x020f);
	assert_int_equal(info.paging_levels, 4);
	assert_true(info.gbpages);
	assert_true(info.table_pages >= 2);
	assert_true(info.nr_segments >= 4);   /* kernel, boot_params, page tables, purgatory */
	assert_null(baton_plan_segment(plan, info.nr_segments));

	assert_int_equal(baton_load(w->b, plan, NULL), 0);
	assert_int_equal(w->fake.loads, 1);
	assert_int_equal(w->fake.entry, info.entry);
	assert_int_equal(w->fake.nr, info.nr_segments);
	assert_int_equal(w->fake.flags & 1, 0);   /* not KEXEC_ON_CRASH */
	for (size_t i = 0; i < info.nr_segments; i++) {
		const struct baton_plan_segment *s = baton_plan_segment(plan, i);
		assert_non_null(s->name);
		assert_int_equal(w->fake.segs[i].mem, s->mem);
		assert_int_equal(w->fake.segs[i].memsz, s->memsz);
		assert_int_equal(w->fake.segs[i].bufsz, s->bufsz);
		assert_true(i == 0 || s->mem > baton_plan_segment(plan, i - 1)->mem ||
			    s->mem + s->memsz <= baton_plan_segment(plan, i - 1)->mem);
	}
	baton_plan_free(plan);
}

static void memory_map_is_the_firmware_one(void **state)
{
	struct world *w = *state;
	struct baton_load_opts opts = { .kernel = w->kernel };
	struct baton_plan_info info;
	struct baton_plan_range r;
	struct baton_plan *plan;
	uint64_t ram = 0;

	assert_int_equal(baton_plan_create(w->b, &opts, &plan, NULL), 0);
	baton_plan_info(plan, &info);
	assert_true(info.nr_ranges > 2);
	for (size_t i = 0; i < info.nr_ranges; i++) {
		assert_int_equal(baton_plan_range(plan, i, &r), 0);
		assert_true(r.start < r.end);
		if (r.type == BATON_MEM_TYPE_RAM) {
			assert_string_equal(r.type_name, "System RAM");
			ram += r.end - r.start;
		}
	}
	assert_true(ram > 1000ull << 20 && ram <= 1ull << 30);
	assert_int_equal(baton_plan_range(plan, info.nr_ranges, &r), -ERANGE);
	baton_plan_free(plan);
}

static void bad_kernel_is_one_error_and_no_plan(void **state)
{
	struct world *w = *state;
	struct baton_load_opts opts = { .kernel = "/nonexistent/vmlinuz" };
	struct baton_plan *plan = (struct baton_plan *)1;
	struct baton_error err = { 0 };

	assert_true(baton_plan_create(w->b, &opts, &plan, &err) < 0);
	assert_null(plan);
	assert_non_null(strstr(err.msg, "/nonexistent/vmlinuz"));
	assert_null(strchr(err.msg, '\n'));
}

static void confidential_guest_gets_no_plan(void **state)
{
	struct world *w = *state;
	struct baton_load_opts opts = { .kernel = w->kernel };
	struct baton_plan *plan = (struct baton_plan *)1;
	struct baton_error err = { 0 };

	fx_cpuinfo(w->root, "fpu pdpe1gb hypervisor tdx_guest");
	assert_int_equal(baton_plan_create(w->b, &opts, &plan, &err), -EOPNOTSUPP);
	assert_null(plan);
	assert_int_equal(err.code, EOPNOTSUPP);
	assert_non_null(strstr(err.msg, "Intel TDX guest"));
	fx_cpuinfo(w->root, "fpu pdpe1gb");
}

static void exec_flags_choose_sync_and_ifdown(void **state)
{
	struct world *w = *state;

	assert_int_equal(baton_exec(w->b, 0, NULL), 0);
	assert_int_equal(w->fake.syncs, 1);
	assert_int_equal(w->fake.ifdowns, 0);
	assert_int_equal(baton_exec(w->b, BATON_EXEC_NO_SYNC | BATON_EXEC_IFDOWN, NULL), 0);
	assert_int_equal(w->fake.syncs, 1);
	assert_int_equal(w->fake.ifdowns, 1);
	assert_int_equal(w->fake.reboots, 2);
}

static void loaded_unload_and_the_kernels_loader(void **state)
{
	struct world *w = *state;
	struct baton_load_opts opts = { .kernel = w->kernel, .flags = BATON_LOAD_CRASH };
	int loaded = -1;

	assert_int_equal(baton_loaded(w->b, 0, &loaded, NULL), 0);
	assert_int_equal(loaded, 1);
	assert_int_equal(baton_loaded(w->b, 1, &loaded, NULL), 0);
	assert_int_equal(loaded, 0);
	assert_int_equal(baton_unload(w->b, 1, NULL), 0);
	assert_int_equal(w->fake.nr, 0);
	assert_int_equal(w->fake.flags & 1, 1);   /* KEXEC_ON_CRASH */
	assert_int_equal(baton_load_file(w->b, &opts, NULL), 0);
	assert_int_equal(w->fake.file_loads, 1);
	assert_int_equal(w->fake.flags, 2 | 4);   /* KEXEC_FILE_ON_CRASH | NO_INITRAMFS */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(plan_describes_what_load_hands_over, setup, teardown),
		cmocka_unit_test_setup_teardown(memory_map_is_the_firmware_one, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_kernel_is_one_error_and_no_plan, setup, teardown),
		cmocka_unit_test_setup_teardown(confidential_guest_gets_no_plan, setup, teardown),
		cmocka_unit_test_setup_teardown(exec_flags_choose_sync_and_ifdown, setup, teardown),
		cmocka_unit_test_setup_teardown(loaded_unload_and_the_kernels_loader, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

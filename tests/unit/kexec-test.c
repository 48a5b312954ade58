/* SPDX-License-Identifier: MIT */
/* Tests for kexec operations through a fake syscall seam (nothing reaches the kernel). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kexec.h"
#include "support/fake_sys.h"
#include "support/fixture.h"

static void load_passes_every_used_segment(void **state)
{
	(void)state;
	struct fake_sys f = { 0 };
	struct baton_backend sys = fake_sys_ops(&f, NULL);
	struct baton_image img;
	static const uint8_t a[100], b[200];

	memset(&img, 0, sizeof(img));
	img.entry = 0x7f000000;
	img.segs.seg[0] = (struct baton_segment){ .name = "kernel", .role = BATON_SEG_KERNEL,
						  .buf = a, .bufsz = 100, .mem = 0x1000000,
						  .memsz = 0x2000 };
	img.segs.seg[1] = (struct baton_segment){ .name = "purgatory", .role = BATON_SEG_PURGATORY,
						  .buf = b, .bufsz = 200, .mem = 0x7f000000,
						  .memsz = 0x7000 };
	img.segs.nr = 2;
	assert_int_equal(baton_kexec_load(&sys, &img, NULL), 0);
	assert_int_equal(f.nr, 2);
	assert_int_equal(f.entry, 0x7f000000);
	assert_int_equal(f.flags, 62UL << 16);
	assert_ptr_equal(f.segs[0].buf, a);
	assert_int_equal(f.segs[0].mem, 0x1000000);
	assert_int_equal(f.segs[1].memsz, 0x7000);
	img.flags = BATON_LOAD_CRASH;
	assert_int_equal(baton_kexec_load(&sys, &img, NULL), 0);
	assert_int_equal(f.flags, (62UL << 16) | 1);
	/* crash hotplug: KEXEC_UPDATE_ELFCOREHDR, never 0x8 (x86 6.5-6.9 refuse it) */
	img.hotplug = 1;
	assert_int_equal(baton_kexec_load(&sys, &img, NULL), 0);
	assert_int_equal(f.flags, (62UL << 16) | 1 | 4);
}

static void errors_become_messages(void **state)
{
	(void)state;
	struct fake_sys f = { .result = -EPERM };
	struct baton_backend sys = fake_sys_ops(&f, NULL);
	struct baton_image img;
	struct baton_error err = { 0 };

	memset(&img, 0, sizeof(img));
	assert_int_equal(baton_kexec_load(&sys, &img, &err), -EPERM);
	assert_non_null(strstr(err.msg, "kexec_load: not permitted"));
	f.result = -EBUSY;
	assert_int_equal(baton_kexec_unload(&sys, 0, &err), -EBUSY);
	assert_non_null(strstr(err.msg, "busy"));
}

static void unload_is_a_load_of_nothing(void **state)
{
	(void)state;
	struct fake_sys f = { 0 };
	struct baton_backend sys = fake_sys_ops(&f, NULL);

	assert_int_equal(baton_kexec_unload(&sys, 0, NULL), 0);
	assert_int_equal(f.loads, 1);
	assert_int_equal(f.file_loads + f.reboots, 0);
	assert_int_equal(f.nr, 0);
	assert_int_equal(f.entry, 0);
	assert_int_equal(f.flags, 62UL << 16);
	assert_int_equal(baton_kexec_unload(&sys, 1, NULL), 0);
	assert_int_equal(f.flags, (62UL << 16) | 1);
}

static void unload_under_lockdown_goes_through_kexec_file_load(void **state)
{
	(void)state;
	struct fake_sys f = { .result = -EACCES };
	struct baton_backend sys = fake_sys_ops(&f, NULL);
	struct baton_error err = { 0 };

	/* The fake refuses both: both calls are made, the error is the Secure Boot one. */
	assert_int_equal(baton_kexec_unload(&sys, 1, &err), -EACCES);
	assert_int_equal(f.loads, 1);
	assert_int_equal(f.file_loads, 1);
	assert_int_equal(f.reboots, 0);
	assert_int_equal(f.file_kfd, -1);
	assert_int_equal(f.flags, BATON_KEXEC_FILE_UNLOAD | BATON_KEXEC_FILE_ON_CRASH);
	assert_non_null(strstr(err.msg, "Secure Boot"));
}

static void exec_syncs_first(void **state)
{
	(void)state;
	struct fake_sys f = { .result = -EINVAL };
	struct baton_backend sys = fake_sys_ops(&f, NULL);
	struct baton_error err = { 0 };

	assert_int_equal(baton_kexec_exec(&sys, 0, &err), -EINVAL);
	assert_true(f.synced_before_reboot);
	assert_non_null(strstr(err.msg, "no kexec image loaded"));
	f.result = -EPERM;
	assert_int_equal(baton_kexec_exec(&sys, 0, &err), -EPERM);
	assert_non_null(strstr(err.msg, "reboot (kexec): not permitted"));
}

static void status_reads_sysfs(void **state)
{
	(void)state;
	char *root = fx_tmpdir();
	struct fake_sys f = { 0 };
	struct baton_backend ctx = fake_sys_ops(&f, root);
	int loaded = -1;

	fx_write_str(root, "sys/kernel/kexec_loaded", "1\n");
	fx_write_str(root, "sys/kernel/kexec_crash_loaded", "0\n");
	assert_int_equal(baton_kexec_loaded(&ctx, 0, &loaded, NULL), 0);
	assert_int_equal(loaded, 1);
	assert_int_equal(baton_kexec_loaded(&ctx, 1, &loaded, NULL), 0);
	assert_int_equal(loaded, 0);
	fx_rm_rf(root);
	free(root);
}

static void file_load_hands_the_kernel_the_files(void **state)
{
	(void)state;
	struct fake_sys f = { 0 };
	struct baton_backend sys = fake_sys_ops(&f, NULL);
	struct baton_load_opts o = { "/proc/self/exe", NULL, "console=ttyS0", 0, 0, 0, NULL, 0, NULL, 0 };
	struct baton_error err = { 0 };

	assert_int_equal(baton_kexec_file_load(&sys, &o, &err), 0);
	assert_true(f.file_kfd >= 0);
	assert_int_equal(f.file_ifd, -1);
	assert_int_equal(f.file_len, strlen("console=ttyS0") + 1);
	assert_int_equal(f.flags, BATON_KEXEC_FILE_NO_INITRAMFS);
	o.initrd = "/proc/self/exe";
	o.flags = BATON_LOAD_CRASH;
	assert_int_equal(baton_kexec_file_load(&sys, &o, &err), 0);
	assert_true(f.file_ifd >= 0);
	assert_int_equal(f.flags, BATON_KEXEC_FILE_ON_CRASH);
}

/* The kernel's own loader reads no gzip: a compressed kernel reaches it unpacked, in a memfd. */
static void file_load_hands_a_compressed_kernel_over_unpacked(void **state)
{
	(void)state;
	static const char plain[] = "MZ a kernel image, unpacked, 47 bytes of it....";
	static const uint8_t packed[] = {    /* printf '%s' "$plain" | gzip -9n */
		0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xf3, 0x8d,
		0x52, 0x48, 0x54, 0xc8, 0x4e, 0x2d, 0xca, 0x4b, 0xcd, 0x51, 0xc8, 0xcc,
		0x4d, 0x4c, 0x4f, 0xd5, 0x51, 0x28, 0xcd, 0x2b, 0x48, 0x4c, 0xce, 0x4e,
		0x4d, 0xd1, 0x51, 0x30, 0xb1, 0x50, 0x48, 0xaa, 0x2c, 0x49, 0x2d, 0x56,
		0xc8, 0x4f, 0x53, 0xc8, 0x2c, 0xd1, 0x03, 0x02, 0x00, 0x61, 0x54, 0x46,
		0x48, 0x2f, 0x00, 0x00, 0x00
	};
	char *dir = fx_tmpdir(), path[4200];
	struct fake_sys f = { 0 };
	struct baton_backend sys = fake_sys_ops(&f, NULL);
	struct baton_load_opts o = { .kernel = path };
	struct baton_error err = { 0 };

	fx_write(dir, "k.gz", packed, sizeof(packed));
	snprintf(path, sizeof(path), "%s/k.gz", dir);
	assert_int_equal(baton_kexec_file_load(&sys, &o, &err), 0);
	assert_int_equal(f.file_ksize, strlen(plain));
	assert_memory_equal(f.file_khead, plain, sizeof(f.file_khead));

	fx_write(dir, "k.gz", packed, sizeof(packed) - 4);
	assert_int_equal(baton_kexec_file_load(&sys, &o, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "gzip data corrupt"));
	assert_int_equal(f.file_loads, 1);
	fx_rm_rf(dir);
	free(dir);
}

static void file_load_refusals_name_the_signature(void **state)
{
	(void)state;
	struct fake_sys f = { .result = -EKEYREJECTED };
	struct baton_backend sys = fake_sys_ops(&f, NULL);
	struct baton_load_opts o = { "/proc/self/exe", NULL, NULL, 0, 0, 0, NULL, 0, NULL, 0 };
	struct baton_error err = { 0 };

	assert_int_equal(baton_kexec_file_load(&sys, &o, &err), -EKEYREJECTED);
	assert_non_null(strstr(err.msg, "signature check refused it"));
	f.result = -EPERM;
	assert_int_equal(baton_kexec_file_load(&sys, &o, &err), -EPERM);
	assert_non_null(strstr(err.msg, "lockdown"));
	o.kernel = "/nonexistent";
	assert_int_equal(baton_kexec_file_load(&sys, &o, &err), -ENOENT);
	struct baton_backend_ops no_file = fake_backend_ops;
	no_file.no_file_load = "none in this backend";
	sys.ops = &no_file;
	assert_int_equal(baton_kexec_file_load(&sys, &o, &err), -ENOSYS);
	assert_string_equal(err.msg, "kexec_file_load: not available here (none in this backend)");
	assert_int_equal(f.file_loads, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(load_passes_every_used_segment),
		cmocka_unit_test(errors_become_messages),
		cmocka_unit_test(unload_is_a_load_of_nothing),
		cmocka_unit_test(unload_under_lockdown_goes_through_kexec_file_load),
		cmocka_unit_test(exec_syncs_first),
		cmocka_unit_test(status_reads_sysfs),
		cmocka_unit_test(file_load_hands_the_kernel_the_files),
		cmocka_unit_test(file_load_hands_a_compressed_kernel_over_unpacked),
		cmocka_unit_test(file_load_refusals_name_the_signature),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* Tests for reading crash dumps: ELF checks, VMCOREINFO, virtual reads through the PT_LOADs. */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "support/fixture.h"
#include "support/vmcore_fixture.h"
#include "vmcore.h"

static struct vmfx *dump(void)
{
	struct vmfx *f = malloc(sizeof(*f));

	assert_non_null(f);
	vmfx_init(f);
	vmfx_info(f, "OSRELEASE=6.1.0-test");
	vmfx_info(f, "SYMBOL(prb)=ffffffff82001000");
	vmfx_info(f, "SIZE(printk_ringbuffer)=88");
	vmfx_info(f, "OFFSET(bad)=12x");
	return f;
}

static void opens(struct vmfx *f, struct baton_vmcore *vc)
{
	struct baton_vmcore_reader rd = vmfx_reader(f);
	struct baton_error err = { 0 };

	assert_int_equal(baton_vmcore_open(vc, &rd, "dump", &err), 0);
}

static void refused(struct vmfx *f, int code, const char *msg)
{
	struct baton_vmcore_reader rd = vmfx_reader(f);
	struct baton_error err = { 0 };
	struct baton_vmcore vc;

	assert_int_equal(baton_vmcore_open(&vc, &rd, "dump", &err), -code);
	assert_string_equal(err.msg, msg);
	assert_null(vc.loads);
	assert_null(vc.info);
	assert_int_equal(vc.fd, -1);
}

static void reads_vmcoreinfo(void **state)
{
	struct vmfx *f = dump();
	struct baton_vmcore vc;
	uint64_t v = 7;

	(void)state;
	vmfx_finish(f);
	opens(f, &vc);
	assert_int_equal(vc.nr_loads, 3);
	assert_int_equal(baton_vmcore_info(&vc, "SYMBOL(prb)", 16, &v), 0);
	assert_true(v == 0xffffffff82001000ull);
	assert_int_equal(baton_vmcore_info(&vc, "SIZE(printk_ringbuffer)", 10, &v), 0);
	assert_int_equal(v, 88);
	/* a key is the whole name before '=', the value all digits */
	assert_int_equal(baton_vmcore_info(&vc, "SIZE(printk_ring", 10, &v), -ENOENT);
	assert_int_equal(baton_vmcore_info(&vc, "OFFSET(bad)", 10, &v), -ENOENT);
	assert_int_equal(v, 88);                       /* untouched */
	assert_int_equal(baton_vmcore_info(&vc, "SYMBOL(log_buf)", 16, &v), -ENOENT);
	baton_vmcore_close(&vc);
	free(f);
}

static void reads_across_pt_loads(void **state)
{
	struct vmfx *f = dump();
	struct baton_error err = { 0 };
	struct baton_vmcore vc;
	uint64_t edge = VMFX_VA + VMFX_MEM / 2 - 3;
	char got[8];

	(void)state;
	memcpy(vmfx_mem(f, edge), "abcdefg", 8);
	vmfx_finish(f);
	opens(f, &vc);
	assert_int_equal(baton_vmcore_read(&vc, edge, got, sizeof(got), "x", &err), 0);
	assert_string_equal(got, "abcdefg");

	assert_int_equal(baton_vmcore_read(&vc, VMFX_VA - 1, got, 2, "the thing", &err), -EINVAL);
	assert_string_equal(err.msg, "vmcore dump: the thing at 0xffffffff81ffffff is not in the "
			    "dump (no PT_LOAD maps it)");
	/* the last PT_LOAD lies past the end of the file */
	assert_int_equal(baton_vmcore_read(&vc, VMFX_VA + VMFX_MEM - 4, got, 8, "y", &err), -EIO);
	assert_string_equal(err.msg, "vmcore dump: cannot read y at file offset 0x12000: the file "
			    "ends first");
	baton_vmcore_close(&vc);
	free(f);
}

static void refuses_what_is_no_dump(void **state)
{
	struct vmfx *f = dump();
	Elf64_Ehdr *e = (Elf64_Ehdr *)f->file;

	(void)state;
	vmfx_finish(f);
	e->e_ident[EI_MAG1] = 'X';
	refused(f, EINVAL, "vmcore dump: not an ELF file");
	e->e_ident[EI_MAG1] = 'E';
	e->e_ident[EI_CLASS] = ELFCLASS32;
	refused(f, EINVAL, "vmcore dump: not a little-endian ELF64 file (a 32-bit core? baton "
		"reads x86-64 dumps)");
	e->e_ident[EI_CLASS] = ELFCLASS64;
	e->e_type = ET_EXEC;
	refused(f, EINVAL, "vmcore dump: not an ELF core file (e_type 2)");
	e->e_type = ET_CORE;
	e->e_machine = EM_AARCH64;
	refused(f, EINVAL, "vmcore dump: not an x86-64 dump (e_machine 183)");
	e->e_machine = EM_X86_64;
	e->e_phnum = 0;
	refused(f, EINVAL, "vmcore dump: 0 program headers");
	e->e_phnum = 4;
	e->e_phoff = sizeof(f->file) - 100;
	refused(f, EIO, "vmcore dump: cannot read the program headers at file offset 0x11f9c: "
		"the file ends first");
	e->e_phoff = sizeof(Elf64_Ehdr);
	f->size = 40;
	refused(f, EIO, "vmcore dump: cannot read the ELF header at file offset 0x0: the file "
		"ends first");
	free(f);
}

static void needs_vmcoreinfo(void **state)
{
	struct vmfx *f = dump();
	Elf64_Phdr *note = (Elf64_Phdr *)(f->file + sizeof(Elf64_Ehdr));

	(void)state;
	vmfx_finish(f);
	note->p_filesz = 28;    /* the CORE note only */
	refused(f, EINVAL, "vmcore dump: no VMCOREINFO note (not a kernel crash dump?)");
	note->p_filesz = 100;   /* VMCOREINFO's text cut off by its PT_NOTE: not a whole note */
	refused(f, EINVAL, "vmcore dump: no VMCOREINFO note (not a kernel crash dump?)");
	note->p_filesz = 128u << 20;
	refused(f, EINVAL, "vmcore dump: a PT_NOTE of 134217728 bytes");
	free(f);
}

static void opens_a_file(void **state)
{
	struct vmfx *f = dump();
	struct baton_error err = { 0 };
	struct baton_vmcore vc;
	char *dir = fx_tmpdir(), path[512];
	uint64_t v = 0;

	(void)state;
	vmfx_finish(f);
	fx_write(dir, "vmcore", f->file, f->size);
	snprintf(path, sizeof(path), "%s/vmcore", dir);
	assert_int_equal(baton_vmcore_open_file(&vc, path, &err), 0);
	assert_true(vc.fd >= 0);
	assert_int_equal(baton_vmcore_info(&vc, "SIZE(printk_ringbuffer)", 10, &v), 0);
	assert_int_equal(v, 88);
	baton_vmcore_close(&vc);
	assert_int_equal(vc.fd, -1);

	snprintf(path, sizeof(path), "%s/none", dir);
	assert_int_equal(baton_vmcore_open_file(&vc, path, &err), -ENOENT);
	assert_true(strstr(err.msg, "/none: No such file or directory") != NULL);
	assert_int_equal(vc.fd, -1);
	fx_rm_rf(dir);
	free(dir);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_vmcoreinfo),
		cmocka_unit_test(reads_across_pt_loads),
		cmocka_unit_test(refuses_what_is_no_dump),
		cmocka_unit_test(needs_vmcoreinfo),
		cmocka_unit_test(opens_a_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

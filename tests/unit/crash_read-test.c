/* SPDX-License-Identifier: MIT */
/* Tests for the Linux crash facts (lib/crash_read.c) on fixture roots and on this machine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <elf.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "crash_read.h"
#include "elfcore.h"
#include "memmap.h"
#include "support/crash_fixture.h"
#include "support/fixture.h"

static void opts_for(const struct baton_crash_info *info, uint64_t backup_dst,
		     struct baton_elfcore_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->exclude = info->crash;
	o->nr_exclude = info->nr_crash;
	assert_int_equal(baton_crash_backup_range(info, &o->backup_src, &o->backup_size), 0);
	o->backup_dst = backup_dst;
}

static void reads_qemu_6g_high(void **state)
{
	struct baton_crash_info info;
	struct baton_error err = { 0 };

	(void)state;
	assert_int_equal(baton_crash_read(HIGH, &info, &err), 0);
	/* possible 0-3, but only CPUs 0 and 1 are present: 2 and 3 have no sysfs directory. */
	assert_int_equal(info.nr_notes, 2);
	assert_int_equal(info.notes[0].cpu, 0);
	assert_int_equal(info.notes[0].addr, 0x1bfc39600);
	assert_int_equal(info.notes[0].size, 368);
	assert_int_equal(info.notes[1].cpu, 1);
	assert_int_equal(info.notes[1].addr, 0x1bfcb9600);
	assert_int_equal(info.vmcoreinfo_addr, 0x100a9e000);
	assert_int_equal(info.vmcoreinfo_size, 0x1024);   /* "%x": hex, 4132 bytes */
	assert_int_equal(info.ram.nr, 3);
	assert_int_equal(info.ram.ranges[0].start, 0x1000);
	assert_int_equal(info.ram.ranges[0].end, 0x9fc00);
	assert_int_equal(info.ram.ranges[1].start, 0x100000);
	assert_int_equal(info.ram.ranges[1].end, 0xbffe0000);
	assert_int_equal(info.ram.ranges[2].start, 0x100000000);
	assert_int_equal(info.ram.ranges[2].end, 0x1c0000000);
	assert_int_equal(info.nr_crash, 2);
	assert_int_equal(info.crash[0].start, 0xae000000);
	assert_int_equal(info.crash[0].end, 0xbe000000);
	assert_int_equal(info.crash[1].start, 0x1af000000);   /* the one to load into */
	assert_int_equal(info.crash[1].end, 0x1bf000000);
	assert_int_equal(info.text_paddr, 0x82400000);
	assert_int_equal(info.text_vaddr, 0xffffffffa6800000);
	assert_int_equal(info.text_size, 0x2830000);     /* _end - _text, past "Kernel bss" */
	assert_int_equal(info.page_offset, 0xffff8d4fc0000000);
	baton_crash_info_free(&info);
	assert_null(info.notes);
}

static void reads_qemu_2g_la57(void **state)
{
	struct baton_crash_info info;
	struct baton_error err = { 0 };

	(void)state;
	assert_int_equal(baton_crash_read(LA57, &info, &err), 0);
	assert_int_equal(info.nr_notes, 2);
	assert_int_equal(info.vmcoreinfo_addr, 0x11ee000);
	assert_int_equal(info.nr_crash, 1);
	assert_int_equal(info.crash[0].start, 0x6e000000);
	assert_int_equal(info.crash[0].end, 0x7e000000);
	assert_int_equal(info.text_paddr, 0x21a00000);
	assert_int_equal(info.text_vaddr, 0xffffffff9d600000);
	assert_int_equal(info.page_offset, 0xff2d9bc040000000);   /* 5-level direct map */
	baton_crash_info_free(&info);
}

static void cpus_without_notes_are_skipped(void **state)
{
	char *root = copy_root(HIGH);
	struct baton_crash_info info;
	struct baton_error err = { 0 };

	(void)state;
	fx_write_str(root, "sys/devices/system/cpu/possible", "0,2-3\n");
	fx_write_str(root, "sys/devices/system/cpu/cpu2/crash_notes", "0x1bfd39600\n");
	fx_write_str(root, "sys/devices/system/cpu/cpu2/crash_notes_size", "368\n");
	assert_int_equal(baton_crash_read(root, &info, &err), 0);
	assert_int_equal(info.nr_notes, 2);
	assert_int_equal(info.notes[0].cpu, 0);
	assert_int_equal(info.notes[1].cpu, 2);
	assert_int_equal(info.notes[1].addr, 0x1bfd39600);
	baton_crash_info_free(&info);
	fx_rm_rf(root);
	free(root);
}

static void nested_system_ram_is_dumped(void **state)
{
	char *root = copy_root(LA57);
	char path[4096];
	size_t size;
	char *iomem;
	struct baton_crash_info info;
	struct baton_error err = { 0 };

	(void)state;
	snprintf(path, sizeof(path), "%s/proc/iomem", root);
	iomem = (char *)slurp(path, &size);
	iomem = realloc(iomem, size + 200);
	strcat(iomem, "180000000-27fffffff : Persistent Memory\n"
		      "  180000000-1ffffffff : dax0.0\n"
		      "    180000000-1ffffffff : System RAM (kmem)\n"
		      "ffff800000000000-ffffffffffffffff : Reserved\n");
	fx_write_str(root, "proc/iomem", iomem);
	assert_int_equal(baton_crash_read(root, &info, &err), 0);
	assert_int_equal(info.ram.nr, 3);
	assert_int_equal(info.ram.ranges[2].start, 0x180000000);
	assert_int_equal(info.ram.ranges[2].end, 0x200000000);
	baton_crash_info_free(&info);
	free(iomem);
	fx_rm_rf(root);
	free(root);
}

/* kcore without p_paddr (kernels from before 2017): kexec-tools' rule, the lowest segment
 * rounded down to 1 GiB, and the physical text address from "Kernel code". */
static void page_offset_without_paddr(void **state)
{
	char *root = copy_root(HIGH);
	Elf64_Phdr ph[16];
	size_t n = fixture_kcore(HIGH, ph, NELEM(ph));
	struct baton_crash_info info;
	struct baton_error err = { 0 };

	(void)state;
	for (size_t i = 0; i < n; i++)
		ph[i].p_paddr = 0;
	write_kcore(root, ph, n);
	assert_int_equal(baton_crash_read(root, &info, &err), 0);
	assert_int_equal(info.page_offset, 0xffff8d4fc0000000);
	assert_int_equal(info.text_paddr, 0x82400000);
	baton_crash_info_free(&info);
	fx_rm_rf(root);
	free(root);
}

static void text_paddr_from_kcore_without_kernel_code(void **state)
{
	char *root = copy_root(LA57);
	struct baton_crash_info info;
	struct baton_error err = { 0 };

	(void)state;
	fx_write_str(root, "proc/iomem", "00001000-0009fbff : System RAM\n"
					 "00100000-7ffdffff : System RAM\n"
					 "  6e000000-7dffffff : Crash kernel\n");
	assert_int_equal(baton_crash_read(root, &info, &err), 0);
	assert_int_equal(info.text_paddr, 0x21a00000);
	baton_crash_info_free(&info);
	fx_rm_rf(root);
	free(root);
}

/* One broken input per case, on a copy of qemu-6g-high. */
struct breakage {
	const char *rel;      /* file to change */
	const char *text;     /* new contents; NULL: remove the file */
	int code;
	const char *frag1, *frag2;
};

static void read_errors(void **state)
{
	static const struct breakage cases[] = {
		{ CPU "possible", NULL, ENOENT, "cpu/possible", NULL },
		{ CPU "possible", "0-x\n", EINVAL, "cpu/possible", "CPU list" },
		{ CPU "possible", "", EINVAL, "cpu/possible", "CPU list" },
		{ CPU "possible", "3-1\n", EINVAL, "cpu/possible", "CPU list" },
		{ CPU "possible", "0-9000\n", E2BIG, "CPU 9000", NULL },
		{ CPU "cpu1/crash_notes", "1bfcg9600\n", EINVAL,
		  "cpu1/crash_notes", "hex" },
		{ CPU "cpu1/crash_notes", "0\n", EINVAL, "cpu1/crash_notes", NULL },
		{ CPU "cpu1/crash_notes", "-1\n", EINVAL, "cpu1/crash_notes", NULL },
		{ CPU "cpu0/crash_notes_size", "0x170\n", EINVAL,
		  "cpu0/crash_notes_size", "decimal" },
		{ CPU "cpu0/crash_notes_size", NULL, ENOENT,
		  "cpu0/crash_notes_size", NULL },
		{ VMCI, NULL, ENOENT, "sys/kernel/vmcoreinfo", "CONFIG_VMCORE_INFO" },
		{ VMCI, "0x0000000100a9e000\n", EINVAL, "vmcoreinfo", "ADDRESS SIZE" },
		{ VMCI, "0x0000000100a9e000 1024 7\n", EINVAL, "vmcoreinfo", NULL },
		{ VMCI, "0x0000000100a9e000 0\n", EINVAL, "vmcoreinfo", NULL },
		{ "proc/iomem", NULL, ENOENT, "proc/iomem", NULL },
		{ "proc/iomem", "00001000-0009fbff : System RAM\n00100000-bffdffff : System RAM\n",
		  ENOENT, "no \"Crash kernel\"", "crashkernel=" },
		{ "proc/iomem", "  ae000000-bdffffff : Crash kernel\n", ENOENT, "no \"System RAM\"",
		  NULL },
		{ "proc/iomem", "00000000-00000000 : Reserved\n00000000-00000000 : System RAM\n"
				"  00000000-00000000 : Crash kernel\n",
		  EACCES, "needs root", NULL },
		{ "proc/iomem", "00001000-0009fbff System RAM\n",
		  EINVAL, "line 1", "start-end : name" },
		{ "proc/iomem", "00100000-bffdffff : System RAM\n"
				"  bffdffff-ae000000 : Crash kernel\n",
		  EINVAL, "line 2", NULL },
		{ "proc/iomem", "00100000-bffdffff : System RAM\n"
				"  ae000000-bdffffff : Crash kernel\n"
				"  b0000000-b0ffffff : Crash kernel\n",
		  EINVAL, "overlap", NULL },
		{ "proc/kcore", NULL, ENOENT, "proc/kcore", "CONFIG_PROC_KCORE" },
		{ "proc/kcore", "\177ELF not really", ENOEXEC, "proc/kcore", NULL },
		{ "proc/kcore", "#!/bin/sh\necho this is no core file, but it is long enough to"
				" hold an ELF header anyway\n",
		  ENOEXEC, "not an x86-64 ELF64 core", NULL },
	};

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		char *root = copy_root(HIGH);
		struct baton_crash_info info;
		struct baton_error err = { 0 };

		if (cases[i].text)
			fx_write_str(root, cases[i].rel, cases[i].text);
		else
			rm_file(root, cases[i].rel);
		check_error(baton_crash_read(root, &info, &err), &err, cases[i].code,
			    cases[i].frag1, cases[i].frag2);
		assert_true(fx_all_zero(&info, sizeof(info)));
		fx_rm_rf(root);
		free(root);
	}
}

static void no_crash_notes_at_all(void **state)
{
	char *root = copy_root(HIGH), path[4096];
	struct baton_crash_info info;
	struct baton_error err = { 0 };

	(void)state;
	rm_file(root, "sys/devices/system/cpu/cpu0/crash_notes");
	rm_file(root, "sys/devices/system/cpu/cpu1/crash_notes");
	check_error(baton_crash_read(root, &info, &err), &err, ENOENT, "no CPU has crash_notes",
		    "CONFIG_CRASH_DUMP");
	assert_true(fx_all_zero(&info, sizeof(info)));
	/* Only a missing file means "no notes for this CPU". */
	snprintf(path, sizeof(path), "%s/sys/devices/system/cpu/cpu1/crash_notes", root);
	assert_int_equal(mkdir(path, 0755), 0);
	check_error(baton_crash_read(root, &info, &err), &err, EISDIR, "cpu1/crash_notes", NULL);
	assert_true(fx_all_zero(&info, sizeof(info)));
	fx_rm_rf(root);
	free(root);
}

static void kcore_unreadable(void **state)
{
	char *root = copy_root(HIGH);
	char path[4096];
	struct baton_crash_info info;
	struct baton_error err = { 0 };

	(void)state;
	/* A directory fails on read, for root as well. */
	rm_file(root, "proc/kcore");
	snprintf(path, sizeof(path), "%s/proc/kcore", root);
	assert_int_equal(mkdir(path, 0755), 0);
	check_error(baton_crash_read(root, &info, &err), &err, EISDIR, "proc/kcore", NULL);
	assert_true(fx_all_zero(&info, sizeof(info)));
	rmdir(path);
	/* Permissions stop only non-root users (as for the real /proc/kcore, mode 0400). */
	if (geteuid() != 0) {
		fx_write_str(root, "proc/kcore", "x");
		chmod(path, 0);
		check_error(baton_crash_read(root, &info, &err), &err, EACCES, "proc/kcore",
			    "needs root");
		assert_true(fx_all_zero(&info, sizeof(info)));
	}
	fx_rm_rf(root);
	free(root);
}

enum kcore_edit {
	KCORE_TRUNCATED,
	KCORE_WRONG_MACHINE,
	KCORE_32BIT,
	KCORE_PN_XNUM,
	KCORE_NO_TEXT,
	KCORE_TEXT_ELSEWHERE,
	KCORE_TEXT_SHORT,
	KCORE_RAM_DISAGREES,
	KCORE_NO_RAM,
	KCORE_USER_PAGE_OFFSET,
};

static void kcore_errors(void **state)
{
	static const struct {
		enum kcore_edit edit;
		int code;
		const char *frag1, *frag2;
	} cases[] = {
		{ KCORE_TRUNCATED, ENOEXEC, "ends at 400 bytes", NULL },
		{ KCORE_WRONG_MACHINE, ENOEXEC, "not an x86-64 ELF64 core", NULL },
		{ KCORE_32BIT, ENOEXEC, "not an x86-64 ELF64 core", NULL },
		{ KCORE_PN_XNUM, ENOEXEC, "e_phnum 65535", NULL },
		{ KCORE_NO_TEXT, EINVAL, "no kernel text segment", NULL },
		{ KCORE_TEXT_ELSEWHERE, EINVAL, "physical 0x82600000",
		  "\"Kernel code\" at 0x82400000" },
		{ KCORE_TEXT_SHORT, EINVAL, "ends before \"Kernel bss\"", NULL },
		{ KCORE_RAM_DISAGREES, EINVAL, "disagree", NULL },
		{ KCORE_NO_RAM, EINVAL, "no direct-map", NULL },
		{ KCORE_USER_PAGE_OFFSET, EINVAL, "not a kernel address", NULL },
	};

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		char *root = copy_root(HIGH), path[4096];
		Elf64_Phdr ph[16];
		size_t n = fixture_kcore(HIGH, ph, NELEM(ph)), size, k = 0;
		struct baton_crash_info info;
		struct baton_error err = { 0 };
		uint8_t *buf;

		write_kcore(root, ph, n);
		snprintf(path, sizeof(path), "%s/proc/kcore", root);
		buf = slurp(path, &size);
		switch (cases[i].edit) {
		case KCORE_TRUNCATED:
			size = 400;
			break;
		case KCORE_WRONG_MACHINE:
			buf[18] = EM_386;
			break;
		case KCORE_32BIT:
			buf[EI_CLASS] = ELFCLASS32;
			break;
		case KCORE_PN_XNUM:
			buf[56] = buf[57] = 0xff;
			break;
		case KCORE_NO_TEXT:
		case KCORE_TEXT_ELSEWHERE:
		case KCORE_TEXT_SHORT:
		case KCORE_RAM_DISAGREES:
		case KCORE_NO_RAM:
		case KCORE_USER_PAGE_OFFSET:
			for (size_t j = 0; j < n; j++) {
				Elf64_Phdr *p = &ph[j];
				int text = p->p_vaddr == 0xffffffffa6800000;
				int ram = p->p_type == PT_LOAD && p->p_paddr != UINT64_MAX && !text;

				if (cases[i].edit == KCORE_NO_TEXT && text)
					continue;
				if (cases[i].edit == KCORE_NO_RAM && p->p_type == PT_LOAD &&
				    p->p_vaddr < 0xffffffff80000000)
					continue;
				if (cases[i].edit == KCORE_TEXT_ELSEWHERE && text)
					p->p_paddr += 0x200000;
				if (cases[i].edit == KCORE_TEXT_SHORT && text)
					p->p_memsz = 0x1000000;
				if (cases[i].edit == KCORE_RAM_DISAGREES && ram &&
				    p->p_paddr == 0x100000)
					p->p_vaddr += 0x1000;
				if (cases[i].edit == KCORE_USER_PAGE_OFFSET && ram)
					p->p_vaddr = p->p_paddr + 0x7f0000000000;
				ph[k++] = *p;
			}
			write_kcore(root, ph, k);
			free(buf);
			buf = slurp(path, &size);
			break;
		}
		fx_write(root, "proc/kcore", buf, size);
		check_error(baton_crash_read(root, &info, &err), &err, cases[i].code,
			    cases[i].frag1, cases[i].frag2);
		assert_true(fx_all_zero(&info, sizeof(info)));
		free(buf);
		fx_rm_rf(root);
		free(root);
	}
}

static void copy_host_file(const char *root, const char *rel)
{
	char path[4096];
	size_t size;
	uint8_t *data;

	snprintf(path, sizeof(path), "/%s", rel);
	data = slurp(path, &size);
	assert_non_null(data);
	fx_write(root, rel, data, size);
	free(data);
}

/* A stand-in "Crash kernel": the top 256 MiB of the largest System RAM range. */
static void add_crash_region(const char *root, const struct baton_memmap *top)
{
	char path[4096], line[128];
	uint64_t start = 0, end = 0, cs;
	size_t size;
	char *text;

	for (size_t r = 0; r < top->nr; r++) {
		const struct baton_mem_range *m = &top->ranges[r];

		if (m->kind == RAM && m->end - m->start > end - start) {
			start = m->start;
			end = m->end;
		}
	}
	cs = (end - 0x10000000) & ~(uint64_t)0xfffff;
	snprintf(line, sizeof(line), "  %" PRIx64 "-%" PRIx64 " : Crash kernel\n", cs,
		 cs + 0xfffffff);
	snprintf(path, sizeof(path), "%s/proc/iomem", root);
	text = (char *)slurp(path, &size);
	text = realloc(text, size + strlen(line) + 1);
	strcpy(text + size, line);
	fx_write_str(root, "proc/iomem", text);
	free(text);
}

/* A 4-level kcore without KASLR: text at 0xffffffff81000000, direct map at 0xffff888000000000,
 * one segment per top-level System RAM range. */
static void generate_kcore(const char *root, const struct baton_memmap *top, uint64_t code)
{
	Elf64_Phdr ph[64] = { { .p_type = PT_NOTE, .p_offset = 0x1000, .p_filesz = 0x2000 } };
	size_t n = 1;

	ph[n++] = (Elf64_Phdr){ PT_LOAD, 7, 0, 0xffffffff81000000, code, 0x4000000, 0x4000000, PG };
	for (size_t r = 0; r < top->nr && n < NELEM(ph); r++) {
		uint64_t s = top->ranges[r].start, len = top->ranges[r].end - s;

		if (top->ranges[r].kind == RAM)
			ph[n++] = (Elf64_Phdr){ PT_LOAD, 7, 0, 0xffff888000000000 + s, s, len, len,
						PG };
	}
	write_kcore(root, ph, n);
}

static void copy_host_kcore(const char *root)
{
	static uint8_t head[65536];
	int fd = open("/proc/kcore", O_RDONLY);
	ssize_t got = fd < 0 ? -1 : pread(fd, head, sizeof(head), 0);

	assert_true(got > (ssize_t)sizeof(Elf64_Ehdr));
	fx_write(root, "proc/kcore", head, (size_t)got);
	close(fd);
}

/* The host's files where it has them, stand-ins where it has not (this machine may have no
 * crashkernel=, no CONFIG_CRASH_DUMP, no /proc/kcore). NULL: too little to go on. */
static char *host_root(uint64_t *code)
{
	struct baton_memmap top = { 0 };
	struct baton_error err = { 0 };
	char *root, *iomem, path[4096];
	const char *k;
	size_t size;

	if (access("/sys/kernel/vmcoreinfo", R_OK) ||
	    access("/sys/devices/system/cpu/possible", R_OK) ||
	    !(iomem = (char *)slurp("/proc/iomem", &size)))
		return NULL;
	if (baton_memmap_parse_iomem(&top, iomem, size, "/proc/iomem", &err) ||
	    !(k = strstr(iomem, " : Kernel code"))) {
		print_message("host: /proc/iomem: %s\n", err.code ? err.msg : "no \"Kernel code\"");
		free(iomem);
		baton_memmap_free(&top);
		return NULL;
	}
	while (k > iomem && k[-1] != '\n')
		k--;
	*code = strtoull(k, NULL, 16);
	root = fx_tmpdir();
	copy_host_file(root, "sys/kernel/vmcoreinfo");
	copy_host_file(root, "proc/iomem");
	copy_host_file(root, "sys/devices/system/cpu/possible");
	if (!strstr(iomem, ": Crash kernel"))
		add_crash_region(root, &top);
	if (access("/sys/devices/system/cpu/cpu0/crash_notes", R_OK)) {
		print_message("host: no crash_notes: a stand-in for CPU 0\n");
		fx_write_str(root, "sys/devices/system/cpu/possible", "0\n");
		fx_write_str(root, "sys/devices/system/cpu/cpu0/crash_notes", "1000000\n");
		fx_write_str(root, "sys/devices/system/cpu/cpu0/crash_notes_size", "368\n");
	}
	for (int c = 0; c < 1024; c++) {
		char rel[128];

		snprintf(rel, sizeof(rel), "sys/devices/system/cpu/cpu%d/crash_notes", c);
		snprintf(path, sizeof(path), "/%s", rel);
		if (access(path, R_OK))
			continue;
		copy_host_file(root, rel);
		strcat(rel, "_size");
		copy_host_file(root, rel);
	}
	if (access("/proc/kcore", R_OK)) {
		print_message("host: no /proc/kcore: a generated one\n");
		generate_kcore(root, &top, *code);
	} else {
		copy_host_kcore(root);
	}
	free(iomem);
	baton_memmap_free(&top);
	return root;
}

static void this_host(void **state)
{
	struct baton_crash_info info;
	struct baton_elfcore_opts o;
	struct baton_error err = { 0 };
	unsigned long long va, vs;
	uint64_t code = 0;
	size_t size;
	uint8_t *buf;
	char *root;
	FILE *f;
	int rc;

	(void)state;
	rc = baton_crash_read("", &info, &err);
	print_message("host: baton_crash_read: %s\n", rc ? err.msg : "ok");
	if (!rc) {
		opts_for(&info, info.crash[info.nr_crash - 1].start, &o);
		assert_int_equal(baton_elfcore_build(&info, &o, &buf, &size, &err), 0);
		check_elfcore(&info, &o, buf, size);
		free(buf);
	}
	baton_crash_info_free(&info);

	if (!(root = host_root(&code)))
		skip();
	if (baton_crash_read(root, &info, &err))
		fail_msg("host-derived root: %s", err.msg);
	assert_non_null(f = fopen("/sys/kernel/vmcoreinfo", "r"));
	assert_int_equal(fscanf(f, "%llx %llx", &va, &vs), 2);
	fclose(f);
	assert_int_equal(info.vmcoreinfo_addr, va);
	assert_int_equal(info.vmcoreinfo_size, vs);
	assert_int_equal(info.text_paddr, code);
	print_message("host: vmcoreinfo 0x%" PRIx64 "+0x%" PRIx64 ", %zu RAM ranges, %zu notes,"
		      " kernel code 0x%" PRIx64 ", page_offset 0x%" PRIx64 "\n",
		      info.vmcoreinfo_addr, info.vmcoreinfo_size, info.ram.nr, info.nr_notes,
		      info.text_paddr, info.page_offset);
	opts_for(&info, info.crash[info.nr_crash - 1].start, &o);
	assert_int_equal(baton_elfcore_build(&info, &o, &buf, &size, &err), 0);
	check_elfcore(&info, &o, buf, size);
	free(buf);
	baton_crash_info_free(&info);
	fx_rm_rf(root);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_qemu_6g_high),
		cmocka_unit_test(reads_qemu_2g_la57),
		cmocka_unit_test(cpus_without_notes_are_skipped),
		cmocka_unit_test(nested_system_ram_is_dumped),
		cmocka_unit_test(page_offset_without_paddr),
		cmocka_unit_test(text_paddr_from_kcore_without_kernel_code),
		cmocka_unit_test(read_errors),
		cmocka_unit_test(no_crash_notes_at_all),
		cmocka_unit_test(kcore_unreadable),
		cmocka_unit_test(kcore_errors),
		cmocka_unit_test(this_host),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

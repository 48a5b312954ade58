/* SPDX-License-Identifier: MIT */
/* Tests for lib/crash.c: reading crash data, the ELF core header (against kexec-tools on the
 * same QEMU boots, a golden file and properties), the capture kernel's e820. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <elf.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "crash.h"
#include "memmap.h"
#include "support/fixture.h"

#define CRASH FIXTURES "/crash"
#define HIGH CRASH "/qemu-6g-high"   /* 4-level, crashkernel=256M,high: two regions; CPUs 0-3 */
#define LA57 CRASH "/qemu-2g-la57"   /* 5-level, crashkernel=256M: one region */
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define PG 4096ULL
#define RAM BATON_MEM_RAM
#define RES BATON_MEM_RESERVED
#define CPU "sys/devices/system/cpu/"
#define VMCI "sys/kernel/vmcoreinfo"

/* --- helpers -------------------------------------------------------------------------------- */

static void check_error(int ret, const struct baton_error *err, int code, const char *frag1,
			const char *frag2)
{
	if (ret != -code)
		fail_msg("got %d (%s), want %d", ret, err->msg, -code);
	assert_int_equal(err->code, code);
	assert_true(strncmp(err->msg, "crash: ", 7) == 0);
	assert_null(strchr(err->msg, '\n'));
	if (!strstr(err->msg, frag1) || (frag2 && !strstr(err->msg, frag2)))
		fail_msg("message \"%s\" lacks \"%s\"%s%s", err->msg, frag1, frag2 ? " or " : "",
			 frag2 ? frag2 : "");
}

/* A whole file, NUL-terminated; procfs and sysfs files report no useful size, so read to EOF. */
static uint8_t *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f)
		return NULL;
	do {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap + 1);
			assert_non_null(buf);
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n);
	fclose(f);
	buf[len] = 0;
	*size = len;
	return buf;
}

static const char *copy_src, *copy_dst;

static int copy_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_F) {
		size_t size;
		uint8_t *data = slurp(path, &size);

		assert_non_null(data);
		fx_write(copy_dst, path + strlen(copy_src) + 1, data, size);
		free(data);
	}
	return 0;
}

/* A writable copy of a fixture root. */
static char *copy_root(const char *fixture)
{
	char *root = fx_tmpdir();

	copy_src = fixture;
	copy_dst = root;
	assert_int_equal(nftw(fixture, copy_entry, 16, FTW_PHYS), 0);
	return root;
}

static void rm_file(const char *root, const char *rel)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(unlink(path), 0);
}

/* The kcore generator: an ELF64 core header and these program headers, nothing else (readers
 * need no more: the real file is as large as the address space). */
static void write_kcore(const char *root, const Elf64_Phdr *ph, size_t n)
{
	Elf64_Ehdr eh = { 0 };
	uint8_t *buf = calloc(1, sizeof(eh) + n * sizeof(*ph));

	assert_non_null(buf);
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_CORE;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(*ph);
	eh.e_phnum = (uint16_t)n;
	memcpy(buf, &eh, sizeof(eh));
	memcpy(buf + sizeof(eh), ph, n * sizeof(*ph));
	fx_write(root, "proc/kcore", buf, sizeof(eh) + n * sizeof(*ph));
	free(buf);
}

/* The fixture's real kcore program headers, to edit. */
static size_t fixture_kcore(const char *fixture, Elf64_Phdr *ph, size_t max)
{
	char path[4096];
	size_t size, n;
	uint8_t *buf;
	Elf64_Ehdr eh;

	snprintf(path, sizeof(path), "%s/proc/kcore", fixture);
	buf = slurp(path, &size);
	assert_non_null(buf);
	memcpy(&eh, buf, sizeof(eh));
	n = eh.e_phnum;
	assert_true(n <= max && eh.e_phoff + n * sizeof(*ph) <= size);
	memcpy(ph, buf + eh.e_phoff, n * sizeof(*ph));
	free(buf);
	return n;
}

static Elf64_Phdr phdr_at(const uint8_t *buf, size_t i)
{
	Elf64_Phdr ph;

	memcpy(&ph, buf + sizeof(Elf64_Ehdr) + i * sizeof(ph), sizeof(ph));
	return ph;
}

static int cmp_range(const void *pa, const void *pb)
{
	const struct baton_phys_range *a = pa, *b = pb;

	return a->start < b->start ? -1 : a->start > b->start;
}

static size_t merge_ranges(struct baton_phys_range *r, size_t n)
{
	size_t k = 0;

	qsort(r, n, sizeof(*r), cmp_range);
	for (size_t i = 0; i < n; i++) {
		if (r[i].start >= r[i].end)
			continue;
		if (k && r[i].start <= r[k - 1].end) {
			if (r[i].end > r[k - 1].end)
				r[k - 1].end = r[i].end;
			continue;
		}
		r[k++] = r[i];
	}
	return k;
}

static uint64_t overlap(uint64_t s1, uint64_t e1, uint64_t s2, uint64_t e2)
{
	uint64_t s = s1 > s2 ? s1 : s2, e = e1 < e2 ? e1 : e2;

	return e > s ? e - s : 0;
}

/* Everything the header must be, from the inputs alone. */
static void check_elfcore(const struct baton_crash_info *info, const struct baton_elfcore_opts *o,
			  const uint8_t *buf, size_t size)
{
	struct baton_phys_range ex[64];
	size_t nex = o->nr_exclude, phnum, first;
	uint64_t want = 0, got = 0, backed = 0, prev_end = 0;
	Elf64_Ehdr eh;
	Elf64_Phdr ph;

	assert_true(nex <= NELEM(ex));
	memcpy(ex, o->exclude, nex * sizeof(*ex));
	nex = merge_ranges(ex, nex);

	memcpy(&eh, buf, sizeof(eh));
	assert_memory_equal(eh.e_ident, "\177ELF\2\1\1\0\0\0\0\0\0\0\0\0", EI_NIDENT);
	assert_int_equal(eh.e_type, ET_CORE);
	assert_int_equal(eh.e_machine, EM_X86_64);
	assert_int_equal(eh.e_version, EV_CURRENT);
	assert_int_equal(eh.e_entry, 0);
	assert_int_equal(eh.e_phoff, sizeof(Elf64_Ehdr));
	assert_int_equal(eh.e_shoff, 0);
	assert_int_equal(eh.e_flags, 0);
	assert_int_equal(eh.e_ehsize, sizeof(Elf64_Ehdr));
	assert_int_equal(eh.e_phentsize, sizeof(Elf64_Phdr));
	assert_int_equal(eh.e_shnum, 0);
	phnum = eh.e_phnum;
	assert_int_equal(size % BATON_ELFCORE_ALIGN, 0);
	assert_true(size >= sizeof(eh) + phnum * sizeof(ph));
	assert_true(size - BATON_ELFCORE_ALIGN < sizeof(eh) + phnum * sizeof(ph));
	for (size_t i = sizeof(eh) + phnum * sizeof(ph); i < size; i++)
		assert_int_equal(buf[i], 0);

	for (size_t i = 0; i < info->nr_notes; i++) {
		ph = phdr_at(buf, i);
		assert_int_equal(ph.p_type, PT_NOTE);
		assert_int_equal(ph.p_flags, 0);
		assert_int_equal(ph.p_offset, info->notes[i].addr);
		assert_int_equal(ph.p_paddr, info->notes[i].addr);
		assert_int_equal(ph.p_vaddr, 0);
		assert_int_equal(ph.p_filesz, info->notes[i].size);
		assert_int_equal(ph.p_memsz, info->notes[i].size);
	}
	ph = phdr_at(buf, info->nr_notes);
	assert_int_equal(ph.p_type, PT_NOTE);
	assert_int_equal(ph.p_offset, info->vmcoreinfo_addr);
	assert_int_equal(ph.p_paddr, info->vmcoreinfo_addr);
	assert_int_equal(ph.p_filesz, info->vmcoreinfo_size);
	ph = phdr_at(buf, info->nr_notes + 1);
	assert_int_equal(ph.p_type, PT_LOAD);
	assert_int_equal(ph.p_flags, PF_R | PF_W | PF_X);
	assert_int_equal(ph.p_vaddr, info->text_vaddr);
	assert_int_equal(ph.p_paddr, info->text_paddr);
	assert_int_equal(ph.p_offset, info->text_paddr);
	assert_int_equal(ph.p_memsz, info->text_size);

	/* RAM: in address order, disjoint, inside System RAM, outside every excluded range, and as
	 * many bytes as System RAM minus the excluded ranges: so every such byte exactly once. */
	first = info->nr_notes + 2;
	for (size_t i = first; i < phnum; i++) {
		int in_ram = 0;

		ph = phdr_at(buf, i);
		assert_int_equal(ph.p_type, PT_LOAD);
		assert_int_equal(ph.p_flags, PF_R | PF_W | PF_X);
		assert_int_equal(ph.p_align, 0);
		assert_true(ph.p_memsz > 0);
		assert_int_equal(ph.p_filesz, ph.p_memsz);
		assert_int_equal(ph.p_vaddr, info->page_offset + ph.p_paddr);
		assert_true(i == first || ph.p_paddr >= prev_end);
		prev_end = ph.p_paddr + ph.p_memsz;
		for (size_t r = 0; r < info->ram.nr; r++)
			in_ram |= ph.p_paddr >= info->ram.ranges[r].start &&
				  prev_end <= info->ram.ranges[r].end;
		assert_true(in_ram);
		for (size_t x = 0; x < nex; x++)
			assert_int_equal(overlap(ph.p_paddr, prev_end, ex[x].start, ex[x].end), 0);
		if (o->backup_size && ph.p_paddr >= o->backup_src &&
		    prev_end <= o->backup_src + o->backup_size) {
			assert_int_equal(ph.p_offset, o->backup_dst + (ph.p_paddr - o->backup_src));
			backed += ph.p_memsz;
		} else {
			assert_int_equal(overlap(ph.p_paddr, prev_end, o->backup_src,
						 o->backup_src + o->backup_size), 0);
			assert_int_equal(ph.p_offset, ph.p_paddr);
		}
		got += ph.p_memsz;
	}
	for (size_t r = 0; r < info->ram.nr; r++) {
		want += info->ram.ranges[r].end - info->ram.ranges[r].start;
		for (size_t x = 0; x < nex; x++)
			want -= overlap(info->ram.ranges[r].start, info->ram.ranges[r].end,
					ex[x].start, ex[x].end);
	}
	assert_int_equal(got, want);
	assert_int_equal(backed, o->backup_size);
}

static void opts_for(const struct baton_crash_info *info, uint64_t backup_dst,
		     struct baton_elfcore_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->exclude = info->crash;
	o->nr_exclude = info->nr_crash;
	assert_int_equal(baton_crash_backup_range(info, &o->backup_src, &o->backup_size), 0);
	o->backup_dst = backup_dst;
}

/* --- reading -------------------------------------------------------------------------------- */

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

/* Every program header kexec-tools printed for the same boot (-d), in order. */
static void matches_kexec_tools_on(const char *fixture)
{
	char path[4096], line[512];
	struct baton_crash_info info;
	struct baton_elfcore_opts o;
	struct baton_error err = { 0 };
	unsigned long long backup = 0;
	uint8_t *buf;
	size_t size, n = 0;
	FILE *f;

	assert_int_equal(baton_crash_read(fixture, &info, &err), 0);
	snprintf(path, sizeof(path), "%s.kexec-tools", fixture);
	assert_non_null(f = fopen(path, "r"));
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Created backup segment at %llx", &backup) == 1)
			break;
	assert_true(backup);
	opts_for(&info, backup, &o);
	assert_int_equal(baton_elfcore_build(&info, &o, &buf, &size, &err), 0);
	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		const char *h = strstr(line, "p_type = ");
		unsigned type;
		unsigned long long off, paddr, vaddr, filesz, memsz;
		Elf64_Phdr ph;

		if (!h || !strstr(line, "header"))
			continue;
		assert_int_equal(sscanf(h, "p_type = %u, p_offset = %llx p_paddr = %llx"
					" p_vaddr = %llx p_filesz = %llx p_memsz = %llx", &type,
					&off, &paddr, &vaddr, &filesz, &memsz), 6);
		ph = phdr_at(buf, n++);
		assert_int_equal(ph.p_type, type);
		assert_int_equal(ph.p_offset, off);
		assert_int_equal(ph.p_paddr, paddr);
		assert_int_equal(ph.p_vaddr, vaddr);
		assert_int_equal(ph.p_filesz, filesz);
		assert_int_equal(ph.p_memsz, memsz);
	}
	fclose(f);
	{
		Elf64_Ehdr eh;

		memcpy(&eh, buf, sizeof(eh));
		assert_int_equal(n, eh.e_phnum);
	}
	check_elfcore(&info, &o, buf, size);
	free(buf);
	baton_crash_info_free(&info);
}

static void matches_kexec_tools(void **state)
{
	(void)state;
	matches_kexec_tools_on(HIGH);
	matches_kexec_tools_on(LA57);
}

/* The header for qemu-6g-high, byte for byte. BATON_UPDATE_GOLDEN=1 rewrites the golden file;
 * check it with `readelf -lW` (qemu-6g-high.elfcorehdr.txt) before committing. */
static void golden_header(void **state)
{
	const char *golden = CRASH "/qemu-6g-high.elfcorehdr";
	struct baton_crash_info info;
	struct baton_elfcore_opts o;
	struct baton_error err = { 0 };
	uint8_t *buf, *want;
	size_t size, want_size;

	(void)state;
	assert_int_equal(baton_crash_read(HIGH, &info, &err), 0);
	opts_for(&info, 0x1bef61000, &o);
	assert_int_equal(baton_elfcore_build(&info, &o, &buf, &size, &err), 0);
	assert_int_equal(size, 4096);
	if (getenv("BATON_UPDATE_GOLDEN")) {
		char dir[] = CRASH;

		fx_write(dir, "qemu-6g-high.elfcorehdr", buf, size);
	}
	want = slurp(golden, &want_size);
	assert_non_null(want);
	assert_int_equal(want_size, size);
	assert_memory_equal(buf, want, size);
	free(want);
	free(buf);
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

/* --- the header ----------------------------------------------------------------------------- */

static void backup_range(void **state)
{
	struct baton_crash_info info = { 0 };
	struct baton_error err = { 0 };
	uint64_t src = 1, size = 1;

	(void)state;
	assert_int_equal(baton_crash_read(HIGH, &info, &err), 0);
	assert_int_equal(baton_crash_backup_range(&info, &src, &size), 0);
	assert_int_equal(src, 0x1000);
	assert_int_equal(size, 0x9ec00);
	baton_crash_info_free(&info);

	assert_int_equal(baton_memmap_add(&info.ram, 0, 0x100000, BATON_MEM_RAM, &err), 0);
	assert_int_equal(baton_crash_backup_range(&info, &src, &size), 0);
	assert_int_equal(src, 0);
	assert_int_equal(size, 0xa0000);   /* clipped to 640 KiB */
	baton_memmap_free(&info.ram);
	assert_int_equal(baton_memmap_add(&info.ram, 0xa0000, 0x200000, BATON_MEM_RAM, &err), 0);
	assert_int_equal(baton_crash_backup_range(&info, &src, &size), -ENOENT);
	baton_memmap_free(&info.ram);
}

static void without_backup(void **state)
{
	struct baton_crash_info info;
	struct baton_elfcore_opts o = { 0 };
	struct baton_error err = { 0 };
	uint8_t *buf;
	size_t size;

	(void)state;
	assert_int_equal(baton_crash_read(LA57, &info, &err), 0);
	o.exclude = info.crash;
	o.nr_exclude = info.nr_crash;
	assert_int_equal(baton_elfcore_build(&info, &o, &buf, &size, &err), 0);
	check_elfcore(&info, &o, buf, size);
	assert_int_equal(phdr_at(buf, 4).p_offset, 0x1000);
	assert_int_equal(phdr_at(buf, 4).p_memsz, 0x9ec00);
	free(buf);
	baton_crash_info_free(&info);
}

/* A backup source that is only part of a RAM range splits it. */
static void backup_splits_a_range(void **state)
{
	struct baton_crash_info info;
	struct baton_elfcore_opts o;
	struct baton_error err = { 0 };
	uint8_t *buf;
	size_t size;

	(void)state;
	assert_int_equal(baton_crash_read(LA57, &info, &err), 0);
	opts_for(&info, 0x7df61000, &o);
	o.backup_src = 0x2000;
	o.backup_size = 0x3000;
	assert_int_equal(baton_elfcore_build(&info, &o, &buf, &size, &err), 0);
	check_elfcore(&info, &o, buf, size);
	assert_int_equal(phdr_at(buf, 4).p_paddr, 0x1000);
	assert_int_equal(phdr_at(buf, 4).p_offset, 0x1000);
	assert_int_equal(phdr_at(buf, 5).p_paddr, 0x2000);
	assert_int_equal(phdr_at(buf, 5).p_offset, 0x7df61000);
	assert_int_equal(phdr_at(buf, 5).p_memsz, 0x3000);
	assert_int_equal(phdr_at(buf, 6).p_paddr, 0x5000);
	assert_int_equal(phdr_at(buf, 6).p_offset, 0x5000);
	free(buf);
	baton_crash_info_free(&info);
}

static void build_errors(void **state)
{
	struct baton_crash_info info;
	struct baton_elfcore_opts o;
	struct baton_error err = { 0 };
	uint8_t *buf = (uint8_t *)&o;
	size_t size = 1, nr_notes;
	struct baton_crash_note *notes;

	(void)state;
	assert_int_equal(baton_crash_read(HIGH, &info, &err), 0);
	opts_for(&info, 0x1bef61000, &o);
	o.backup_dst = 0;
	check_error(baton_elfcore_build(&info, &o, &buf, &size, &err), &err, EINVAL, "bad backup",
		    NULL);
	assert_null(buf);
	assert_int_equal(size, 0);
	o.backup_dst = 0x1bef61000;
	o.backup_src = 0xadfff000;   /* runs into the low crash region */
	o.backup_size = 0x2000;
	check_error(baton_elfcore_build(&info, &o, &buf, &size, &err), &err, EINVAL,
		    "0xadfff000-0xae000fff", "not all dumped System RAM");
	o.backup_src = 0x9f000;      /* runs past System RAM */
	check_error(baton_elfcore_build(&info, &o, &buf, &size, &err), &err, EINVAL,
		    "not all dumped System RAM", NULL);
	o.backup_src = UINT64_MAX - 0x1000;
	check_error(baton_elfcore_build(&info, &o, &buf, &size, &err), &err, EINVAL, "bad backup",
		    NULL);

	/* e_phnum is 16 bits; PN_XNUM (0xffff) would need a section header to hold the count. */
	opts_for(&info, 0x1bef61000, &o);
	notes = info.notes;
	nr_notes = info.nr_notes;
	info.nr_notes = 0xffff - 2 - 5;   /* + vmcoreinfo, text and 5 RAM loads */
	info.notes = calloc(info.nr_notes, sizeof(*info.notes));
	for (size_t i = 0; i < info.nr_notes; i++)
		info.notes[i] = notes[0];
	check_error(baton_elfcore_build(&info, &o, &buf, &size, &err), &err, E2BIG,
		    "65535 program headers", NULL);
	info.nr_notes--;
	assert_int_equal(baton_elfcore_build(&info, &o, &buf, &size, &err), 0);
	assert_int_equal(((Elf64_Ehdr *)(void *)buf)->e_phnum, 0xfffe);
	free(buf);
	free(info.notes);
	info.notes = notes;
	info.nr_notes = 0;
	check_error(baton_elfcore_build(&info, &o, &buf, &size, &err), &err, EINVAL, "no CPU notes",
		    NULL);
	info.nr_notes = nr_notes;
	baton_crash_info_free(&info);
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Random RAM maps, crash regions and backup sources: the header always covers every dumped
 * byte exactly once, or the backup is refused because the crash regions cut into it. */
static void random_maps(void **state)
{
	uint64_t seed = 0x9e3779b97f4a7c15ULL;

	(void)state;
	for (int iter = 0; iter < 2000; iter++) {
		struct baton_crash_note note = { 0, 0x7f000000, 368 };
		struct baton_crash_info info = { 0 };
		struct baton_phys_range ex[6];
		struct baton_elfcore_opts o = { 0 };
		struct baton_error err = { 0 };
		uint64_t at = (rnd(&seed) % 3) * 0x1000, backed_cut = 0;
		uint8_t *buf;
		size_t size, nr_ram = 1 + rnd(&seed) % 8;
		int rc;

		info.notes = &note;
		info.nr_notes = 1;
		info.vmcoreinfo_addr = 0x1000000;
		info.vmcoreinfo_size = 0x1024;
		info.text_paddr = 0x1000000;
		info.text_vaddr = 0xffffffff81000000;
		info.text_size = 0x2000000;
		info.page_offset = 0xffff888000000000;
		for (size_t i = 0; i < nr_ram; i++) {
			uint64_t unit = rnd(&seed) % 2 ? 0x400 : 0x100000;
			uint64_t len = (1 + rnd(&seed) % 0x200) * unit;

			assert_int_equal(baton_memmap_add(&info.ram, at, at + len, RAM, &err), 0);
			at += len + (1 + rnd(&seed) % 0x100) * 0x1000;
		}
		assert_int_equal(baton_memmap_sort(&info.ram, &err), 0);
		o.nr_exclude = rnd(&seed) % NELEM(ex);
		for (size_t i = 0; i < o.nr_exclude; i++) {
			uint64_t s = rnd(&seed) % at & ~0xfffULL;

			ex[i].start = s;
			ex[i].end = s + (1 + rnd(&seed) % 0x4000) * 0x1000;
		}
		o.exclude = ex;
		if (!baton_crash_backup_range(&info, &o.backup_src, &o.backup_size))
			o.backup_dst = 0x40000000;
		for (size_t i = 0; i < o.nr_exclude; i++)
			backed_cut += overlap(o.backup_src, o.backup_src + o.backup_size,
					      ex[i].start, ex[i].end);
		rc = baton_elfcore_build(&info, &o, &buf, &size, &err);
		if (backed_cut) {
			check_error(rc, &err, EINVAL, "not all dumped System RAM", NULL);
		} else {
			if (rc)
				fail_msg("iteration %d: %s", iter, err.msg);
			check_elfcore(&info, &o, buf, size);
			free(buf);
		}
		baton_memmap_free(&info.ram);
	}
}

/* --- the capture kernel's e820 -------------------------------------------------------------- */

struct expect {
	uint64_t start, end;
	enum baton_mem_kind kind;
};

static void check_map(const struct baton_memmap *map, const struct expect *e, size_t n)
{
	for (size_t i = 0; i < map->nr && i < n; i++) {
		const struct baton_mem_range *r = &map->ranges[i];

		if (r->start != e[i].start || r->end != e[i].end || r->kind != e[i].kind)
			fail_msg("range %zu: got 0x%" PRIx64 "-0x%" PRIx64 " %s, want 0x%" PRIx64
				 "-0x%" PRIx64 " %s", i, r->start, r->end,
				 baton_mem_kind_name(r->kind), e[i].start, e[i].end,
				 baton_mem_kind_name(e[i].kind));
	}
	assert_int_equal(map->nr, n);
}

/* kexec-tools' E820 for this boot (qemu-6g-high.kexec-tools), except that the segments kept
 * are RESERVED instead of holes, and page 0 is a hole: the firmware map calls it RAM, and of the
 * low RAM only the backup source is offered. */
static void capture_e820(void **state)
{
	static const struct expect want[] = {
		{ 0x1000, 0x9fc00, RAM },                 /* backup source: its bytes are saved */
		{ 0x9fc00, 0xa0000, RES },
		{ 0xf0000, 0x100000, RES },
		{ 0xae000000, 0xbe000000, RAM },          /* the low crash region: DMA, swiotlb */
		{ 0xbffe0000, 0xc0000000, RES },
		{ 0xfffc0000, 0x100000000, RES },
		{ 0x1af000000, 0x1bef5d000, RAM },
		{ 0x1bef5d000, 0x1bef5e000, RES },        /* the ELF header */
		{ 0x1bef5e000, 0x1bef61000, RAM },
		{ 0x1bef61000, 0x1bf000000, RES },        /* the backup copy */
		{ 0xfd00000000, 0x10000000000, RES },
	};
	static const struct baton_phys_range keep[] = {
		{ 0x1bef61000, 0x1bf000000 },
		{ 0x1bef5d000, 0x1bef5e000 },
	};
	struct baton_crash_info info;
	struct baton_memmap fw = { 0 }, out;
	struct baton_error err = { 0 };

	(void)state;
	assert_int_equal(baton_crash_read(HIGH, &info, &err), 0);
	assert_int_equal(baton_memmap_read_machine(&fw, HIGH, &err), 0);
	assert_int_equal(baton_crash_memmap(&fw, &info, info.crash[1].start, info.crash[1].end,
					    keep, NELEM(keep), &out, &err), 0);
	check_map(&out, want, NELEM(want));
	baton_memmap_free(&out);
	baton_memmap_free(&fw);
	baton_crash_info_free(&info);
}

static void capture_e820_keeps_firmware_types(void **state)
{
	static const struct expect want[] = {
		{ 0x0, 0x1000, RES },
		{ 0x1000, 0x9f000, RAM },
		{ 0x9f000, 0xa0000, RES },
		{ 0xe0000, 0x100000, RES },
		{ 0x5000000, 0x6000000, RAM },
		{ 0x6000000, 0x6001000, RES },
		{ 0x6001800, 0x6002000, RES },                 /* 0x6001000-0x6001800: too small */
		{ 0x6002000, 0x7000000, RAM },
		{ 0x7ff00000, 0x7ff80000, BATON_MEM_ACPI },
		{ 0x7ff80000, 0x80000000, BATON_MEM_NVS },
		{ 0x80000000, 0x80100000, BATON_MEM_UNUSABLE },
		{ 0x100000000, 0x140000000, BATON_MEM_PMEM },
		{ 0x140000000, 0x180000000, BATON_MEM_SOFT_RESERVED },
	};
	static const struct baton_phys_range keep[] = {
		{ 0x6000000, 0x6001000 },
		{ 0x6001800, 0x6002000 },
	};
	struct baton_crash_info info = { 0 };
	struct baton_memmap fw = { 0 }, out;
	struct baton_error err = { 0 };

	(void)state;
	assert_int_equal(baton_memmap_add(&fw, 0x0, 0x1000, RES, &err), 0);
	assert_int_equal(baton_memmap_add(&fw, 0x1000, 0x9f000, RAM, &err), 0);
	assert_int_equal(baton_memmap_add(&fw, 0x9f000, 0xa0000, RES, &err), 0);
	assert_int_equal(baton_memmap_add(&fw, 0xe0000, 0x100000, RES, &err), 0);
	assert_int_equal(baton_memmap_add(&fw, 0x100000, 0x7ff00000, RAM, &err), 0);
	assert_int_equal(baton_memmap_add(&fw, 0x7ff00000, 0x7ff80000, BATON_MEM_ACPI, &err), 0);
	assert_int_equal(baton_memmap_add(&fw, 0x7ff80000, 0x80000000, BATON_MEM_NVS, &err), 0);
	assert_int_equal(baton_memmap_add(&fw, 0x80000000, 0x80100000, BATON_MEM_UNUSABLE, &err),
			 0);
	assert_int_equal(baton_memmap_add(&fw, 0x100000000, 0x140000000, BATON_MEM_PMEM, &err), 0);
	assert_int_equal(baton_memmap_add(&fw, 0x140000000, 0x180000000, BATON_MEM_SOFT_RESERVED,
					  &err), 0);
	assert_int_equal(baton_memmap_add(&info.ram, 0x1000, 0x9f000, RAM, &err), 0);
	assert_int_equal(baton_memmap_add(&info.ram, 0x100000, 0x7ff00000, RAM, &err), 0);
	info.crash[0] = (struct baton_phys_range){ 0x5000000, 0x7000000 };
	info.nr_crash = 1;
	assert_int_equal(baton_crash_memmap(&fw, &info, 0x5000000, 0x7000000, keep, NELEM(keep),
					    &out, &err), 0);
	check_map(&out, want, NELEM(want));
	baton_memmap_free(&out);

	/* Segments outside the crash regions cannot be kept this way. */
	{
		static const struct baton_phys_range bad[] = { { 0x4fff000, 0x5001000 } };
		int rc = baton_crash_memmap(&fw, &info, 0x5000000, 0x7000000, bad, 1, &out, &err);
		check_error(rc, &err, EINVAL, "0x4fff000-0x5000fff", "outside the crash regions");
		assert_int_equal(out.nr, 0);
	}
	check_error(baton_crash_memmap(&fw, &info, 0x7000000, 0x7000000, NULL, 0, &out, &err), &err,
		    EINVAL, "empty crash region", NULL);
	baton_memmap_free(&info.ram);
	baton_memmap_free(&fw);
}

/* --- this machine ------------------------------------------------------------------------- */

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
		cmocka_unit_test(matches_kexec_tools),
		cmocka_unit_test(golden_header),
		cmocka_unit_test(cpus_without_notes_are_skipped),
		cmocka_unit_test(nested_system_ram_is_dumped),
		cmocka_unit_test(page_offset_without_paddr),
		cmocka_unit_test(text_paddr_from_kcore_without_kernel_code),
		cmocka_unit_test(read_errors),
		cmocka_unit_test(no_crash_notes_at_all),
		cmocka_unit_test(kcore_unreadable),
		cmocka_unit_test(kcore_errors),
		cmocka_unit_test(backup_range),
		cmocka_unit_test(without_backup),
		cmocka_unit_test(backup_splits_a_range),
		cmocka_unit_test(build_errors),
		cmocka_unit_test(random_maps),
		cmocka_unit_test(capture_e820),
		cmocka_unit_test(capture_e820_keeps_firmware_types),
		cmocka_unit_test(this_host),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* The Linux crash facts: CPU notes and VMCOREINFO from sysfs, RAM, "Crash kernel" regions and
 * the kernel's code from /proc/iomem, the kernel text's addresses from /proc/kcore. */
#include "crash_read.h"

#include <elf.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file.h"
#include "iomem.h"
#include "text.h"

#define SMALL_FILE_MAX 4096
#define KCORE_HEADERS_MAX (1u << 20)   /* kcore has 2 program headers per RAM range: plenty */
#define NOTE_SIZE_MAX (1u << 20)
#define START_KERNEL_MAP 0xffffffff80000000ULL   /* the kernel image and, above it, modules */
#define KERNEL_IMAGE_MAX (1ULL << 30)            /* KERNEL_IMAGE_SIZE with KASLR */
#define KERNEL_HALF 0xff00000000000000ULL        /* lowest direct-map base, 5-level */
#define PUD_SIZE (1ULL << 30)
#define KCORE_NO_PADDR UINT64_MAX                /* kcore's p_paddr for vmalloc, modules, ... */
/* --- small sysfs/procfs files ------------------------------------------------------------- */

/* ROOT/rel, whitespace-trimmed, into buf; its path into path. Errors name the path. */
static int read_text(const char *root, const char *rel, char *path, size_t path_size, char *buf,
		     size_t size, struct baton_error *err)
{
	int rc = baton_path(path, path_size, root, rel, err);

	if (rc)
		return rc;
	rc = baton_file_read_text(path, buf, size);
	if (rc == -EFBIG)
		return baton_fail(err, EINVAL, "crash: %s: longer than %zu bytes", path, size - 1);
	if (rc)
		return baton_fail(err, -rc, "crash: %s: %s", path, strerror(-rc));
	return 0;
}

/* --- CPU notes ---------------------------------------------------------------------------- */

/* "0-3,5,7-8" into a set of CPU numbers. */
static int parse_cpu_list(const char *s, uint8_t *set, size_t *count, const char *path,
			  struct baton_error *err)
{
	const char *p = s, *end = s + strlen(s);

	*count = 0;
	memset(set, 0, BATON_CRASH_MAX_CPUS / 8);
	for (;;) {
		uint64_t lo, hi;

		if (baton_parse_u64(&p, end, 10, &lo))
			goto bad;
		hi = lo;
		if (*p == '-') {
			p++;
			if (baton_parse_u64(&p, end, 10, &hi) || hi < lo)
				goto bad;
		}
		if (hi >= BATON_CRASH_MAX_CPUS)
			return baton_fail(err, E2BIG, "crash: %s: CPU %" PRIu64 ": baton handles"
					  " CPUs 0-%d", path, hi, BATON_CRASH_MAX_CPUS - 1);
		for (uint64_t c = lo; c <= hi; c++) {
			*count += !(set[c / 8] & (1u << (c % 8)));
			set[c / 8] |= (uint8_t)(1u << (c % 8));
		}
		if (!*p)
			return 0;
		if (*p++ != ',')
			goto bad;
	}
bad:
	return baton_fail(err, EINVAL, "crash: %s: not a CPU list like \"0-3,5\": \"%.40s\"", path,
			  s);
}

/* Fills note; 1 when the CPU has no crash_notes (possible but never brought up). */
static int read_note(const char *root, unsigned cpu, struct baton_crash_note *note,
		     struct baton_error *err)
{
	char rel[96], path[PATH_MAX], text[64];
	struct baton_error e = { 0 };
	const char *p = text;
	int rc;

	snprintf(rel, sizeof(rel), "/sys/devices/system/cpu/cpu%u/crash_notes", cpu);
	rc = read_text(root, rel, path, sizeof(path), text, sizeof(text), &e);
	if (rc == -ENOENT)
		return 1;
	if (rc)
		return baton_fail(err, e.code, "%s", e.msg);
	note->cpu = cpu;
	if (baton_parse_hex(&p, p + strlen(p), &note->addr) || *p || !note->addr)
		return baton_fail(err, EINVAL, "crash: %s: not a physical address in hex: \"%s\"",
				  path, text);
	snprintf(rel, sizeof(rel), "/sys/devices/system/cpu/cpu%u/crash_notes_size", cpu);
	if ((rc = read_text(root, rel, path, sizeof(path), text, sizeof(text), err)))
		return rc;
	p = text;
	if (baton_parse_u64(&p, p + strlen(p), 10, &note->size) || *p || !note->size ||
	    note->size > NOTE_SIZE_MAX)
		return baton_fail(err, EINVAL, "crash: %s: not a note size in decimal bytes:"
				  " \"%s\"", path, text);
	if (note->addr + note->size < note->addr)
		return baton_fail(err, EINVAL, "crash: %s: note at 0x%" PRIx64 " wraps around",
				  path, note->addr);
	return 0;
}

static int read_notes(const char *root, struct baton_crash_info *info, struct baton_error *err)
{
	uint8_t set[BATON_CRASH_MAX_CPUS / 8];
	char path[PATH_MAX], text[SMALL_FILE_MAX];
	size_t count;
	int rc;

	if ((rc = read_text(root, "/sys/devices/system/cpu/possible", path, sizeof(path), text,
			    sizeof(text), err)) ||
	    (rc = parse_cpu_list(text, set, &count, path, err)))
		return rc;
	info->notes = calloc(count, sizeof(*info->notes));
	if (!info->notes)
		return baton_fail(err, ENOMEM, "crash: out of memory for %zu CPU notes", count);
	for (unsigned cpu = 0; cpu < BATON_CRASH_MAX_CPUS; cpu++) {
		if (!(set[cpu / 8] & (1u << (cpu % 8))))
			continue;
		rc = read_note(root, cpu, &info->notes[info->nr_notes], err);
		if (rc < 0)
			return rc;
		info->nr_notes += rc == 0;
	}
	if (!info->nr_notes)
		return baton_fail(err, ENOENT, "crash: %s/sys/devices/system/cpu: no CPU has"
				  " crash_notes (a kernel without CONFIG_CRASH_DUMP?)",
				  root ? root : "");
	return 0;
}

static int read_vmcoreinfo(const char *root, struct baton_crash_info *info,
			   struct baton_error *err)
{
	char path[PATH_MAX], text[128];
	const char *p = text, *end;
	int rc = read_text(root, "/sys/kernel/vmcoreinfo", path, sizeof(path), text, sizeof(text),
			   err);

	if (rc == -ENOENT)
		return baton_fail(err, ENOENT, "crash: %s: no such file (a kernel without"
				  " CONFIG_VMCORE_INFO?)", path);
	if (rc)
		return rc;
	/* "%pa %x": the address (older kernels: without 0x), the size in hex too. */
	end = text + strlen(text);
	if (baton_parse_hex(&p, end, &info->vmcoreinfo_addr) || *p != ' ' ||
	    (p++, baton_parse_hex(&p, end, &info->vmcoreinfo_size)) || *p ||
	    !info->vmcoreinfo_addr || !info->vmcoreinfo_size ||
	    info->vmcoreinfo_size > NOTE_SIZE_MAX)
		return baton_fail(err, EINVAL, "crash: %s: expected \"ADDRESS SIZE\" in hex:"
				  " \"%.60s\"", path, text);
	return 0;
}

/* --- /proc/iomem ---------------------------------------------------------------------------- */

struct iomem_scan {
	uint64_t code_start;   /* "Kernel code"; valid when has_code */
	uint64_t bss_end;      /* one past "Kernel bss"; 0: none */
	int has_code;
};

static int name_is(const char *name, size_t len, const char *want)
{
	return strlen(want) == len && !memcmp(name, want, len);
}

/* "System RAM", and "System RAM (kmem)" / "(virtio_mem)" under a device: all dumped. */
static int name_is_ram(const char *name, size_t len)
{
	return name_is(name, len, "System RAM") ||
	       (len > 12 && !memcmp(name, "System RAM (", 12) && name[len - 1] == ')');
}

static int iomem_entry(struct baton_crash_info *info, struct iomem_scan *scan,
		       const struct baton_iomem_entry *e, const char *path,
		       struct baton_error *err)
{
	/* [start, stop) loses the top byte of the address space. */
	uint64_t stop = e->last == UINT64_MAX ? e->last : e->last + 1;

	if (name_is_ram(e->name, e->name_len))
		return stop > e->start ?
		       baton_memmap_add(&info->ram, e->start, stop, BATON_MEM_RAM, err) : 0;
	if (name_is(e->name, e->name_len, "Crash kernel") && stop > e->start)
		return baton_crash_add_region(info, e->start, stop, path, err);
	if (name_is(e->name, e->name_len, "Kernel code") && !scan->has_code) {
		scan->code_start = e->start;
		scan->has_code = 1;
	} else if (name_is(e->name, e->name_len, "Kernel bss")) {
		scan->bss_end = stop;
	}
	return 0;
}

static int read_iomem(const char *root, struct baton_crash_info *info, struct iomem_scan *scan,
		      struct baton_error *err)
{
	char path[PATH_MAX];
	struct baton_file f;
	struct baton_iomem_iter it;
	struct baton_iomem_entry e;
	int rc;

	if ((rc = baton_path(path, sizeof(path), root, "/proc/iomem", err)))
		return rc;
	if ((rc = baton_iomem_read(&f, path)) == -EFBIG)
		return baton_fail(err, EFBIG, "crash: %s: larger than %u MiB", path,
				  BATON_IOMEM_MAX >> 20);
	if (rc)
		return baton_fail(err, -rc, "crash: %s: %s", path, strerror(-rc));
	baton_iomem_begin(&it, (const char *)f.data, f.size, BATON_IOMEM_ALL);
	while ((rc = baton_iomem_next(&it, &e)) > 0) {
		if (e.last < e.start) {
			rc = -EINVAL;
			break;
		}
		if ((rc = iomem_entry(info, scan, &e, path, err)))
			goto out;
	}
	if (rc) {
		const char *l;
		int n = baton_iomem_excerpt(&it, &l);

		rc = baton_fail(err, EINVAL, "crash: %s: line %d: expected \"start-end : name\""
				" in hex: \"%.*s\"", path, it.line, n, l);
	}
out:
	baton_file_free(&f);
	if (rc)
		return rc;
	if (!it.nonzero && it.line)
		return baton_fail(err, EACCES, "crash: %s: every address reads as zero: reading it"
				  " needs root (CAP_SYS_ADMIN)", path);
	if (!info->ram.nr)
		return baton_fail(err, ENOENT, "crash: %s: no \"System RAM\"", path);
	if (!info->nr_crash)
		return baton_fail(err, ENOENT, "crash: %s: no \"Crash kernel\" region: boot the"
				  " running kernel with crashkernel=SIZE (e.g. crashkernel=256M)",
				  path);
	return baton_crash_info_finish(info, path, err);
}

/* --- /proc/kcore ---------------------------------------------------------------------------- */

static int read_at(int fd, void *buf, size_t size, const char *path, struct baton_error *err)
{
	size_t done = 0;

	while (done < size) {
		ssize_t n = pread(fd, (uint8_t *)buf + done, size - done, (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return baton_fail(err, errno, "crash: %s: %s", path, strerror(errno));
		if (n == 0)
			return baton_fail(err, ENOEXEC, "crash: %s: ends at %zu bytes, inside its"
					  " ELF headers (%zu bytes)", path, done, size);
		done += (size_t)n;
	}
	return 0;
}

static int open_kcore(const char *path, struct baton_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	if (errno == EACCES || errno == EPERM)
		return baton_fail(err, errno, "crash: %s: %s: reading it needs root"
				  " (CAP_SYS_RAWIO), and no kernel lockdown", path,
				  strerror(errno));
	if (errno == ENOENT)
		return baton_fail(err, ENOENT, "crash: %s: no such file (a kernel without"
				  " CONFIG_PROC_KCORE?)", path);
	return baton_fail(err, errno, "crash: %s: %s", path, strerror(errno));
}

/* The ELF header and program headers only: the file is as large as the address space. */
static int read_kcore_phdrs(const char *path, Elf64_Phdr **phdrs, size_t *nr,
			    struct baton_error *err)
{
	Elf64_Ehdr eh;
	uint8_t *buf;
	size_t size;
	int fd = open_kcore(path, err), rc;

	if (fd < 0)
		return fd;
	if ((rc = read_at(fd, &eh, sizeof(eh), path, err)))
		goto out;
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_type != ET_CORE ||
	    eh.e_machine != EM_X86_64) {
		rc = baton_fail(err, ENOEXEC, "crash: %s: not an x86-64 ELF64 core file", path);
		goto out;
	}
	if (eh.e_phentsize != sizeof(Elf64_Phdr) || !eh.e_phnum || eh.e_phnum == PN_XNUM ||
	    eh.e_phoff < sizeof(eh) || eh.e_phoff > KCORE_HEADERS_MAX) {
		rc = baton_fail(err, ENOEXEC, "crash: %s: unexpected program header table (e_phoff"
				" %" PRIu64 ", e_phnum %u, e_phentsize %u)", path,
				(uint64_t)eh.e_phoff, eh.e_phnum, eh.e_phentsize);
		goto out;
	}
	size = (size_t)eh.e_phoff + (size_t)eh.e_phnum * sizeof(Elf64_Phdr);
	if (!(buf = malloc(size))) {
		rc = baton_fail(err, ENOMEM, "crash: %s: out of memory", path);
		goto out;
	}
	if ((rc = read_at(fd, buf, size, path, err))) {
		free(buf);
		goto out;
	}
	*nr = eh.e_phnum;
	*phdrs = malloc(*nr * sizeof(**phdrs));
	if (*phdrs)
		memcpy(*phdrs, buf + eh.e_phoff, *nr * sizeof(**phdrs));
	else
		rc = baton_fail(err, ENOMEM, "crash: %s: out of memory", path);
	free(buf);
out:
	close(fd);
	return rc;
}

static int paddr_known(uint64_t paddr)
{
	/* -1 marks vmalloc, modules, vmemmap; kernels from before 2017 wrote 0 everywhere, and
	 * page 0 is never System RAM on x86. */
	return paddr != KCORE_NO_PADDR && paddr != 0;
}

/* The kernel text segment: the lowest PT_LOAD in the kernel image area (modules come after). */
static const Elf64_Phdr *kcore_text(const Elf64_Phdr *ph, size_t nr)
{
	const Elf64_Phdr *text = NULL;

	for (size_t i = 0; i < nr; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_vaddr >= START_KERNEL_MAP &&
		    ph[i].p_vaddr - START_KERNEL_MAP < KERNEL_IMAGE_MAX &&
		    (!text || ph[i].p_vaddr < text->p_vaddr))
			text = &ph[i];
	return text;
}

/* PAGE_OFFSET from the direct-map segments (vaddr - paddr); without p_paddr, kexec-tools' rule:
 * the lowest segment's address rounded down to 1 GiB (KASLR aligns page_offset_base so). */
static int kcore_page_offset(const Elf64_Phdr *ph, size_t nr, uint64_t *po, const char *path,
			     struct baton_error *err)
{
	uint64_t lowest = UINT64_MAX;
	int found = 0;

	for (size_t i = 0; i < nr; i++) {
		if (ph[i].p_type != PT_LOAD || ph[i].p_vaddr >= START_KERNEL_MAP)
			continue;
		if (ph[i].p_vaddr < lowest)
			lowest = ph[i].p_vaddr;
		if (!paddr_known(ph[i].p_paddr))
			continue;
		if (found && ph[i].p_vaddr - ph[i].p_paddr != *po)
			return baton_fail(err, EINVAL, "crash: %s: RAM segments disagree on the"
					  " direct map base: 0x%" PRIx64 " and 0x%" PRIx64, path,
					  *po, ph[i].p_vaddr - ph[i].p_paddr);
		*po = ph[i].p_vaddr - ph[i].p_paddr;
		found = 1;
	}
	if (!found && lowest != UINT64_MAX)
		*po = lowest & ~(PUD_SIZE - 1);
	else if (!found)
		return baton_fail(err, EINVAL, "crash: %s: no direct-map (RAM) segment", path);
	if (*po < KERNEL_HALF)
		return baton_fail(err, EINVAL, "crash: %s: direct map base 0x%" PRIx64 " is not a"
				  " kernel address", path, *po);
	return 0;
}

static int read_kcore(const char *root, struct baton_crash_info *info,
		      const struct iomem_scan *scan, struct baton_error *err)
{
	char path[PATH_MAX];
	Elf64_Phdr *ph = NULL;
	const Elf64_Phdr *text;
	size_t nr = 0;
	int rc;

	if ((rc = baton_path(path, sizeof(path), root, "/proc/kcore", err)))
		return rc;
	if ((rc = read_kcore_phdrs(path, &ph, &nr, err)))
		return rc;
	if ((rc = kcore_page_offset(ph, nr, &info->page_offset, path, err)))
		goto out;
	if (!(text = kcore_text(ph, nr)) || !text->p_memsz) {
		rc = baton_fail(err, EINVAL, "crash: %s: no kernel text segment (a PT_LOAD at"
				" 0x%llx..)", path, START_KERNEL_MAP);
		goto out;
	}
	info->text_vaddr = text->p_vaddr;
	info->text_size = text->p_memsz;
	/* kexec-tools takes the physical start from "Kernel code"; kcore (since 2017) says
	 * the same in p_paddr. Both are __pa_symbol(_text): they must agree. */
	if (scan->has_code && paddr_known(text->p_paddr) && scan->code_start != text->p_paddr) {
		rc = baton_fail(err, EINVAL, "crash: %s: kernel text at physical 0x%" PRIx64 ", but"
				" /proc/iomem has \"Kernel code\" at 0x%" PRIx64, path,
				text->p_paddr, scan->code_start);
		goto out;
	}
	if (scan->has_code)
		info->text_paddr = scan->code_start;
	else if (paddr_known(text->p_paddr))
		info->text_paddr = text->p_paddr;
	else {
		rc = baton_fail(err, ENOENT, "crash: %s: no \"Kernel code\" in /proc/iomem and no"
				" physical address for the kernel text", path);
		goto out;
	}
	if (info->text_paddr + info->text_size < scan->bss_end)
		rc = baton_fail(err, EINVAL, "crash: %s: kernel text segment 0x%" PRIx64 "+0x%"
				PRIx64 " ends before \"Kernel bss\" (0x%" PRIx64 ")", path,
				info->text_paddr, info->text_size, scan->bss_end);
out:
	free(ph);
	return rc;
}

/* --- crash hotplug ------------------------------------------------------------------------- */

/* The kernel rewrites the header of a kexec_load image loaded with KEXEC_UPDATE_ELFCOREHDR
 * where it has CONFIG_CRASH_HOTPLUG (6.5+): then this file says how many program-header bytes
 * it may write (sysfs' crash_hotplug files say only whether the loaded image takes it). */
static void read_hotplug(const char *root, struct baton_crash_info *info)
{
	char path[PATH_MAX], text[32];
	const char *p = text;
	uint64_t v;

	info->no_hotplug = "the running kernel has no crash hotplug (6.5+ with CONFIG_CRASH_HOTPLUG:"
			   " no /sys/kernel/crash_elfcorehdr_size)";
	if (baton_path(path, sizeof(path), root, "/sys/kernel/crash_elfcorehdr_size", NULL) ||
	    baton_file_read_text(path, text, sizeof(text)))
		return;
	if (baton_parse_u64(&p, text + strlen(text), 10, &v) || *p || !v || v > (64u << 20)) {
		info->no_hotplug = "/sys/kernel/crash_elfcorehdr_size: not a size baton understands";
		return;
	}
	info->hotplug_phdrs_size = v;
	info->no_hotplug = NULL;
}

int baton_crash_read(const char *root, struct baton_crash_info *info, struct baton_error *err)
{
	struct iomem_scan scan = { 0 };
	int rc;

	memset(info, 0, sizeof(*info));
	if ((rc = read_iomem(root, info, &scan, err)) || (rc = read_notes(root, info, err)) ||
	    (rc = read_vmcoreinfo(root, info, err)) || (rc = read_kcore(root, info, &scan, err)))
		baton_crash_info_free(info);
	else
		read_hotplug(root, info);
	return rc;
}

/* SPDX-License-Identifier: MIT */
/* Crash dumps: reading the running kernel's crash data, the ELF core header, the capture e820. */
#include "crash.h"

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
#define PAGE 4096ULL

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
	if (name_is(e->name, e->name_len, "Crash kernel") && stop > e->start) {
		if (info->nr_crash == BATON_CRASH_MAX_REGIONS)
			return baton_fail(err, E2BIG, "crash: %s: more than %d \"Crash kernel\""
					  " regions", path, BATON_CRASH_MAX_REGIONS);
		info->crash[info->nr_crash++] = (struct baton_phys_range){ e->start, stop };
	} else if (name_is(e->name, e->name_len, "Kernel code") && !scan->has_code) {
		scan->code_start = e->start;
		scan->has_code = 1;
	} else if (name_is(e->name, e->name_len, "Kernel bss")) {
		scan->bss_end = stop;
	}
	return 0;
}

static int cmp_phys(const void *pa, const void *pb)
{
	const struct baton_phys_range *a = pa, *b = pb;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return a->end < b->end ? -1 : a->end > b->end;
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
	qsort(info->crash, info->nr_crash, sizeof(info->crash[0]), cmp_phys);
	for (size_t i = 1; i < info->nr_crash; i++)
		if (info->crash[i].start < info->crash[i - 1].end)
			return baton_fail(err, EINVAL, "crash: %s: \"Crash kernel\" regions overlap"
					  " at 0x%" PRIx64, path, info->crash[i].start);
	return baton_memmap_sort(&info->ram, err);
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

void baton_crash_info_free(struct baton_crash_info *info)
{
	free(info->notes);
	baton_memmap_free(&info->ram);
	memset(info, 0, sizeof(*info));
}

int baton_crash_read(const char *root, struct baton_crash_info *info, struct baton_error *err)
{
	struct iomem_scan scan = { 0 };
	int rc;

	memset(info, 0, sizeof(*info));
	if ((rc = read_iomem(root, info, &scan, err)) || (rc = read_notes(root, info, err)) ||
	    (rc = read_vmcoreinfo(root, info, err)) || (rc = read_kcore(root, info, &scan, err)))
		baton_crash_info_free(info);
	return rc;
}

int baton_crash_backup_range(const struct baton_crash_info *info, uint64_t *src, uint64_t *size)
{
	for (size_t i = 0; i < info->ram.nr; i++) {
		const struct baton_mem_range *r = &info->ram.ranges[i];

		if (r->kind != BATON_MEM_RAM || r->start >= BATON_CRASH_BACKUP_LIMIT)
			continue;
		*src = r->start;
		*size = (r->end < BATON_CRASH_BACKUP_LIMIT ? r->end : BATON_CRASH_BACKUP_LIMIT) -
			r->start;
		return 0;
	}
	return -ENOENT;
}

/* --- range arithmetic ----------------------------------------------------------------------- */

struct ranges {
	struct baton_phys_range *v;
	size_t nr, cap;
};

static int ranges_add(struct ranges *r, uint64_t start, uint64_t end, struct baton_error *err)
{
	if (r->nr == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 32;
		struct baton_phys_range *v = realloc(r->v, cap * sizeof(*v));

		if (!v)
			return baton_fail(err, ENOMEM, "crash: out of memory for %zu ranges", cap);
		r->v = v;
		r->cap = cap;
	}
	r->v[r->nr++] = (struct baton_phys_range){ start, end };
	return 0;
}

/* A sorted copy of ranges (empty ones dropped), overlapping and touching ones merged. */
static int ranges_sorted(struct ranges *out, const struct baton_phys_range *in, size_t n,
			 struct baton_error *err)
{
	size_t k = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++)
		if (in[i].start < in[i].end && (rc = ranges_add(out, in[i].start, in[i].end, err))) {
			free(out->v);
			memset(out, 0, sizeof(*out));
			return rc;
		}
	if (out->nr)
		qsort(out->v, out->nr, sizeof(out->v[0]), cmp_phys);
	for (size_t i = 0; i < out->nr; i++) {
		if (k && out->v[i].start <= out->v[k - 1].end) {
			if (out->v[i].end > out->v[k - 1].end)
				out->v[k - 1].end = out->v[i].end;
			continue;
		}
		out->v[k++] = out->v[i];
	}
	out->nr = k;
	return 0;
}

/* [start, end) minus `cut` (sorted, merged), appended to out. */
static int ranges_subtract(struct ranges *out, uint64_t start, uint64_t end,
			   const struct ranges *cut, struct baton_error *err)
{
	int rc;

	for (size_t i = 0; i < cut->nr && start < end; i++) {
		if (cut->v[i].end <= start)
			continue;
		if (cut->v[i].start >= end)
			break;
		if (cut->v[i].start > start && (rc = ranges_add(out, start, cut->v[i].start, err)))
			return rc;
		start = cut->v[i].end;
	}
	return start < end ? ranges_add(out, start, end, err) : 0;
}

/* --- the ELF core header -------------------------------------------------------------------- */

static void put_phdr(uint8_t *buf, size_t *n, uint32_t type, uint64_t offset, uint64_t vaddr,
		     uint64_t paddr, uint64_t size)
{
	Elf64_Phdr ph = {
		.p_type = type,
		.p_flags = type == PT_LOAD ? PF_R | PF_W | PF_X : 0,
		.p_offset = offset,
		.p_vaddr = vaddr,
		.p_paddr = paddr,
		.p_filesz = size,
		.p_memsz = size,
		.p_align = 0,
	};

	memcpy(buf + sizeof(Elf64_Ehdr) + *n * sizeof(ph), &ph, sizeof(ph));
	++*n;
}

static void put_ehdr(uint8_t *buf, size_t phnum)
{
	Elf64_Ehdr eh = {
		.e_type = ET_CORE,
		.e_machine = EM_X86_64,
		.e_version = EV_CURRENT,
		.e_phoff = sizeof(Elf64_Ehdr),
		.e_ehsize = sizeof(Elf64_Ehdr),
		.e_phentsize = sizeof(Elf64_Phdr),
		.e_phnum = (uint16_t)phnum,
	};

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_ident[EI_OSABI] = ELFOSABI_NONE;   /* Linux's ELF_OSABI on x86 */
	memcpy(buf, &eh, sizeof(eh));
}

/* The dumped RAM: System RAM minus the excluded ranges, split at the backup source's bounds. */
static int dump_ranges(const struct baton_crash_info *info, const struct baton_elfcore_opts *opts,
		       struct ranges *out, struct baton_error *err)
{
	struct ranges cut, pieces = { 0 };
	uint64_t bs = opts->backup_src, be = opts->backup_src + opts->backup_size;
	int rc = ranges_sorted(&cut, opts->exclude, opts->nr_exclude, err);

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; !rc && i < info->ram.nr; i++)
		if (info->ram.ranges[i].kind == BATON_MEM_RAM)
			rc = ranges_subtract(&pieces, info->ram.ranges[i].start,
					     info->ram.ranges[i].end, &cut, err);
	for (size_t i = 0; !rc && i < pieces.nr; i++) {
		uint64_t s = pieces.v[i].start, e = pieces.v[i].end;

		if (opts->backup_size && s < be && bs < e) {
			if (s < bs && (rc = ranges_add(out, s, bs, err)))
				break;
			if ((rc = ranges_add(out, s > bs ? s : bs, e < be ? e : be, err)))
				break;
			s = e < be ? e : be;
		}
		if (s < e)
			rc = ranges_add(out, s, e, err);
	}
	free(cut.v);
	free(pieces.v);
	if (rc) {
		free(out->v);
		memset(out, 0, sizeof(*out));
	}
	return rc;
}

int baton_elfcore_build(const struct baton_crash_info *info, const struct baton_elfcore_opts *opts,
			uint8_t **out, size_t *size, struct baton_error *err)
{
	uint64_t bs = opts->backup_src, be = bs + opts->backup_size, backed = 0;
	struct ranges loads;
	size_t phnum, n = 0;
	uint8_t *buf;
	int rc;

	*out = NULL;
	*size = 0;
	if (!info->nr_notes || !info->vmcoreinfo_size || !info->text_size)
		return baton_fail(err, EINVAL, "crash: elfcorehdr: no CPU notes, VMCOREINFO or"
				  " kernel text to describe");
	if (opts->backup_size && (be < bs || !opts->backup_dst ||
				  opts->backup_dst + opts->backup_size < opts->backup_dst))
		return baton_fail(err, EINVAL, "crash: elfcorehdr: bad backup 0x%" PRIx64 "+0x%"
				  PRIx64 " -> 0x%" PRIx64, bs, opts->backup_size, opts->backup_dst);
	if ((rc = dump_ranges(info, opts, &loads, err)))
		goto out;
	for (size_t i = 0; i < loads.nr; i++)
		if (opts->backup_size && loads.v[i].start >= bs && loads.v[i].end <= be)
			backed += loads.v[i].end - loads.v[i].start;
	if (backed != opts->backup_size) {
		rc = baton_fail(err, EINVAL, "crash: elfcorehdr: backup source 0x%" PRIx64 "-0x%"
				PRIx64 " is not all dumped System RAM", bs, be - 1);
		goto out;
	}
	phnum = info->nr_notes + 2 + loads.nr;
	if (phnum >= PN_XNUM) {
		rc = baton_fail(err, E2BIG, "crash: elfcorehdr: %zu program headers: more than"
				" e_phnum holds (%d)", phnum, PN_XNUM - 1);
		goto out;
	}
	*size = (sizeof(Elf64_Ehdr) + phnum * sizeof(Elf64_Phdr) + BATON_ELFCORE_ALIGN - 1) &
		~(size_t)(BATON_ELFCORE_ALIGN - 1);
	if (!(buf = calloc(1, *size))) {
		rc = baton_fail(err, ENOMEM, "crash: elfcorehdr: out of memory for %zu bytes",
				*size);
		*size = 0;
		goto out;
	}
	put_ehdr(buf, phnum);
	for (size_t i = 0; i < info->nr_notes; i++)
		put_phdr(buf, &n, PT_NOTE, info->notes[i].addr, 0, info->notes[i].addr,
			 info->notes[i].size);
	put_phdr(buf, &n, PT_NOTE, info->vmcoreinfo_addr, 0, info->vmcoreinfo_addr,
		 info->vmcoreinfo_size);
	put_phdr(buf, &n, PT_LOAD, info->text_paddr, info->text_vaddr, info->text_paddr,
		 info->text_size);
	for (size_t i = 0; i < loads.nr; i++) {
		uint64_t s = loads.v[i].start;
		int backup = opts->backup_size && s >= bs && loads.v[i].end <= be;

		put_phdr(buf, &n, PT_LOAD, backup ? opts->backup_dst + (s - bs) : s,
			 info->page_offset + s, s, loads.v[i].end - s);
	}
	*out = buf;
out:
	free(loads.v);
	return rc;
}

/* --- the capture kernel's e820 -------------------------------------------------------------- */

static int add_ranges(struct baton_memmap *out, const struct ranges *r, enum baton_mem_kind kind,
		      uint64_t min_size, struct baton_error *err)
{
	int rc;

	for (size_t i = 0; i < r->nr; i++)
		if (r->v[i].end - r->v[i].start >= min_size &&
		    (rc = baton_memmap_add(out, r->v[i].start, r->v[i].end, kind, err)))
			return rc;
	return 0;
}

int baton_crash_memmap(const struct baton_memmap *firmware, const struct baton_crash_info *info,
		       uint64_t crash_start, uint64_t crash_end,
		       const struct baton_phys_range *reserved, size_t nr_reserved,
		       struct baton_memmap *out, struct baton_error *err)
{
	struct baton_phys_range areas_in[BATON_CRASH_MAX_REGIONS + 2];
	struct ranges areas = { 0 }, keep = { 0 }, ram = { 0 };
	uint64_t bsrc, bsize;
	size_t n = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (crash_end <= crash_start)
		return baton_fail(err, EINVAL, "crash: e820: empty crash region 0x%" PRIx64 "-0x%"
				  PRIx64, crash_start, crash_end);
	areas_in[n++] = (struct baton_phys_range){ crash_start, crash_end };
	for (size_t i = 0; i < info->nr_crash && i < BATON_CRASH_MAX_REGIONS; i++)
		areas_in[n++] = info->crash[i];
	if (!baton_crash_backup_range(info, &bsrc, &bsize))
		areas_in[n++] = (struct baton_phys_range){ bsrc, bsrc + bsize };
	if ((rc = ranges_sorted(&areas, areas_in, n, err)) ||
	    (rc = ranges_sorted(&keep, reserved, nr_reserved, err)))
		goto out;
	for (size_t i = 0; i < keep.nr; i++) {
		size_t a = 0;

		while (a < areas.nr && areas.v[a].end < keep.v[i].end)
			a++;
		if (a == areas.nr || areas.v[a].start > keep.v[i].start) {
			rc = baton_fail(err, EINVAL, "crash: e820: reserved 0x%" PRIx64 "-0x%"
					PRIx64 " is outside the crash regions", keep.v[i].start,
					keep.v[i].end - 1);
			goto out;
		}
	}
	for (size_t i = 0; !rc && i < areas.nr; i++)
		rc = ranges_subtract(&ram, areas.v[i].start, areas.v[i].end, &keep, err);
	if (rc || (rc = add_ranges(out, &ram, BATON_MEM_RAM, PAGE, err)) ||
	    (rc = add_ranges(out, &keep, BATON_MEM_RESERVED, 1, err)))
		goto out;
	for (size_t i = 0; i < firmware->nr; i++) {
		const struct baton_mem_range *r = &firmware->ranges[i];

		if (r->kind != BATON_MEM_RAM &&
		    (rc = baton_memmap_add(out, r->start, r->end, r->kind, err)))
			goto out;
	}
	rc = baton_memmap_sort(out, err);
out:
	free(areas.v);
	free(keep.v);
	free(ram.v);
	if (rc)
		baton_memmap_free(out);
	return rc;
}

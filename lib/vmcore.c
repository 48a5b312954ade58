/* SPDX-License-Identifier: MIT */
/* Reading a kernel crash dump: ELF64 headers, the VMCOREINFO note, virtual reads. */
#include "vmcore.h"

#include <elf.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "le.h"
#include "text.h"

/* Bounds on what a header may make us allocate: far above any real dump (/proc/vmcore merges the
 * per-CPU notes into one PT_NOTE, a few MiB for 8192 CPUs), far below the capture kernel's
 * memory. */
#define MAX_PHNUM (1u << 20)
#define MAX_NOTES (64u << 20)

static int fail_read(const struct baton_vmcore *vc, int rc, const char *what, uint64_t off,
		     struct baton_error *err)
{
	return baton_fail(err, rc == -EIO ? EIO : -rc, "vmcore %s: cannot read %s at file offset "
			  "0x%" PRIx64 "%s", vc->name, what, off,
			  rc == -EIO ? ": the file ends first" : "");
}

/* Bytes [off, off + len) of the file. */
static int read_at(const struct baton_vmcore *vc, uint64_t off, void *buf, size_t len,
		   const char *what, struct baton_error *err)
{
	int rc;

	if (off > vc->rd.size || len > vc->rd.size - off)
		return fail_read(vc, -EIO, what, off, err);
	if ((rc = vc->rd.read(vc->rd.ctx, off, buf, len)))
		return fail_read(vc, rc, what, off, err);
	return 0;
}

static int check_ehdr(const struct baton_vmcore *vc, const uint8_t *e, struct baton_error *err)
{
	if (memcmp(e, ELFMAG, SELFMAG))
		return baton_fail(err, EINVAL, "vmcore %s: not an ELF file", vc->name);
	if (e[EI_CLASS] != ELFCLASS64 || e[EI_DATA] != ELFDATA2LSB)
		return baton_fail(err, EINVAL, "vmcore %s: not a little-endian ELF64 file (a "
				  "32-bit core? baton reads x86-64 dumps)", vc->name);
	if (baton_le16(e + offsetof(Elf64_Ehdr, e_type)) != ET_CORE)
		return baton_fail(err, EINVAL, "vmcore %s: not an ELF core file (e_type %u)",
				  vc->name, baton_le16(e + offsetof(Elf64_Ehdr, e_type)));
	if (baton_le16(e + offsetof(Elf64_Ehdr, e_machine)) != EM_X86_64)
		return baton_fail(err, EINVAL, "vmcore %s: not an x86-64 dump (e_machine %u)",
				  vc->name, baton_le16(e + offsetof(Elf64_Ehdr, e_machine)));
	if (baton_le16(e + offsetof(Elf64_Ehdr, e_phentsize)) != sizeof(Elf64_Phdr))
		return baton_fail(err, EINVAL, "vmcore %s: program headers of %u bytes, not %zu",
				  vc->name, baton_le16(e + offsetof(Elf64_Ehdr, e_phentsize)),
				  sizeof(Elf64_Phdr));
	return 0;
}

/* e_phnum, or with PN_XNUM the count in section header 0's sh_info (ELF's escape for more than
 * 65534 program headers). */
static int phnum(const struct baton_vmcore *vc, const uint8_t *e, size_t *out,
		 struct baton_error *err)
{
	uint8_t sh[sizeof(Elf64_Shdr)];
	uint64_t n = baton_le16(e + offsetof(Elf64_Ehdr, e_phnum));
	int rc;

	if (n == PN_XNUM) {
		if ((rc = read_at(vc, baton_le64(e + offsetof(Elf64_Ehdr, e_shoff)), sh, sizeof(sh),
				  "section header 0 (e_phnum is PN_XNUM)", err)))
			return rc;
		n = baton_le32(sh + offsetof(Elf64_Shdr, sh_info));
	}
	if (n == 0 || n > MAX_PHNUM)
		return baton_fail(err, EINVAL, "vmcore %s: %" PRIu64 " program headers", vc->name, n);
	*out = (size_t)n;
	return 0;
}

/* VMCOREINFO in one PT_NOTE's notes; 1 when found. Malformed notes end the walk, as a reader
 * of /proc/vmcore must: the kernel pads the merged PT_NOTE with nothing after the last note. */
static int find_info(struct baton_vmcore *vc, const uint8_t *n, size_t size,
		     struct baton_error *err)
{
	static const char name[] = "VMCOREINFO";
	size_t at = 0;

	while (size - at >= 12) {
		uint32_t namesz = baton_le32(n + at), descsz = baton_le32(n + at + 4);
		uint32_t type = baton_le32(n + at + 8);
		uint64_t name_at = at + 12, desc_at = name_at + ((namesz + 3ull) & ~3ull);
		uint64_t next = desc_at + ((descsz + 3ull) & ~3ull);

		if (next > size || desc_at + descsz > size)
			return 0;
		if (type == 0 && namesz == sizeof(name) && !memcmp(n + name_at, name, sizeof(name))) {
			if (!(vc->info = malloc((size_t)descsz + 1)))
				return baton_fail(err, ENOMEM, "vmcore %s: out of memory for "
						  "VMCOREINFO", vc->name);
			memcpy(vc->info, n + desc_at, descsz);
			vc->info[descsz] = 0;
			vc->info_len = descsz;
			return 1;
		}
		at = (size_t)next;
	}
	return 0;
}

static int read_notes(struct baton_vmcore *vc, uint64_t off, uint64_t size,
		      struct baton_error *err)
{
	uint8_t *buf;
	int rc;

	if (size > MAX_NOTES)
		return baton_fail(err, EINVAL, "vmcore %s: a PT_NOTE of %" PRIu64 " bytes",
				  vc->name, size);
	if (!(buf = malloc(size ? (size_t)size : 1)))
		return baton_fail(err, ENOMEM, "vmcore %s: out of memory for the notes", vc->name);
	rc = read_at(vc, off, buf, (size_t)size, "a PT_NOTE", err);
	if (!rc)
		rc = find_info(vc, buf, (size_t)size, err);
	free(buf);
	return rc < 0 ? rc : 0;
}

static int read_phdrs(struct baton_vmcore *vc, const uint8_t *e, struct baton_error *err)
{
	uint8_t *ph = NULL;
	size_t n = 0;
	int rc;

	if ((rc = phnum(vc, e, &n, err)))
		return rc;
	if (!(ph = malloc(n * sizeof(Elf64_Phdr))) ||
	    !(vc->loads = calloc(n, sizeof(*vc->loads)))) {
		free(ph);
		return baton_fail(err, ENOMEM, "vmcore %s: out of memory for %zu program headers",
				  vc->name, n);
	}
	rc = read_at(vc, baton_le64(e + offsetof(Elf64_Ehdr, e_phoff)), ph,
		     n * sizeof(Elf64_Phdr), "the program headers", err);
	for (size_t i = 0; !rc && i < n; i++) {
		const uint8_t *p = ph + i * sizeof(Elf64_Phdr);
		uint32_t type = baton_le32(p + offsetof(Elf64_Phdr, p_type));
		uint64_t off = baton_le64(p + offsetof(Elf64_Phdr, p_offset));
		uint64_t filesz = baton_le64(p + offsetof(Elf64_Phdr, p_filesz));

		if (type == PT_NOTE && !vc->info)
			rc = read_notes(vc, off, filesz, err);
		else if (type == PT_LOAD)
			vc->loads[vc->nr_loads++] = (struct baton_vmcore_load){
				.vaddr = baton_le64(p + offsetof(Elf64_Phdr, p_vaddr)),
				.offset = off,
				.filesz = filesz,
			};
	}
	free(ph);
	return rc;
}

int baton_vmcore_open(struct baton_vmcore *vc, const struct baton_vmcore_reader *rd,
		      const char *name, struct baton_error *err)
{
	uint8_t e[sizeof(Elf64_Ehdr)];
	int rc;

	*vc = (struct baton_vmcore){ .rd = *rd, .name = name, .fd = -1 };
	if ((rc = read_at(vc, 0, e, sizeof(e), "the ELF header", err)) ||
	    (rc = check_ehdr(vc, e, err)) || (rc = read_phdrs(vc, e, err)))
		goto fail;
	if (!vc->info) {
		rc = baton_fail(err, EINVAL, "vmcore %s: no VMCOREINFO note (not a kernel crash "
				"dump?)", name);
		goto fail;
	}
	return 0;
fail:
	baton_vmcore_close(vc);
	return rc;
}

static int pread_all(void *ctx, uint64_t offset, void *buf, size_t len)
{
	int fd = (int)(intptr_t)ctx;

	while (len) {
		ssize_t n = pread(fd, buf, len, (off_t)offset);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		buf = (uint8_t *)buf + n;
		len -= (size_t)n;
		offset += (uint64_t)n;
	}
	return 0;
}

int baton_vmcore_open_file(struct baton_vmcore *vc, const char *path, struct baton_error *err)
{
	struct baton_vmcore_reader rd = { .read = pread_all };
	off_t end;
	int fd, rc;

	*vc = (struct baton_vmcore){ .fd = -1 };
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return baton_fail(err, errno, "vmcore %s: %s", path, strerror(errno));
	/* /proc/vmcore's stat size is the dump's; lseek says the same for it and a copy. */
	if ((end = lseek(fd, 0, SEEK_END)) < 0) {
		rc = baton_fail(err, errno, "vmcore %s: %s", path, strerror(errno));
		close(fd);
		return rc;
	}
	rd.size = (uint64_t)end;
	rd.ctx = (void *)(intptr_t)fd;
	if ((rc = baton_vmcore_open(vc, &rd, path, err))) {
		close(fd);
		return rc;
	}
	vc->fd = fd;
	return 0;
}

void baton_vmcore_close(struct baton_vmcore *vc)
{
	free(vc->loads);
	free(vc->info);
	if (vc->fd >= 0)
		close(vc->fd);
	*vc = (struct baton_vmcore){ .fd = -1 };
}

int baton_vmcore_info(const struct baton_vmcore *vc, const char *key, unsigned base,
		      uint64_t *out)
{
	const char *p = vc->info, *end = vc->info + vc->info_len, *l, *le;
	size_t klen = strlen(key);

	while (p < end) {
		l = baton_next_line(&p, end, &le);
		if ((size_t)(le - l) > klen && !memcmp(l, key, klen) && l[klen] == '=') {
			const char *v = l + klen + 1;
			uint64_t n;

			if (baton_parse_u64(&v, le, base, &n) || v != le)
				return -ENOENT;
			*out = n;
			return 0;
		}
	}
	return -ENOENT;
}

int baton_vmcore_read(const struct baton_vmcore *vc, uint64_t vaddr, void *buf, size_t len,
		      const char *what, struct baton_error *err)
{
	uint8_t *to = buf;
	int rc;

	while (len) {
		const struct baton_vmcore_load *l = NULL;
		uint64_t in, n;

		for (size_t i = 0; i < vc->nr_loads && !l; i++)
			if (vaddr >= vc->loads[i].vaddr &&
			    vaddr - vc->loads[i].vaddr < vc->loads[i].filesz)
				l = &vc->loads[i];
		if (!l)
			return baton_fail(err, EINVAL, "vmcore %s: %s at 0x%" PRIx64 " is not in the "
					  "dump (no PT_LOAD maps it)", vc->name, what, vaddr);
		in = vaddr - l->vaddr;
		n = l->filesz - in < len ? l->filesz - in : len;
		if (l->offset + in < l->offset)
			return baton_fail(err, EINVAL, "vmcore %s: %s at 0x%" PRIx64 ": its PT_LOAD's "
					  "offset overflows", vc->name, what, vaddr);
		if ((rc = read_at(vc, l->offset + in, to, (size_t)n, what, err)))
			return rc;
		to += n;
		len -= (size_t)n;
		vaddr += n;
	}
	return 0;
}

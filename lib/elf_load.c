/* SPDX-License-Identifier: MIT */
/* ELF executable headers (System V ABI, ELF32 and ELF64): the PT_LOADs a loader copies. */
#include "elf_load.h"

#include <errno.h>
#include <string.h>

#include "le.h"

/* A refusal: the message first (it may name fields of *out), then *out zeroed (the library's
 * cleanup rule). */
#define FAIL(...) (baton_fail(err, ENOEXEC, __VA_ARGS__), memset(out, 0, sizeof(*out)), -ENOEXEC)

#define EI_NIDENT    16
#define ELFDATA2LSB  1
#define EV_CURRENT   1
#define ET_EXEC      2
#define EM_386       3
#define EM_X86_64    62
#define PT_LOAD      1
#define PT_NOTE      4
#define PN_XNUM      0xffff

/* One class's layout: field offsets in the ELF and program headers. */
struct elf_layout {
	size_t ehsize, phentsize;
	size_t e_entry, e_phoff, e_phentsize, e_phnum;
	size_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
	int word64;
};

static const struct elf_layout elf32 = { 52, 32, 24, 28, 42, 44, 4, 8, 12, 16, 20, 28, 0 };
static const struct elf_layout elf64 = { 64, 56, 24, 32, 54, 56, 8, 16, 24, 32, 40, 48, 1 };

static uint64_t word(const struct elf_layout *l, const uint8_t *p)
{
	return l->word64 ? baton_le64(p) : baton_le32(p);
}

static int read_load(struct baton_elf_image *out, const struct elf_layout *l, const uint8_t *ph,
		     size_t size, const char *name, struct baton_error *err)
{
	struct baton_elf_load s = {
		.offset = word(l, ph + l->p_offset), .vaddr = word(l, ph + l->p_vaddr),
		.paddr = word(l, ph + l->p_paddr), .filesz = word(l, ph + l->p_filesz),
		.memsz = word(l, ph + l->p_memsz), .align = word(l, ph + l->p_align),
	};
	size_t i = out->nr_loads;
	uint64_t top = l->word64 ? UINT64_MAX : UINT32_MAX;

	if (i == BATON_ELF_MAX_LOADS)
		return FAIL("elf: %s: more than %d PT_LOAD segments", name, BATON_ELF_MAX_LOADS);
	if (s.offset > size || s.filesz > size - s.offset)
		return FAIL("elf: %s: PT_LOAD %zu: file bytes 0x%llx+0x%llx run past the file's"
			    " 0x%zx bytes", name, i, (unsigned long long)s.offset,
			    (unsigned long long)s.filesz, size);
	if (s.filesz > s.memsz)
		return FAIL("elf: %s: PT_LOAD %zu: filesz 0x%llx is more than memsz 0x%llx", name,
			    i, (unsigned long long)s.filesz, (unsigned long long)s.memsz);
	if (s.memsz && s.memsz - 1 > top - s.paddr)
		return FAIL("elf: %s: PT_LOAD %zu: 0x%llx+0x%llx wraps the address space", name, i,
			    (unsigned long long)s.paddr, (unsigned long long)s.memsz);
	if (s.align & (s.align - 1))
		return FAIL("elf: %s: PT_LOAD %zu: p_align 0x%llx is not a power of two", name, i,
			    (unsigned long long)s.align);
	for (size_t j = 0; j < i; j++) {
		const struct baton_elf_load *o = &out->loads[j];

		if (s.memsz && o->memsz && s.paddr <= o->paddr + (o->memsz - 1) &&
		    o->paddr <= s.paddr + (s.memsz - 1))
			return FAIL("elf: %s: PT_LOAD %zu (0x%llx+0x%llx) overlaps PT_LOAD %zu"
				    " (0x%llx+0x%llx)", name, i, (unsigned long long)s.paddr,
				    (unsigned long long)s.memsz, j, (unsigned long long)o->paddr,
				    (unsigned long long)o->memsz);
	}
	out->loads[out->nr_loads++] = s;
	return 0;
}

/* A PT_NOTE's bytes, when they lie in the file: notes only inform (a Linux vmlinux says what it
 * is), so one outside the file is skipped rather than refused. */
static void read_note(struct baton_elf_image *out, const struct elf_layout *l, const uint8_t *ph,
		      size_t size)
{
	uint64_t offset = word(l, ph + l->p_offset), filesz = word(l, ph + l->p_filesz);

	if (out->nr_notes == BATON_ELF_MAX_NOTES || offset > size || filesz > size - offset)
		return;
	out->notes[out->nr_notes].offset = offset;
	out->notes[out->nr_notes].size = filesz;
	out->nr_notes++;
}

static uint64_t align4(uint64_t v)
{
	return (v + 3) & ~(uint64_t)3;
}

int baton_elf_has_note(const struct baton_elf_image *elf, const uint8_t *data, const char *owner,
		       long type, const void *desc, size_t desc_len)
{
	size_t owner_len = strlen(owner) + 1;

	for (size_t n = 0; n < elf->nr_notes; n++) {
		const uint8_t *p = data + elf->notes[n].offset;
		uint64_t left = elf->notes[n].size;

		/* Elf_Nhdr (namesz, descsz, type), the name and the descriptor, each padded to 4. */
		while (left >= 12) {
			uint64_t namesz = baton_le32(p), descsz = baton_le32(p + 4);
			uint64_t need = 12 + align4(namesz) + align4(descsz);

			if (need > left)
				break;
			if (namesz == owner_len && !memcmp(p + 12, owner, owner_len) &&
			    (type < 0 || baton_le32(p + 8) == (uint32_t)type) &&
			    (!desc || (descsz >= desc_len &&
				       !memcmp(p + 12 + align4(namesz), desc, desc_len))))
				return 1;
			p += need;
			left -= need;
		}
	}
	return 0;
}

int baton_elf_load_parse(struct baton_elf_image *out, const uint8_t *data, size_t size,
			 const char *name, struct baton_error *err)
{
	const struct elf_layout *l;
	uint64_t phoff;
	unsigned phnum, phentsize, machine;

	*out = (struct baton_elf_image){ 0 };
	if (size < EI_NIDENT || data[0] != 0x7f || data[1] != 'E' || data[2] != 'L' ||
	    data[3] != 'F')
		return FAIL("elf: %s: not an ELF file", name);
	if (data[4] != BATON_ELF_32 && data[4] != BATON_ELF_64)
		return FAIL("elf: %s: ELF class %u is neither 32- nor 64-bit", name, data[4]);
	if (data[5] != ELFDATA2LSB)
		return FAIL("elf: %s: not little-endian (EI_DATA %u)", name, data[5]);
	if (data[6] != EV_CURRENT)
		return FAIL("elf: %s: ELF version %u, not 1", name, data[6]);
	l = data[4] == BATON_ELF_32 ? &elf32 : &elf64;
	if (size < l->ehsize)
		return FAIL("elf: %s: file too small (%zu bytes) for its ELF header", name, size);
	if (baton_le16(data + 16) != ET_EXEC)
		return FAIL("elf: %s: e_type %u is not an executable (ET_EXEC)", name,
			    baton_le16(data + 16));
	machine = baton_le16(data + 18);
	if (machine != (data[4] == BATON_ELF_32 ? EM_386 : EM_X86_64))
		return FAIL("elf: %s: machine %u is not %s", name, machine,
			    data[4] == BATON_ELF_32 ? "i386 (3) for an ELF32" :
			    "x86-64 (62) for an ELF64");
	out->elf_class = data[4];
	out->entry = word(l, data + l->e_entry);
	phoff = word(l, data + l->e_phoff);
	phentsize = baton_le16(data + l->e_phentsize);
	phnum = baton_le16(data + l->e_phnum);
	if (!phnum || phnum == PN_XNUM)
		return FAIL("elf: %s: %s program headers", name, phnum ? "too many" : "no");
	if (phentsize != l->phentsize)
		return FAIL("elf: %s: e_phentsize %u, not %zu", name, phentsize, l->phentsize);
	if (phoff > size || (uint64_t)phnum * phentsize > size - phoff)
		return FAIL("elf: %s: program headers at 0x%llx run past the file's 0x%zx bytes",
			    name, (unsigned long long)phoff, size);
	for (unsigned i = 0; i < phnum; i++) {
		const uint8_t *ph = data + phoff + (size_t)i * phentsize;
		int rc;

		if (baton_le32(ph) == PT_NOTE) {
			read_note(out, l, ph, size);
			continue;
		}
		if (baton_le32(ph) != PT_LOAD)
			continue;
		rc = read_load(out, l, ph, size, name, err);
		if (rc)
			return rc;
	}
	if (!out->nr_loads)
		return FAIL("elf: %s: no PT_LOAD segment", name);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/* The purgatory: verify everything, take over the page tables, save low memory, hand over. */
#include <stddef.h>
#include <stdint.h>

#include "baton/abi.h"
#include "console.h"
#include "fpu.h"
#include "io.h"
#include "reset.h"
#include "rsdp.h"
#include "serial.h"
#include "sha256.h"
#include "sha256_mb.h"
#include "trap.h"
#include "vga_reset.h"
#include "verify.h"

/* The BIOS data area's words a multiboot kernel reads (and Linux's own early code too). */
#define BIOS_BDA_EBDA_SEGMENT 0x40e
#define BIOS_BDA_BASE_MEMORY 0x413

/* Filled by the loader (struct baton_params, abi.h); the header's params_offset points here. */
__attribute__((section(".params"), used)) struct baton_params baton_params_area = { 0 };

void purgatory_main(const struct baton_params *p);

/* Static, not on the stack: the exception report may still need it after purgatory_main has
 * returned (a fault in the kernel before it loads its own IDT). */
static struct console console;

/* Set once the parameter block has checked, and once baton's page tables are loaded. */
static struct {
	const struct baton_params *verified;
	int paging;
	int screens;
} state;

static void take_over_paging(const struct baton_params *p);

/* After verification: the VGA reset, the text screen it gives, the framebuffer; on baton's own
 * identity map, which maps VGA text memory (uncached) and the framebuffer (the loader checked). */
static void open_screens(struct console *s, const struct baton_params *p)
{
	state.screens = 1;
	if (p->flags & BATON_PF_RESET_VGA)
		vga_reset_text_mode();
	if (p->flags & BATON_PF_CONSOLE_VGA)
		console_open_vga(s);
	if (p->flags & BATON_PF_CONSOLE_FB)
		console_open_fb(s, &p->fb);
}

/* A failure before the screens are up (a digest mismatch, an exception while verifying): load
 * baton's page tables if their own digest holds, so the reason reaches the screen too. */
static void screens_for_failure(void)
{
	const struct baton_params *p = state.verified;

	if (!p || state.screens || !(p->flags & (BATON_PF_CONSOLE_VGA | BATON_PF_CONSOLE_FB)))
		return;
	if (!state.paging) {
		uint64_t root = (read_cr4() & CR4_LA57) ? p->pml5 : p->pml4;
		if (!baton_verify_region_at(p, root))
			return;
		take_over_paging(p);
		state.paging = 1;
	}
	open_screens(&console, p);
}

static __attribute__((noreturn)) void fail(struct console *s, const char *why)
{
	screens_for_failure();
	console_puts(s, "baton: purgatory: ");
	console_puts(s, why);
	console_puts(s, "; resetting\n");
	machine_reset();
}

static void report_region_mismatch(struct console *s, const struct baton_params *p, int i)
{
	const struct baton_region *r = &p->regions[i];
	char name[BATON_REGION_NAME + 1];

	for (int c = 0; c < BATON_REGION_NAME; c++)
		name[c] = r->name[c];
	name[BATON_REGION_NAME] = 0;
	console_puts(s, "baton: purgatory: sha256 mismatch in segment ");
	console_dec(s, (uint64_t)i);
	console_puts(s, " (");
	console_puts(s, name);
	console_puts(s, ") at ");
	console_hex(s, r->start);
	console_puts(s, " size ");
	console_hex(s, r->size);
	console_puts(s, "\n");
}

/* The one segment the kernel may rewrite (crash hotplug) has no digest: a scribbled header
 * would boot the capture kernel into a /proc/vmcore of garbage, so its shape must hold. */
static void check_elfcore(struct console *s, const struct baton_params *p)
{
	enum baton_elfcore_status st = baton_verify_elfcore(p);

	if (!(p->flags & BATON_PF_ELFCORE_HOTPLUG))
		return;
	if (st != BATON_ELFCORE_OK) {
		console_puts(s, "baton: purgatory: elfcorehdr at ");
		console_hex(s, p->elfcorehdr);
		console_puts(s, st == BATON_ELFCORE_BAD_IDENT ? ": not an ELF64 x86-64 core header\n"
			     : ": program headers outside its segment\n");
		fail(s, "refusing a corrupt ELF core header");
	}
	console_puts(s, "baton: purgatory: elfcorehdr checked (hotplug: not digested)\n");
}

/* From here on only the loader's tables are trusted: the old kernel's may map nothing else. */
static void take_over_paging(const struct baton_params *p)
{
	uint64_t la57 = read_cr4() & CR4_LA57;
	uint64_t cr0 = read_cr0();

	/* PCD|PWT means UC only with the architectural PAT; the old kernel's PAT may differ. */
	wrmsr(MSR_IA32_PAT, PAT_RESET_VALUE);
	/* Keep paging and LA57 as they are (LA57 cannot change with paging on), and machine checks
	 * enabled if they were (TDX requires it; without it a machine check shuts the CPU down
	 * instead of being reported); drop PGE, PCIDE, SMEP, SMAP, OSXSAVE and friends, and write
	 * protection, alignment checks, FPU traps. */
	write_cr4(CR4_PAE | la57 | (read_cr4() & CR4_MCE));
	cr0 &= ~(CR0_WP | CR0_AM | CR0_TS | CR0_EM | CR0_MP | CR0_CD | CR0_NW);
	write_cr0(cr0 | CR0_PE | CR0_PG | CR0_ET);
	write_cr3(la57 ? p->pml5 : p->pml4);
}

static void save_low_memory(const struct baton_params *p)
{
	const volatile uint8_t *src = (const volatile uint8_t *)(uintptr_t)p->backup_src;
	uint8_t *dst = (uint8_t *)(uintptr_t)p->backup_dst;

	for (uint64_t i = 0; i < p->backup_size; i++)
		dst[i] = src[i];
}

/* A word of page 0. The compiler takes an address below 4 KiB for a null-pointer offset, so it
 * goes through a register it cannot see into. */
static volatile uint16_t *bda_word(uintptr_t addr)
{
	__asm__("" : "+r"(addr));
	return (volatile uint16_t *)addr;
}

/* The BIOS data area and an EBDA with a copy of the firmware's RSDP, where the firmware (UEFI)
 * left none: after the backup, so a capture kernel's dump still shows low memory as the dead
 * kernel had it. The RSDP's bytes are the firmware's, checked here: 1 if copied. */
static int write_bios_area(const struct baton_bios_area *b)
{
	volatile uint8_t *ebda = (volatile uint8_t *)(uintptr_t)b->ebda;
	const volatile uint8_t *rsdp = (const volatile uint8_t *)(uintptr_t)b->rsdp;
	uint32_t bytes = (uint32_t)b->ebda_kib * 1024;
	size_t len = rsdp ? baton_rsdp_check(rsdp, BATON_RSDP_MAX) : 0;

	for (uint32_t i = 0; i < bytes; i++)
		ebda[i] = 0;
	ebda[0] = (uint8_t)b->ebda_kib;
	for (size_t i = 0; i < len; i++)
		ebda[BATON_EBDA_RSDP + i] = rsdp[i];
	*bda_word(BIOS_BDA_EBDA_SEGMENT) = (uint16_t)(b->ebda >> 4);
	*bda_word(BIOS_BDA_BASE_MEMORY) = b->base_kib;
	return len != 0;
}

static void report_bios_area(struct console *s, const struct baton_bios_area *b, int rsdp)
{
	console_puts(s, "baton: purgatory: BIOS data area written: EBDA at ");
	console_hex(s, b->ebda);
	if (rsdp) {
		console_puts(s, " with the RSDP from ");
		console_hex(s, b->rsdp);
	} else if (b->rsdp) {
		console_puts(s, " without an RSDP (none valid at ");
		console_hex(s, b->rsdp);
		console_puts(s, ")");
	} else {
		console_puts(s, " without an RSDP");
	}
	console_puts(s, "\n");
}

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* The timing record's flag for the kind the regions were hashed with. */
static uint32_t hashed_with(enum baton_sha256_mb_kind kind)
{
	switch (kind) {
	case BATON_SHA256_MB_NI:
	case BATON_SHA256_MB_NI_X2:
		return BATON_TIMING_SHA_NI;
	case BATON_SHA256_MB_AVX2:
	case BATON_SHA256_MB_AVX512:
		return BATON_TIMING_AVX;
	default:
		return 0;
	}
}

/* The timing record lives in the (verified) zero page segment; written only after verification,
 * and only if the loader asked for it. */
static void record_timing(const struct baton_params *p, uint64_t entry, uint64_t verified,
			  uint32_t hash_flags)
{
	volatile struct baton_timing *t = (volatile struct baton_timing *)(uintptr_t)p->timing;
	uint64_t bytes = 0;

	if (!p->timing)
		return;
	for (uint32_t i = 0; i < p->nr_regions; i++)
		bytes += p->regions[i].size;
	t->tsc_entry = entry;
	t->tsc_verified = verified;
	t->bytes_hashed = bytes + sizeof(*p);
	t->regions = p->nr_regions;
	t->flags = hash_flags |
		   ((read_cr4() & CR4_LA57) ? BATON_TIMING_LA57 : 0) |
		   (p->exit_mode == BATON_EXIT_PROTECTED32 ? BATON_TIMING_ENTRY_32BIT : 0) |
		   (p->exit_mode == BATON_EXIT_REAL16 ? BATON_TIMING_ENTRY_REAL16 : 0);
	t->nmis = trap_nmi_count();
	t->magic = BATON_TIMING_MAGIC;
	t->tsc_jump = rdtsc();   /* last: the caller jumps right after */
}

/* The UART is programmed before the parameter block is verified only at one of the four legacy
 * COM ports: a corrupt serial_port must not make us write to 0xCF8/0xCF9 or anything else. */
static int legacy_com_port(uint16_t port)
{
	return port == 0x3f8 || port == 0x2f8 || port == 0x3e8 || port == 0x2e8;
}

static void report_nmis(struct console *s)
{
	uint32_t n = trap_nmi_count();

	if (!n)
		return;
	console_puts(s, "baton: purgatory: ");
	console_dec(s, n);
	console_puts(s, n == 1 ? " NMI taken and survived\n" : " NMIs taken and survived\n");
}

void purgatory_main(const struct baton_params *p)
{
	uint64_t tsc_entry = rdtsc();
	struct console *s = &console;
	enum baton_params_status st;
	struct fpu_saved fpu;

	console_init(s);
	state.verified = 0;
	state.paging = 0;
	state.screens = 0;
	trap_report_to(s);
	trap_before_report(screens_for_failure);
	if (p->magic == BATON_PARAMS_MAGIC && (p->flags & BATON_PF_SERIAL) &&
	    legacy_com_port(p->serial_port))
		serial_init(&s->serial, p->serial_port, p->serial_baud);
	console_puts(s, "baton: purgatory: verifying\n");

	/* SHA-NI and AVX, where the CPU has them, need their state enabled: on for the hashing
	 * only (a failure resets). */
	trap_step(STEP_CHECK_PARAMS);
	fpu_simd_begin(&fpu);
	st = baton_verify_params(p);
	if (st != BATON_PARAMS_OK)
		fail(s, st == BATON_PARAMS_BAD_DIGEST ? "parameter block corrupt (sha256 mismatch)"
		     : "parameter block invalid (magic, version, region count, exit mode, BIOS area "
		       "or framebuffer)");
	if (!s->serial.port && (p->flags & BATON_PF_SERIAL))
		serial_init(&s->serial, p->serial_port, p->serial_baud);   /* verified: any port */
	state.verified = p;

	trap_step(STEP_VERIFY_SEGMENTS);
	/* Timed here, with the state enabled: the fastest kind on this CPU (or emulator). */
	struct baton_sha256_mb mb = baton_sha256_mb_fastest();
	int bad = baton_verify_regions(p, &mb);
	uint32_t hash_flags = hashed_with(mb.kind);
	fpu_simd_end(&fpu);
	uint64_t tsc_verified = rdtsc();
	if (bad >= 0) {
		report_region_mismatch(s, p, bad);
		fail(s, "refusing to run a corrupt image");
	}
	console_puts(s, "baton: purgatory: ");
	console_dec(s, p->nr_regions);
	console_puts(s, " segments verified (");
	console_puts(s, mb.name);
	console_puts(s, ")\n");
	check_elfcore(s, p);

	trap_step(STEP_TAKE_OVER_PAGING);
	take_over_paging(p);
	state.paging = 1;
	open_screens(s, p);
	if (p->backup_size) {
		trap_step(STEP_SAVE_LOW_MEMORY);
		save_low_memory(p);
	}

	if (p->flags & BATON_PF_BIOS_AREA) {
		trap_step(STEP_WRITE_BIOS_AREA);
		report_bios_area(s, &p->bios, write_bios_area(&p->bios));
	}

	trap_step(STEP_ENTER_KERNEL);
	report_nmis(s);
	console_puts(s, "baton: purgatory: entering kernel at ");
	console_hex(s, p->exit_entry);
	console_puts(s, p->exit_mode == BATON_EXIT_PROTECTED32 ? " (32-bit)\n"
		     : p->exit_mode == BATON_EXIT_REAL16 ? " (real mode)\n" : " (64-bit)\n");
	record_timing(p, tsc_entry, tsc_verified, hash_flags);
}

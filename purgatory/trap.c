/* SPDX-License-Identifier: MIT */
/* The purgatory's IDT. An NMI (watchdog, BMC, perf, or Xen re-enabling them before the jump) must
 * not reset the machine and lose a crash dump; any other exception means the purgatory cannot go
 * on, so it says which and where on the serial console and resets. Nothing of the old kernel's
 * handlers is ever used. */
#include "trap.h"

#include "baton/abi.h"
#include "io.h"
#include "reset.h"

#define NR_VECTORS 256
#define TRAP_STUB_SIZE 16   /* entry.S: one stub per vector, each this long */
#define VECTOR_NMI 2
#define VECTOR_PF 14
#define GATE_INTERRUPT 0x8e  /* present, DPL 0, 64-bit interrupt gate (IF cleared on entry) */

struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type;
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
} __attribute__((packed));

_Static_assert(sizeof(struct idt_gate) == 16, "gate size");

/* In bss: the image is position independent, so the gates are filled at run time. */
static struct idt_gate idt[NR_VECTORS] __attribute__((aligned(16)));

static struct {
	const struct serial *serial;
	enum purgatory_step step;
	int nested;
} trap;

/* Incremented by entry.S's NMI stub, which touches nothing else. */
volatile uint32_t trap_nmis;

extern const char trap_stubs[];

void trap_init(void)
{
	uint64_t base = (uint64_t)(uintptr_t)trap_stubs;
	struct { uint16_t limit; uint64_t base; } __attribute__((packed)) idtr;

	trap.serial = 0;
	trap.step = STEP_START;
	trap.nested = 0;
	trap_nmis = 0;
	for (int v = 0; v < NR_VECTORS; v++) {
		uint64_t at = base + (uint64_t)v * TRAP_STUB_SIZE;
		idt[v] = (struct idt_gate){ (uint16_t)at, BATON_BOOT_CS, 0, GATE_INTERRUPT,
					    (uint16_t)(at >> 16), (uint32_t)(at >> 32), 0 };
	}
	idtr.limit = sizeof(idt) - 1;
	idtr.base = (uint64_t)(uintptr_t)idt;
	__asm__ volatile("lidt %0" : : "m"(idtr) : "memory");
}

void trap_exit(void)
{
	struct { uint16_t limit; uint64_t base; } __attribute__((packed)) idtr = { 0, 0 };

	__asm__ volatile("lidt %0" : : "m"(idtr) : "memory");
}

void trap_report_to(const struct serial *s)
{
	trap.serial = s;
}

void trap_step(enum purgatory_step step)
{
	trap.step = step;
}

uint32_t trap_nmi_count(void)
{
	return trap_nmis;
}

/* A table of characters, not of pointers: pointers would need relocating, and the image runs
 * wherever it is placed. */
static const char *vector_name(uint64_t v)
{
	static const char names[][28] = {
		"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
		"#BR bound range", "#UD invalid opcode", "#NM device not available",
		"#DF double fault", "coprocessor segment overrun", "#TS invalid TSS",
		"#NP segment not present", "#SS stack fault", "#GP general protection",
		"#PF page fault", "reserved", "#MF x87 floating point", "#AC alignment check",
		"#MC machine check", "#XM SIMD floating point", "#VE virtualization",
		"#CP control protection", "reserved", "reserved", "reserved", "reserved",
		"reserved", "reserved", "#HV hypervisor injection", "#VC VMM communication",
		"#SX security", "reserved",
	};

	return v < sizeof(names) / sizeof(names[0]) ? names[v] : "interrupt";
}

static const char *step_name(enum purgatory_step step)
{
	switch (step) {
	case STEP_START: return "starting";
	case STEP_CHECK_PARAMS: return "checking the parameter block";
	case STEP_VERIFY_SEGMENTS: return "verifying the segments";
	case STEP_TAKE_OVER_PAGING: return "loading its page tables";
	case STEP_SAVE_LOW_MEMORY: return "saving low memory";
	case STEP_WRITE_BIOS_AREA: return "writing the BIOS data area";
	case STEP_ENTER_KERNEL: return "entering the kernel";
	}
	return "?";
}

static uint64_t read_cr2(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

void purgatory_trap(const struct trap_frame *f)
{
	const struct serial *s = trap.serial;

	/* A fault while reporting one (a UART that is not there, a broken stack): just reset. */
	if (trap.nested++ || !s)
		machine_reset();
	serial_puts(s, "baton: purgatory: exception ");
	serial_dec(s, f->vector);
	serial_puts(s, " (");
	serial_puts(s, vector_name(f->vector));
	serial_puts(s, ") error ");
	serial_hex(s, f->error);
	serial_puts(s, " rip ");
	serial_hex(s, f->rip);
	if (f->vector == VECTOR_PF) {
		serial_puts(s, " cr2 ");
		serial_hex(s, read_cr2());
	}
	serial_puts(s, " while ");
	serial_puts(s, step_name(trap.step));
	serial_puts(s, "; resetting\n");
	machine_reset();
}

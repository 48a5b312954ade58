/* SPDX-License-Identifier: MIT */
/* The purgatory's own IDT: NMIs are counted and survived, every other vector is named and resets. */
#ifndef BATON_PURGATORY_TRAP_H
#define BATON_PURGATORY_TRAP_H

#include <stdint.h>

#include "serial.h"

/* What the purgatory is doing, for the report of an exception. */
enum purgatory_step {
	STEP_START,
	STEP_CHECK_PARAMS,
	STEP_VERIFY_SEGMENTS,
	STEP_TAKE_OVER_PAGING,
	STEP_SAVE_LOW_MEMORY,
	STEP_WRITE_BIOS_AREA,
	STEP_ENTER_KERNEL,   /* the jump, and the kernel's code until it loads its own IDT */
};

/* What entry.S's trap stubs push before calling purgatory_trap. */
struct trap_frame {
	uint64_t vector;
	uint64_t error;    /* the CPU's error code, 0 for vectors without one */
	uint64_t rip;
	uint64_t cs;
	uint64_t rflags;
	uint64_t rsp;
	uint64_t ss;
};

/* Fills the 256 gates in the purgatory's own (bss) memory and loads the IDT. Needs our GDT:
 * the gates name BATON_BOOT_CS. */
void trap_init(void);
/* Where exceptions are reported from now on (a serial with port 0 reports nothing). */
void trap_report_to(const struct serial *s);
void trap_step(enum purgatory_step step);
/* NMIs taken since trap_init. */
uint32_t trap_nmi_count(void);
/* Loads an empty IDT: before leaving long mode, where the 64-bit gates mean nothing. */
void trap_exit(void);

__attribute__((noreturn)) void purgatory_trap(const struct trap_frame *f);

#endif

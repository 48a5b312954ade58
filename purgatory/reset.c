/* SPDX-License-Identifier: MIT */
/* Reset through the chipset (0xCF9), then the keyboard controller, then a triple fault. */
#include "reset.h"

#include "io.h"

static void delay(int us)
{
	while (us-- > 0)
		io_delay();
}

void machine_reset(void)
{
	outb(0xcf9, 0x02);   /* reset control register: arm a hard reset, then trigger it */
	delay(10);
	outb(0xcf9, 0x06);
	delay(50000);

	for (int spin = 0; spin < 100000 && (inb(0x64) & 0x02); spin++)
		io_delay();
	outb(0x64, 0xfe);    /* 8042: pulse the reset line */
	delay(50000);

	/* No IDT: the breakpoint faults, the fault double-faults, the CPU shuts down and resets. */
	struct { uint16_t limit; uint64_t base; } __attribute__((packed)) idt = { 0, 0 };
	__asm__ volatile("lidt %0; int3" : : "m"(idt));
	__builtin_unreachable();
}

/* SPDX-License-Identifier: MIT */
/* Purgatory entry and exit: from "64-bit mode, nothing else assumed" to the kernel's entry state.
 * Everything here is RIP-relative: the image runs wherever the loader put it. */

#include "baton/abi.h"

#define BOOT_CS BATON_BOOT_CS
#define BOOT_DS BATON_BOOT_DS
#define MSR_EFER 0xc0000080
#define EFER_LME 0x100
#define CR0_PG 0x80000000
#define REG(i) (BATON_PARAMS_EXIT_REGS + 8 * (i))

	/* DS, ES, SS, FS, GS := the boot protocol's flat data segment. */
	/* Fails the build unless the header field being laid out sits where abi.h says. */
	.macro	header_at offset
	.if	(. - purgatory_start) != \offset
	.error	"purgatory header out of step with include/baton/abi.h"
	.endif
	.endm

	.macro	load_data_segments
	movl	$BOOT_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs
	.endm

	.section .head, "ax"
	.code64
	.globl purgatory_start
purgatory_start:
	.byte	0xe9                      /* jmp rel32: a fixed size keeps the header's offsets */
	.long	entry64 - . - 4           /* constant (struct baton_purgatory_header, abi.h) */
	.byte	0xcc, 0xcc, 0xcc
	header_at BATON_HDR_MAGIC
	.quad	BATON_HEADER_MAGIC
	header_at BATON_HDR_VERSION
	.long	BATON_ABI_VERSION
	header_at BATON_HDR_PARAMS_OFFSET
	.long	baton_params_area - purgatory_start
	.long	__text_start - purgatory_start
	.long	__text_end - purgatory_start
	.long	__image_end - purgatory_start
	header_at BATON_HDR_TRAMPOLINE
	.long	trampoline - purgatory_start
	.long	trampoline_end - trampoline
	.long	0
	header_at BATON_HDR_SIZE

	.text
entry64:
	/* The old kernel's stack, GDT and IDT may be gone or tiny: use only our own. */
	cli
	cld
	leaq	stack_top(%rip), %rsp
	pushq	$0
	popfq

	leaq	gdt64(%rip), %rax
	call	load_gdt
	load_data_segments
	leaq	1f(%rip), %rax
	pushq	$BOOT_CS
	pushq	%rax
	lretq
1:
	/* Our own IDT (its gates name our CS): NMIs are survived, any other exception is reported
	 * and resets. The old kernel's handlers are never entered. */
	call	trap_init
	leaq	baton_params_area(%rip), %rdi
	call	purgatory_main            /* verifies, switches page tables; returns only if all is well */

	/* The exit is data (exit_mode, exit_entry, exit_regs): nothing here knows the kernel. */
	leaq	baton_params_area(%rip), %rbx
	cmpl	$BATON_EXIT_PROTECTED32, BATON_PARAMS_EXIT_MODE(%rbx)
	je	exit_protected32
	cmpl	$BATON_EXIT_REAL16, BATON_PARAMS_EXIT_MODE(%rbx)
	je	exit_protected32          /* real mode is reached through protected mode */

	/* Long mode: CS 0x10, DS/ES/SS 0x18, the block's registers, the rest zero. Our IDT stays
	 * loaded until the kernel loads its own: an NMI meanwhile is still survived. */
	pushq	BATON_PARAMS_EXIT_ENTRY(%rbx)
	movq	REG(BATON_EXIT_RAX)(%rbx), %rax
	movq	REG(BATON_EXIT_RCX)(%rbx), %rcx
	movq	REG(BATON_EXIT_RDX)(%rbx), %rdx
	movq	REG(BATON_EXIT_RSI)(%rbx), %rsi
	movq	REG(BATON_EXIT_RDI)(%rbx), %rdi
	xorl	%ebp, %ebp
	xorl	%r8d, %r8d
	xorl	%r9d, %r9d
	xorl	%r10d, %r10d
	xorl	%r11d, %r11d
	xorl	%r12d, %r12d
	xorl	%r13d, %r13d
	xorl	%r14d, %r14d
	xorl	%r15d, %r15d
	movq	REG(BATON_EXIT_RBX)(%rbx), %rbx
	ret

	/* Protected mode: leave long mode through identity-mapped code (the purgatory lies below
	 * 4 GiB), paging off, then the entry with the block's registers (low halves), EBP zero. */
exit_protected32:
	call	trap_exit                 /* 64-bit gates mean nothing in protected mode */
	leaq	gdt32(%rip), %rax
	call	load_gdt                  /* CS keeps its cached 64-bit descriptor until the lret */
	leaq	compat32(%rip), %rax
	pushq	$BOOT_CS
	pushq	%rax
	lretq

	.code32
compat32:
	load_data_segments
	movl	%cr0, %eax
	andl	$~CR0_PG, %eax
	movl	%eax, %cr0                /* leaves IA-32e mode */
	movl	$MSR_EFER, %ecx
	rdmsr
	andl	$~EFER_LME, %eax
	wrmsr
	xorl	%eax, %eax
	movl	%eax, %cr4                /* PAE and LA57 off: the kernel chooses its paging mode */
	cmpl	$BATON_EXIT_REAL16, BATON_PARAMS_EXIT_MODE(%ebx)
	je	exit_real16
	pushl	BATON_PARAMS_EXIT_ENTRY(%ebx)   /* %rbx was below 4 GiB: %ebx still points at it */
	movl	REG(BATON_EXIT_RAX)(%ebx), %eax
	movl	REG(BATON_EXIT_RCX)(%ebx), %ecx
	movl	REG(BATON_EXIT_RDX)(%ebx), %edx
	movl	REG(BATON_EXIT_RSI)(%ebx), %esi
	movl	REG(BATON_EXIT_RDI)(%ebx), %edi
	xorl	%ebp, %ebp
	movl	REG(BATON_EXIT_RBX)(%ebx), %ebx
	ret

	/* Real mode: the BIOS's services answer through the IVT and the 8259s, so the PICs get the
	 * vectors the BIOS gave them (Linux moved them to 0x30) with every line masked but the
	 * cascade: no interrupt reaches a vector nobody set up. (Linux on its IO-APIC leaves them
	 * masked already, and the QEMU test boots without this too; another old kernel need not.)
	 * Then the low trampoline. */
exit_real16:
	movb	$0x11, %al                /* ICW1: edge, cascade, ICW4 follows */
	outb	%al, $0x20
	outb	%al, $0xa0
	movb	$0x08, %al                /* ICW2: IRQ 0-7 at vectors 0x08-0x0f */
	outb	%al, $0x21
	movb	$0x70, %al                /*       IRQ 8-15 at vectors 0x70-0x77 */
	outb	%al, $0xa1
	movb	$0x04, %al                /* ICW3: the slave on IRQ 2 */
	outb	%al, $0x21
	movb	$0x02, %al
	outb	%al, $0xa1
	movb	$0x01, %al                /* ICW4: 8086 mode, normal EOI */
	outb	%al, $0x21
	outb	%al, $0xa1
	movb	$0xfb, %al
	outb	%al, $0x21
	movb	$0xff, %al
	outb	%al, $0xa1
	movl	BATON_PARAMS_EXIT_TRAMPOLINE(%ebx), %ebp
	movzwl	BATON_PARAMS_EXIT_REAL_SEG(%ebx), %ecx
	movzwl	BATON_PARAMS_EXIT_REAL_SP(%ebx), %edx
	movl	BATON_PARAMS_EXIT_ENTRY(%ebx), %ebx
	jmp	*%ebp

/* The real-mode trampoline. The loader copies these bytes below 1 MiB (16-byte aligned, the
 * copy verified like any segment) and exit_real16 jumps to the copy: code that runs with a
 * 16-bit CS must sit where that CS can reach it. Offsets are from `trampoline`, the base of the
 * 16-bit code segment and of the real-mode CS alike. The copy's own GDT and far pointers are
 * written at run time (after verification): their values depend on where the copy is.
 * In: %ebp = the copy's address, %ebx = the entry, %ecx = the data segment, %edx = SP. */
#define T(x) ((x) - trampoline)
	.balign	16
	.globl	trampoline, trampoline_end    /* purgatory.lds checks the size */
trampoline:
	movl	%ebp, %eax
	movw	%ax, T(tramp_gdt + 8 + 2)(%ebp)      /* the 16-bit code segment's base */
	shrl	$16, %eax
	movb	%al, T(tramp_gdt + 8 + 4)(%ebp)
	leal	T(tramp_gdt)(%ebp), %eax
	movl	%eax, T(tramp_gdtr + 2)(%ebp)
	movl	%ebp, %eax
	shrl	$4, %eax
	movw	%ax, T(tramp_real + 2)(%ebp)         /* real-mode CS: the same base */
	movl	%ebx, %eax
	andl	$0xf, %eax
	movw	%ax, T(tramp_kernel)(%ebp)           /* the kernel's CS:IP */
	movl	%ebx, %eax
	shrl	$4, %eax
	movw	%ax, T(tramp_kernel + 2)(%ebp)
	lgdt	T(tramp_gdtr)(%ebp)
	ljmpl	$0x08, $T(tramp_pm16)

	.code16
tramp_pm16:
	movw	$0x10, %ax                /* 64 KiB limits, as real mode expects in the caches */
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %fs
	movw	%ax, %gs
	movw	%ax, %ss
	movl	%cr0, %eax
	andl	$~1, %eax                 /* PE off */
	movl	%eax, %cr0
	ljmpw	*%cs:T(tramp_real)
tramp_rm:
	lidt	%cs:T(tramp_ivt)          /* the BIOS's interrupt vector table */
	movw	%cx, %ds
	movw	%cx, %es
	movw	%cx, %fs
	movw	%cx, %gs
	movw	%cx, %ss
	movw	%dx, %sp
	xorl	%eax, %eax
	xorl	%ebx, %ebx
	xorl	%esi, %esi
	xorl	%edi, %edi
	xorl	%ebp, %ebp
	ljmpw	*%cs:T(tramp_kernel)

	.balign	8
tramp_gdt:
	.quad	0
	.quad	0x00009b000000ffff        /* 0x08: 16-bit code, 64 KiB, base set at run time */
	.quad	0x000093000000ffff        /* 0x10: 16-bit data, 64 KiB, base 0 */
tramp_gdtr:
	.word	3 * 8 - 1
	.long	0
tramp_real:
	.word	T(tramp_rm), 0
tramp_kernel:
	.word	0, 0
tramp_ivt:
	.word	0x3ff
	.long	0
trampoline_end:
#undef T

	.code64
/* One 16-byte stub per vector (trap.c computes the gates from TRAP_STUB_SIZE): the vectors without
 * an error code push a zero one, each pushes its number, then the common path. */
	.balign	16
	.globl	trap_stubs
trap_stubs:
	vector = 0
	.rept	256
	.balign	16, 0xcc
	.if	vector == 2
	jmp	trap_nmi
	.else
	.if	!(vector == 8 || vector == 10 || vector == 11 || vector == 12 || vector == 13 || \
		  vector == 14 || vector == 17 || vector == 21 || vector == 29 || vector == 30)
	pushq	$0
	.endif
	pushq	$vector
	jmp	trap_common
	.endif
	vector = vector + 1
	.endr
	.balign	16, 0xcc
	.globl	trap_stubs_end            /* purgatory.lds checks the stride */
trap_stubs_end:

/* NMI: counted, then straight back (iretq also unblocks further NMIs). No register is touched. */
trap_nmi:
	incl	trap_nmis(%rip)
	iretq

/* Any other vector: report and reset (purgatory_trap does not return). */
trap_common:
	cld
	movq	%rsp, %rdi                /* struct trap_frame */
	andq	$-16, %rsp
	call	purgatory_trap
	ud2

/* lgdt with the GDT at %rax (its size in the 8 bytes before it). */
load_gdt:
	subq	$16, %rsp
	movw	-8(%rax), %cx
	movw	%cx, (%rsp)
	movq	%rax, 2(%rsp)
	lgdt	(%rsp)
	addq	$16, %rsp
	ret

	.section .rodata
	/* Accessed bits are preset so the CPU never writes to these (hashed) descriptors. */
	.balign	16
	.quad	gdt64_end - gdt64 - 1
gdt64:
	.quad	0
	.quad	0
	.quad	0x00af9b000000ffff        /* 0x10: 64-bit code */
	.quad	0x00cf93000000ffff        /* 0x18: flat data */
gdt64_end:
	.balign	16
	.quad	gdt32_end - gdt32 - 1
gdt32:
	.quad	0
	.quad	0
	.quad	0x00cf9b000000ffff        /* 0x10: 32-bit flat code */
	.quad	0x00cf93000000ffff        /* 0x18: flat data */
gdt32_end:

	.section .bss
	.balign	16
stack:
	.skip	16384
stack_top:

	.section .note.GNU-stack, "", @progbits

/* Purgatory entry and exit: from "64-bit mode, nothing else assumed" to the kernel's entry state.
 * Everything here is RIP-relative: the image runs wherever the loader put it. */

#define HEADER_MAGIC 0x5052474e4f544142
#define ABI_VERSION 1
#define BOOT_CS 0x10
#define BOOT_DS 0x18
#define MSR_EFER 0xc0000080
#define EFER_LME 0x100
#define CR0_PG 0x80000000
#define PARAMS_FLAGS 0x30
#define PARAMS_ENTRY64 0x40
#define PARAMS_ENTRY32 0x48
#define PARAMS_BOOT_PARAMS 0x50
#define PF_ENTRY_32BIT 1

	/* DS, ES, SS, FS, GS := the boot protocol's flat data segment. */
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
	jmp	entry64                   /* struct baton_purgatory_header, abi.h */
	.balign	8, 0xcc
	.quad	HEADER_MAGIC
	.long	ABI_VERSION
	.long	baton_params_area - purgatory_start
	.long	__text_start - purgatory_start
	.long	__text_end - purgatory_start
	.long	__image_end - purgatory_start
	.long	0

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
	/* An empty IDT: any exception from here on is a triple fault, i.e. a reset, never a jump
	 * into a handler of the dead kernel. */
	pushq	$0
	pushq	$0
	lidt	6(%rsp)
	addq	$16, %rsp

	load_data_segments
	leaq	1f(%rip), %rax
	pushq	$BOOT_CS
	pushq	%rax
	lretq
1:
	leaq	baton_params_area(%rip), %rdi
	call	purgatory_main            /* verifies, switches page tables; returns only if all is well */

	leaq	baton_params_area(%rip), %rbx
	movq	PARAMS_BOOT_PARAMS(%rbx), %rsi
	testl	$PF_ENTRY_32BIT, PARAMS_FLAGS(%rbx)
	jnz	enter32
	movq	PARAMS_ENTRY64(%rbx), %rdi

	/* 64-bit boot protocol: CS 0x10, DS/ES/SS 0x18, RSI = boot_params, the rest zero. */
	pushq	%rdi
	xorl	%eax, %eax
	xorl	%ebx, %ebx
	xorl	%ecx, %ecx
	xorl	%edx, %edx
	xorl	%edi, %edi
	xorl	%ebp, %ebp
	xorl	%r8d, %r8d
	xorl	%r9d, %r9d
	xorl	%r10d, %r10d
	xorl	%r11d, %r11d
	xorl	%r12d, %r12d
	xorl	%r13d, %r13d
	xorl	%r14d, %r14d
	xorl	%r15d, %r15d
	ret

	/* 32-bit boot protocol: leave long mode through identity-mapped code (the purgatory lies
	 * below 4 GiB), paging off, then code32_start with ESI = boot_params, EBX/EBP/EDI zero. */
enter32:
	movq	PARAMS_ENTRY32(%rbx), %rdi
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
	movl	%edi, %ecx
	xorl	%eax, %eax
	xorl	%ebx, %ebx
	xorl	%edx, %edx
	xorl	%edi, %edi
	xorl	%ebp, %ebp
	jmp	*%ecx

	.code64
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

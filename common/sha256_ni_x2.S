/* SPDX-License-Identifier: MIT */
/* Two SHA-256 streams interleaved with the x86 SHA extensions, for the library and the purgatory.
 *
 *   void baton_sha256_mb_ni_x2(uint32_t (*h)[8], const uint8_t *const *p, size_t nblocks)
 *
 * One stream is bound by sha256rnds2's latency (sha256_ni.S); a second, independent one fills
 * the gaps. The same rounds and schedule as sha256_ni.S, written once per stream: stream A in
 * xmm1-6, stream B in xmm8-13, each state at the start of a block saved on the stack (there are
 * not registers enough for it). System V ABI, caller-saved registers only, RIP-relative data. */

#define STATE	%rdi
#define PTRS	%rsi
#define NBLK	%rdx
#define KTAB	%rax
#define PA	%r8
#define PB	%r9

#define WK	%xmm0	/* implicit operand of sha256rnds2 */
#define TMP	%xmm7
#define BSWAP	%xmm14
#define TMPB	%xmm15

	.macro	rounds4 m, g, abef, cdgh
	movdqa	\m, WK
	paddd	16*\g(KTAB), WK
	sha256rnds2 WK, \abef, \cdgh
	pshufd	$0x0e, WK, WK
	sha256rnds2 WK, \cdgh, \abef
	.endm

	.macro	schedule m0, m1, m2, m3, tmp
	sha256msg1 \m1, \m0
	movdqa	\m3, \tmp
	palignr	$4, \m2, \tmp
	paddd	\tmp, \m0
	sha256msg2 \m3, \m0
	.endm

	/* Four rounds of each stream: A with a0..a3, B with b0..b3 (the schedule words in turn). */
	.macro	both4 g, a0, a1, a2, a3, b0, b1, b2, b3
	.if \g >= 4
	schedule \a0, \a1, \a2, \a3, TMP
	schedule \b0, \b1, \b2, \b3, TMPB
	.endif
	rounds4	\a0, \g, %xmm1, %xmm2
	rounds4	\b0, \g, %xmm8, %xmm9
	.endm

	/* h[] = A B C D | E F G H -> ABEF = F E B A, CDGH = H G D C (see sha256_ni.S). */
	.macro	load_state off, abef, cdgh
	movdqu	\off(STATE), \abef
	movdqu	\off+16(STATE), \cdgh
	pshufd	$0xb1, \abef, \abef
	pshufd	$0x1b, \cdgh, \cdgh
	movdqa	\abef, TMP
	palignr	$8, \cdgh, \abef
	pblendw	$0xf0, TMP, \cdgh
	.endm

	.macro	store_state off, abef, cdgh
	pshufd	$0x1b, \abef, \abef
	pshufd	$0xb1, \cdgh, \cdgh
	movdqa	\abef, TMP
	pblendw	$0xf0, \cdgh, TMP
	palignr	$8, \abef, \cdgh
	movdqu	TMP, \off(STATE)
	movdqu	\cdgh, \off+16(STATE)
	.endm

	.macro	load_msg ptr, m0, m1, m2, m3
	movdqu	0(\ptr), \m0
	movdqu	16(\ptr), \m1
	movdqu	32(\ptr), \m2
	movdqu	48(\ptr), \m3
	pshufb	BSWAP, \m0
	pshufb	BSWAP, \m1
	pshufb	BSWAP, \m2
	pshufb	BSWAP, \m3
	.endm

	.text
	.globl	baton_sha256_mb_ni_x2
	.type	baton_sha256_mb_ni_x2, @function
	.balign	16
baton_sha256_mb_ni_x2:
	test	NBLK, NBLK
	jz	.Ldone
	subq	$64, %rsp
	movq	0(PTRS), PA
	movq	8(PTRS), PB
	leaq	sha256_x2_k(%rip), KTAB
	movdqa	sha256_x2_bswap(%rip), BSWAP
	load_state 0, %xmm1, %xmm2
	load_state 32, %xmm8, %xmm9

.Lblock:
	movdqu	%xmm1, 0(%rsp)
	movdqu	%xmm2, 16(%rsp)
	movdqu	%xmm8, 32(%rsp)
	movdqu	%xmm9, 48(%rsp)
	load_msg PA, %xmm3, %xmm4, %xmm5, %xmm6
	load_msg PB, %xmm10, %xmm11, %xmm12, %xmm13

	both4	0, %xmm3, %xmm4, %xmm5, %xmm6, %xmm10, %xmm11, %xmm12, %xmm13
	both4	1, %xmm4, %xmm5, %xmm6, %xmm3, %xmm11, %xmm12, %xmm13, %xmm10
	both4	2, %xmm5, %xmm6, %xmm3, %xmm4, %xmm12, %xmm13, %xmm10, %xmm11
	both4	3, %xmm6, %xmm3, %xmm4, %xmm5, %xmm13, %xmm10, %xmm11, %xmm12
	both4	4, %xmm3, %xmm4, %xmm5, %xmm6, %xmm10, %xmm11, %xmm12, %xmm13
	both4	5, %xmm4, %xmm5, %xmm6, %xmm3, %xmm11, %xmm12, %xmm13, %xmm10
	both4	6, %xmm5, %xmm6, %xmm3, %xmm4, %xmm12, %xmm13, %xmm10, %xmm11
	both4	7, %xmm6, %xmm3, %xmm4, %xmm5, %xmm13, %xmm10, %xmm11, %xmm12
	both4	8, %xmm3, %xmm4, %xmm5, %xmm6, %xmm10, %xmm11, %xmm12, %xmm13
	both4	9, %xmm4, %xmm5, %xmm6, %xmm3, %xmm11, %xmm12, %xmm13, %xmm10
	both4	10, %xmm5, %xmm6, %xmm3, %xmm4, %xmm12, %xmm13, %xmm10, %xmm11
	both4	11, %xmm6, %xmm3, %xmm4, %xmm5, %xmm13, %xmm10, %xmm11, %xmm12
	both4	12, %xmm3, %xmm4, %xmm5, %xmm6, %xmm10, %xmm11, %xmm12, %xmm13
	both4	13, %xmm4, %xmm5, %xmm6, %xmm3, %xmm11, %xmm12, %xmm13, %xmm10
	both4	14, %xmm5, %xmm6, %xmm3, %xmm4, %xmm12, %xmm13, %xmm10, %xmm11
	both4	15, %xmm6, %xmm3, %xmm4, %xmm5, %xmm13, %xmm10, %xmm11, %xmm12

	movdqu	0(%rsp), TMP
	paddd	TMP, %xmm1
	movdqu	16(%rsp), TMP
	paddd	TMP, %xmm2
	movdqu	32(%rsp), TMP
	paddd	TMP, %xmm8
	movdqu	48(%rsp), TMP
	paddd	TMP, %xmm9
	addq	$64, PA
	addq	$64, PB
	decq	NBLK
	jnz	.Lblock

	store_state 0, %xmm1, %xmm2
	store_state 32, %xmm8, %xmm9
	addq	$64, %rsp
.Ldone:
	ret
	.size	baton_sha256_mb_ni_x2, . - baton_sha256_mb_ni_x2

	.section .rodata
	.balign	64
sha256_x2_k:
	.long	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5
	.long	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174
	.long	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da
	.long	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967
	.long	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85
	.long	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070
	.long	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3
	.long	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
sha256_x2_bswap:
	.byte	3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12

	.section .note.GNU-stack, "", @progbits

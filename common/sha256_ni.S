/* SPDX-License-Identifier: MIT */
/* SHA-256 block function with the x86 SHA extensions (SHA-NI), for the library and the purgatory.
 *
 *   void baton_sha256_blocks_ni(uint32_t h[8], const uint8_t *p, size_t nblocks)
 *
 * System V ABI; uses only caller-saved XMM registers and no stack; RIP-relative data only, so
 * the purgatory stays position independent. Needs SHA, SSSE3 (pshufb, palignr) and SSE4.1
 * (pblendw), and SSE enabled: callers check baton_sha256_ni_usable() (common/sha256.c).
 *
 * sha256rnds2 does two rounds on the state split as ABEF and CDGH (A in the top dword), taking
 * W[t] + K[t] and W[t+1] + K[t+1] from the low quadword of %xmm0.
 */

#define STATE	%rdi
#define DATA	%rsi
#define NBLK	%rdx
#define KTAB	%rax

#define WK	%xmm0	/* implicit operand of sha256rnds2 */
#define ABEF	%xmm1
#define CDGH	%xmm2
#define M0	%xmm3	/* the message schedule: four words per register, in a ring of four */
#define M1	%xmm4
#define M2	%xmm5
#define M3	%xmm6
#define TMP	%xmm7
#define BSWAP	%xmm8
#define ABEF0	%xmm9	/* the state at the start of the block */
#define CDGH0	%xmm10

	/* Rounds 4g..4g+3 with W[4g..4g+3] in m. Each sha256rnds2 turns CDGH into the new ABEF;
	 * the old ABEF is then the new CDGH, so the two registers swap roles twice. */
	.macro	rounds4 m, g
	movdqa	\m, WK
	paddd	16*\g(KTAB), WK
	sha256rnds2 WK, ABEF, CDGH
	pshufd	$0x0e, WK, WK
	sha256rnds2 WK, CDGH, ABEF
	.endm

	/* m0 := W[t..t+3] from m0 = W[t-16..t-13], m1 = W[t-12..], m2 = W[t-8..], m3 = W[t-4..]:
	 * W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16]. */
	.macro	schedule m0, m1, m2, m3
	sha256msg1 \m1, \m0              /* + s0(W[t-15..t-12]) */
	movdqa	\m3, TMP
	palignr	$4, \m2, TMP             /* W[t-7..t-4] */
	paddd	TMP, \m0
	sha256msg2 \m3, \m0              /* + s1(W[t-2..t+1]), the last two just computed */
	.endm

	.text
	.globl	baton_sha256_blocks_ni
	.type	baton_sha256_blocks_ni, @function
	.balign	16
baton_sha256_blocks_ni:
	test	NBLK, NBLK
	jz	.Ldone
	leaq	sha256_ni_k(%rip), KTAB
	movdqa	sha256_ni_bswap(%rip), BSWAP

	/* h[] = A B C D | E F G H (A in the lowest dword) -> ABEF = F E B A, CDGH = H G D C. */
	movdqu	(STATE), ABEF
	movdqu	16(STATE), CDGH
	pshufd	$0xb1, ABEF, ABEF        /* B A D C */
	pshufd	$0x1b, CDGH, CDGH        /* H G F E */
	movdqa	ABEF, TMP
	palignr	$8, CDGH, ABEF           /* F E B A */
	pblendw	$0xf0, TMP, CDGH         /* H G D C */

.Lblock:
	movdqa	ABEF, ABEF0
	movdqa	CDGH, CDGH0
	movdqu	0(DATA), M0
	movdqu	16(DATA), M1
	movdqu	32(DATA), M2
	movdqu	48(DATA), M3
	pshufb	BSWAP, M0
	pshufb	BSWAP, M1
	pshufb	BSWAP, M2
	pshufb	BSWAP, M3

	rounds4	M0, 0
	rounds4	M1, 1
	rounds4	M2, 2
	rounds4	M3, 3
	schedule M0, M1, M2, M3
	rounds4	M0, 4
	schedule M1, M2, M3, M0
	rounds4	M1, 5
	schedule M2, M3, M0, M1
	rounds4	M2, 6
	schedule M3, M0, M1, M2
	rounds4	M3, 7
	schedule M0, M1, M2, M3
	rounds4	M0, 8
	schedule M1, M2, M3, M0
	rounds4	M1, 9
	schedule M2, M3, M0, M1
	rounds4	M2, 10
	schedule M3, M0, M1, M2
	rounds4	M3, 11
	schedule M0, M1, M2, M3
	rounds4	M0, 12
	schedule M1, M2, M3, M0
	rounds4	M1, 13
	schedule M2, M3, M0, M1
	rounds4	M2, 14
	schedule M3, M0, M1, M2
	rounds4	M3, 15

	paddd	ABEF0, ABEF
	paddd	CDGH0, CDGH
	addq	$64, DATA
	decq	NBLK
	jnz	.Lblock

	/* Back to A B C D | E F G H. */
	pshufd	$0x1b, ABEF, ABEF        /* A B E F */
	pshufd	$0xb1, CDGH, CDGH        /* G H C D */
	movdqa	ABEF, TMP
	pblendw	$0xf0, CDGH, TMP         /* A B C D */
	palignr	$8, ABEF, CDGH           /* E F G H */
	movdqu	TMP, (STATE)
	movdqu	CDGH, 16(STATE)
.Ldone:
	ret
	.size	baton_sha256_blocks_ni, . - baton_sha256_blocks_ni

	.section .rodata
	.balign	64
sha256_ni_k:
	.long	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5
	.long	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174
	.long	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da
	.long	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967
	.long	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85
	.long	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070
	.long	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3
	.long	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
	/* pshufb mask: big-endian message words */
sha256_ni_bswap:
	.byte	3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12

	.section .note.GNU-stack, "", @progbits

/* SPDX-License-Identifier: MIT */
/* The purgatory image, embedded in the library as bytes (built from purgatory/). */
	.section .rodata
	.balign	64
	.globl	baton_purgatory_image
	.globl	baton_purgatory_image_size
baton_purgatory_image:
	.incbin	PURGATORY_BIN
baton_purgatory_image_end:
	.balign	8
baton_purgatory_image_size:
	.quad	baton_purgatory_image_end - baton_purgatory_image

	.section .note.GNU-stack, "", @progbits

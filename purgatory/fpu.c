/* SPDX-License-Identifier: MIT */
/* SSE on for the hash only: the old kernel may have left it off (Xen: CR4 = PAE), and the new
 * kernel is entered with CR0/CR4 as take_over_paging sets them, not with SSE as left here. */
#include "fpu.h"

#include "io.h"
#include "sha256.h"

#define CR4_OSFXSR (1ULL << 9)
#define CR4_OSXMMEXCPT (1ULL << 10)

void fpu_sse_begin(struct fpu_saved *s)
{
	s->changed = 0;
	if (!baton_sha256_cpu_has_ni())
		return;
	s->cr0 = read_cr0();
	s->cr4 = read_cr4();
	write_cr0((s->cr0 & ~(CR0_EM | CR0_TS)) | CR0_MP);
	write_cr4(s->cr4 | CR4_OSFXSR | CR4_OSXMMEXCPT);
	s->changed = 1;
}

void fpu_sse_end(const struct fpu_saved *s)
{
	if (!s->changed)
		return;
	write_cr4(s->cr4);
	write_cr0(s->cr0);
}

/* SPDX-License-Identifier: MIT */
/* SIMD on for the hash only: the old kernel may have left it off (Xen: CR4 = PAE), and the new
 * kernel is entered with CR0/CR4 as take_over_paging sets them and XCR0 as the old kernel left
 * it, not with the state enabled here. */
#include "fpu.h"

#include "io.h"
#include "sha256.h"
#include "sha256_mb.h"

#define CR4_OSFXSR (1ULL << 9)
#define CR4_OSXMMEXCPT (1ULL << 10)
#define CR4_OSXSAVE (1ULL << 18)

#define XCR0_AVX 0x7ULL        /* x87, SSE, AVX */
#define XCR0_AVX512 0xe0ULL    /* opmask, ZMM0-15 upper halves, ZMM16-31 */

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

static uint64_t xgetbv0(void)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (uint64_t)hi << 32 | lo;
}

static void xsetbv0(uint64_t v)
{
	__asm__ volatile("xsetbv" : : "a"((uint32_t)v), "d"((uint32_t)(v >> 32)), "c"(0)
			 : "memory");
}

/* XSAVE, and the XCR0 bits this CPU supports (CPUID leaf 0xD): writing others faults. */
static uint64_t xcr0_supported(void)
{
	uint32_t r[4];

	cpuid(1, 0, r);
	if (!(r[2] & (1u << 26)))
		return 0;
	cpuid(0xd, 0, r);
	return (uint64_t)r[3] << 32 | r[0];
}

static void enable_avx(struct fpu_saved *s)
{
	uint64_t supported = xcr0_supported(), want = XCR0_AVX;

	if (!baton_sha256_cpu_has_avx2() || (supported & XCR0_AVX) != XCR0_AVX)
		return;
	if (baton_sha256_cpu_has_avx512() && (supported & XCR0_AVX512) == XCR0_AVX512)
		want |= XCR0_AVX512;
	write_cr4(read_cr4() | CR4_OSXSAVE);
	s->xcr0 = xgetbv0();
	xsetbv0(s->xcr0 | want);
	s->xcr0_changed = 1;
}

void fpu_simd_begin(struct fpu_saved *s)
{
	s->changed = 0;
	s->xcr0_changed = 0;
	if (!baton_sha256_cpu_has_ni() && !baton_sha256_cpu_has_avx2())
		return;
	s->cr0 = read_cr0();
	s->cr4 = read_cr4();
	write_cr0((s->cr0 & ~(CR0_EM | CR0_TS)) | CR0_MP);
	write_cr4(s->cr4 | CR4_OSFXSR | CR4_OSXMMEXCPT);
	s->changed = 1;
	enable_avx(s);
}

void fpu_simd_end(const struct fpu_saved *s)
{
	if (!s->changed)
		return;
	if (s->xcr0_changed)
		xsetbv0(s->xcr0);
	write_cr4(s->cr4);
	write_cr0(s->cr0);
}

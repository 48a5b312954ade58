/* The seam to the kernel: every syscall that loads or executes goes through these ops. */
#ifndef BATON_LIB_SYS_H
#define BATON_LIB_SYS_H

#include <stddef.h>
#include <stdint.h>

/* The kernel's struct kexec_segment. */
struct baton_kexec_segment {
	const void *buf;
	size_t bufsz;
	uint64_t mem;       /* physical destination (a pointer-sized field in the kernel ABI) */
	size_t memsz;
};

_Static_assert(sizeof(struct baton_kexec_segment) == 32, "kexec_segment layout");

#define BATON_KEXEC_ARCH_X86_64 (62UL << 16)
#define BATON_KEXEC_ON_CRASH 0x00000001UL
#define BATON_KEXEC_FILE_UNLOAD 0x00000001UL
#define BATON_KEXEC_FILE_ON_CRASH 0x00000002UL
#define BATON_KEXEC_FILE_NO_INITRAMFS 0x00000004UL

struct baton_sys {
	/* Return 0 or a negative errno, like the library. */
	int (*kexec_load)(void *ctx, uint64_t entry, size_t nr,
			  const struct baton_kexec_segment *segs, unsigned long flags);
	/* The kernel's own loader (its purgatory, its signature check): for lockdown. NULL where
	 * there is none (Xen). cmdline_len counts the NUL. */
	int (*kexec_file_load)(void *ctx, int kernel_fd, int initrd_fd, size_t cmdline_len,
			       const char *cmdline, unsigned long flags);
	int (*reboot_kexec)(void *ctx);
	void (*sync)(void *ctx);
	/* Take every network interface down (kexec-tools' -e does, so that no NIC keeps DMAing
	 * into memory the new kernel owns); 0 or a negative errno. */
	int (*ifdown)(void *ctx);
	void *ctx;
};

/* The real kernel. Only the CLI picks this; tests use their own ops. */
extern const struct baton_sys baton_sys_linux;

#endif

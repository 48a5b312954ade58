/* SPDX-License-Identifier: MIT */
/* kexec operations: the only callers of the backend's loading calls. */
#include "kexec.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <sys/mman.h>

#include "decompress.h"
#include "format.h"


static int syscall_error(struct baton_error *err, const char *call, int rc)
{
	switch (-rc) {
	case EPERM:
		return baton_fail(err, EPERM, "%s: not permitted (needs root and CAP_SYS_BOOT; kernel "
				  "lockdown also forbids it)", call);
	case EACCES:
		return baton_fail(err, EACCES, "%s: refused (Secure Boot: the kernel's IMA policy "
				  "or lockdown only allows kexec_file_load of a signed kernel)", call);
	case ENOSYS:
		return baton_fail(err, ENOSYS, "%s: not supported by the running kernel", call);
	case EBUSY:
		return baton_fail(err, EBUSY, "%s: the kernel is busy with another kexec image", call);
	case ENOMEM:
		return baton_fail(err, ENOMEM, "%s: the kernel could not reserve the destination "
				  "memory", call);
	default:
		return baton_fail(err, -rc, "%s: %s", call, strerror(-rc));
	}
}

int baton_kexec_load(const struct baton_backend *be, const struct baton_image *img,
		     struct baton_error *err)
{
	struct baton_kexec_segment segs[BATON_MAX_SEGMENTS];
	size_t nr = 0;
	int rc;

	for (size_t i = 0; i < img->segs.nr; i++) {
		const struct baton_segment *s = &img->segs.seg[i];
		segs[nr].buf = s->buf;
		segs[nr].bufsz = s->bufsz;
		segs[nr].mem = s->mem;
		segs[nr].memsz = s->memsz;
		nr++;
	}
	rc = be->ops->kexec_load(be, img->entry, nr, segs, BATON_KEXEC_ARCH_X86_64 |
			     ((img->flags & BATON_LOAD_CRASH) ? BATON_KEXEC_ON_CRASH : 0) |
			     (img->hotplug ? BATON_KEXEC_UPDATE_ELFCOREHDR : 0));
	return rc ? syscall_error(err, "kexec_load", rc) : 0;
}

/* A memfd holding the pieces back to back, each from a 4-byte boundary (zeros between: cpio
 * archives start 4-byte aligned, and Linux's unpacker skips the zeros). An fd, or -errno with
 * no message (the caller names the file). */
struct piece {
	const uint8_t *data;
	size_t size;
};

static int memfd_of(const char *name, const struct piece *p, size_t nr)
{
	static const uint8_t zeros[4];
	int fd = memfd_create(name, MFD_CLOEXEC), rc = 0;
	size_t total = 0;

	if (fd < 0)
		return -errno;
	for (size_t i = 0; i < nr && !rc; i++) {
		struct piece pad = { zeros, (4 - total % 4) % 4 };
		const struct piece *w[2] = { &pad, &p[i] };

		for (int j = 0; j < 2 && !rc; j++) {
			size_t done = 0;
			while (done < w[j]->size) {
				ssize_t n = write(fd, w[j]->data + done, w[j]->size - done);
				if (n < 0 && errno == EINTR)
					continue;
				if (n <= 0) {
					rc = n < 0 ? -errno : -EIO;
					break;
				}
				done += (size_t)n;
			}
			total += done;
		}
	}
	if (rc) {
		close(fd);
		return rc;
	}
	return fd;
}

/* The kernel file for the kernel's own loader, which reads no gzip, xz or zstd: the file itself,
 * or, when it is compressed, its unpacked bytes in a memfd. An fd, or -errno with a message. */
static int kernel_fd(const char *path, struct baton_error *err)
{
	struct baton_file f;
	uint8_t magic[8];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return baton_fail(err, errno, "kernel: %s: %s", path, strerror(errno));
	n = pread(fd, magic, sizeof(magic), 0);
	if (n <= 0 || baton_compression_detect(magic, (size_t)n) == BATON_COMPRESSION_NONE)
		return fd;
	close(fd);
	rc = baton_file_map_image(&f, path, "kernel", BATON_IMAGE_DECOMPRESS, 0, err);
	if (rc)
		return rc;
	fd = memfd_of("baton-kernel", &(struct piece){ f.data, f.size }, 1);
	if (fd < 0)
		rc = baton_fail(err, -fd, "kernel: %s: cannot hold the unpacked image for "
				"kexec_file_load: %s", path, strerror(-fd));
	baton_file_free(&f);
	return fd >= 0 ? fd : rc;
}

/* A UKI for the kernel's own loader, which on x86 takes bzImages only: its .linux (the exact
 * bytes its signature covers) and, as one initrd, .ucode, .initrd and then --initrd, each in a
 * memfd. 0 and *kfd, *ifd (-1: no initrd), or -errno with a message. The UKI's own signature is
 * not the kernel's to check: it sees the embedded kernel only. */
static int uki_fds(const struct baton_load_opts *opts, const struct baton_file *uki_file,
		   int *kfd, int *ifd, struct baton_error *err)
{
	struct baton_file initrd = { 0 };
	struct baton_uki u;
	int rc;

	*kfd = *ifd = -1;
	rc = baton_uki_parse(&u, uki_file->data, uki_file->size, opts->kernel, err);
	if (!rc && opts->initrd)
		rc = baton_file_map(&initrd, opts->initrd, "initrd", err);
	if (rc)
		return rc;
	const struct piece parts[] = {
		{ u.ucode.data, u.ucode.size }, { u.initrd.data, u.initrd.size },
		{ initrd.data, initrd.size },
	};
	int k = memfd_of("baton-uki-linux", &(struct piece){ u.linux_.data, u.linux_.size }, 1);
	int i = -1;

	if (k >= 0 && (u.ucode.size || u.initrd.size || initrd.size))
		i = memfd_of("baton-uki-initrd", parts, sizeof(parts) / sizeof(parts[0]));
	baton_file_free(&initrd);
	rc = k < 0 ? k : (u.ucode.size || u.initrd.size || initrd.size) && i < 0 ? i : 0;
	if (!rc) {
		*kfd = k;
		*ifd = i;
		return 0;
	}
	if (k >= 0)
		close(k);
	return baton_fail(err, -rc, "kexec_file_load: %s: cannot hold the UKI's sections: %s",
			  opts->kernel, strerror(-rc));
}

int baton_kexec_file_is_uki(const struct baton_load_opts *opts)
{
	const struct baton_format *forced = (opts->flags & BATON_LOAD_TYPE) && opts->type ?
					    baton_format_lookup(opts->type) : NULL;
	struct baton_file f;
	int uki;

	if (forced)
		return forced == &baton_format_uki;
	if (baton_file_map(&f, opts->kernel ? opts->kernel : "", "kernel", NULL))
		return 0;
	uki = baton_uki_probe(f.data, f.size);
	baton_file_free(&f);
	return uki;
}

/* The files for the kernel's loader: a UKI's sections (when the file is one, or -t uki says
 * so), else the kernel and --initrd as they are. */
static int file_load_fds(const struct baton_load_opts *opts, int *kfd, int *ifd, int *uki,
			 struct baton_error *err)
{
	struct baton_file f = { 0 };
	int rc;

	*kfd = *ifd = -1;
	*uki = baton_kexec_file_is_uki(opts);
	if (*uki) {
		rc = baton_file_map(&f, opts->kernel, "kernel", err);
		if (!rc)
			rc = uki_fds(opts, &f, kfd, ifd, err);
		baton_file_free(&f);
		return rc;
	}
	*kfd = kernel_fd(opts->kernel, err);
	if (*kfd < 0) {
		rc = *kfd;
		*kfd = -1;
		return rc;
	}
	if (opts->initrd) {
		*ifd = open(opts->initrd, O_RDONLY | O_CLOEXEC);
		if (*ifd < 0) {
			rc = baton_fail(err, errno, "initrd: %s: %s", opts->initrd, strerror(errno));
			close(*kfd);
			*kfd = -1;
			return rc;
		}
	}
	return 0;
}

int baton_kexec_file_load(const struct baton_backend *be, const struct baton_load_opts *opts,
			  struct baton_error *err)
{
	unsigned long flags = (opts->flags & BATON_LOAD_CRASH) ? BATON_KEXEC_FILE_ON_CRASH : 0;
	const char *cmdline = opts->cmdline ? opts->cmdline : "";
	const char *what = "";   /* what the kernel checked: a UKI's .linux */
	int kfd, ifd, uki, rc;

	if (be->ops->no_file_load)
		return baton_fail(err, ENOSYS, "kexec_file_load: not available here (%s)",
				  be->ops->no_file_load);
	if (opts->nr_modules)
		return baton_fail(err, EINVAL, "kexec_file_load: %s: the kernel's loader takes no "
				  "--module", opts->kernel);
	rc = file_load_fds(opts, &kfd, &ifd, &uki, err);
	if (rc)
		return rc;
	if (uki)
		what = " (.linux)";
	if (ifd < 0)
		flags |= BATON_KEXEC_FILE_NO_INITRAMFS;
	rc = be->ops->kexec_file_load(be, kfd, ifd, strlen(cmdline) + 1, cmdline, flags);
	close(kfd);
	if (ifd >= 0)
		close(ifd);
	switch (-rc) {
	case 0:
		return 0;
	case EKEYREJECTED:
	case EBADMSG:
	case ENODATA:
	case ENOPKG:
	case EKEYREVOKED:
		return baton_fail(err, -rc, "kexec_file_load: %s%s: the kernel's signature check "
				  "refused it (unsigned, or signed with a key the running kernel does "
				  "not trust)", opts->kernel, what);
	case EPERM:
		return baton_fail(err, EPERM, "kexec_file_load: %s%s: refused: under kernel lockdown "
				  "the kernel must be signed with a key the running kernel trusts "
				  "(or baton lacks CAP_SYS_BOOT)", opts->kernel, what);
	case ENOEXEC:
		return baton_fail(err, ENOEXEC, "kexec_file_load: %s: the running kernel cannot "
				  "load this image itself", opts->kernel);
	default:
		return syscall_error(err, "kexec_file_load", rc);
	}
}

int baton_kexec_unload(const struct baton_backend *be, int crash, struct baton_error *err)
{
	int rc = be->ops->kexec_load(be, 0, 0, NULL, BATON_KEXEC_ARCH_X86_64 |
				 (crash ? BATON_KEXEC_ON_CRASH : 0));

	/* Under lockdown or Secure Boot only kexec_file_load may unload (as it may load). */
	if ((rc == -EPERM || rc == -EACCES) && !be->ops->no_file_load)
		rc = be->ops->kexec_file_load(be, -1, -1, 0, "", BATON_KEXEC_FILE_UNLOAD |
					  (crash ? BATON_KEXEC_FILE_ON_CRASH : 0));
	return rc ? syscall_error(err, "kexec_load (unload)", rc) : 0;
}

int baton_kexec_exec(const struct baton_backend *be, unsigned flags, struct baton_error *err)
{
	if (!(flags & BATON_EXEC_NO_SYNC))
		be->ops->sync(be);
	/* A NIC left up may keep writing into memory the new kernel owns. As with kexec-tools,
	 * an interface that will not go down does not stop the reboot. */
	if (flags & BATON_EXEC_IFDOWN)
		(void)be->ops->ifdown(be);
	/* On the real kernel a successful call does not return; a seam may answer 0. */
	int rc = be->ops->reboot_kexec(be);
	if (rc == -EINVAL)
		return baton_fail(err, EINVAL, "reboot: no kexec image loaded");
	return rc ? syscall_error(err, "reboot (kexec)", rc) : 0;
}

int baton_kexec_loaded(const struct baton_backend *be, int crash, int *loaded,
		       struct baton_error *err)
{
	return be->ops->loaded(be, crash, loaded, err);
}

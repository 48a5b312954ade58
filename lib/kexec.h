/* SPDX-License-Identifier: MIT */
/* Loading, unloading, executing and querying kexec images through the backend. */
#ifndef BATON_LIB_KEXEC_H
#define BATON_LIB_KEXEC_H

#include "error.h"
#include "image.h"
#include "backend.h"

int baton_kexec_load(const struct baton_backend *be, const struct baton_image *img,
		     struct baton_error *err);
/* Unload the normal image, or the crash image when `crash`. */
/* The kernel's own loader: kexec_file_load(2) with the files as they are (the kernel places
 * them, uses its own purgatory, and checks the kernel's signature where it must). */
int baton_kexec_file_load(const struct baton_backend *be, const struct baton_load_opts *opts,
			  struct baton_error *err);
/* 1 when baton_kexec_file_load hands the kernel a UKI's .linux and joined initrd rather than
 * the files as they are (the file is a UKI, or -t uki says so). */
int baton_kexec_file_is_uki(const struct baton_load_opts *opts);

int baton_kexec_unload(const struct baton_backend *be, int crash, struct baton_error *err);
/* Flush file systems (unless BATON_EXEC_NO_SYNC), take interfaces down (BATON_EXEC_IFDOWN),
 * then reboot into the loaded image (the real kernel returns only on failure). */
int baton_kexec_exec(const struct baton_backend *be, unsigned flags, struct baton_error *err);
/* *loaded = 1 if a normal (crash = 0) or crash image is loaded. */
int baton_kexec_loaded(const struct baton_backend *be, int crash, int *loaded,
		       struct baton_error *err);

#endif

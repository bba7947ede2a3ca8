/* SPDX-License-Identifier: MIT */
/* stat(2) results in the 32-bit layouts (i386, ARM EABI). */
#ifndef STATCONV_H
#define STATCONV_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "syscalls.h"

/* Largest converted struct. */
#define STATCONV_MAX	sizeof(struct stat)

/*
 * Lay st out in out as the kernel would for layout (the build's struct
 * stat, or the 32-bit struct stat / struct stat64 as IA32 emulation or
 * AArch32 compat write them). Returns the size to copy, or -EOVERFLOW
 * where the kernel refuses (an inode, link count or size that does not
 * fit the old 32-bit struct stat).
 */
int	statconv(const struct stat *st, enum syscalls_layout layout,
	    void *out);

/*
 * Lay fs out as statfs(2) writes it for layout (x86_64 struct statfs, i386
 * struct statfs, or struct statfs64 of the size the program passed). Returns
 * the size to copy, -EOVERFLOW as the kernel, or -EINVAL for a statfs64 of
 * another size.
 */
int	statconv_fs(const struct statfs *, enum syscalls_layout,
	    uint64_t size, void *out);

#endif

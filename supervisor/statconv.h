/* SPDX-License-Identifier: MIT */
/* stat(2) results in the i386 layouts, for 32-bit targets. */
#ifndef STATCONV_H
#define STATCONV_H

#include <stddef.h>
#include <sys/stat.h>

#include "syscalls.h"

/* Largest converted struct. */
#define STATCONV_MAX	sizeof(struct stat)

/*
 * Lay st out in out as the kernel would for layout (x86_64 struct stat, or
 * i386 struct stat / struct stat64 as IA32 emulation writes them). Returns
 * the size to copy, or -EOVERFLOW where the kernel refuses (an inode, link
 * count or size that does not fit the old i386 struct stat).
 */
int	statconv(const struct stat *st, enum syscalls_layout layout,
	    void *out);

#endif

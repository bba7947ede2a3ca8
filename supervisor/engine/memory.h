/* SPDX-License-Identifier: MIT */
/* Reading the target's memory: process_vm_readv, /proc/TID/mem fallback. */
#ifndef MEMORY_H
#define MEMORY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Read the NUL-terminated string at addr in task tid into buf (len bytes,
 * NUL included), page by page so that a string ending just before an
 * unmapped page is read like the kernel would. Returns its length, or
 * -EFAULT (unreadable address), -ENAMETOOLONG (no NUL within len), -ESRCH
 * (task gone) or -EPERM (not allowed to read, e.g. a non-dumpable target).
 */
ssize_t	memory_read_string(pid_t tid, uint64_t addr, char *buf, size_t len);

/* Read exactly len bytes at addr; 0 or the errors above. */
int	memory_read(pid_t tid, uint64_t addr, void *buf, size_t len);

/* Write len bytes at addr (emulated syscall results); 0 or the errors
 * above. */
int	memory_write(pid_t tid, uint64_t addr, const void *buf, size_t len);

/*
 * The calls above through a descriptor of /proc/TID/mem (target_pin opens
 * it before the notification's ID check, so it stays that task's even if
 * the tid is reused). Unlike process_vm_readv/writev they reach PROT_NONE
 * and read-only pages too (a path string in a program's .rodata,
 * rewritten).
 */
ssize_t	memory_fd_read_string(int memfd, uint64_t addr, char *buf, size_t len);
int	memory_fd_read(int memfd, uint64_t addr, void *buf, size_t len);
int	memory_fd_write(int memfd, uint64_t addr, const void *buf, size_t len);

#endif

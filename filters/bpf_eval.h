/* SPDX-License-Identifier: MIT */
/* A classic-BPF interpreter for seccomp programs: filter_build() checks
 * what libseccomp exported with it, and the filter tests use it. */
#ifndef BPF_EVAL_H
#define BPF_EVAL_H

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>

/* Run prog over data like the kernel; returns the SECCOMP_RET_* value, or
 * 0xdeadbeef for a program the kernel would reject (bad jump, no ret). */
uint32_t	bpf_eval(const struct sock_filter *prog, size_t len,
		    const struct seccomp_data *data);

#endif

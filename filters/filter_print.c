/* SPDX-License-Identifier: MIT */
/* Readable listing of a classic BPF seccomp program. */
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "syscalls.h"

#ifndef AUDIT_ARCH_X32_BIT
#define X32_SYSCALL_BIT 0x40000000u
#endif

static const char *
filter_print_field(uint32_t k)
{
	switch (k) {
	case offsetof(struct seccomp_data, nr):
		return "nr";
	case offsetof(struct seccomp_data, arch):
		return "arch";
	case offsetof(struct seccomp_data, instruction_pointer):
		return "instruction_pointer";
	case offsetof(struct seccomp_data, instruction_pointer) + 4:
		return "instruction_pointer_hi";
	}
	if (k >= offsetof(struct seccomp_data, args) &&
	    k < sizeof(struct seccomp_data) && k % 4 == 0) {
		static const char *const args[] = {
			"args[0] low", "args[0] high", "args[1] low",
			"args[1] high", "args[2] low", "args[2] high",
			"args[3] low", "args[3] high", "args[4] low",
			"args[4] high", "args[5] low", "args[5] high",
		};

		return args[(k - offsetof(struct seccomp_data, args)) / 4];
	}
	return "?";
}

static const char *
filter_print_arch(uint32_t k)
{
	return syscalls_arch_label(k);
}

static void
filter_print_ret(uint32_t k, FILE *fp)
{
	switch (k & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_KILL_PROCESS:
		fputs("KILL_PROCESS", fp);
		break;
	case SECCOMP_RET_KILL_THREAD:
		fputs("KILL_THREAD", fp);
		break;
	case SECCOMP_RET_TRAP:
		fputs("TRAP", fp);
		break;
	case SECCOMP_RET_ERRNO:
		fprintf(fp, "ERRNO(%u)", k & SECCOMP_RET_DATA);
		break;
	case SECCOMP_RET_USER_NOTIF:
		fputs("USER_NOTIF", fp);
		break;
	case SECCOMP_RET_TRACE:
		fputs("TRACE", fp);
		break;
	case SECCOMP_RET_LOG:
		fputs("LOG", fp);
		break;
	case SECCOMP_RET_ALLOW:
		fputs("ALLOW", fp);
		break;
	default:
		fprintf(fp, "0x%08x", k);
	}
}

/* Name a compared constant from what the accumulator last loaded. */
static const char *
filter_print_const(const char *field, uint32_t k, uint32_t arch)
{
	const char *name = NULL;

	if (field == NULL)
		return NULL;
	/* Jumps from different loads meet (libseccomp compares the arch
	 * again after the native block): an audit arch constant is an arch. */
	if ((name = filter_print_arch(k)) != NULL)
		return name;
	if (strcmp(field, "nr") == 0) {
		if (k == X32_SYSCALL_BIT && arch == AUDIT_ARCH_X86_64)
			name = "x32 syscall bit";
		else if (k == 0xffffffffu)
			name = "nr -1";
		else
			name = syscalls_arch_name(arch, (int)k);
	}
	return name;
}

/* Note that the accumulator holds field when target is reached from a
 * jump; "?" where jumps with different loads meet. */
static void
filter_print_reach(const char **at, size_t n, size_t target, const char *field)
{
	if (target >= n)
		return;
	if (at[target] == NULL)
		at[target] = field != NULL ? field : "?";
	else if (field == NULL || strcmp(at[target], field) != 0)
		at[target] = "?";
}

void
filter_print(const struct filter *f, FILE *fp)
{
	const struct sock_filter *insns;
	const char *field = NULL, **at;
	uint32_t arch = syscalls_native_arch();
	size_t i, n;
	int falls = 1;		/* the previous instruction falls through */

	n = filter_program(f, (const void **)&insns);
	/* Jumps only go forward: what each one leaves in the accumulator
	 * is known before its targets are printed. */
	if ((at = calloc(n + 1, sizeof(*at))) == NULL)
		return;
	fprintf(fp, "; %zu instructions over struct seccomp_data;"
	    " jumps: OP #K, IF-TRUE, IF-FALSE\n", n);
	for (i = 0; i < n; i++) {
		const struct sock_filter *in = &insns[i];
		uint16_t cls = BPF_CLASS(in->code);

		if (at[i] != NULL) {
			filter_print_reach(at, n, i, falls ? field : at[i]);
			field = at[i];
		}
		falls = 1;
		if (cls == BPF_RET || (cls == BPF_JMP &&
		    (BPF_OP(in->code) == BPF_JA || (in->jt != 0 && in->jf != 0))))
			falls = 0;
		if (cls == BPF_JMP && BPF_OP(in->code) == BPF_JA)
			filter_print_reach(at, n, i + 1 + in->k, field);
		else if (cls == BPF_JMP) {
			if (in->jt != 0)
				filter_print_reach(at, n, i + 1 + in->jt,
				    field);
			if (in->jf != 0)
				filter_print_reach(at, n, i + 1 + in->jf,
				    field);
		}
		fprintf(fp, "%4zu: ", i);
		switch (cls) {
		case BPF_LD:
			field = filter_print_field(in->k);
			fprintf(fp, "ld   [%u]\t\t; %s\n", in->k, field);
			break;
		case BPF_JMP: {
			const char *op = "?", *name;

			if (BPF_OP(in->code) == BPF_JA) {
				fprintf(fp, "ja   %zu\n", i + 1 + in->k);
				break;
			}
			switch (BPF_OP(in->code)) {
			case BPF_JEQ: op = "jeq "; break;
			case BPF_JGT: op = "jgt "; break;
			case BPF_JGE: op = "jge "; break;
			case BPF_JSET: op = "jset"; break;
			}
			name = filter_print_const(field, in->k, arch);
			fprintf(fp, "%s #0x%x, %zu, %zu", op, in->k,
			    i + 1 + in->jt, i + 1 + in->jf);
			if (name != NULL)
				fprintf(fp, "\t; %s", name);
			if (BPF_OP(in->code) == BPF_JEQ &&
			    filter_print_arch(in->k) != NULL)
				arch = in->k;
			fputc('\n', fp);
			break;
		}
		case BPF_RET:
			fputs("ret  ", fp);
			filter_print_ret(in->k, fp);
			fputc('\n', fp);
			break;
		case BPF_ALU:
			fprintf(fp, "%s #0x%x\n", BPF_OP(in->code) == BPF_AND ?
			    "and " : BPF_OP(in->code) == BPF_OR ? "or  " : "alu ",
			    in->k);
			break;
		case BPF_MISC:
			fputs(BPF_MISCOP(in->code) == BPF_TAX ? "tax\n" : "txa\n", fp);
			break;
		case BPF_ST:
			fprintf(fp, "st   M[%u]\n", in->k);
			break;
		case BPF_LDX:
			fprintf(fp, "ldx  M[%u]\n", in->k);
			break;
		default:
			fprintf(fp, "code 0x%04x jt %u jf %u k 0x%x\n", in->code,
			    in->jt, in->jf, in->k);
		}
	}
	free(at);
}

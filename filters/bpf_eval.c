/* SPDX-License-Identifier: MIT */
/* A classic-BPF interpreter for seccomp programs: filter_build() checks
 * what libseccomp exported with it, and the filter tests use it. */
#include <string.h>

#include "bpf_eval.h"

#define BPF_EVAL_BAD	0xdeadbeefu

static uint32_t
bpf_eval_alu(uint16_t op, uint32_t a, uint32_t v)
{
	switch (op) {
	case BPF_ADD: return a + v;
	case BPF_SUB: return a - v;
	case BPF_MUL: return a * v;
	case BPF_DIV: return v ? a / v : 0;
	case BPF_AND: return a & v;
	case BPF_OR: return a | v;
	case BPF_XOR: return a ^ v;
	case BPF_LSH: return v < 32 ? a << v : 0;
	case BPF_RSH: return v < 32 ? a >> v : 0;
	case BPF_NEG: return -a;
	}
	return a;
}

uint32_t
bpf_eval(const struct sock_filter *prog, size_t len,
    const struct seccomp_data *data)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 }, v;
	const unsigned char *in = (const unsigned char *)data;
	size_t pc;

	for (pc = 0; pc < len; pc++) {
		const struct sock_filter *i = &prog[pc];

		switch (BPF_CLASS(i->code)) {
		case BPF_LD:
			if (BPF_MODE(i->code) == BPF_IMM)
				a = i->k;
			else if (BPF_MODE(i->code) == BPF_MEM &&
			    i->k < BPF_MEMWORDS)
				a = mem[i->k];
			else if (BPF_MODE(i->code) == BPF_ABS &&
			    BPF_SIZE(i->code) == BPF_W && i->k % 4 == 0 &&
			    i->k + 4 <= sizeof(*data))
				memcpy(&a, in + i->k, 4);
			else if (BPF_MODE(i->code) == BPF_LEN)
				a = sizeof(*data);
			else
				return BPF_EVAL_BAD;
			break;
		case BPF_LDX:
			if (BPF_MODE(i->code) == BPF_IMM)
				x = i->k;
			else if (BPF_MODE(i->code) == BPF_MEM &&
			    i->k < BPF_MEMWORDS)
				x = mem[i->k];
			else
				return BPF_EVAL_BAD;
			break;
		case BPF_ST:
		case BPF_STX:
			if (i->k >= BPF_MEMWORDS)
				return BPF_EVAL_BAD;
			mem[i->k] = BPF_CLASS(i->code) == BPF_ST ? a : x;
			break;
		case BPF_ALU:
			v = BPF_SRC(i->code) == BPF_X ? x : i->k;
			a = bpf_eval_alu(BPF_OP(i->code), a, v);
			break;
		case BPF_JMP: {
			int t;

			v = BPF_SRC(i->code) == BPF_X ? x : i->k;
			if (BPF_OP(i->code) == BPF_JA) {
				pc += i->k;
				continue;
			}
			switch (BPF_OP(i->code)) {
			case BPF_JEQ: t = a == v; break;
			case BPF_JGT: t = a > v; break;
			case BPF_JGE: t = a >= v; break;
			case BPF_JSET: t = (a & v) != 0; break;
			default: return BPF_EVAL_BAD;
			}
			pc += t ? i->jt : i->jf;
			break;
		}
		case BPF_RET:
			return BPF_RVAL(i->code) == BPF_A ? a : i->k;
		case BPF_MISC:
			if (BPF_MISCOP(i->code) == BPF_TAX)
				x = a;
			else
				a = x;
			break;
		default:
			return BPF_EVAL_BAD;
		}
	}
	return BPF_EVAL_BAD;
}

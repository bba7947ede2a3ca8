/* SPDX-License-Identifier: MIT */
/* cat without libc: own _start, raw syscall instruction for openat, read,
 * write and exit_group; proves static binaries are supervised too. */

#define NR_read		0
#define NR_write	1
#define NR_close	3
#define NR_openat	257
#define NR_exit_group	231
#define AT_FDCWD	(-100)

void	_start(void);
void	raw_main(long *sp) __attribute__((noreturn, used));

__asm__(
	".text\n"
	".global _start\n"
	".type _start, @function\n"
	"_start:\n"
	"	xor %rbp, %rbp\n"
	"	mov %rsp, %rdi\n"
	"	and $-16, %rsp\n"
	"	call raw_main\n"
	"	hlt\n");

/* The syscall instruction with up to four arguments. */
static long
raw_syscall4(long nr, long a, long b, long c, long d)
{
	register long r10 __asm__("r10") = d;
	long ret;

	__asm__ volatile("syscall"
	    : "=a"(ret)
	    : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10)
	    : "rcx", "r11", "memory");
	return ret;
}

/* exit_group(code). */
static void __attribute__((noreturn))
raw_exit(int code)
{
	for (;;)
		raw_syscall4(NR_exit_group, code, 0, 0, 0);
}

/* Write a NUL-terminated string to fd. */
static void
raw_puts(int fd, const char *s)
{
	long len = 0;

	while (s[len] != '\0')
		len++;
	raw_syscall4(NR_write, fd, (long)s, len, 0);
}

/* Entered from _start with the initial stack: cat argv[1]. */
void
raw_main(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1);
	static char buf[4096];
	long fd, n;

	if (argc != 2) {
		raw_puts(2, "usage: raw-static FILE\n");
		raw_exit(2);
	}
	fd = raw_syscall4(NR_openat, AT_FDCWD, (long)argv[1], 0, 0);
	if (fd < 0) {
		raw_puts(2, "raw-static: openat failed\n");
		raw_exit(1);
	}
	while ((n = raw_syscall4(NR_read, fd, (long)buf, sizeof(buf), 0)) > 0)
		if (raw_syscall4(NR_write, 1, (long)buf, n, 0) != n)
			raw_exit(1);
	raw_syscall4(NR_close, fd, 0, 0, 0);
	raw_exit(n < 0 ? 1 : 0);
}

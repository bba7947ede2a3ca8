/* SPDX-License-Identifier: MIT */
/* cat without libc: own _start, raw syscall instruction (x86_64 syscall,
 * aarch64 and ARM svc #0) for openat, read, write and exit_group; proves
 * static binaries are supervised too. With -s, a stat of FILE instead
 * (x86_64 stat, aarch64 newfstatat, ARM stat64: each ABI's own layout)
 * prints "size=N" and whether the bytes past the layout stayed untouched.
 * Built for the machine, and on aarch64 also for ARM (raw-static-arm32). */

#if defined(__x86_64__)
#define NR_read		0
#define NR_write	1
#define NR_close	3
#define NR_openat	257
#define NR_stat		4	/* struct stat, 144 bytes */
#define NR_exit_group	231
#define STAT_SIZE	144
#elif defined(__aarch64__)
#define NR_read		63
#define NR_write	64
#define NR_close	57
#define NR_openat	56
#define NR_newfstatat	79	/* generic struct stat, 128 bytes */
#define NR_exit_group	94
#define STAT_SIZE	128
#elif defined(__arm__)
#define NR_read		3
#define NR_write	4
#define NR_close	6
#define NR_openat	322
#define NR_stat64	195	/* EABI struct stat64, 104 bytes */
#define NR_exit_group	248
#define STAT_SIZE	104
#else
#error "raw-static: no _start for this arch"
#endif
#define AT_FDCWD	(-100)
/* st_size is at offset 48 in all three layouts. */
#define STAT_SIZE_OFF	48
#define GUARD		64

void	_start(void);
void	raw_main(long *sp) __attribute__((noreturn, used));

#if defined(__x86_64__)
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
#elif defined(__aarch64__)
__asm__(
	".text\n"
	".global _start\n"
	".type _start, %function\n"
	"_start:\n"
	"	mov x29, #0\n"
	"	mov x30, #0\n"
	"	mov x0, sp\n"
	"	bl raw_main\n"
	"	udf #0\n");

/* svc #0: number in x8, arguments in x0-x3, result in x0. */
static long
raw_syscall4(long nr, long a, long b, long c, long d)
{
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;

	__asm__ volatile("svc #0"
	    : "+r"(x0)
	    : "r"(x8), "r"(x1), "r"(x2), "r"(x3)
	    : "memory");
	return x0;
}
#elif defined(__arm__)
__asm__(
	".text\n"
	".global _start\n"
	".type _start, %function\n"
	"_start:\n"
	"	mov fp, #0\n"
	"	mov lr, #0\n"
	"	mov r0, sp\n"
	"	mov r1, sp\n"
	"	bic r1, r1, #15\n"
	"	mov sp, r1\n"
	"	bl raw_main\n"
	"	udf #0\n");

/* EABI svc #0: number in r7, arguments in r0-r3, result in r0. */
static long
raw_syscall4(long nr, long a, long b, long c, long d)
{
	register long r7 __asm__("r7") = nr;
	register long r0 __asm__("r0") = a;
	register long r1 __asm__("r1") = b;
	register long r2 __asm__("r2") = c;
	register long r3 __asm__("r3") = d;

	__asm__ volatile("svc #0"
	    : "+r"(r0)
	    : "r"(r7), "r"(r1), "r"(r2), "r"(r3)
	    : "memory");
	return r0;
}
#endif

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

static int
raw_streq(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b)
		a++, b++;
	return *a == *b;
}

/* The stat call of this ABI into buf. */
static long
raw_stat(const char *path, unsigned char *buf)
{
#if defined(__x86_64__)
	return raw_syscall4(NR_stat, (long)path, (long)buf, 0, 0);
#elif defined(__aarch64__)
	return raw_syscall4(NR_newfstatat, AT_FDCWD, (long)path, (long)buf, 0);
#else
	return raw_syscall4(NR_stat64, (long)path, (long)buf, 0, 0);
#endif
}

/* stat FILE: "size=N guard=ok|touched" or "stat failed errno=N". */
static void __attribute__((noreturn))
raw_statmain(const char *path)
{
	static unsigned char buf[STAT_SIZE + GUARD] __attribute__((aligned(8)));
	unsigned long long size = 0;
	unsigned long v;	/* no 64-bit division without libgcc on ARM */
	char out[64], digits[24];
	long r;
	int i, n = 0, d = 0, touched = 0;

	for (i = 0; i < STAT_SIZE + GUARD; i++)
		buf[i] = 0xa5;
	r = raw_stat(path, buf);
	for (i = 0; i < 8; i++)
		size |= (unsigned long long)buf[STAT_SIZE_OFF + i] << (8 * i);
	for (i = STAT_SIZE; i < STAT_SIZE + GUARD; i++)
		touched |= buf[i] != 0xa5;
	if (r < 0) {
		size = (unsigned long long)-r;
		for (i = 0; "stat failed errno="[i] != '\0'; i++)
			out[n++] = "stat failed errno="[i];
	} else
		for (i = 0; "size="[i] != '\0'; i++)
			out[n++] = "size="[i];
	v = (unsigned long)size;
	do {
		digits[d++] = '0' + v % 10;
		v /= 10;
	} while (v != 0);
	while (d > 0)
		out[n++] = digits[--d];
	out[n] = '\0';
	raw_puts(1, out);
	raw_puts(1, r < 0 ? "\n" : touched ? " guard=touched\n" :
	    " guard=ok\n");
	raw_exit(r < 0 || touched ? 1 : 0);
}

/* Entered from _start with the initial stack: cat argv[1]. */
void
raw_main(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1);
	static char buf[4096];
	long fd, n;

	if (argc == 3 && raw_streq(argv[1], "-s"))
		raw_statmain(argv[2]);
	if (argc != 2) {
		raw_puts(2, "usage: raw-static [-s] FILE\n");
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

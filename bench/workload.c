/* SPDX-License-Identifier: MIT */
/* Benchmark target: times N path opens, renames, unlinks, mkdirs or save
 * cycles, or N un-notified syscalls, from the inside (CLOCK_MONOTONIC
 * around the loop) and prints nanoseconds per op. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum wl_op {
	WL_OPENAT,	/* openat + close of PATH */
	WL_GETPPID,	/* never notified */
	WL_RENAME,	/* rename PATH to PATH.b and back, one op each */
	WL_UNLINK,	/* unlink PATH.i, created before the timed loop */
	WL_MKDIR,	/* mkdir PATH.i, removed after the timed loop */
	WL_SAVE,	/* write PATH.tmp, rename it over PATH: one op */
};

static const char	*wl_path = "/dev/null";
static enum wl_op	 wl_op;
static int		 wl_keep;	/* -k: no clean-up after the loop */
static long		 wl_per_worker;
static int		 wl_gate[2] = { -1, -1 };
static long long	*wl_end;	/* per-worker end times, shared */
static long		*wl_fails;	/* per-worker failed opens, shared */

static void __attribute__((noreturn))
die(const char *what)
{
	fprintf(stderr, "workload: %s: %s\n", what, strerror(errno));
	exit(2);
}

static long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* "PATH.SUFFIX", or "PATH.i" for a number i. */
static void
wl_name(char *buf, size_t len, const char *suffix, long i)
{
	if (suffix != NULL)
		snprintf(buf, len, "%s.%s", wl_path, suffix);
	else
		snprintf(buf, len, "%s.%ld", wl_path, i);
}

/* Untimed set-up and clean-up of the path ops (these calls may be
 * supervised too; they are outside the timer). */
static void
wl_prepare(long n, int after)
{
	char name[4096];
	long i;
	int fd;

	for (i = 0; i < n && (wl_op == WL_UNLINK || wl_op == WL_MKDIR); i++) {
		wl_name(name, sizeof(name), NULL, i);
		if (wl_op == WL_MKDIR) {
			if (after)
				rmdir(name);
			continue;
		}
		if (after)
			unlink(name);
		else if ((fd = open(name, O_WRONLY | O_CREAT | O_CLOEXEC,
		    0644)) < 0)
			die(name);
		else
			close(fd);
	}
	if (wl_op == WL_RENAME && !after && (fd = open(wl_path,
	    O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) >= 0)
		close(fd);
}

/* The path ops' loop: one system call per op except save (four). */
static long
wl_loop_path(long n)
{
	static const char text[64] = "key = value\n";
	char a[4096], b[4096];
	long i, fails = 0;
	int fd;

	wl_name(a, sizeof(a), wl_op == WL_SAVE ? "tmp" : "b", 0);
	for (i = 0; i < n; i++) {
		switch (wl_op) {
		case WL_RENAME:
			fails += (i % 2 ? rename(a, wl_path) :
			    rename(wl_path, a)) < 0;
			break;
		case WL_UNLINK:
			wl_name(b, sizeof(b), NULL, i);
			fails += unlink(b) < 0;
			break;
		case WL_MKDIR:
			wl_name(b, sizeof(b), NULL, i);
			fails += mkdir(b, 0755) < 0;
			break;
		case WL_SAVE:
			fd = open(a, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			    0644);
			if (fd < 0 || write(fd, text, sizeof(text)) !=
			    (ssize_t)sizeof(text))
				fails++;
			if (fd >= 0)
				close(fd);
			fails += rename(a, wl_path) < 0;
			break;
		default:
			abort();
		}
	}
	/* Leave PATH in place for the next run after an odd count. */
	if (wl_op == WL_RENAME && n % 2 && !wl_keep)
		rename(a, wl_path);
	return fails;
}

/* The measured loop: nothing but the syscalls. Failed opens (errno rules)
 * are counted, not fatal. */
static long
wl_loop(long n)
{
	long i, fails = 0;
	int fd;

	if (wl_op == WL_GETPPID) {
		for (i = 0; i < n; i++)
			syscall(SYS_getppid);
		return 0;
	}
	if (wl_op != WL_OPENAT)
		return wl_loop_path(n);
	for (i = 0; i < n; i++) {
		fd = openat(AT_FDCWD, wl_path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			fails++;
		else
			close(fd);
	}
	return fails;
}

/* Workers wait on a pipe until the main process closes its write end:
 * read(2) is never notified, and one close releases every worker. */
static void
wl_wait_gate(void)
{
	char c;

	while (read(wl_gate[0], &c, 1) < 0 && errno == EINTR)
		;
}

static void *
wl_thread_main(void *arg)
{
	long slot = (long)arg;

	wl_wait_gate();
	wl_fails[slot] = wl_loop(wl_per_worker);
	wl_end[slot] = now_ns();
	return NULL;
}

/* Run T threads (T > 1) or the loop itself, recording into slots
 * [base, base + T). */
static void
wl_run_threads(int threads, long base)
{
	pthread_t *t;
	int i, r;

	if (threads == 1) {
		wl_thread_main((void *)base);
		return;
	}
	if ((t = calloc(threads, sizeof(*t))) == NULL)
		die("calloc");
	for (i = 0; i < threads; i++) {
		if ((r = pthread_create(&t[i], NULL, wl_thread_main,
		    (void *)(base + i))) != 0) {
			errno = r;
			die("pthread_create");
		}
	}
	for (i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	free(t);
}

/* The head-of-line blocker: a process opening a path that the supervisor
 * redirects to a FIFO without a writer. It says when it starts. */
static pid_t
wl_start_blocker(const char *path)
{
	int ready[2], fd;
	pid_t pid;
	char c = 'b';

	if (pipe(ready) < 0)
		die("pipe");
	if ((pid = fork()) < 0)
		die("fork");
	if (pid == 0) {
		close(ready[0]);
		if (write(ready[1], &c, 1) != 1)
			_exit(3);
		close(ready[1]);
		fd = openat(AT_FDCWD, path, O_RDONLY);
		_exit(fd < 0 ? 1 : 0);
	}
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1)
		die("blocker start");
	close(ready[0]);
	/* Give the open time to reach the supervisor and block there. */
	usleep(200 * 1000);
	return pid;
}

/* Peak RSS of our parent (the supervisor), read at the end of the run. */
static void
wl_print_parent_hwm(void)
{
	char file[64], line[256], comm[64] = "?";
	FILE *f;
	pid_t pp = getppid();

	snprintf(file, sizeof(file), "/proc/%d/comm", (int)pp);
	if ((f = fopen(file, "r")) != NULL) {
		if (fgets(comm, sizeof(comm), f) != NULL)
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	}
	snprintf(file, sizeof(file), "/proc/%d/status", (int)pp);
	if ((f = fopen(file, "r")) == NULL)
		die(file);
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "VmHWM:", 6) == 0)
			printf(" parent=%s parent_vmhwm_kb=%ld", comm,
			    strtol(line + 6, NULL, 10));
	fclose(f);
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: workload [-n N] [-t THREADS] [-p PROCS] "
	    "[-f PATH] [-B PATH:FIFO] [-H] [-k]\n"
	    "       openat|getppid|rename|unlink|mkdir|save\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	long n = 100000, workers, i, fails = 0;
	int threads = 1, procs = 1, hwm = 0, ch, status, fd;
	char *block = NULL, *fifo = NULL;
	long long t0, t1;
	pid_t blocker = -1, pid, *kids = NULL;

	while ((ch = getopt(argc, argv, "n:t:p:f:B:Hk")) != -1) {
		switch (ch) {
		case 'n': n = atol(optarg); break;
		case 't': threads = atoi(optarg); break;
		case 'p': procs = atoi(optarg); break;
		case 'f': wl_path = optarg; break;
		case 'B':
			block = optarg;
			if ((fifo = strchr(optarg, ':')) == NULL)
				usage();
			*fifo++ = '\0';
			break;
		case 'H': hwm = 1; break;
		case 'k': wl_keep = 1; break;
		default: usage();
		}
	}
	if (optind != argc - 1 || n < 1 || threads < 1 || procs < 1)
		usage();
	static const char *const ops[] = { "openat", "getppid", "rename",
	    "unlink", "mkdir", "save" };
	for (i = 0; i < (long)(sizeof(ops) / sizeof(ops[0])); i++)
		if (strcmp(argv[optind], ops[i]) == 0)
			break;
	if (i == (long)(sizeof(ops) / sizeof(ops[0])))
		usage();
	wl_op = (enum wl_op)i;
	workers = (long)threads * procs;
	/* The path ops name their files by op number: one worker only. */
	if (wl_op >= WL_RENAME && (workers != 1 || block != NULL))
		usage();
	wl_per_worker = n / workers > 0 ? n / workers : 1;
	wl_end = mmap(NULL, workers * (sizeof(*wl_end) + sizeof(*wl_fails)),
	    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (wl_end == MAP_FAILED)
		die("mmap");
	wl_fails = (long *)(wl_end + workers);
	if (block != NULL)
		blocker = wl_start_blocker(block);

	if (workers == 1) {
		/* The plain case: no gate, no threads, no children. */
		wl_prepare(wl_per_worker, 0);
		t0 = now_ns();
		fails = wl_loop(wl_per_worker);
		t1 = now_ns();
		if (!wl_keep)
			wl_prepare(wl_per_worker, 1);
	} else {
		if (pipe(wl_gate) < 0)
			die("pipe");
		if ((kids = calloc(procs, sizeof(*kids))) == NULL)
			die("calloc");
		for (i = 0; i < procs && procs > 1; i++) {
			if ((pid = kids[i] = fork()) < 0)
				die("fork");
			if (pid == 0) {
				close(wl_gate[1]);
				wl_run_threads(threads, i * threads);
				_exit(0);
			}
		}
		if (procs == 1) {
			/* Threads only: start them, then open the gate. */
			pthread_t *t = calloc(threads, sizeof(*t));

			if (t == NULL)
				die("calloc");
			for (i = 0; i < threads; i++)
				if (pthread_create(&t[i], NULL, wl_thread_main,
				    (void *)i) != 0)
					die("pthread_create");
			/* Let them all reach the gate. */
			usleep(50 * 1000);
			t0 = now_ns();
			close(wl_gate[1]);
			for (i = 0; i < threads; i++)
				pthread_join(t[i], NULL);
			free(t);
		} else {
			usleep(100 * 1000);
			t0 = now_ns();
			close(wl_gate[1]);
			/* Not wait(): the blocker may still be blocked. */
			for (i = 0; i < procs; i++) {
				while (waitpid(kids[i], &status, 0) < 0)
					if (errno != EINTR)
						die("waitpid");
				if (!WIFEXITED(status) ||
				    WEXITSTATUS(status) != 0) {
					fprintf(stderr, "workload: a worker "
					    "failed (status 0x%x)\n", status);
					exit(2);
				}
			}
		}
		t1 = 0;
		for (i = 0; i < workers; i++) {
			if (wl_end[i] > t1)
				t1 = wl_end[i];
			fails += wl_fails[i];
		}
	}

	printf("ns_per_op=%.1f ops=%ld elapsed_ns=%lld fails=%ld",
	    (double)(t1 - t0) / (double)(wl_per_worker * workers),
	    wl_per_worker * workers, t1 - t0, fails);
	if (blocker > 0) {
		/* Still blocked after our loop? Then release it by opening
		 * the FIFO's other end ourselves. */
		pid = waitpid(blocker, &status, WNOHANG);
		printf(" blocker=%s", pid == 0 ? "blocked" : "done");
		if (pid == 0) {
			if ((fd = open(fifo, O_WRONLY | O_CLOEXEC)) >= 0)
				close(fd);
			waitpid(blocker, &status, 0);
		}
	}
	if (hwm)
		wl_print_parent_hwm();
	printf("\n");
	return 0;
}

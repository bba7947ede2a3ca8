/* SPDX-License-Identifier: MIT */
/*
 * A recycled pid, made deterministic: a target blocks in a notified call
 * and dies, and a new process is given its pid on purpose (clone3 with
 * set_tid, root). The supervisor must then refuse to act for that pid:
 * pinning opens /proc/PID first and checks the notification after, so it
 * never holds the newcomer's directory, memory or root.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdpass.h"
#include "notify.h"
#include "target.h"

/* A child whose openat is notified; its listener comes back on sock. */
static pid_t
blocked_child(int *listener)
{
	int sv[2], fd;
	pid_t pid;
	scmp_filter_ctx ctx;

	cr_assert(eq(int, socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0));
	cr_assert(ge(int, pid = fork(), 0));
	if (pid == 0) {
		if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL ||
		    seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(openat),
		    0) < 0 || seccomp_load(ctx) < 0 ||
		    (fd = seccomp_notify_fd(ctx)) < 0 ||
		    fdpass_send(sv[1], fd, "L", 1) < 0)
			_exit(1);
		close(fd);
		openat(AT_FDCWD, "/the-old-process", O_RDONLY);
		_exit(0);
	}
	close(sv[1]);
	cr_assert(eq(long, fdpass_recv(sv[0], listener, &(char){ 0 }, 1), 1));
	close(sv[0]);
	return pid;
}

/* A process with pid `want`, sleeping until killed; -1 if not allowed. */
static pid_t
impostor(pid_t want)
{
	struct clone_args args = { .exit_signal = SIGCHLD,
	    .set_tid = (uintptr_t)&want, .set_tid_size = 1 };
	long pid = syscall(SYS_clone3, &args, sizeof(args));

	if (pid == 0) {
		pause();
		_exit(0);
	}
	return pid < 0 ? -1 : (pid_t)pid;
}

Test(pidreuse, dead_target_pid_given_to_another_is_refused)
{
	struct seccomp_notif *req;
	struct notify *n;
	struct target t;
	char buf[16];
	pid_t child, other;
	int fd;

	if (geteuid() != 0)
		cr_skip_test("clone3 with set_tid needs root");
	child = blocked_child(&fd);
	cr_assert(ne(ptr, n = notify_new(fd), NULL));
	req = notify_req_new(n);
	cr_assert(eq(int, notify_recv(n, req, NULL), 0));
	cr_assert(eq(int, (int)req->pid, (int)child));
	/* The target dies mid-call; its pid goes to someone else. */
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	if ((other = impostor(child)) < 0)
		cr_skip_test("clone3 set_tid: %s", strerror(errno));
	cr_assert(eq(int, (int)other, (int)child));

	target_init(&t, req->pid);
	target_watch(&t, n, req->id);
	cr_assert(eq(int, target_pin(&t), -ESRCH),
	    "pinned the impostor's /proc entry");
	cr_assert(lt(int, target_read(&t, (uintptr_t)buf, buf, sizeof(buf)),
	    0), "read the impostor's memory");
	cr_assert(lt(int, target_status(&t), 0),
	    "read the impostor's credentials");
	target_fini(&t);

	kill(other, SIGKILL);
	waitpid(other, NULL, 0);
	free(req);
	notify_unref(n);
}

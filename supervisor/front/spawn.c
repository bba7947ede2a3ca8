/* SPDX-License-Identifier: MIT */
/* Start the command: fork, install the filter in the child, take its
 * listener, exec. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdpass.h"
#include "spawn.h"
#include "util.h"

enum spawn_stage {
	SPAWN_LISTENER,		/* the message carries the listener */
	SPAWN_SETUP,
	SPAWN_FILTER,
	SPAWN_EXEC
};

struct spawn_msg {
	int	stage;
	int	err;
};

/* Child side: only async-signal-safe calls, and no notified syscall once
 * the filter is in place. */
static void NORETURN
spawn_child(int sock, pid_t parent, const struct filter *f,
    char *const argv[], const sigset_t *mask, int own_group)
{
	struct spawn_msg msg = { SPAWN_SETUP, 0 };
	int fd;

	/* A target outliving its supervisor would get ENOSYS on every
	 * notified call; SIGKILL it instead. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 ||
	    getppid() != parent ||
	    (own_group && setpgid(0, 0) < 0) ||
	    sigprocmask(SIG_SETMASK, mask, NULL) < 0) {
		msg.err = errno;
		fdpass_send(sock, -1, &msg, sizeof(msg));
		_exit(125);
	}
	if ((fd = filter_apply(f)) < 0) {
		msg.stage = SPAWN_FILTER;
		msg.err = -fd;
		fdpass_send(sock, -1, &msg, sizeof(msg));
		_exit(125);
	}
	msg.stage = SPAWN_LISTENER;
	if (fdpass_send(sock, fd, &msg, sizeof(msg)) < 0)
		_exit(125);
	close(fd);
	execvp(argv[0], argv);
	msg.stage = SPAWN_EXEC;
	msg.err = errno;
	fdpass_send(sock, -1, &msg, sizeof(msg));
	_exit(msg.err == ENOENT ? 127 : 126);
}

static const char *
spawn_filter_error(int err)
{
	switch (err) {
	case EBUSY:
		return "another seccomp listener already filters this process "
		    "(nested supervisor, container runtime or debugger)";
	case EACCES:
	case EPERM:
		return "not allowed to install a seccomp filter";
	case EINVAL:
	case ENOSYS:
		return "kernel lacks seccomp user notification (Linux >= 5.14 "
		    "with CONFIG_SECCOMP_FILTER needed)";
	}
	return strerror(err);
}

/* 1 if we have a controlling terminal. */
static int
spawn_has_tty(void)
{
	int fd = open("/dev/tty", O_RDONLY | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

int
spawn_start(const struct filter *f, char *const argv[], const sigset_t *mask,
    pid_t *pid, int *listener, int *execfd, char **cause)
{
	struct spawn_msg msg;
	/* Without a terminal to share, the command gets a process group of
	 * its own: a kill of ours (timeout(1), kill -- -PGID) then reaches
	 * it once, through us, not a second time directly. */
	int own_group = !spawn_has_tty();
	int sv[2], fd = -1, status = 125;
	pid_t child, parent = getpid();
	ssize_t n;

	*pid = -1;
	*listener = -1;
	*execfd = -1;
	*cause = NULL;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		xasprintf(cause, "socketpair: %s", strerror(errno));
		return 125;
	}
	if ((child = fork()) < 0) {
		xasprintf(cause, "fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return 125;
	}
	if (child == 0) {
		close(sv[0]);
		spawn_child(sv[1], parent, f, argv, mask, own_group);
	}
	close(sv[1]);
	/* Both sides, so that no signal finds it between fork and exec in
	 * our group (EACCES once it has exec'd). */
	if (own_group)
		(void)setpgid(child, child);

	n = fdpass_recv(sv[0], &fd, &msg, sizeof(msg));
	if (n != sizeof(msg)) {
		xasprintf(cause, "the child died before handing over the "
		    "seccomp listener");
		goto fail;
	}
	if (msg.stage == SPAWN_FILTER) {
		xasprintf(cause, "cannot install the seccomp filter: %s",
		    spawn_filter_error(msg.err));
		goto fail;
	}
	if (msg.stage != SPAWN_LISTENER || fd < 0) {
		xasprintf(cause, "cannot prepare the child: %s",
		    strerror(msg.err));
		goto fail;
	}
	/* The exec itself may be a notified call: the parent must be
	 * answering before it learns how the exec went. */
	*pid = child;
	*listener = fd;
	*execfd = sv[0];
	return 0;
fail:
	close(sv[0]);
	if (fd >= 0)
		close(fd);
	while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
		;
	return status;
}

int
spawn_exec_result(int execfd, char *const argv[], char **cause)
{
	struct spawn_msg msg;
	ssize_t n;

	*cause = NULL;
	/* EOF: the exec closed the child's CLOEXEC end. */
	n = fdpass_recv(execfd, &(int){ -1 }, &msg, sizeof(msg));
	close(execfd);
	if (n != sizeof(msg) || msg.stage != SPAWN_EXEC)
		return 0;
	xasprintf(cause, "%s: %s", argv[0], strerror(msg.err));
	return msg.err == ENOENT ? 127 : 126;
}

void
spawn_signals(sigset_t *set)
{
	static const int forwarded[] = {
		SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGCHLD
	};
	size_t i;

	sigemptyset(set);
	for (i = 0; i < nitems(forwarded); i++)
		sigaddset(set, forwarded[i]);
}

int
spawn_exit_status(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 125;
}

const char *
spawn_describe(int wstatus, char *buf, size_t len)
{
	if (WIFEXITED(wstatus))
		snprintf(buf, len, "exited with status %d",
		    WEXITSTATUS(wstatus));
	else if (WIFSIGNALED(wstatus))
		snprintf(buf, len, "killed by signal %d (%s)%s",
		    WTERMSIG(wstatus), strsignal(WTERMSIG(wstatus)),
		    WCOREDUMP(wstatus) ? ", core dumped" : "");
	else
		snprintf(buf, len, "stopped (wait status 0x%x)", wstatus);
	return buf;
}

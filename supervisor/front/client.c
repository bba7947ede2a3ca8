/* SPDX-License-Identifier: MIT */
/* `unotifyd exec`: run a command supervised by a running `unotifyd serve`. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client.h"
#include "fdpass.h"
#include "filter.h"
#include "log.h"
#include "proto.h"
#include "sigfwd.h"
#include "spawn.h"
#include "syscalls.h"

#define CLIENT_FAILED	125
/* The daemon answers at once; never hang on one that does not. */
#define CLIENT_TIMEOUT	10

int
client_connect(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = CLIENT_TIMEOUT };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0) {
		int err = errno;

		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

/* Read exactly len bytes; 0, or -errno (-EPIPE at EOF). */
static int
client_read(int fd, void *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = read(fd, (char *)buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 ? -EPIPE : -errno;
		done += n;
	}
	return 0;
}

/* Forward signals to the command until it exits; its wait status. */
static int
client_wait(pid_t child, const sigset_t *set)
{
	struct signalfd_siginfo ssi = { 0 };
	struct sigfwd fwd;
	siginfo_t si;
	int status;

	sigfwd_init(&fwd);
	for (;;) {
		if (sigwaitinfo(set, &si) < 0)
			continue;
		if (si.si_signo != SIGCHLD) {
			/* Not one its sender delivered to the command too. */
			ssi.ssi_signo = si.si_signo;
			ssi.ssi_code = si.si_code;
			ssi.ssi_pid = si.si_pid;
			if (sigfwd_wanted(&fwd, &ssi, child))
				kill(child, si.si_signo);
			continue;
		}
		if (waitpid(child, &status, WNOHANG) == child)
			return status;
	}
}

/* -v: what the daemon's rules make the filter notify. */
static void
client_log_mask(syscalls_mask mask)
{
	char names[1024];
	size_t o = 0;
	int id;

	if (!log_enabled(LOG_LEVEL_DEBUG))
		return;
	names[0] = '\0';
	for (id = 0; id < SYSCALLS_NIDS; id++)
		if ((mask & SYSCALLS_MASK(id)) && o < sizeof(names))
			o += snprintf(names + o, sizeof(names) - o, " %s",
			    syscalls_name(id));
	log_debug("the daemon's rules notify:%s", mask != 0 ? names :
	    " nothing");
}

int
client_exec(const char *path, char *argv[])
{
	struct proto_hello hello = { .version = PROTO_VERSION };
	struct proto_target target = { 0 };
	struct proto_filter pf;
	struct proto_ack ack;
	cleanup_free char *cause = NULL;
	cleanup_close int sock = -1;
	struct filter *filter;
	sigset_t set, old;
	const char *why;
	int r, status, listener, execfd;
	pid_t child;

	if ((sock = client_connect(path)) < 0) {
		log_err("cannot reach the daemon at %s: %s", path,
		    strerror(errno));
		return CLIENT_FAILED;
	}
	log_debug("connected to the daemon at %s", path);
	memcpy(hello.magic, PROTO_MAGIC, sizeof(hello.magic));
	if (write(sock, &hello, sizeof(hello)) != sizeof(hello) ||
	    (r = client_read(sock, &pf, sizeof(pf))) < 0) {
		log_err("%s: no answer from the daemon", path);
		return CLIENT_FAILED;
	}
	if (pf.error != 0) {
		log_err("%s: the daemon refused: %s", path, strerror(pf.error));
		return CLIENT_FAILED;
	}
	client_log_mask((syscalls_mask)pf.mask_hi << 32 | pf.mask);
	if ((r = filter_build((syscalls_mask)pf.mask_hi << 32 | pf.mask,
	    &filter, &why)) < 0) {
		log_err("%s: %s", why, strerror(-r));
		return CLIENT_FAILED;
	}
	spawn_signals(&set);
	sigprocmask(SIG_BLOCK, &set, &old);
	status = spawn_start(filter, argv, &old, &child, &listener, &execfd,
	    &cause);
	filter_free(filter);
	if (status != 0) {
		log_err("%s", cause);
		return status;
	}
	/* Until the daemon holds the listener the command waits in its first
	 * notified call; if it cannot take it, the command must not run on. */
	log_debug("pid %d: %s started; handing its listener over",
	    (int)child, argv[0]);
	target.pid = child;
	snprintf(target.comm, sizeof(target.comm), "%s", argv[0]);
	r = fdpass_send(sock, listener, &target, sizeof(target));
	close(listener);
	if (r < 0 || (r = client_read(sock, &ack, sizeof(ack))) < 0 ||
	    ack.error != 0) {
		log_err("%s: the daemon did not take the command: %s", path,
		    strerror(r < 0 ? -r : ack.error));
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		close(execfd);
		return CLIENT_FAILED;
	}
	close(steal_fd(&sock));
	log_debug("pid %d: the daemon supervises it", (int)child);
	/* The daemon answers the exec now. */
	if (spawn_exec_result(execfd, argv, &cause) != 0)
		log_err("%s", cause);
	status = client_wait(child, &set);
	if (log_enabled(LOG_LEVEL_DEBUG)) {
		char how[128];

		log_debug("pid %d: %s", (int)child, spawn_describe(status, how,
		    sizeof(how)));
	}
	return spawn_exit_status(status);
}

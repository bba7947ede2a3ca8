/* SPDX-License-Identifier: MIT */
/* Which signals reach the command from unotifyd, and which reached it
 * already from their sender. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-login.h>
#include <unistd.h>

#include "sigfwd.h"
#include "util.h"

/* A D-Bus call must not hold the start of the command for long. */
#define SIGFWD_BUS_TIMEOUT_USEC	1000000

/* 1 if the unit we run in has KillMode=control-group. */
static int
sigfwd_kills_group(int user)
{
	sd_bus *bus = NULL;
	char *unit = NULL, *path = NULL, *mode = NULL;
	int all = 0;

	if ((user ? sd_pid_get_user_unit(0, &unit) :
	    sd_pid_get_unit(0, &unit)) < 0)
		return 0;
	if ((user ? sd_bus_open_user(&bus) : sd_bus_open_system(&bus)) < 0)
		goto out;
	sd_bus_set_method_call_timeout(bus, SIGFWD_BUS_TIMEOUT_USEC);
	if (sd_bus_path_encode("/org/freedesktop/systemd1/unit", unit,
	    &path) < 0)
		goto out;
	if (sd_bus_get_property_string(bus, "org.freedesktop.systemd1", path,
	    "org.freedesktop.systemd1.Service", "KillMode", NULL, &mode) < 0)
		goto out;
	all = strcmp(mode, "control-group") == 0;
out:
	free(mode);
	free(path);
	free(unit);
	sd_bus_flush_close_unref(bus);
	return all;
}

void
sigfwd_init(struct sigfwd *f)
{
	const char *mp = getenv("MANAGERPID");
	pid_t parent = getppid();

	memset(f, 0, sizeof(*f));
	/* Only a service's main process has the manager as its parent. */
	if (getenv("INVOCATION_ID") == NULL)
		return;
	if (parent == 1)
		f->manager_all = sigfwd_kills_group(0);
	else if (mp != NULL && atoi(mp) == parent)
		f->manager_all = sigfwd_kills_group(1);
	else
		return;
	f->manager = parent;
}

/* 1 if pid is in the same cgroup as we are. */
static int
sigfwd_same_cgroup(pid_t pid)
{
	char path[64], a[4096], b[4096];
	ssize_t na, nb;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	nb = read(fd, b, sizeof(b));
	close(fd);
	if ((fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	na = read(fd, a, sizeof(a));
	close(fd);
	return na > 0 && na == nb && memcmp(a, b, na) == 0;
}

int
sigfwd_wanted(const struct sigfwd *f, const struct signalfd_siginfo *si,
    pid_t child)
{
	/* A terminal signals its foreground process group, which has the
	 * command in it too (spawn_start keeps it there with a terminal). */
	if (si->ssi_code == SI_KERNEL)
		return 0;
	/* systemd stopping a KillMode=control-group unit signals each of
	 * its processes, the command too while it shares our cgroup. */
	if (f->manager != 0 && f->manager_all && si->ssi_code == SI_USER &&
	    (pid_t)si->ssi_pid == f->manager && sigfwd_same_cgroup(child))
		return 0;
	return 1;
}

/* SPDX-License-Identifier: MIT */
/* Hand-over between two `unotifyd serve`: the new daemon's taking side and
 * the old daemon's giving side, on a root-only SOCK_SEQPACKET socket next to
 * the daemon's own (the messages: handover_msg.c). */
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "handover.h"
#include "log.h"
#include "util.h"

/* The old daemon waits this long for HELLO, and for the ACK. */
#define HANDOVER_HELLO_SECONDS	10.
#define HANDOVER_ACK_SECONDS	30.
/* ... and for its connections mid-handshake (serve_conn.c drops them at 10 s). */
#define HANDOVER_BUSY_SECONDS	15.
/* The new daemon waits this long for each message (covers the above). */
#define HANDOVER_RECV_MS	30000
/* A send to a successor that stopped reading fails after this. */
#define HANDOVER_SEND_SECONDS	5

enum handover_state {
	HANDOVER_IDLE,		/* listening */
	HANDOVER_WAIT_HELLO,	/* a successor connected */
	HANDOVER_SENDING,	/* its targets went; waiting for busy() == 0 */
	HANDOVER_WAIT_ACK	/* END sent */
};

struct handover {
	struct ev_loop		*ev;
	const struct handover_ops *ops;
	char			*path;
	ev_io			 listen_w;
	ev_io			 conn_w;	/* fd -1: no successor */
	ev_timer		 timer;
	enum handover_state	 state;
	pid_t			 peer;
	uint32_t		 ntargets, nsockets;
	int			 failed;	/* a send failed */
};

/* ---- the new daemon ---- */

/* Refuse the hand-over: the old daemon keeps everything. */
static int
handover_refuse(int sock, const struct handover_ops *ops, uint32_t ntargets,
    int err)
{
	struct handover_msg ack = { .type = HANDOVER_ACK, .fd = -1 };

	ops->abort(ops->arg);
	ack.ntargets = ntargets;
	ack.error = err < 0 && err > -4096 ? -err : EPROTO;
	(void)handover_send(sock, &ack, -1);
	return err;
}

int
handover_take(const char *path, const struct handover_ops *ops, pid_t *from)
{
	struct handover_msg m, hello = { .type = HANDOVER_HELLO, .fd = -1 };
	struct sockaddr_un sun;
	cleanup_close int sock = -1;
	cleanup_free char *cause = NULL;
	uint32_t ntargets = 0, nsockets = 0;
	int r;

	*from = -1;
	if ((r = handover_sockaddr(path, &sun)) < 0)
		return 0;
	if ((sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)) < 0) {
		log_err("hand-over: socket: %s", strerror(errno));
		return -errno;
	}
	if (connect(sock, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		if (errno == ENOENT || errno == ECONNREFUSED)
			return 0;
		r = -errno;
		log_err("hand-over: %s: %s", path, strerror(errno));
		return r;
	}
	if ((r = handover_peer_check(sock, from, &cause)) < 0) {
		log_err("hand-over: %s: refused: %s", path, cause);
		return r;
	}
	log_info("hand-over: taking over from pid %d", (int)*from);
	if ((r = handover_send(sock, &hello, -1)) < 0) {
		log_err("hand-over: sending HELLO: %s", strerror(-r));
		return r;
	}
	for (;;) {
		free(cause);
		cause = NULL;
		if ((r = handover_recv(sock, HANDOVER_RECV_MS, &m,
		    &cause)) < 0) {
			log_err("hand-over from pid %d: %s; the old daemon "
			    "keeps its targets", (int)*from, cause);
			return handover_refuse(sock, ops, ntargets, r);
		}
		switch (m.type) {
		case HANDOVER_TARGET:
			ntargets++;
			r = ops->take_target(ops->arg, &m);
			break;
		case HANDOVER_SOCKET:
			nsockets++;
			r = ops->take_socket(ops->arg, &m);
			break;
		case HANDOVER_END:
			if (m.ntargets != ntargets || m.nsockets != nsockets) {
				log_err("hand-over from pid %d: END says %u "
				    "targets and %u sockets, %u and %u came",
				    (int)*from, m.ntargets, m.nsockets,
				    ntargets, nsockets);
				return handover_refuse(sock, ops, ntargets,
				    -EBADMSG);
			}
			break;
		default:
			log_err("hand-over from pid %d: unexpected %s",
			    (int)*from, handover_type_name(m.type));
			r = -EBADMSG;
		}
		handover_msg_fini(&m);
		if (r < 0) {
			log_err("hand-over from pid %d: refused (%s); the old "
			    "daemon keeps its targets", (int)*from,
			    strerror(-r));
			return handover_refuse(sock, ops, ntargets, r);
		}
		if (m.type == HANDOVER_END)
			break;
	}
	m.type = HANDOVER_ACK;
	m.ntargets = ntargets;
	m.error = 0;
	m.fd = -1;
	if ((r = handover_send(sock, &m, -1)) < 0) {
		/* It may have timed out: it then serves them all again. */
		log_err("hand-over from pid %d: sending ACK: %s", (int)*from,
		    strerror(-r));
		ops->abort(ops->arg);
		return r;
	}
	log_info("hand-over: took %u targets and %u sockets from pid %d",
	    ntargets, nsockets, (int)*from);
	return 1;
}

/* ---- the old daemon ---- */

/* End the session with the successor; serve again if it failed. */
static void
handover_end(struct handover *h, int ok)
{
	ev_io_stop(h->ev, &h->conn_w);
	ev_timer_stop(h->ev, &h->timer);
	if (h->conn_w.fd >= 0)
		close(h->conn_w.fd);
	ev_io_set(&h->conn_w, -1, EV_READ);
	if (!ok && h->state >= HANDOVER_SENDING)
		h->ops->pause(h->ops->arg, 0);
	h->state = HANDOVER_IDLE;
	h->failed = 0;
	ev_io_start(h->ev, &h->listen_w);
}

static void
handover_fail(struct handover *h, const char *fmt, ...) PRINTFLIKE(2, 3);

static void
handover_fail(struct handover *h, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_err("hand-over to pid %d failed: %s; still serving every target",
	    (int)h->peer, msg);
	handover_end(h, 0);
}

/* Send m (with fd) to the successor; a failure ends the session later. */
static void
handover_put(struct handover *h, const struct handover_msg *m, int fd)
{
	int r;

	if (h->failed)
		return;
	if ((r = handover_send(h->conn_w.fd, m, fd)) < 0) {
		log_err("hand-over to pid %d: sending %s: %s", (int)h->peer,
		    handover_type_name(m->type), strerror(-r));
		h->failed = 1;
	}
}

void
handover_offer_target(struct handover *h, int fd, pid_t pid,
    const char *const str[HANDOVER_NSTR])
{
	struct handover_msg m = { .type = HANDOVER_TARGET, .fd = -1 };
	size_t i;

	if (h == NULL || h->state != HANDOVER_SENDING)
		return;
	m.pid = pid;
	for (i = 0; i < HANDOVER_NSTR; i++)
		m.str[i] = (char *)str[i];
	handover_put(h, &m, fd);
	h->ntargets++;
}

void
handover_offer_socket(struct handover *h, int fd, unsigned flags)
{
	struct handover_msg m = { .type = HANDOVER_SOCKET, .fd = -1 };

	m.flags = flags;
	handover_put(h, &m, fd);
	h->nsockets++;
}

/* Nothing can add a target any more: send the sockets and END. */
static void
handover_finish(struct handover *h)
{
	struct handover_msg m = { .type = HANDOVER_END, .fd = -1 };

	h->ops->sockets(h->ops->arg, h);
	m.ntargets = h->ntargets;
	m.nsockets = h->nsockets;
	handover_put(h, &m, -1);
	if (h->failed) {
		handover_fail(h, "the successor stopped reading");
		return;
	}
	h->state = HANDOVER_WAIT_ACK;
	ev_timer_stop(h->ev, &h->timer);
	ev_timer_set(&h->timer, HANDOVER_ACK_SECONDS, 0.);
	ev_timer_start(h->ev, &h->timer);
}

void
handover_poke(struct handover *h)
{
	if (h == NULL || h->state != HANDOVER_SENDING)
		return;
	if (h->failed) {
		handover_fail(h, "the successor stopped reading");
		return;
	}
	if (!h->ops->busy(h->ops->arg))
		handover_finish(h);
}

/* HELLO: stop accepting, send every target, then wait for the rest. */
static void
handover_start(struct handover *h)
{
	h->ops->pause(h->ops->arg, 1);
	h->state = HANDOVER_SENDING;
	h->ntargets = h->nsockets = 0;
	h->ops->targets(h->ops->arg, h);
	ev_timer_stop(h->ev, &h->timer);
	ev_timer_set(&h->timer, HANDOVER_BUSY_SECONDS, 0.);
	ev_timer_start(h->ev, &h->timer);
	log_info("hand-over to pid %d: sent %u targets", (int)h->peer,
	    h->ntargets);
	handover_poke(h);
}

static void
handover_conn_cb(struct ev_loop *ev, ev_io *w, int revents)
{
	struct handover *h = w->data;
	cleanup_free char *cause = NULL;
	struct handover_msg m;
	int r;

	(void)ev;
	(void)revents;
	/* Readable: the record is there, or EOF. */
	if ((r = handover_recv(w->fd, 0, &m, &cause)) == -ETIMEDOUT)
		return;
	if (r < 0) {
		handover_fail(h, "%s", cause);
		return;
	}
	if (h->state == HANDOVER_WAIT_HELLO && m.type == HANDOVER_HELLO) {
		handover_start(h);
	} else if (h->state == HANDOVER_WAIT_ACK && m.type == HANDOVER_ACK) {
		if (m.error != 0)
			handover_fail(h, "it refused: %s", strerror(m.error));
		else if (m.ntargets != h->ntargets)
			handover_fail(h, "it confirmed %u targets of %u",
			    m.ntargets, h->ntargets);
		else {
			log_info("hand-over to pid %d: done, it serves %u "
			    "targets", (int)h->peer, h->ntargets);
			handover_end(h, 1);
			h->ops->done(h->ops->arg, h->peer, m.ntargets);
		}
	} else if (m.type == HANDOVER_ACK && m.error != 0) {
		/* Refused before END (a target it could not take). */
		handover_fail(h, "it refused: %s", strerror(m.error));
	} else
		handover_fail(h, "unexpected %s", handover_type_name(m.type));
	handover_msg_fini(&m);
}

static void
handover_timer_cb(struct ev_loop *ev, ev_timer *w, int revents)
{
	struct handover *h = w->data;

	(void)ev;
	(void)revents;
	switch (h->state) {
	case HANDOVER_WAIT_HELLO:
		handover_fail(h, "no HELLO within %.0f s",
		    HANDOVER_HELLO_SECONDS);
		break;
	case HANDOVER_SENDING:
		handover_fail(h, "connections still mid-handshake after "
		    "%.0f s", HANDOVER_BUSY_SECONDS);
		break;
	case HANDOVER_WAIT_ACK:
		handover_fail(h, "no ACK within %.0f s", HANDOVER_ACK_SECONDS);
		break;
	default:
		break;
	}
}

static void
handover_accept_cb(struct ev_loop *ev, ev_io *w, int revents)
{
	struct handover *h = w->data;
	struct timeval tv = { HANDOVER_SEND_SECONDS, 0 };
	cleanup_free char *cause = NULL;
	pid_t pid;
	int fd;

	(void)revents;
	fd = accept4(w->fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR)
			log_warn("hand-over: accept: %s", strerror(errno));
		return;
	}
	if (handover_peer_check(fd, &pid, &cause) < 0) {
		log_err("hand-over: refused: %s", cause);
		close(fd);
		return;
	}
	/* Blocking sends, bounded: the successor reads as fast as it can. */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	log_info("hand-over: successor pid %d connected", (int)pid);
	h->peer = pid;
	h->state = HANDOVER_WAIT_HELLO;
	h->ntargets = h->nsockets = 0;
	/* One successor at a time: the others wait in the backlog. */
	ev_io_stop(ev, &h->listen_w);
	ev_io_set(&h->conn_w, fd, EV_READ);
	ev_io_start(ev, &h->conn_w);
	ev_timer_set(&h->timer, HANDOVER_HELLO_SECONDS, 0.);
	ev_timer_start(ev, &h->timer);
}

struct handover *
handover_new(struct ev_loop *ev, const char *path,
    const struct handover_ops *ops, int *err)
{
	struct sockaddr_un sun;
	struct handover *h;
	int fd, r;

	*err = 0;
	if ((r = handover_sockaddr(path, &sun)) < 0) {
		*err = r;
		return NULL;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0);
	if (fd < 0) {
		*err = -errno;
		return NULL;
	}
	/* The old daemon's, if any, is no longer needed: it handed over. */
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    chmod(path, 0600) < 0 || listen(fd, 4) < 0) {
		*err = -errno;
		close(fd);
		return NULL;
	}
	h = xcalloc(1, sizeof(*h));
	h->ev = ev;
	h->ops = ops;
	h->path = xstrdup(path);
	ev_io_init(&h->listen_w, handover_accept_cb, fd, EV_READ);
	h->listen_w.data = h;
	ev_io_start(ev, &h->listen_w);
	ev_io_init(&h->conn_w, handover_conn_cb, -1, EV_READ);
	h->conn_w.data = h;
	ev_timer_init(&h->timer, handover_timer_cb, 0., 0.);
	h->timer.data = h;
	return h;
}

void
handover_free(struct handover *h, int unlink_path)
{
	if (h == NULL)
		return;
	ev_io_stop(h->ev, &h->listen_w);
	ev_io_stop(h->ev, &h->conn_w);
	ev_timer_stop(h->ev, &h->timer);
	close(h->listen_w.fd);
	if (h->conn_w.fd >= 0)
		close(h->conn_w.fd);
	if (unlink_path)
		unlink(h->path);
	free(h->path);
	free(h);
}

int
handover_active(const struct handover *h)
{
	return h != NULL && h->state != HANDOVER_IDLE;
}

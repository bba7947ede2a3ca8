/* SPDX-License-Identifier: MIT */
/* Connection limits of the daemon, total and per peer uid. */
#include <stdlib.h>

#include "connlimit.h"
#include "util.h"

/* One uid with clients; at most max of them, so a plain array will do. */
struct connlimit_uid {
	uid_t		 uid;
	unsigned int	 n;
};

struct connlimit {
	unsigned int		 max;
	unsigned int		 per_uid;
	unsigned int		 n;
	struct connlimit_uid	*uids;
	unsigned int		 nuids;
};

struct connlimit *
connlimit_new(unsigned int max, unsigned int per_uid)
{
	struct connlimit *l = xcalloc(1, sizeof(*l));

	l->max = max != 0 ? max : CONNLIMIT_CLIENTS_DEFAULT;
	l->per_uid = per_uid != 0 ? per_uid : CONNLIMIT_CLIENTS_PER_UID_DEFAULT;
	if (l->per_uid > l->max)
		l->per_uid = l->max;
	l->uids = xcalloc(l->max, sizeof(*l->uids));
	return l;
}

void
connlimit_free(struct connlimit *l)
{
	if (l == NULL)
		return;
	free(l->uids);
	free(l);
}

static struct connlimit_uid *
connlimit_find(struct connlimit *l, uid_t uid)
{
	unsigned int i;

	for (i = 0; i < l->nuids; i++)
		if (l->uids[i].uid == uid)
			return &l->uids[i];
	return NULL;
}

enum connlimit_verdict
connlimit_admit(struct connlimit *l, uid_t uid)
{
	struct connlimit_uid *u;

	if (l->n >= l->max)
		return CONNLIMIT_FULL;
	if ((u = connlimit_find(l, uid)) == NULL) {
		/* n < max clients, so fewer than max uids have some. */
		u = &l->uids[l->nuids++];
		u->uid = uid;
		u->n = 0;
	}
	if (u->n >= l->per_uid)
		return CONNLIMIT_UID_FULL;
	u->n++;
	l->n++;
	return CONNLIMIT_OK;
}

void
connlimit_release(struct connlimit *l, uid_t uid)
{
	struct connlimit_uid *u = connlimit_find(l, uid);

	if (u == NULL || u->n == 0)
		return;
	l->n--;
	if (--u->n == 0)
		*u = l->uids[--l->nuids];
}

unsigned int
connlimit_max(const struct connlimit *l)
{
	return l->max;
}

unsigned int
connlimit_per_uid(const struct connlimit *l)
{
	return l->per_uid;
}

unsigned int
connlimit_count(const struct connlimit *l)
{
	return l->n;
}

/* SPDX-License-Identifier: MIT */
/* Connection limits of the daemon: how many clients may be in their
 * handshake at once, in total and per peer uid (SO_PEERCRED). */
#ifndef CONNLIMIT_H
#define CONNLIMIT_H

#include <sys/types.h>

/* Defaults of --max-clients and --max-clients-per-uid. */
#define CONNLIMIT_CLIENTS_DEFAULT		64
#define CONNLIMIT_CLIENTS_PER_UID_DEFAULT	16

enum connlimit_verdict {
	CONNLIMIT_OK,
	CONNLIMIT_FULL,		/* max clients reached */
	CONNLIMIT_UID_FULL		/* this uid's share reached */
};

struct connlimit;

/* Limits of max clients, at most per_uid of them from one uid (0 means the
 * defaults). */
struct connlimit	*connlimit_new(unsigned int max, unsigned int per_uid);
/* Accepts NULL. */
void		 connlimit_free(struct connlimit *);
/* Count a new client of uid if the limits allow it; CONNLIMIT_OK then, and
 * the client must be given back with connlimit_release. */
enum connlimit_verdict connlimit_admit(struct connlimit *, uid_t);
void		 connlimit_release(struct connlimit *, uid_t);
unsigned int	 connlimit_max(const struct connlimit *);
unsigned int	 connlimit_per_uid(const struct connlimit *);
/* Clients counted now. */
unsigned int	 connlimit_count(const struct connlimit *);

#endif

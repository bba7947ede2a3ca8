/* SPDX-License-Identifier: MIT */
/* Reader for the OCI seccomp agent handshake: the JSON "container process
 * state" that runc and crun send with the listener fd, possibly in pieces. */
#ifndef OCI_H
#define OCI_H

#include <stddef.h>

/* Largest handshake accepted, counting every byte fed to one reader. */
#define OCI_MSG_MAX	65536
/* Longest Kubernetes name read from the annotations (a DNS subdomain). */
#define OCI_NAME_MAX	253

/* One validated handshake. All strings are NUL-free and never NULL. */
struct oci_msg {
	char	*oci_version;	/* top-level "ociVersion" */
	int	 pid;		/* top-level "pid" (the container process) */
	char	*metadata;	/* "" when absent or null */
	char	*id;		/* state.id */
	char	*status;	/* state.status */
	char	*bundle;	/* state.bundle, "" when absent or null */
	/* Kubernetes names from state.annotations (containerd's CRI keys,
	   else CRI-O's): "" when absent, else OCI_NAME_MAX bytes at most of
	   [A-Za-z0-9._-]. */
	char	*pod_namespace;
	char	*pod_name;
	char	*container_name;
	int	 sandbox;	/* the pod's sandbox ("pause") container:
				   io.kubernetes.cri.container-type or
				   io.kubernetes.cri-o.ContainerType is
				   "sandbox" */
	size_t	 nfds;		/* entries in "fds" */
	int	 seccomp_index;	/* index of "seccompFd" in "fds", so in the
				   SCM_RIGHTS array of the first sendmsg */
};

struct oci_reader;

/* A reader for one connection; it accepts exactly one message. */
struct oci_reader *oci_reader_new(void);

/* Accepts NULL. */
void	oci_reader_free(struct oci_reader *);

/*
 * Feed len bytes as they arrive. *out and *cause are cleared on entry.
 * Returns 0: need more (or, after the message, only whitespace seen);
 * 1: the message is complete and valid, *out is set and belongs to the
 * caller (oci_msg_free); -EBADMSG (bad JSON, failed validation, NUL byte,
 * non-whitespace after the message) or -EMSGSIZE (more than OCI_MSG_MAX
 * bytes in total): *cause is an allocated string the caller must free(),
 * e.g. "not JSON at byte 17: unexpected character" (0-based stream offset).
 * Once failed, the reader returns the same error and cause (a fresh copy)
 * for every later feed or eof. However the bytes are split, the outcome
 * and cause are those of one feed (a NUL byte may be named before a JSON
 * error that precedes it); a message followed by garbage in a later feed
 * is returned, then the garbage fails. Up to OCI_MSG_MAX bytes are kept
 * until the message ends.
 */
int	oci_reader_feed(struct oci_reader *, const void *buf, size_t len,
	    struct oci_msg **out, char **cause);

/*
 * The peer closed. Returns 0 if no message was started or the message was
 * already complete; -EBADMSG with "truncated message (N bytes)" in *cause
 * (allocated, caller frees) if a message was started but not finished, or
 * the JSON error that one feed would have named, or the earlier failure.
 */
int	oci_reader_eof(struct oci_reader *, char **cause);

/* Accepts NULL. */
void	oci_msg_free(struct oci_msg *);

#endif

/* SPDX-License-Identifier: MIT */
/* Unit tests for supervisor/front/oci.c: the Kubernetes names that
 * containerd's CRI plugin and CRI-O put in the state's annotations. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "oci.h"

/* runc's message with annotations (a JSON object's members) in state. */
static int
feed(const char *annotations, struct oci_msg **m, char **cause)
{
	struct oci_reader *r = oci_reader_new();
	char msg[2048];
	int ret;

	snprintf(msg, sizeof(msg), "{\"ociVersion\":\"1.0.2-dev\",\"fds\":"
	    "[\"seccompFd\"],\"pid\":42,\"state\":{\"ociVersion\":"
	    "\"1.0.2-dev\",\"id\":\"c\",\"status\":\"creating\",\"pid\":42,"
	    "\"annotations\":%s}}", annotations);
	ret = oci_reader_feed(r, msg, strlen(msg), m, cause);
	oci_reader_free(r);
	return ret;
}

static void
names(const char *annotations, const char *ns, const char *pod,
    const char *ctr)
{
	struct oci_msg *m = NULL;
	char *cause = NULL;

	cr_assert(eq(int, feed(annotations, &m, &cause), 1), "%s", cause);
	cr_assert(eq(str, m->pod_namespace, (char *)ns));
	cr_assert(eq(str, m->pod_name, (char *)pod));
	cr_assert(eq(str, m->container_name, (char *)ctr));
	oci_msg_free(m);
}

static void
refused(const char *annotations, const char *want)
{
	struct oci_msg *m = NULL;
	char *cause = NULL;

	cr_assert(eq(int, feed(annotations, &m, &cause), -EBADMSG));
	cr_assert(eq(ptr, m, NULL));
	cr_assert(ne(ptr, strstr(cause, want), NULL), "cause: %s", cause);
	free(cause);
}

Test(oci_annotations, containerd_cri)
{
	names("{\"io.kubernetes.cri.container-type\":\"container\","
	    "\"io.kubernetes.cri.sandbox-namespace\":\"prod\","
	    "\"io.kubernetes.cri.sandbox-name\":\"web-7f9c\","
	    "\"io.kubernetes.cri.container-name\":\"nginx\"}",
	    "prod", "web-7f9c", "nginx");
}

Test(oci_annotations, crio)
{
	names("{\"io.kubernetes.pod.namespace\":\"kube-system\","
	    "\"io.kubernetes.pod.name\":\"dns-0\","
	    "\"io.kubernetes.container.name\":\"coredns\"}",
	    "kube-system", "dns-0", "coredns");
}

Test(oci_annotations, cri_wins_and_absent_is_empty)
{
	names("{\"io.kubernetes.pod.namespace\":\"crio\","
	    "\"io.kubernetes.cri.sandbox-namespace\":\"cri\"}", "cri", "", "");
	names("{\"io.kubernetes.cri.sandbox-namespace\":\"\","
	    "\"io.kubernetes.pod.namespace\":\"crio\"}", "crio", "", "");
	names("{}", "", "", "");
	names("null", "", "", "");
}

Test(oci_annotations, refused)
{
	refused("[]", "\"state.annotations\" is not an object");
	refused("{\"x\":1}", "has a value that is not a string");
	refused("{\"io.kubernetes.cri.sandbox-name\":\"a\\nunotifyd: forged\"}",
	    "annotation \"io.kubernetes.cri.sandbox-name\" is not a "
	    "Kubernetes name");
	refused("{\"io.kubernetes.pod.name\":\"a b\"}", "is not a Kubernetes "
	    "name");
	refused("{\"io.kubernetes.container.name\":\"a\\u0000b\"}",
	    "is not a Kubernetes name");
	refused("{\"io.kubernetes.pod.namespace\":\"" 
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "\"}", "is not a Kubernetes name");
}

Test(oci_annotations, sandbox)
{
	struct oci_msg *m = NULL;
	char *cause = NULL;

	cr_assert(eq(int, feed("{\"io.kubernetes.cri.container-type\":"
	    "\"sandbox\",\"io.kubernetes.cri.sandbox-name\":\"web\"}", &m,
	    &cause), 1), "%s", cause);
	cr_assert(eq(int, m->sandbox, 1));
	oci_msg_free(m);
	cr_assert(eq(int, feed("{\"io.kubernetes.cri-o.ContainerType\":"
	    "\"sandbox\"}", &m, &cause), 1), "%s", cause);
	cr_assert(eq(int, m->sandbox, 1));
	oci_msg_free(m);
	cr_assert(eq(int, feed("{\"io.kubernetes.cri.container-type\":"
	    "\"container\"}", &m, &cause), 1), "%s", cause);
	cr_assert(eq(int, m->sandbox, 0));
	oci_msg_free(m);
}

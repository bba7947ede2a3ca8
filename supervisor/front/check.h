/* SPDX-License-Identifier: MIT */
/* `unotifyd check`: what a user needs to hear about rules that load. */
#ifndef CHECK_H
#define CHECK_H

#include "rules.h"

/* Replace the environment with the one the shipped systemd unit gives the
 * daemon (no HOME, no USER), so that rules expand as they would there. */
void	check_service_env(void);
/*
 * Warn on stderr, as "FILE:LINE: warning: ...", about rules that load but
 * will not do what they seem to: a redirect of an existing directory
 * written without '/', a redirect target that does not exist. Then print
 * the summary on stdout. Returns the number of warnings.
 */
int	check_report(const struct rule_set *, int for_service);

#endif

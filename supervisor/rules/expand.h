/* SPDX-License-Identifier: MIT */
/* Expansion of a leading ~ or ~user and of ${VAR} in rule paths. */
#ifndef EXPAND_H
#define EXPAND_H

/* Returns a new string in *out, or -1 with a static reason in *why
 * (undefined variable, unterminated ${, unknown user, HOME unset). */
int	expand_path(const char *in, char **out, const char **why);

#endif

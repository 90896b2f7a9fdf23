/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Roles within a municipality, ordered: a higher role may do what a lower
 * one may.
 */
#include "meent.h"

#include <string.h>

static const char *const role_names[] = {
	[ROLE_NONE] = "anoniem",
	[ROLE_VIEWER] = "viewer",
	[ROLE_EDITOR] = "editor",
	[ROLE_ADMIN] = "admin",
};

const char *
role_name(enum role r)
{
	return r <= ROLE_ADMIN ? role_names[r] : "?";
}

/* "viewer", "editor" or "admin"; ROLE_NONE for anything else. */
enum role
role_parse(const char *s)
{
	for (int r = ROLE_VIEWER; r <= ROLE_ADMIN; r++)
		if (s != NULL && strcmp(s, role_names[r]) == 0)
			return (enum role)r;
	return ROLE_NONE;
}

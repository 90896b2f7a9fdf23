/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Roles within a municipality, ordered: a higher role may do what a lower
 * one may. The value is what the API, meentctl and the database use; the
 * label is what pages say.
 */
#include "domain/domain.h"

#include <string.h>

/* In the order of enum role, from ROLE_VIEWER. */
const struct choice role_choices[] = {
	{ "viewer", "lezer", "leest ook wat alleen voor leden is" },
	{ "editor", "redacteur", "publiceert en wijzigt pilots, richtlijnen "
	    "en datasets van de eigen gemeente" },
	{ "admin", "beheerder", "beheert daarnaast tokens en gebruikers" },
	{ NULL, NULL, NULL }
};

/* "viewer", "editor" or "admin" ("anoniem" for ROLE_NONE). */
const char *
role_name(enum role r)
{
	if (r == ROLE_NONE)
		return "anoniem";
	return r <= ROLE_ADMIN ? role_choices[r - ROLE_VIEWER].value : "?";
}

/* The role in words, for pages. */
const char *
role_label(enum role r)
{
	if (r == ROLE_NONE)
		return "niet ingelogd";
	return r <= ROLE_ADMIN ? role_choices[r - ROLE_VIEWER].label : "?";
}

/* "viewer", "editor" or "admin"; ROLE_NONE for anything else. */
enum role
role_parse(const char *s)
{
	const struct choice *c = choice_find(role_choices, s);

	return c == NULL ? ROLE_NONE : (enum role)(ROLE_VIEWER +
	    (c - role_choices));
}

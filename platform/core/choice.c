/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * A closed set of values (a pilot's status, a visibility, a peer group, a
 * role, ...) as one table: the value the API and the database use, the
 * Dutch label pages and forms show, and a longer explanation for a form.
 * Validation, error messages, form options and page labels all come from
 * the same table (its owner, in the domain, declares it), so a new value
 * appears everywhere at once. A table ends with a { NULL } entry.
 */
#include "core/core.h"

#include <string.h>

#include <event2/buffer.h>

/* The entry for value, or NULL (also for a NULL value). */
const struct choice *
choice_find(const struct choice *set, const char *value)
{
	if (value == NULL)
		return NULL;
	for (; set->value != NULL; set++)
		if (strcmp(set->value, value) == 0)
			return set;
	return NULL;
}

bool
choice_valid(const struct choice *set, const char *value)
{
	return choice_find(set, value) != NULL;
}

/* value's label; an unknown value (from an older peer) as it is. */
const char *
choice_label(const struct choice *set, const char *value)
{
	const struct choice *c = choice_find(set, value);

	return c != NULL ? c->label : value;
}

size_t
choice_count(const struct choice *set)
{
	size_t n = 0;

	while (set[n].value != NULL)
		n++;
	return n;
}

/*
 * The values as a Dutch enumeration for a message: "idee, lopend,
 * afgerond of gestopt". The caller frees.
 */
char *
choice_values_text(const struct choice *set)
{
	struct evbuffer *b = evbuffer_new();
	size_t n = choice_count(set);

	for (size_t i = 0; i < n; i++)
		evbuffer_add_printf(b, "%s%s", i == 0 ? "" : i + 1 == n ?
		    " of " : ", ", set[i].value);
	return buffer_take_string(b);
}

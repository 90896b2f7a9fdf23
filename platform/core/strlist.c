/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * A growable list of owned strings, for repeatable configuration keys and
 * command-line overrides.
 */
#include "core/core.h"

#include <stdlib.h>

/* Copies s. */
void
strlist_add(struct strlist *l, const char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap == 0 ? 4 : l->cap * 2;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	l->v[l->n++] = xstrdup(s);
}

void
strlist_free(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

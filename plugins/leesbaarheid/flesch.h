/* SPDX-License-Identifier: EUPL-1.2 */
/* Flesch-Douma readability of Dutch text: see flesch.c. */
#ifndef FLESCH_H
#define FLESCH_H

#include <stddef.h>

struct flesch {
	long	words;
	long	sentences;
	long	syllables;
};

int	flesch_syllables(const char *word, size_t len);
void	flesch_count(const char *text, struct flesch *f);
double	flesch_douma(const struct flesch *f);

#endif

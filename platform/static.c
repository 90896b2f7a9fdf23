/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Static files compiled into the binary (platform/static/), so that a page
 * never depends on files beside the server.
 */
#include "meent.h"

extern const unsigned char static_meent_css[];
extern const size_t static_meent_css_len;

void
static_css(struct req *r)
{
	reply_text(r, 200, "text/css; charset=utf-8",
	    (const char *)static_meent_css, static_meent_css_len);
}

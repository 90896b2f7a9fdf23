/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Static files. meent's own stylesheet is compiled into the binary
 * (platform/web/static/), so a page never depends on files beside the server.
 * The NL Design System's stylesheets (Gemeente Utrecht's design tokens and
 * its styles for plain HTML, from npm: web/package.json) are read once from
 * CONTENT/../web/node_modules when present; without them the pages link
 * only meent's own stylesheet and stay usable.
 */
#include "web/web.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name, *path;
} static_nlds_files[] = {
	{ "tokens.css", "@utrecht/design-tokens/dist/index.css" },
	{ "html.css", "@utrecht/component-library-css/dist/html.css" },
};

static char *static_nlds_text[nitems(static_nlds_files)];
static size_t static_nlds_len[nitems(static_nlds_files)];
static bool static_nlds_ok;

/* Read the NL Design System stylesheets, once, before workers start. */
void
static_init(const struct config *cfg)
{
	static_nlds_ok = true;
	for (size_t i = 0; i < nitems(static_nlds_files); i++) {
		char *path = xasprintf("%s/../web/node_modules/%s",
		    cfg->content_dir, static_nlds_files[i].path);
		char *err = NULL;

		if (file_read_all(path, 4 << 20, &static_nlds_text[i],
		    &static_nlds_len[i], &err) == -1) {
			free(err);
			static_nlds_ok = false;
		}
		free(path);
	}
	if (!static_nlds_ok)
		log_emit(LOG_WARN, "static", "NL Design System stylesheets not "
		    "found (run npm install in web/); pages use meent.css only");
}

bool
static_nlds_available(void)
{
	return static_nlds_ok;
}

void
static_nlds(struct req *r)
{
	for (size_t i = 0; static_nlds_ok && i < nitems(static_nlds_files); i++)
		if (strcmp(r->params[0], static_nlds_files[i].name) == 0) {
			reply_text(r, 200, "text/css; charset=utf-8",
			    static_nlds_text[i], static_nlds_len[i]);
			return;
		}
	reply_problem(r, 404, "Niet gevonden", "Dit bestand is er niet.");
}

extern const unsigned char static_meent_css[];
extern const size_t static_meent_css_len;

void
static_css(struct req *r)
{
	reply_text(r, 200, "text/css; charset=utf-8",
	    (const char *)static_meent_css, static_meent_css_len);
}

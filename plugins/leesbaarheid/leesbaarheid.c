/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The leesbaarheid plugin: a Dutch readability score (Flesch-Douma, see
 * flesch.c) for a pilot's summary and sections. Each gets a remark with its
 * score; one below the threshold (default 60, "drempel=N" on the plugin's
 * line) is marked as harder than language level B1, which government texts
 * aim for. Nothing is refused: the author decides.
 *
 *	plugin = /usr/local/lib/meent/leesbaarheid.so drempel=60
 *
 * It also serves GET /plugins/leesbaarheid/score?tekst=... with the score
 * of any text, as JSON.
 */
#include "../../platform/plugin/plugin.h"
#include "flesch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#define NAME "leesbaarheid"

struct ctx {
	const struct meent_services *s;
	double threshold;
};

static const char *const fields[] = { "samenvatting", "aanpak", "data",
    "resultaten", "lessen", "privacy" };

static int
on_validate(void *arg, const struct meent_item *item,
    struct meent_validation *v)
{
	struct ctx *c = arg;
	json_t *j;

	if (strcmp(item->kind, "pilot") != 0 || item->json == NULL)
		return MEENT_PLUGIN_OK;
	j = json_loads(item->json, 0, NULL);
	if (j == NULL)
		return MEENT_PLUGIN_ERROR;
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		const char *text = json_string_value(json_object_get(j,
		    fields[i]));
		struct flesch f = { 0, 0, 0 };
		char msg[200];
		double score;

		if (text == NULL)
			continue;
		flesch_count(text, &f);
		/* Too short to say anything about. */
		if (f.words < 20)
			continue;
		score = flesch_douma(&f);
		if (score < c->threshold)
			snprintf(msg, sizeof msg, "leesbaarheid %.0f (Flesch-Douma):"
			    " moeilijker dan taalniveau B1, dat %.0f of meer "
			    "haalt; kortere zinnen en woorden helpen", score,
			    c->threshold);
		else
			snprintf(msg, sizeof msg, "leesbaarheid %.0f (Flesch-Douma):"
			    " goed, taalniveau B1 haalt %.0f of meer", score,
			    c->threshold);
		c->s->warn(v, fields[i], msg);
	}
	json_decref(j);
	return MEENT_PLUGIN_OK;
}

static void
route_score(void *arg, struct meent_request *req)
{
	struct ctx *c = arg;
	const char *text = c->s->query(req, "tekst");
	struct flesch f = { 0, 0, 0 };
	char body[256];
	int n;

	if (text == NULL) {
		static const char msg[] = "Geef de tekst mee in ?tekst=...";

		c->s->reply(req, 400, "text/plain", msg, sizeof msg - 1);
		return;
	}
	flesch_count(text, &f);
	n = snprintf(body, sizeof body, "{\"score\":%.1f,\"woorden\":%ld,"
	    "\"zinnen\":%ld,\"lettergrepen\":%ld,\"b1\":%s}",
	    flesch_douma(&f), f.words, f.sentences, f.syllables,
	    f.words > 0 && flesch_douma(&f) >= c->threshold ? "true" : "false");
	c->s->reply(req, 200, "application/json", body, (size_t)n);
}

static int
load(const struct meent_services *s, void **out)
{
	struct ctx *c;
	const char *t = s->arg(NAME, "drempel", 0);
	char *end = NULL;
	double threshold = t != NULL ? strtod(t, &end) : 60.0;

	if (s->abi != MEENT_PLUGIN_ABI || s->size < sizeof *s)
		return MEENT_PLUGIN_ERROR;
	if (t != NULL && (*end != '\0' || threshold < 0 || threshold > 120)) {
		s->log(NAME, MEENT_PLUGIN_LOG_ERROR, "drempel=%s is not a number "
		    "from 0 to 120", t);
		return MEENT_PLUGIN_ERROR;
	}
	c = s->alloc(sizeof *c);
	c->s = s;
	c->threshold = threshold;
	if (s->route(NAME, "GET", "score", route_score, c) != MEENT_PLUGIN_OK) {
		s->free(c);
		return MEENT_PLUGIN_ERROR;
	}
	*out = c;
	return MEENT_PLUGIN_OK;
}

static void
unload(void *arg)
{
	struct ctx *c = arg;

	c->s->free(c);
}

static const struct meent_plugin plugin = {
	.abi = MEENT_PLUGIN_ABI,
	.size = sizeof (struct meent_plugin),
	.name = NAME,
	.version = "1.0.0",
	.load = load,
	.unload = unload,
	.on_validate = on_validate,
};

const struct meent_plugin *
meent_plugin_v1(void)
{
	return &plugin;
}

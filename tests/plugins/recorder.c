/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * A test plugin: appends one line per on_publish() to file=PATH
 * ("kind id versie zichtbaarheid deleted url"), sleeping delay=SECONDS
 * first, to show a slow plugin never slows a request. It also refuses a
 * pilot whose title contains "WEIGEREN", to test on_validate refusals.
 */
#include "../../platform/plugin/plugin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct ctx {
	const struct meent_services *s;
	const char *file;
	int delay;
};

static int
load(const struct meent_services *s, void **out)
{
	struct ctx *c = s->alloc(sizeof *c);
	const char *d = s->arg("recorder", "delay", 0);

	c->s = s;
	c->file = s->arg("recorder", "file", 0);
	c->delay = d != NULL ? atoi(d) : 0;
	if (c->file == NULL) {
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

static int
on_validate(void *arg, const struct meent_item *item,
    struct meent_validation *v)
{
	struct ctx *c = arg;

	const char *params[] = { item->gemeente, NULL };
	char *rows;

	if (item->json != NULL && strstr(item->json, "WEIGEREN") != NULL)
		c->s->reject(v, "titel", "de recorder weigert dit");
	/* A read-only query: the municipality's name, as a remark. */
	rows = c->s->select("recorder", "SELECT naam FROM gemeenten WHERE "
	    "code = ?1", params);
	if (rows != NULL) {
		c->s->warn(v, "gemeente", rows);
		c->s->free(rows);
	}
	/* A write is refused: select() answers NULL. */
	rows = c->s->select("recorder", "DELETE FROM gemeenten", NULL);
	if (rows != NULL) {
		c->s->warn(v, "gemeente", "a write went through select()!");
		c->s->free(rows);
	}
	return MEENT_PLUGIN_OK;
}

static void
on_publish(void *arg, const struct meent_item *item)
{
	struct ctx *c = arg;
	FILE *f;

	if (c->delay > 0)
		sleep((unsigned)c->delay);
	f = fopen(c->file, "a");
	if (f == NULL)
		return;
	fprintf(f, "%s %s %ld %s %d %s\n", item->kind, item->id, item->versie,
	    item->zichtbaarheid, item->deleted, item->url);
	fclose(f);
}

static const struct meent_plugin plugin = {
	.abi = MEENT_PLUGIN_ABI,
	.size = sizeof (struct meent_plugin),
	.name = "recorder",
	.version = "1",
	.load = load,
	.unload = unload,
	.on_validate = on_validate,
	.on_publish = on_publish,
};

const struct meent_plugin *
meent_plugin_v1(void)
{
	return &plugin;
}

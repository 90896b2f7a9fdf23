/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Deliberately broken plugins, one per -D flag, to test the loader's
 * refusals: BROKEN_ABI, BROKEN_SIZE, BROKEN_SPARE, BROKEN_LOAD,
 * BROKEN_NAME, NO_SYMBOL, and VALIDATE_FAILS (loads, then fails its hook).
 */
#include "../../platform/plugin/plugin.h"

#include <stddef.h>

static int
load(const struct meent_services *s, void **ctx)
{
	(void)s;
	*ctx = NULL;
#ifdef BROKEN_LOAD
	return MEENT_PLUGIN_ERROR;
#else
	return MEENT_PLUGIN_OK;
#endif
}

static int
on_validate(void *ctx, const struct meent_item *item,
    struct meent_validation *v)
{
	(void)ctx;
	(void)item;
	(void)v;
	return MEENT_PLUGIN_ERROR;
}

static const struct meent_plugin plugin = {
#ifdef BROKEN_ABI
	.abi = MEENT_PLUGIN_ABI + 1,
#else
	.abi = MEENT_PLUGIN_ABI,
#endif
#ifdef BROKEN_SIZE
	.size = sizeof (struct meent_plugin) - sizeof (void *),
#else
	.size = sizeof (struct meent_plugin),
#endif
#ifdef BROKEN_NAME
	.name = "Niet Geldig!",
#else
	.name = "kapot",
#endif
	.version = "0",
	.load = load,
#ifdef VALIDATE_FAILS
	.on_validate = on_validate,
#endif
#ifdef BROKEN_SPARE
	.spare = { NULL, NULL, (void *)1 },
#endif
};

#ifdef NO_SYMBOL
const struct meent_plugin *meent_plugin_other(void);
const struct meent_plugin *
meent_plugin_other(void)
#else
const struct meent_plugin *
meent_plugin_v1(void)
#endif
{
	(void)on_validate;
	return &plugin;
}

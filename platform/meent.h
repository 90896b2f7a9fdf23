/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Everything, for the programs (meentd.c, meentctl.c, routes.c) and the
 * tests. A file under platform/<layer>/ includes its own layer's header
 * instead, which includes the layers below it and nothing above:
 *
 *   core/core.h < db/db.h < domain/domain.h < fed/fed.h, plugin/plugins.h
 *     < http/http.h < model/model.h < api/api.h, web/web.h < meent.h
 *
 * so a call into a higher layer does not compile (tests/layers.py checks
 * the objects as well). Each header has the prototypes of each file under
 * its name (STYLE 3); every non-static symbol starts with the name of the
 * file that defines it.
 *
 * Conventions: 0 is success and negative values are errors (MEENT_*);
 * functions that allocate say who frees; xmalloc never returns NULL.
 */
#ifndef MEENT_H
#define MEENT_H

#include "api/api.h"
#include "web/web.h"

/* routes.c */
extern const struct route routes_table[];
extern const size_t routes_count;

#endif /* MEENT_H */

/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The host side of plugins (their ABI is plugin.h): loading, the
 * hooks, plugin routes. Calls the domain and below.
 */
#ifndef MEENT_PLUGINS_H
#define MEENT_PLUGINS_H

#include "domain/domain.h"

/* plugin.c (the ABI is plugin.h) */
struct meent_item;
int	 plugin_load_all(const struct config *, char **);
void	 plugin_unload_all(void);
size_t	 plugin_loaded_count(void);
void	 plugin_worker_init(int);
void	 plugin_worker_fini(int);
int	 plugin_validate(struct db *, const struct meent_item *, json_t *,
	     json_t *);
void	 plugin_publish(const struct meent_item *);
unsigned long plugin_events_dropped(void);
int	 plugin_route_find(int, const char *);
void	 plugin_route_run(struct db *, struct meent_request *, int);
void	 plugin_set_request_services(const char *(*)(struct meent_request *,
	     const char *), void (*)(struct meent_request *, int, const char *,
	     const char *, size_t));
void	 plugin_metrics(struct evbuffer *);


#endif /* MEENT_PLUGINS_H */

/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Each resource as a request sees it, shared by the API and the web
 * pages: a query read from a request with the same defaults for both, an
 * item loaded with the caller's rights, a write and its refusals.
 */
#ifndef MEENT_MODEL_H
#define MEENT_MODEL_H

#include "http/http.h"

/* model_attachments.c */
int	 model_attachments_from_buffer(struct req *, struct evbuffer *,
	     struct attachment_upload *);
int	 model_attachments_add(struct req *, const struct pilot *,
	     struct attachment_upload *, const char *, struct attachment *);
int	 model_attachments_list(struct req *, const struct pilot *, json_t **);
int	 model_attachments_send(struct req *, const struct pilot *);
int	 model_attachments_delete(struct req *, const struct pilot *);
/* model_cache.c */
void	 model_cache_keep(struct req *, const char *, const char *, size_t,
	     unsigned long);
bool	 model_cache_reply(struct req *, const char *, const char *);

/* model_contacts.c */
void	 model_contacts_query(struct req *, struct contact_query *);
int	 model_contacts_list(struct req *, const struct contact_query *,
	     json_t **, long *);
int	 model_contacts_offer(struct req *, struct contact *, long *);

/* model_dashboard.c */
int	 model_dashboard_get(struct req *, json_t **);

/* model_datasets.c */
/* The answer to an upload: what it asked (for a form to keep), its result. */
typedef void (*dataset_answer_fn)(struct req *, const struct dataset_request *,
	    const struct dataset_result *, const char *);
int	 model_datasets_request(struct req *, const char *, const char *,
	     const char *, const char *, struct dataset_request *);
void	 model_datasets_submit(struct req *, const struct dataset_request *,
	     struct evbuffer *, dataset_answer_fn);
void	 model_datasets_problems(struct req *, json_t *);
void	 model_datasets_query(struct req *, struct dataset_query *);
int	 model_datasets_store_reply(struct req *, int, const char *);
int	 model_datasets_publish_path(struct req *);

/* model_export.c */
void	 model_export_send(struct req *, const char *, const char *,
	     struct evbuffer *);
int	 model_export_render(struct req *, json_t *, const char *,
	     struct evbuffer *);
void	 model_export_dataset(struct req *, json_t *, const char *);

/* model_guidelines.c */
int	 model_guidelines_load(struct req *, struct guideline *);
int	 model_guidelines_revision(struct req *, const struct guideline *,
	     json_t **);
int	 model_guidelines_proposal(struct req *, const struct guideline *,
	     json_t **);
json_t	*model_guidelines_head(struct req *, const struct guideline *);
int	 model_guidelines_refuse_foreign(struct req *, const struct guideline *);
int	 model_guidelines_follow(struct req *, const struct guideline *, long);
int	 model_guidelines_unfollow(struct req *, const struct guideline *);
int	 model_guidelines_follows(struct req *, const struct guideline *);

/* model_home.c */
#define MODEL_HOME_COOKIE	"meent_gemeente"
#define MODEL_HOME_NONE		0	/* no municipality */
#define MODEL_HOME_CHOSEN	1	/* chosen: the cookie */
#define MODEL_HOME_OWN		2	/* a signed-in user's own */
/* What the start page shows about a municipality; JSON owned. */
struct model_home {
	json_t		*gemeente;	/* municipality_get() */
	int		 klasse;	/* its size class */
	json_t		*pilots;	/* [{..., reden}], best first */
	int		 meer_klasse;	/* the first pilot's class, or 0 */
	json_t		*richtlijnen;	/* guideline_store_newest() */
	json_t		*cijfers;	/* model_municipalities_positions() */
};
int	 model_home_choice(struct req *, char[8]);
void	 model_home_remember(struct req *, const char *);
int	 model_home_load(struct req *, const char *, struct model_home *);
void	 model_home_free(struct model_home *);

/* model_indicators.c */
int	 model_indicators_query(struct req *, json_t *,
	     struct comparison_query *);

/* model_municipalities.c */
#define MODEL_MUNICIPALITIES_Q_MAX	100	/* bytes of a name query */
int	 model_municipalities_filter(struct req *, struct municipality_filter *,
	     char *, size_t);
int	 model_municipalities_list(struct req *,
	     const struct municipality_filter *, int, int, long *, json_t **);
int	 model_municipalities_get(struct req *, const char *, json_t **);
json_t	*model_municipalities_positions(struct req *, const char *);

/* model_pilots.c */
bool	 model_pilots_member(struct req *);
const char *model_pilots_own(struct req *);
int	 model_pilots_query(struct req *, struct pilot_query *);
int	 model_pilots_run(struct req *, const struct pilot_query *, json_t **,
	     long *, json_t **);
json_t	*model_pilots_nearest(json_t *, int);
int	 model_pilots_feed(struct req *, const struct pilot_query *, int,
	     json_t **);
/* Why a search stopped by its budget is answered 503 (API and pages). */
#define MODEL_PILOTS_TOO_LONG	"De zoekopdracht duurde te lang; maak hem " \
	"specifieker."
int	 model_pilots_load(struct req *, struct pilot *, bool);
void	 model_pilots_new_identity(struct req *, struct pilot *);
int	 model_pilots_publish(struct req *, struct pilot *);
int	 model_pilots_links_exist(struct req *, const struct pilot *);
int	 model_pilots_plugins_remarks(struct req *, const struct pilot *);
int	 model_pilots_plugins_validate(struct req *, const struct pilot *);
int	 model_pilots_delete(struct req *, struct pilot *);
void	 model_pilots_plugins_publish(const struct pilot *);

/* model_reactions.c */
bool	 model_reactions_open(const struct pilot *);
int	 model_reactions_pilot(struct req *, const struct pilot *, json_t **);
int	 model_reactions_post(struct req *, const struct pilot *,
	     struct reaction *, long *);
int	 model_reactions_hide(struct req *, const struct pilot *, long,
	     const char *);

/* model_search.c */
void	 model_search_query(struct req *, struct search_query *);
int	 model_search_run(struct req *, const struct search_query *,
	     struct search_result *);
json_t	*model_search_json(struct req *, const struct search_query *,
	     const struct search_result *);


#endif /* MEENT_MODEL_H */

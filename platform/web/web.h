/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The web pages (HTML in Dutch) over the model: pages, forms, the
 * page frame, static files and feeds. Never calls the API handlers.
 */
#ifndef MEENT_WEB_H
#define MEENT_WEB_H

#include "model/model.h"

/* feed.c */
void	 feed_pilots(struct req *);
void	 feed_guidelines(struct req *);
void	 feed_guideline(struct req *);

/* static.c */
void	 static_css(struct req *);
void	 static_init(const struct config *);
bool	 static_nlds_available(void);
void	 static_nlds(struct req *);

/* web_attachments.c */
void	 web_attachments_page(struct req *);
void	 web_attachments_upload(struct req *);
void	 web_attachments_remove(struct req *);

/* web_benchmarks.c */
void	 web_benchmarks_list(struct req *);
void	 web_benchmarks_show(struct req *);

/* web_dashboard.c */
void	 web_dashboard(struct req *);

/* web_dataset_form.c */
void	 web_dataset_form_new(struct req *);
void	 web_dataset_form_create(struct req *);
void	 web_dataset_form_example(struct req *);

/* web_datasets.c */
void	 web_datasets_page(struct req *, int, json_t *);
void	 web_datasets_list(struct req *);
void	 web_datasets_show(struct req *);
void	 web_datasets_publish(struct req *);
void	 web_datasets_confirm(struct req *);
void	 web_datasets_remove(struct req *);

/* web_guideline_form.c */
void	 web_guideline_form_propose_new(struct req *);
void	 web_guideline_form_propose_post(struct req *);
void	 web_guideline_form_proposal(struct req *);
void	 web_guideline_form_decide(struct req *);
void	 web_guideline_form_follow(struct req *);
void	 web_guideline_form_unfollow(struct req *);

/* web_guidelines.c */
int	 web_guidelines_load(struct req *, struct guideline *);
void	 web_guidelines_list(struct req *);
void	 web_guidelines_show(struct req *);
void	 web_guidelines_versie(struct req *);
void	 web_guidelines_diff(struct req *);
void	 web_guidelines_changes(struct evbuffer *, const char *,
	     const char *);
void	 web_guidelines_followers(struct req *);

/* web_home.c */
void	 web_home(struct req *);
void	 web_home_choose(struct req *);

/* web_login.c */
void	 web_login_form(struct req *);
void	 web_login_post(struct req *);
void	 web_logout_post(struct req *);
int	 web_form(struct req *, struct evkeyvalq *);
int	 web_form_checked(struct req *, struct evkeyvalq *);
bool	 web_csrf_valid(struct req *, const char *);

/* web_page.c */
void	 web_page_init(void);
void	 web_page_start(struct req *, struct evbuffer *, const char *);
void	 web_page_start_feed(struct req *, struct evbuffer *, const char *,
	     const char *, const char *);
void	 web_page_end(struct evbuffer *);
void	 web_page_reply(struct req *, int, struct evbuffer *);
void	 web_page_errors(struct evbuffer *, json_t *);
void	 web_page_pager(struct req *, struct evbuffer *, int, int, long);
void	 web_page_query_problem(struct req *, struct evbuffer *, int,
	     const char *const (*)[2], size_t, size_t);
void	 web_page_login_link(struct req *, struct evbuffer *, const char *,
	     bool);

/* web_municipalities.c */
void	 web_municipalities_list(struct req *);
void	 web_municipalities_show(struct req *);

/* web_pilot_form.c */
void	 web_pilot_form_new(struct req *);
void	 web_pilot_form_create(struct req *);
void	 web_pilot_form_edit(struct req *);
void	 web_pilot_form_update(struct req *);
void	 web_pilot_form_saved(struct req *, struct evbuffer *,
	     const struct pilot *);

/* web_pilot_delete.c */
void	 web_pilot_delete_confirm(struct req *);
void	 web_pilot_delete_post(struct req *);

/* web_pilots.c */
void	 web_pilots_list(struct req *);
void	 web_pilots_show(struct req *);
int	 web_pilots_recent(struct req *, struct evbuffer *, int);
const char *web_pilots_klasse(int);
void	 web_pilots_filter_value(struct evbuffer *, const char *,
	     const char *);
char	*web_pilots_href(const char *, const struct pilot_query *, bool,
	     const char *, const char *, const char *);

/* web_notify.c */
void	 web_notify_show(struct req *);
void	 web_notify_save(struct req *);
void	 web_notify_filter_add(struct req *);
void	 web_notify_filter_remove(struct req *);
void	 web_notify_filter_button(struct req *, struct evbuffer *,
	     const char *, int, const char *);

/* web_unsubscribe.c */
void	 web_unsubscribe_form(struct req *);
void	 web_unsubscribe_post(struct req *);

/* web_password_reset.c */
void	 web_password_reset_form(struct req *);
void	 web_password_reset_request(struct req *);
void	 web_password_reset_link(struct req *);
void	 web_password_reset_set(struct req *);

/* web_search.c */
void	 web_zoeken(struct req *);


#endif /* MEENT_WEB_H */

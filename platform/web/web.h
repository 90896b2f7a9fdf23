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

/* web_access_request.c */
void	 web_access_request_form(struct req *);
void	 web_access_request_post(struct req *);
void	 web_access_request_accept(struct req *);
void	 web_access_request_refuse(struct req *);
void	 web_access_request_section(struct req *, struct evbuffer *, json_t *);

/* web_account.c */
void	 web_account_page(struct req *);
void	 web_account_name(struct req *);
void	 web_account_password(struct req *);

/* web_account_job.c: a password hashed (and one checked) on the pool */
#define WEB_ACCOUNT_JOB_OK	0
#define WEB_ACCOUNT_JOB_WRONG	1	/* the current password did not match */
#define WEB_ACCOUNT_JOB_FAILED	(-1)	/* not run, or out of memory */
typedef void (*web_account_job_fn)(struct req *, int, const char *, void *);
int	 web_account_job_submit(struct req *, const char *, const char *,
	     const char *, web_account_job_fn, void *);
void	 web_account_job_busy(struct req *);

/* web_attachments.c */
void	 web_attachments_page(struct req *);
void	 web_attachments_upload(struct req *);
void	 web_attachments_remove(struct req *);

/* web_benchmarks.c */
void	 web_benchmarks_list(struct req *);
void	 web_benchmarks_show(struct req *);

/* web_contacts.c */
void	 web_contacts_items(struct req *, struct evbuffer *, json_t *, bool);
void	 web_contacts_pilot_fact(struct req *, struct evbuffer *, const char *,
	     json_t *);
void	 web_contacts_municipality(struct req *, struct evbuffer *,
	     const char *, json_t *, long);
void	 web_contacts_list(struct req *);
void	 web_contacts_form(struct req *);
void	 web_contacts_offer(struct req *);
void	 web_contacts_withdraw(struct req *);

/* web_dashboard.c */
void	 web_dashboard(struct req *);

/* web_export.c */
void	 web_export_download(struct req *);

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

/* web_info.c */
void	 web_info_over(struct req *);
void	 web_info_help(struct req *);
void	 web_info_accessibility(struct req *);
void	 web_info_privacy(struct req *);

/* web_login.c */
void	 web_login_form(struct req *);
void	 web_login_post(struct req *);
void	 web_logout_post(struct req *);
int	 web_form(struct req *, struct evkeyvalq *);
int	 web_form_checked(struct req *, struct evkeyvalq *);
bool	 web_csrf_valid(struct req *, const char *);
int	 web_login_session(struct req *, long, const char *);

/* web_page.c */
/*
 * A table in a box of its own that scrolls sideways when the table is
 * wider than the screen (WCAG 1.4.10), and takes the keyboard's focus so
 * that it scrolls without a mouse: literals to put in a page's HTML.
 */
#define WEB_TABLE_OPEN	"<div class=\"tabel-scroll\" role=\"region\" " \
	"aria-label=\"Tabel\" tabindex=\"0\"><table>"
#define WEB_TABLE_CLOSE	"</table></div>"
void	 web_page_init(void);
void	 web_page_start(struct req *, struct evbuffer *, const char *);
void	 web_page_start_feed(struct req *, struct evbuffer *, const char *,
	     const char *, const char *);
void	 web_page_end(struct evbuffer *);
void	 web_page_reply(struct req *, int, struct evbuffer *);
void	 web_page_keep(struct req *, const char *, struct evbuffer *,
	     unsigned long);
void	 web_page_cached(struct req *, const char *, size_t,
	     const struct cache_meta *);
char	*web_page_shared_key(struct req *, const char *);
bool	 web_page_reuse(struct req *, const char *);
void	 web_page_errors(struct evbuffer *, json_t *);
void	 web_page_error_summary(struct evbuffer *, const char *,
	    const char *);
void	 web_page_field_error(struct evbuffer *, const char *,
	    const char *);
void	 web_page_field_aria(struct evbuffer *, const char *, const char *,
	    bool);
void	 web_page_markdown(struct evbuffer *, const char *, int);
void	 web_page_select(struct evbuffer *, json_t *, const char *);
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

/* web_reactions.c */
void	 web_reactions_section(struct req *, struct evbuffer *,
	     const struct pilot *, json_t *);
void	 web_reactions_followups(struct req *, struct evbuffer *,
	     const struct pilot *, json_t *);
void	 web_reactions_followup_form(struct req *, struct evbuffer *,
	     const struct pilot *);
void	 web_reactions_post(struct req *);
void	 web_reactions_hide(struct req *);
void	 web_reactions_followup(struct req *);

/* web_search.c */
void	 web_zoeken(struct req *);

/* web_users.c */
void	 web_users_list(struct req *);
void	 web_users_page(struct req *, int, const char *, const char *,
	     const char *);
void	 web_users_role(struct req *);
void	 web_users_disable(struct req *);
void	 web_users_enable(struct req *);
long	 web_users_target(struct req *);

/* web_users_invite.c */
void	 web_users_invite(struct req *);
void	 web_users_invitation_cancel(struct req *);
void	 web_users_invitation_link(struct req *);
void	 web_users_invitation_accept(struct req *);


#endif /* MEENT_WEB_H */

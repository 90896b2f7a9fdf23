/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The domain: pilots, guidelines, indicators and comparisons, benchmark
 * datasets and their protection, municipalities, identity (users, tokens,
 * sessions, roles), the instance, jobs and the answer cache. No requests,
 * no replies, no "/api/v1": it calls only the database and the core.
 */
#ifndef MEENT_DOMAIN_H
#define MEENT_DOMAIN_H

#include "db/db.h"

struct instance {
	char		 uuid[37];
	char		*name;
	char		*base_url;
	unsigned char	 public_key[32];
	unsigned char	 secret_key[64];
	char		 epoch[37];
};

enum role { ROLE_NONE, ROLE_VIEWER, ROLE_EDITOR, ROLE_ADMIN };

/* Who is calling. */
enum principal_kind { PRINCIPAL_ANONYMOUS, PRINCIPAL_TOKEN, PRINCIPAL_SESSION };

#define SESSION_LEN	43		/* base64url of 32 bytes */
#define TOKEN_LEN	49		/* "meent_" + base64url of 32 bytes */

struct principal {
	enum principal_kind kind;
	char		 gemeente[8];
	char		 gemeente_naam[80];	/* sessions: for pages; or "" */
	enum role	 role;
	long		 user_id;
	long		 token_id;
	char		 csrf[SESSION_LEN + 1];
};

/* Results of authentication look-ups. */
#define AUTH_OK		0
#define AUTH_INVALID	(-1)
#define AUTH_FAILED	(-2)

#define PASSWORD_MIN		10
#define PASSWORD_MAX		1024
#define PASSWORD_HASH_LEN	128	/* crypto_pwhash_STRBYTES */

struct municipality_filter {
	const char	*provincie;	/* NULL: any */
	int		 grootteklasse;	/* 0: any */
	int		 lid;		/* -1: any, 0 no, 1 yes */
	const char	*q;		/* NULL: any; else in the name */
	bool		 by_name;	/* order by name, not by code */
};

#define PILOT_NSECTIONS	5

/* A pilot (case study); see pilot.c. Strings are owned. */
struct pilot {
	long		 pk;
	char		 id[37];
	char		 origin[37];
	char		 gemeente[8];
	char		 provincie[32];
	int		 grootteklasse;
	long		 versie;
	bool		 deleted;
	char		*titel, *samenvatting, *domein, *status, *start, *einde;
	char		*vraag, *aanvrager, *contact, *zichtbaarheid;
	json_t		*stakeholders, *tags;
	json_t		*richtlijnen;	/* [{slug, versie}] */
	json_t		*indicatoren;	/* [id] */
	char		*md[PILOT_NSECTIONS], *html[PILOT_NSECTIONS];
	bool		 voorbeeld;
	time_t		 aangemaakt, gewijzigd;
};

/* What a list or search of pilots asks for. NULL/0: no filter. */
struct pilot_query {
	const char	*q;		/* as typed */
	char		*fts;		/* as FTS5 query (fts_query); owned */
	const char	*domein, *gemeente, *provincie, *status, *tag;
	int		 grootteklasse;
	bool		 sort_title;
	int		 page, page_size;
	/* Who is asking: visibility. */
	bool		 member;
	const char	*own;
	/* The reference data's spelling of provincie and gemeente, which
	 * were asked for in any case (model_pilots_query points at these). */
	char		 provincie_name[65], gemeente_code[8];
};

/* What a cached answer needs besides its bytes (cache.c). */
struct cache_meta {
	char		 etag[64];
	char		 gemeente[8];
	char		 zichtbaarheid[10];
	bool		 deleted;
};

/* A guideline's head (guideline_store.c). */
struct guideline {
	long		 pk;
	char		 slug[81];
	char		 origin[37];
	char		 gemeente[8];
	char		 titel[600];
	long		 head;
	time_t		 aangemaakt, gewijzigd;
};

/* A revision or proposal to write. tekst is borrowed unless owned. */
struct revision {
	long		 versie;
	long		 basis;
	const char	*titel;		/* NULL: the guideline's title now */
	const char	*tekst;
	const char	*bericht;
	const char	*gemeente;
	long		 voorstel;
	bool		 samengevoegd;
	time_t		 aangemaakt;
	char		*owned, *owned_bericht, *owned_gemeente;
};

/* Whether a municipality follows a guideline (guideline_store_follows). */
#define GUIDELINE_FOLLOWS_NOT		0
#define GUIDELINE_FOLLOWS_HERE		1
#define GUIDELINE_FOLLOWS_ELSEWHERE	2	/* adopted on another instance */
/* guideline_store_adopt()'s versie: keep an adoption as it is. */
#define GUIDELINE_ADOPT_AS_IS		(-1)

/* attachment.c, attachment_store.c: files on pilots (bijlagen). */
#define ATTACHMENT_NAME_MAX	200		/* bytes of a cleaned name */
#define ATTACHMENT_ZIP_MAX	(100 << 20)	/* an office file, unpacked */
#define ATTACHMENT_ZIP_RATIO	100		/* unpacked : packed, past 10 MB */
#define ATTACHMENT_ZIP_ENTRIES	10000
#define ATTACHMENT_PILOT_FILES	100		/* rows a federated list has */
struct attachment {
	char		 pilot[37];
	char		 hash[65];	/* SHA-256, hex */
	long long	 grootte;
	char		 type[96];	/* a value of attachment_types */
	char		 naam[ATTACHMENT_NAME_MAX + 1];
	char		 gemeente[8];	/* who uploaded it */
	time_t		 aangemaakt;
};
/* An upload on its way to disk: a temporary file, hashed as written. */
struct attachment_upload {
	int		 fd;		/* -1: none */
	char		 tmp[4096];
	long long	 size;
	char		 hash[65];
	void		*st;		/* an EVP_MD_CTX (SHA-256) */
};
extern const struct choice attachment_types[];
const char *attachment_detect(int, long long, const char *, const char **);
int	 attachment_name_clean(const char *, char[ATTACHMENT_NAME_MAX + 1]);
json_t	*attachment_json(const struct attachment *);
bool	 attachment_hash_valid(const char *);
char	*attachment_file_path(const char *, const char *);
bool	 attachment_file_present(const char *, const char *);
int	 attachment_upload_begin(const char *, struct attachment_upload *);
int	 attachment_upload_write(struct attachment_upload *, const void *,
	     size_t);
void	 attachment_upload_end(struct attachment_upload *);
void	 attachment_upload_abort(struct attachment_upload *);
int	 attachment_store_list(struct db *, const char *, json_t **);
int	 attachment_store_get(struct db *, const char *, const char *,
	     struct attachment *);
long long attachment_store_total(struct db *, const char *);
int	 attachment_store_delete(struct db *, const char *, const char *,
	     const char *);
#define ATTACHMENT_NOT_STORED	(-100)	/* attachment_store_add: the disk */
int	 attachment_store_add(struct db *, const char *,
	     struct attachment_upload *, const struct attachment *, long long);
int	 attachment_store_keep_fetched(struct db *, const char *,
	     struct attachment_upload *);
int	 attachment_store_drop(struct db *, const char *, const char *);
int	 attachment_store_gc(struct db *, const char *);
int	 attachment_store_replace(struct db *, const char *, const char *,
	     json_t *, long long, bool);
int	 attachment_files_copy(const char *, const char *, long *, char **);

/* cache.c */
void	 cache_bump(void);
unsigned long cache_generation_now(void);
const char *cache_get(struct db *, const char *, size_t *,
	     struct cache_meta *);
void	 cache_put(const char *, const char *, size_t,
	     const struct cache_meta *, unsigned long);
void	*cache_object_get(struct db *, const char *);
void	 cache_object_put(const char *, void *, void (*)(void *),
	     unsigned long);
void	 cache_thread_free(void);

/* pilot.c */
extern const char *const pilot_sections[PILOT_NSECTIONS];
bool	 pilot_domain_valid(const struct strlist *, const char *);
const char *const *pilot_domains(const struct strlist *, size_t *);
extern const struct choice pilot_statuses[], pilot_requesters[],
	    pilot_visibilities[], pilot_domain_choices[];
const char *pilot_domain_label(const char *, char *, size_t);
char	*pilot_section_preview(const char *, size_t *);
#define PILOT_VISIBILITY_DEFAULT	"concept"	/* when not given */
bool	 pilot_date_valid(const char *);
int	 pilot_from_json(struct pilot *, json_t *, const struct strlist *,
	     json_t *);
json_t	*pilot_input_json(const struct pilot *);
json_t	*pilot_json(const struct pilot *, json_t *);
void	 pilot_etag(const struct pilot *, char[64]);
void	 pilot_identity(struct pilot *, const struct pilot *);
void	 pilot_free(struct pilot *);

/* mail.c */
#define MAIL_ADDRESS_MAX	254
#define MAIL_SUBJECT_MAX	200
#define MAIL_BODY_MAX		(256 * 1024)
bool	 mail_address_valid(const char *);
bool	 mail_subject_valid(const char *);
long	 mail_enqueue(struct db *, const char *, const char *, const char *,
	     const char *, const char *);
long	 mail_enqueue_test(struct db *, const char *, const char *,
	     const char *);
json_t	*mail_status(struct db *);

/* user_link.c: one-time links by e-mail (resets, invitations) */
#define USER_LINK_LEN	43	/* base64url of 32 bytes */
void	 user_link_new(char[USER_LINK_LEN + 1], unsigned char[32]);
bool	 user_link_digest(const char *, unsigned char[32]);

/* user_store.c: the accounts of a municipality, for its admin */
#define USER_NAME_MAX		100	/* bytes */
#define USER_LAST_ADMIN		3	/* the change would leave no admin */
struct user_row {
	long		 id;
	char		 email[MAIL_ADDRESS_MAX + 1];
	char		 naam[USER_NAME_MAX + 1];
	char		 gemeente[8];
	enum role	 role;
	bool		 disabled;
	time_t		 last_login;	/* 0: never */
};
json_t	*user_store_list(struct db *, const char *, int, int, long *);
int	 user_store_get(struct db *, long, const char *, struct user_row *);
int	 user_store_find(struct db *, const char *, struct user_row *);
int	 user_store_set_role(struct db *, long, const char *, enum role);
int	 user_store_set_disabled(struct db *, long, const char *, bool);
int	 user_store_set_name(struct db *, long, const char *);
int	 user_store_password(struct db *, long, char[PASSWORD_HASH_LEN]);
int	 user_store_set_password(struct db *, long, const char *,
	     const char *);
int	 user_store_email_exists(struct db *, const char *);
int	 user_store_print_list(struct db *, FILE *);

/* invitation.c: an admin invites a colleague by e-mail */
#define INVITATION_DAYS		7
#define INVITATION_OPEN_MAX	100	/* open ones per municipality */
#define INVITATION_EXPIRED	PASSWORD_RESET_EXPIRED
#define INVITATION_USED		PASSWORD_RESET_USED
#define INVITATION_ACCOUNT	3	/* the address has an account */
#define INVITATION_FULL		4	/* too many open */
#define INVITATION_CANCELLED	5
struct invitation {
	long		 id;
	char		 email[MAIL_ADDRESS_MAX + 1];
	char		 gemeente[8];
	char		 gemeente_naam[80];
	enum role	 role;
	time_t		 expires;
};
int	 invitation_create(struct db *, const char *, const char *, enum role,
	     long, const char *, const char *);
int	 invitation_check(struct db *, const char *, struct invitation *);
int	 invitation_accept(struct db *, const char *, const char *,
	     const char *, long *);
int	 invitation_cancel(struct db *, long, const char *);
json_t	*invitation_list_open(struct db *, const char *);

/* invitation_request.c: someone without an account asks for one */
#define INVITATION_REQUEST_DAYS		30
#define INVITATION_REQUEST_OPEN_MAX	20	/* open ones per municipality */
#define INVITATION_REQUEST_REASON_MAX	1000	/* bytes */
#define INVITATION_REQUEST_FULL		INVITATION_FULL
int	 invitation_request_create(struct db *, const char *, const char *,
	     const char *, const char *, const char *, const char *);
json_t	*invitation_request_list(struct db *, const char *);
int	 invitation_request_accept(struct db *, long, const char *, enum role,
	     long, const char *, const char *);
int	 invitation_request_refuse(struct db *, long, const char *,
	     const char *);
bool	 invitation_request_reason_valid(const char *);
void	 invitation_request_lines(struct evbuffer *, const char *);

/* contact.c: contact persons (ambassadors) */
#define CONTACT_NAME_MAX	100	/* characters */
#define CONTACT_FUNCTION_MAX	100
#define CONTACT_HELP_MAX	1000
#define CONTACT_PILOTS_MAX	200	/* pilots a form offers */
/* An offer to be a contact person; strings borrowed but hulp. */
struct contact {
	long		 user_id;
	const char	*gemeente;	/* the user's */
	const char	*soort;		/* contact_kinds */
	const char	*domein;	/* soort domein */
	const char	*pilot;		/* soort pilot: its id */
	const char	*naam, *functie, *email;
	char		*hulp;		/* the caller's; made LF */
	bool		 openbaar;
};
/* Which entries a list asks for (NULL / 0: any) and who asks. */
struct contact_query {
	const char	*gemeente, *domein, *pilot;
	long		 user_id;
	bool		 member;
	const char	*own;
	int		 page, page_size;
};
extern const struct choice contact_kinds[];
const char *contact_text_reason(const char *, size_t, size_t, bool, char *,
	     size_t);
int	 contact_check(struct contact *, const struct strlist *, json_t *);
int	 contact_store_insert(struct db *, const struct contact *, long *);
int	 contact_store_withdraw(struct db *, long, long);
json_t	*contact_store_list(struct db *, const struct contact_query *,
	     long *);
json_t	*contact_store_pilots(struct db *, const char *);
json_t	*contact_store_recipients(struct db *, long, long);

/* reaction.c: questions and reactions on pilots */
#define REACTION_TEXT_MAX	4000	/* characters of Markdown */
#define REACTION_REASON_MAX	500	/* characters of a reason to hide */
#define REACTION_THREAD_MAX	500	/* reactions a pilot shows */
struct reaction {
	long		 pilot_pk;
	const char	*pilot_id, *pilot_titel;
	long		 ouder;		/* 0: none */
	const char	*soort;		/* reaction_kinds; "antwoord" */
	char		*tekst;		/* the caller's; made LF */
	char		*html;		/* set on insert; the caller frees */
	const char	*gemeente, *gemeente_naam;	/* the author's */
	long		 user_id;
	const char	*zichtbaarheid;	/* openbaar or leden */
	/* Federation: a reaction from elsewhere (reaction_fed.c). */
	const char	*uuid;		/* NULL: a new one */
	const char	*origin;	/* NULL: made here */
	time_t		 aangemaakt;	/* 0: now */
	bool		 quiet;		/* no e-mail to contact persons */
};
extern const struct choice reaction_kinds[];
int	 reaction_check(struct reaction *, json_t *);
int	 reaction_store_insert(struct db *, struct reaction *, const char *,
	     long *);
json_t	*reaction_store_list(struct db *, long, bool, long *);
int	 reaction_store_hide(struct db *, long, long, long, const char *);

/* reaction_fed.c: public reactions between instances */
int	 reaction_fed_export(struct db *, const char *, json_t **);
int	 reaction_fed_apply(struct db *, const char *, const char *, bool,
	     json_t *, const char *, const char **);

/* reaction_followup.c: a pilot that follows another (navolging) */
int	 reaction_followup_add(struct db *, long, const char *, const char *);
int	 reaction_followup_remove(struct db *, long, const char *);
json_t	*reaction_followup_list(struct db *, long, bool, const char *);

/* notify.c */
enum notify_kind { NOTIFY_PILOTS, NOTIFY_REVISIONS, NOTIFY_PROPOSALS,
	NOTIFY_REACTIONS, NOTIFY_ACCESS, NOTIFY_KINDS };
#define NOTIFY_TOKEN_LEN	43	/* base64url of 32 bytes */
#define NOTIFY_TOKEN_DAYS	180
#define NOTIFY_FILTERS_MAX	20
#define NOTIFY_DIGEST_PERIOD	(7 * 86400)
extern const struct choice notify_kinds[], notify_modes[];
const char *notify_kind_default(enum notify_kind);
int	 notify_kind_parse(const char *);
int	 notify_prefs_get(struct db *, long, const char *[NOTIFY_KINDS]);
int	 notify_prefs_set(struct db *, long, enum notify_kind, const char *);
json_t	*notify_filters_list(struct db *, long);
int	 notify_filter_add(struct db *, long, int, const char *,
	     const char *);
int	 notify_filter_remove(struct db *, long, long);
int	 notify_token_new(struct db *, long, const char *,
	     char[NOTIFY_TOKEN_LEN + 1]);
int	 notify_token_lookup(struct db *, const char *, char[16], long *);
int	 notify_unsubscribe(struct db *, const char *, char[16]);

/* notify_event.c */
void	 notify_event_wake(void);
void	 notify_event_wait(int);
int	 notify_event(struct db *, enum notify_kind, const char *,
	     const char *, const char *, const char *);

/* notify_mail.c */
struct notify_site {
	const char	*origin;	/* links start with it */
	const char	*name;		/* the instance's */
};
char	*notify_title(const char *);
int	 notify_dispatch(struct db *, const struct notify_site *);
int	 notify_digest(struct db *, const struct notify_site *, time_t, bool,
	     long *);
int	 notify_prune(struct db *);

/* notify_thread.c */
int	 notify_thread_start(const char *, const char *, const char *,
	     char **);
void	 notify_thread_stop(void);

/* user_delete.c */
int	 user_delete(struct db *, long);
int	 user_find(struct db *, const char *, long *);

/* password_reset.c */
#define PASSWORD_RESET_LEN	USER_LINK_LEN
#define PASSWORD_RESET_MINUTES	30
#define PASSWORD_RESET_EXPIRED	1
#define PASSWORD_RESET_USED	2
int	 password_reset_request(struct db *, const char *, const char *,
	     const char *);
int	 password_reset_check(struct db *, const char *);
int	 password_reset_apply(struct db *, const char *, const char *);

/* mail_send.c */
void	 mail_send_wake(void);
char	*mail_subject_encode(const char *);
int	 mail_send_start(const char *, const struct config *, char **);
void	 mail_send_stop(void);
void	 mail_metrics(struct evbuffer *);

/* jobs.c */
enum jobs_pool_id { JOBS_UPLOAD, JOBS_PASSWORD, JOBS_POOLS };
void	 jobs_start(enum jobs_pool_id, int, int);
int	 jobs_submit(enum jobs_pool_id, struct event_base *, void (*)(void *),
	     void (*)(void *, bool), void *);
void	 jobs_drain(struct event_base *);
void	 jobs_stop(void);
void	 jobs_metrics(struct evbuffer *);

/* pilot_store.c */
struct pilot_fts_mark {
	long		*pk;
	size_t		 n;
};
void	 pilot_store_fts_defer(void);
void	 pilot_store_fts_save(struct pilot_fts_mark *);
void	 pilot_store_fts_restore(struct pilot_fts_mark *);
void	 pilot_store_fts_forget(struct pilot_fts_mark *);
int	 pilot_store_fts_flush(struct db *);
void	 pilot_store_fts_cancel(void);
struct fts_ahead *pilot_store_fts_ahead(const struct pilot *);
void	 pilot_store_fts_ahead_use(const struct fts_ahead *);
int	 pilot_store_get(struct db *, const char *, struct pilot *);
int	 pilot_store_insert(struct db *, struct pilot *);
int	 pilot_store_update(struct db *, struct pilot *, long);
int	 pilot_store_delete(struct db *, struct pilot *);
int	 pilot_store_revive(struct db *, long);
bool	 pilot_store_visible(const char *, const char *, bool, const char *);
int	 pilot_store_list(struct db *, const struct pilot_query *, json_t **,
	     long *, json_t **);
int	 pilot_store_feed(struct db *, const struct pilot_query *, int,
	     json_t **);
long	 pilot_store_count(struct db *);
enum pilot_link { PILOT_LINK_GUIDELINE, PILOT_LINK_INDICATOR };
json_t	*pilot_store_linking(struct db *, enum pilot_link, const char *, bool,
	     const char *);
json_t	*pilot_store_peers(struct db *, int, json_t *, const char *, bool,
	     const char *, int);

/* merge.c */
char	*merge_encode(const char *, size_t);
char	*merge_decode(const char *, size_t);
int	 merge_three_way(const char *, const char *, const char *, char **,
	     json_t **);
char	*merge_diff(const char *, const char *, const char *, const char *);
char	*merge_diff_html(const char *);

/* worddiff.c */
#define WORDDIFF_CELLS_MAX	((size_t)1 << 20)	/* one block pair */
#define WORDDIFF_TOO_LARGE	1
#define WORDDIFF_REWRITTEN	2
int	 worddiff_html(struct evbuffer *, const char *, size_t, const char *,
	     size_t, size_t *);
void	 worddiff_mark(struct evbuffer *, bool, const char *, size_t);

/* blockdiff.c */
char	*blockdiff_html(const char *, const char *);

/* guideline.c */
#define GUIDELINE_SLUG_MAX	80
#define GUIDELINE_TITLE_MAX	150
#define GUIDELINE_TEXT_MAX	(250 * 1000)	/* bytes; see markdown.c */
#define GUIDELINE_MESSAGE_MAX	200
bool	 guideline_slug_valid(const char *);
bool	 guideline_text_valid(const char *, size_t, char *, size_t);
char	*guideline_text_lf(const char *);
void	 guideline_render(const char *, char **, json_t **);

/* guideline_store.c */
int	 guideline_store_get(struct db *, const char *, struct guideline *);
int	 guideline_store_is_maintainer(struct db *, long, const char *);
json_t	*guideline_store_maintainers(struct db *, long);
int	 guideline_store_create(struct db *, struct guideline *,
	     struct revision *);
int	 guideline_store_put_revision(struct db *, long,
	     const struct revision *);
int	 guideline_store_revise(struct db *, struct guideline *,
	     struct revision *, json_t **);
void	 revision_free(struct revision *);
int	 guideline_store_revision(struct db *, long, long, json_t **);
json_t	*guideline_store_revisions(struct db *, long);
json_t	*guideline_store_list(struct db *, int, int, long *);
json_t	*guideline_store_newest(struct db *, int);
int	 guideline_store_set_maintainers(struct db *, long, json_t *);
int	 guideline_store_set_title(struct db *, long, const char *);
int	 guideline_store_change(struct db *, long, const char *, json_t *);
int	 guideline_store_propose(struct db *, const struct guideline *,
	     const struct revision *, long *);
int	 guideline_store_proposal(struct db *, long, long, json_t **);
json_t	*guideline_store_proposals(struct db *, long);
int	 guideline_store_decide(struct db *, long, long, const char *,
	     const char *, long);
int	 guideline_store_accept(struct db *, struct guideline *, long,
	     struct revision *, json_t **);
int	 guideline_store_adopt(struct db *, long, const char *, long);
int	 guideline_store_unadopt(struct db *, long, const char *);
int	 guideline_store_follows(struct db *, long, const char *);
json_t	*guideline_store_adoptions(struct db *, long,
	     const struct municipality_filter *);
json_t	*guideline_store_adopter_provinces(struct db *, long);
int	 guideline_store_present(struct db *);

/* identifier.c: direct identifiers in uploaded data */
enum identifier_kind { IDENTIFIER_NONE, IDENTIFIER_BSN, IDENTIFIER_EMAIL,
    IDENTIFIER_PHONE, IDENTIFIER_IBAN, IDENTIFIER_POSTCODE_HOUSE,
    IDENTIFIER_NAME, IDENTIFIER_DATE };	/* DATE: labels only */
/* What one column has seen so far; zero it before the first value. */
struct identifier_column {
	bool		 header_bsn, header_name;	/* from its name */
	long		 values;			/* non-empty seen */
	long		 hits[IDENTIFIER_NAME + 1];	/* per kind */
	long		 first_row[IDENTIFIER_NAME + 1];	/* 0: none yet */
};
bool	 identifier_bsn_valid(const char *, size_t);
bool	 identifier_iban_valid(const char *, size_t);
enum identifier_kind identifier_value(const char *, size_t);
enum identifier_kind identifier_label(const char *, size_t);
void	 identifier_column_header(struct identifier_column *, const char *);
void	 identifier_column_add(struct identifier_column *, const char *,
	     size_t, long);
enum identifier_kind identifier_column_verdict(
	     const struct identifier_column *, long *);
const char *identifier_reason(enum identifier_kind);

/* sdc.c: statistical disclosure control of one table */
#define SDC_MAX_DIMS	3
#define SDC_MAX_CELLS	5000	/* totals included; bounds the audit's time */

enum sdc_status { SDC_SAFE, SDC_FREQUENCY, SDC_DOMINANCE, SDC_PPERCENT,
    SDC_IDENTICAL, SDC_SECONDARY };

/*
 * An instance's rules (config keys sdc_*). They are public (docs/privacy.md):
 * protection must hold when an attacker knows them.
 */
struct sdc_rules {
	long		 min_frequency;		/* units per cell (10) */
	int		 dominance_n;		/* (n,k)-dominance: the n ... */
	double		 dominance_k;		/* ... largest over k% (2, 85) */
	double		 p_percent;		/* p%-rule (10) ... */
	int		 coalition;		/* ... against this many (2) */
	double		 protection_percent;	/* audit: interval (30) */
	int		 round_base;		/* 0: none, or e.g. 5 */
	int		 noise_count;		/* cell-key: counts -d..d (2) */
	double		 noise_magnitude;	/* ... amounts, % of top (30) */
};

/* One cell; coord[d] == ncat[d] is dimension d's total. */
struct sdc_cell {
	int		 coord[SDC_MAX_DIMS];
	double		 value;		/* sum of contributions, or a count */
	long		 units;		/* contributors (rows, persons) */
	double		 top[SDC_TOPN];	/* largest contributions, descending */
	double		 low;		/* smallest contribution */
	uint32_t	 ckey;		/* cell key: sum of record keys */
	uint32_t	 vkey;		/* ... of value keys (amounts) */
	enum sdc_status	 status;
	double		 lower, upper;	/* the audit's interval of the value */
	double		 ulower, uupper; /* ... of the units */
	double		 pub_value;	/* published (rounded) value */
	long		 pub_units;	/* published (rounded) units */
};

/* A table with every marginal total: prod(ncat[d] + 1) cells. */
struct sdc_table {
	int		 ndims;			/* 0..SDC_MAX_DIMS */
	int		 ncat[SDC_MAX_DIMS];	/* categories, total excluded */
	bool		 magnitude;		/* top[] is filled: dominance, p% */
	bool		 count;			/* value is a count: rounded too */
	size_t		 ncells;
	struct sdc_cell	*cells;
};

/* What protection did, for the report. */
struct sdc_report {
	size_t		 cells;			/* all, totals included */
	size_t		 published;
	size_t		 by_status[SDC_SECONDARY + 1];
	size_t		 audited;		/* secret cells checked by LP */
	bool		 audit_ok;
	bool		 escalated;		/* fell back to full suppression */
	bool		 rounded;
};

void	 sdc_rules_defaults(struct sdc_rules *);
void	 sdc_rules_config(const struct config *, struct sdc_rules *);
int	 sdc_table_init(struct sdc_table *, int, const int *);
void	 sdc_table_free(struct sdc_table *);
size_t	 sdc_index(const struct sdc_table *, const int *);
void	 sdc_add_unit(struct sdc_table *, const int *, double, uint32_t,
	     uint32_t);
void	 sdc_set_cell(struct sdc_table *, const int *, double, long,
	     uint32_t);
void	 sdc_fill_totals(struct sdc_table *);
void	 sdc_primary(struct sdc_table *, const struct sdc_rules *);
void	 sdc_secondary(struct sdc_table *);
int	 sdc_audit(struct sdc_table *, const struct sdc_rules *, size_t *,
	     size_t *);
int	 sdc_protect(struct sdc_table *, const struct sdc_rules *,
	     struct sdc_report *);
const char *sdc_status_name(enum sdc_status);

/* cellkey.c */
#define CELLKEY_KEYBYTES	32
void	 cellkey_derive(const unsigned char *, const char *, unsigned char *);
uint64_t cellkey_pseudonym(const unsigned char *, const char *, const void *,
	     size_t);
uint32_t cellkey_record(uint64_t);
int	 cellkey_count_noise(uint32_t, int);
double	 cellkey_eta(uint32_t);

/* dashboard_store.c */
#define DASHBOARD_STORE_MAX	200	/* rows of each list */
json_t	*dashboard_store_pilots(struct db *, const char *, const char *);
json_t	*dashboard_store_datasets(struct db *, const char *);
json_t	*dashboard_store_proposals_waiting(struct db *, const char *,
	     const char *);
json_t	*dashboard_store_proposals_own(struct db *, const char *);

/* dataset.c */
#define DATASET_MAX_ROLES	64
extern const struct choice dataset_forms[], dataset_roles[],
	    dataset_statuses[];
enum dataset_role { DATASET_ROLE_NONE, DATASET_ROLE_IDENTIFYING,
    DATASET_ROLE_QUASI, DATASET_ROLE_DIMENSION, DATASET_ROLE_MEASURE };
struct dataset_column_role {
	char		 name[65];
	enum dataset_role role;
	bool		 mean;		/* a measure averaged, not summed */
};
/* What an upload asked for; copied, so a job may outlive the request. */
struct dataset_request {
	bool		 microdata;
	char		 indicator[65];
	char		 periode[8];
	char		 gemeente[8];
	char		 soort[8];	/* the indicator's kind */
	struct dataset_column_role roles[DATASET_MAX_ROLES];
	size_t		 nroles;
	struct sdc_rules rules;
	unsigned char	 cellkey[CELLKEY_KEYBYTES];	/* record keys' key */
};
/* What came out: problems (refused), or a report and a protected table. */
struct dataset_result {
	json_t		*problems;
	json_t		*report;	/* for everyone */
	json_t		*report_own;	/* for the uploader's municipality */
	json_t		*table;
	json_t		*statuses;	/* each cell's rule, as the table's */
	bool		 publishable;
};
#define DATASET_PROTECTION_METHOD	"celsleutel"
const char *dataset_role_name(enum dataset_role);
int	 dataset_roles_parse(const char *, struct dataset_request *,
	     const char **);
void	 dataset_process(const struct dataset_request *, struct evbuffer *,
	     struct dataset_result *);
void	 dataset_result_free(struct dataset_result *);
const char *dataset_table_acceptable(json_t *, json_t *,
	     const struct sdc_rules *);

/* dataset_csv.c */
struct evbuffer *dataset_csv(json_t *);

/* dataset_linked.c */
const char *dataset_linked_check(json_t *, json_t *, json_t *, long);

/* dataset_store.c */
struct dataset_row {
	const char	*id, *origin, *gemeente, *indicator, *periode, *vorm;
	bool		 publishable;
	const char	*rapport, *tabel;	/* JSON text */
	const char	*rapport_eigen;		/* the uploader's, JSON text */
	const char	*cel_regels;		/* each cell's rule, JSON text */
};
/* Which datasets a list asks for; NULL matches all. */
struct dataset_query {
	const char	*indicator, *gemeente, *periode, *status;
	const char	*viewer;	/* a municipality code, or NULL */
	int		 limit;		/* 0: 500 */
	long		 offset;
};
int	 dataset_store_insert(struct db *, const struct dataset_row *);
int	 dataset_store_get(struct db *, const char *, const char *, json_t **);
json_t	*dataset_store_list(struct db *, const struct dataset_query *,
	     long *);
bool	 dataset_store_total(json_t *, double *);
int	 dataset_store_publish(struct db *, const char *, const char *, long,
	     const char **);
int	 dataset_store_remove(struct db *, const char *, const char *);
int	 dataset_store_feed_comparison(struct db *, const char *);
int	 dataset_store_figure_remove(struct db *, const char *, const char *);

/* indicator.c */
/* An indicator definition; strings borrowed from the JSON it came from. */
struct indicator {
	const char	*id, *naam, *omschrijving, *eenheid, *soort, *richting,
			*noemer, *bron;
	const char	*origin;	/* NULL: this instance's (federation) */
};
bool	 indicator_id_valid(const char *);
bool	 indicator_period_valid(const char *);
bool	 indicator_status_valid(const char *);
int	 indicator_from_json(json_t *, struct indicator *,
	     void (*)(void *, const char *, const char *), void *);
int	 indicator_put(struct db *, const struct indicator *);
int	 indicator_exists(struct db *, const char *);
int	 indicator_get(struct db *, const char *, json_t **);
json_t	*indicator_list(struct db *);
json_t	*indicator_sources(struct db *);

/* indicator_import.c */
struct indicator_import {
	const char	*indicator, *source, *status;
	const char	*code_column, *period_column, *value_column;
	const char	*per1000_column;	/* value * 1000 / this; or NULL */
	json_t		*period_status;		/* {period: status}, borrowed */
	bool		 new_periods;		/* refuse a period it has */
};
struct indicator_import_report {
	long	 rows, imported, missing, unknown, periods;
};
#define INDICATOR_VALUE_MAX	1e15
void	 indicator_import_defaults(struct indicator_import *);
int	 indicator_parse_value(const char *, double *);
int	 indicator_import_file(struct db *, const struct indicator_import *,
	     const char *, struct indicator_import_report *, char **);

/* comparison.c */
struct comparison_query {
	const char	*indicator, *gemeente, *periode, *groep;
};
extern const struct choice comparison_groups[];
#define COMPARISON_GROUP_DEFAULT	"grootteklasse"
double	 comparison_quantile(const double *, size_t, double);
int	 comparison_make(struct db *, json_t *,
	     const struct comparison_query *, json_t **);
int	 comparison_similar(struct db *, const char *, json_t **);

/* comparison_csv.c */
void	 comparison_csv_text(struct evbuffer *, const char *);
struct evbuffer *comparison_csv(json_t *);

/* export.c */
json_t	*export_comparison(json_t *, json_t *);
json_t	*export_dataset(json_t *, json_t *, const char *);

/* export_gemeente.c: a municipality's own content as files (put: 0 or -1). */
typedef int (*export_put_fn)(void *, const char *, const char *, size_t);
int	 export_gemeente(struct db *, const char *, export_put_fn, void *);

/* chart.c */
struct chart_colours {
	const char *background, *bar, *own, *outline, *band, *band_edge,
	    *median, *grid, *text;
};
extern const struct chart_colours chart_colours;
struct evbuffer *chart_svg(json_t *, json_t *);
void	 chart_number(char *, size_t, double);
double	 chart_contrast(const char *, const char *);
double	 chart_ticks(double *, double *, bool, int *);

/* seed_indicators.c */
int	 seed_indicators_present(struct db *);
int	 seed_indicators_load(struct db *, const char *, const struct config *,
	     long *, char **);

/* refdata.c */
long	 refdata_load_gemeenten(struct db *, const char *, char **);

/* municipality.c */
extern const struct choice municipality_classes[];
int	 municipality_size_class(long);
const char *municipality_class_label(int);
bool	 municipality_code_valid(const char *);
int	 municipality_get(struct db *, const char *, json_t **);
json_t	*municipality_list(struct db *, const struct municipality_filter *, int, int,
	     long *);
void	 municipality_filter_bind(sqlite3_stmt *, const struct municipality_filter *);
int	 municipality_province_exists(struct db *, const char *);
int	 municipality_province_find(struct db *, const char *, char *, size_t);
json_t	*municipality_provinces(struct db *);
json_t	*municipality_guidelines(struct db *, const char *, bool);
int	 municipality_mark_member(struct db *, const char *);
int	 municipality_exists(struct db *, const char *);
json_t	*municipality_names(struct db *);

/* instance.c */
void	 instance_uuid(char[37]);
void	 instance_uuid7(char[37]);
int	 instance_create(struct db *, const char *, const char *,
	     const char *, char **);
int	 instance_load(struct db *, const char *, struct instance *, char **);
void	 instance_free(struct instance *);
int	 instance_uuid_read(struct db *, char[37], char **);

/* role.c */
extern const struct choice role_choices[];
const char *role_name(enum role);
const char *role_label(enum role);
enum role role_parse(const char *);

/* token.c */
void	 token_digest(const char *, unsigned char[32]);
void	 token_generate(char[TOKEN_LEN + 1]);
bool	 token_well_formed(const char *, size_t);
int	 token_create(struct db *, const char *, enum role, const char *, int,
	     char[TOKEN_LEN + 1], long *);
int	 token_lookup(struct db *, const char *, size_t, struct principal *);
int	 token_revoke(struct db *, long);
int	 token_print_list(struct db *, FILE *);
json_t	*token_list_json(struct db *, const char *, int, int, long *);
int	 token_gemeente(struct db *, long, char[8]);

/* password.c */
bool	 password_acceptable(const char *, size_t);
int	 password_hash(const char *, size_t, char[PASSWORD_HASH_LEN]);
bool	 password_verify(const char *, const char *, size_t);

/* user.c */
bool	 user_email_valid(const char *);
bool	 user_name_valid(const char *);
long	 user_add(struct db *, const char *, const char *, const char *,
	     enum role, const char *, size_t, char **);
int	 user_login_lookup(struct db *, const char *, struct principal *,
	     char *);

/* session.c */
int	 session_create(struct db *, long, int, char[SESSION_LEN + 1]);
int	 session_lookup(struct db *, const char *, struct principal *);
int	 session_delete(struct db *, const char *);

/* seed_pilots.c */
int	 seed_pilots_present(struct db *);
int	 seed_pilots_load(struct db *, const char *, const struct config *,
	     long *, char **);

/* seed_guidelines.c */
int	 seed_guidelines_load(struct db *, const char *, const struct config *,
	     long *, char **);

/* seed.c */
int	 seed_load_dir(const struct config *, char **);

/* login_guard.c */
#define LOGIN_DEVICE_LEN	43	/* base64url of 32 bytes */
struct login_guard;
struct login_guard *login_guard_new(const unsigned char *, int);
void	 login_guard_set_rate(struct login_guard *, int);
void	 login_guard_free(struct login_guard *);
int	 login_guard_check(struct login_guard *, const char *, const char *,
	     const char *);
void	 login_guard_result(struct login_guard *, const char *, const char *,
	     bool);
void	 login_guard_device_new(struct login_guard *, const char *, char *);
int	 login_guard_reset_allow(struct login_guard *, const char *,
	     const char *);
bool	 login_guard_device_valid(struct login_guard *, const char *,
	     const char *);

/* search.c */
/* The kinds one search covers, in the order results come. */
enum search_kind {
	SEARCH_GEMEENTE, SEARCH_PILOT, SEARCH_RICHTLIJN, SEARCH_INDICATOR,
	SEARCH_NKINDS
};
extern const struct choice search_kinds[];	/* soort: value, label */
extern const char *const search_groups[SEARCH_NKINDS];	/* in the API */
/* What a search asks for; kind -1 is every kind. */
struct search_query {
	const char	*q;		/* as typed */
	char		*fts;		/* as FTS5 query (fts_query); owned */
	int		 kind;
	int		 page, page_size;
	bool		 member;	/* who is asking: pilot visibility */
	const char	*own;
};
/* What it found: a page of results, and counts per kind. */
struct search_result {
	json_t		*items;		/* owned; in kind order */
	long		 count[SEARCH_NKINDS];
	long		 total;		/* of the asked kind(s) */
};
int	 search_kind_parse(const char *);
int	 search_run(struct db *, const struct search_query *,
	     struct search_result *);
void	 search_result_free(struct search_result *);
int	 search_reindex(struct db *);
int	 search_check(struct db *);


#endif /* MEENT_DOMAIN_H */

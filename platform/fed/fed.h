/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Federation: signed entries, the feed, peers, pulling and applying.
 * Calls the domain and below.
 */
#ifndef MEENT_FED_H
#define MEENT_FED_H

#include "domain/domain.h"

/* One federation entry (docs/federation.md); body is borrowed. */
#define FED_ID_MAX	200
#define FED_ENTRY_MAX	(1 << 20)	/* bytes of one body */
#define FED_PAGE_MAX	500		/* entries per page */
#define FED_RESPONSE_MAX (8 << 20)	/* bytes of one answer */
struct fed_entry {
	long long	 seq;
	char		 origin[37];
	long long	 origin_seq;
	char		 kind[16];
	char		 id[FED_ID_MAX + 1];
	long long	 version;
	bool		 deleted;
	const char	*body;
	size_t		 body_len;
	unsigned char	 sig[64];
	void		*ready;		/* the kind's prepare(), or NULL */
};

/* A peer as the scheduler sees it (fed_peer.c). */
struct fed_peer {
	long		 id;
	char		 url[501];
	unsigned char	 key[32];
	bool		 relay;
	int		 interval;
	char		 instance[37];	/* "" before the first contact */
	char		 epoch[37];
	long long	 cursor;
	int		 failures;
};

/* What applying a page did. */
struct fed_counts {
	long		 applied, ignored, quarantined;
};

/* A kind of item that federates (fed_items.c). */
struct fed_kind {
	const char	*name;
	bool		 versioned;	/* its own version; else originSeq */
	/*
	 * The public body: MEENT_OK with it, MEENT_NOTFOUND when the item is
	 * not public (any more; a tombstone), MEENT_ERR when it could not be
	 * read (never a tombstone).
	 */
	int		 (*export)(struct db *, const char *, long long *,
			     json_t **);
	int		 (*apply)(struct db *, const struct fed_entry *,
			     json_t *, const struct config *, const char **);
	/*
	 * Optional: the part of apply that needs no database, run ahead on
	 * another thread over a verified entry's parsed body (thread-safe,
	 * reads both only); apply then finds it in e->ready. ready_free
	 * frees it (NULL is fine).
	 */
	void		*(*prepare)(const struct fed_entry *, json_t *,
			     const struct config *);
	void		 (*ready_free)(void *);
};

/* fed_sign.c */
char	*fed_sign_entry_text(const struct fed_entry *);
void	 fed_sign_entry(const struct fed_entry *, const unsigned char *,
	     unsigned char[64]);
bool	 fed_sign_entry_valid(const struct fed_entry *, const unsigned char *);
void	 fed_sign_notify(const char *, long long, const unsigned char *,
	     char[89]);
bool	 fed_sign_notify_valid(const char *, long long, const unsigned char[64],
	     const unsigned char *);
bool	 fed_sign_base64_decode(const char *, unsigned char *, size_t);
char	*fed_sign_base64(const unsigned char *, size_t);
bool	 fed_sign_uuid_valid(const char *);

/* fed_items.c */
const struct fed_kind *fed_items_kind(const char *);
bool	 fed_items_string(json_t *, const char *, size_t, const char **);

/* fed_feed.c */
int	 fed_feed_flush(struct db *, const struct instance *, long *);
struct fed_feed_tx;
struct fed_feed_tx *fed_feed_attach(struct db *, const struct instance *);
void	 fed_feed_detach(struct db *, struct fed_feed_tx *);
long	 fed_feed_signed(struct fed_feed_tx *);

/* fed_signer.c */
int	 fed_signer_start(const char *, const struct instance *, char **);
void	 fed_signer_wake(void);
void	 fed_signer_stop(void);
json_t	*fed_feed_page(struct db *, const struct instance *, bool, long long,
	     int);
json_t	*fed_feed_wellknown(struct db *, const struct instance *, bool);
int	 fed_feed_store(struct db *, const struct fed_entry *);
long long fed_feed_version(struct db *, const char *, const char *,
	     const char *);

/* fed_files.c */
void	 fed_files_fetch(struct db *, const struct config *);

/* fed_peer.c */
char	*fed_peer_url_normalise(const char *, const char **);
int	 fed_peer_add(struct db *, const char *, const unsigned char[32], bool,
	     int, char **);
int	 fed_peer_remove(struct db *, const char *);
json_t	*fed_peer_status(struct db *);
int	 fed_peer_load(struct db *, struct fed_peer *, size_t);
void	 fed_peer_failed(struct db *, long, const char *);
int	 fed_peer_identity(struct db *, struct fed_peer *, const char *,
	     const char *);
int	 fed_peer_progress(struct db *, const struct fed_peer *, long long,
	     const struct fed_counts *);
int	 fed_peer_origin_name(struct db *, const struct instance *,
	     const char *, char *, size_t);

/* fed_apply.c */
int	 fed_apply_wellknown(struct db *, const struct instance *,
	     struct fed_peer *, const char *, size_t, const char **);
int	 fed_apply_page(struct db *, const struct config *,
	     const struct instance *, struct fed_peer *, const char *, size_t,
	     bool *, struct fed_counts *, const char **);
json_t	*fed_apply_page_parse(const char *, size_t);
struct fed_apply_ahead;
struct fed_apply_ahead *fed_apply_ahead_page(const struct config *,
	     const struct instance *, const struct fed_peer *, json_t *);
void	 fed_apply_ahead_drop(struct fed_apply_ahead *, json_t *);
void	 fed_apply_ahead_wait(void);
int	 fed_apply_page_ahead(struct db *, const struct config *,
	     const struct instance *, struct fed_peer *, json_t *,
	     struct fed_apply_ahead *, bool *, struct fed_counts *,
	     const char **, void (*)(void *, long long, bool), void *);

/* fed_pull.c */
int	 fed_pull_start(const struct config *, const struct instance *,
	     char **);
void	 fed_pull_stop(void);
int	 fed_pull_notified(const char *);
void	 fed_pull_announce(void);


#endif /* MEENT_FED_H */

/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * A response cache per worker thread, for answers that are costly to make
 * and asked for again and again: a pilot's JSON, a page of a list, a
 * search. Entries are the finished bytes.
 *
 * Invalidation is by generation: every write to what the cache holds calls
 * cache_bump(), and an entry made under an older generation is stale. Writes
 * are rare next to reads, so dropping everything on a write is cheap and
 * can never serve a stale answer. Commits by other connections (meentctl,
 * another meentd on the same data) are seen through SQLite's data_version,
 * checked on the way in by every lookup (so only cached routes pay for
 * it); entries also expire after a minute, as a last resort.
 *
 * Keys carry whatever the answer depends on (the viewer's membership and
 * municipality, the full request target), so one entry never serves two
 * audiences. No locks: each thread has its own table, direct-mapped by a
 * hash of the key; a collision replaces the older entry.
 *
 * Beside the bytes, a smaller table keeps objects that many answers are
 * made from (cache_object_get): what a comparison reads of an indicator
 * (comparison.c), which five comparisons on every municipality's page and
 * start page would otherwise read again for each code. Same generations,
 * same expiry; each object comes with the function that frees it.
 */
#include "domain/domain.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_SLOTS	1024
#define CACHE_MAX_BODY	(512 * 1024)
#define CACHE_TTL_MS	60000.0
#define CACHE_OBJECTS	64

struct cache_entry {
	char		*key;
	unsigned long	 generation;
	double		 at;
	char		*body;
	size_t		 len;
	struct cache_meta meta;
};

struct cache_object {
	char		*key;
	unsigned long	 generation;
	double		 at;
	void		*obj;
	void		(*free_fn)(void *);
};

static _Atomic unsigned long cache_generation = 1;
static _Thread_local struct cache_entry *cache_table;
static _Thread_local struct cache_object *cache_objects;

static uint64_t
cache_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

/* Everything cached is stale from now on. Any thread may call it. */
void
cache_bump(void)
{
	atomic_fetch_add(&cache_generation, 1);
}

/*
 * The cached bytes for key, or NULL. *len and *meta (may be NULL) are
 * filled; the bytes are borrowed until this thread's next cache_put().
 * db is this thread's connection: a commit another connection made since
 * the last lookup makes everything stale first.
 */
const char *
cache_get(struct db *db, const char *key, size_t *len,
    struct cache_meta *meta)
{
	struct cache_entry *e;

	if (db_changed_elsewhere(db))
		cache_bump();
	if (cache_table == NULL)
		return NULL;
	e = &cache_table[cache_hash(key) % CACHE_SLOTS];
	if (e->key == NULL || strcmp(e->key, key) != 0 ||
	    e->generation != atomic_load(&cache_generation) ||
	    clock_ms() - e->at > CACHE_TTL_MS)
		return NULL;
	*len = e->len;
	if (meta != NULL)
		*meta = e->meta;
	return e->body;
}

/*
 * Keep a copy of body under key. generation is the one read before the
 * answer was made (cache_generation_now()), so an answer built while a
 * write happened is never kept as fresh.
 */
void
cache_put(const char *key, const char *body, size_t len,
    const struct cache_meta *meta, unsigned long generation)
{
	struct cache_entry *e;

	if (len > CACHE_MAX_BODY)
		return;
	if (cache_table == NULL)
		cache_table = xcalloc(CACHE_SLOTS, sizeof *cache_table);
	e = &cache_table[cache_hash(key) % CACHE_SLOTS];
	free(e->key);
	free(e->body);
	e->key = xstrdup(key);
	e->body = xmalloc(len + 1);
	memcpy(e->body, body, len);
	e->body[len] = '\0';
	e->len = len;
	e->generation = generation;
	e->at = clock_ms();
	if (meta != NULL)
		e->meta = *meta;
	else
		memset(&e->meta, 0, sizeof e->meta);
}

unsigned long
cache_generation_now(void)
{
	return atomic_load(&cache_generation);
}

/*
 * The object kept under key, or NULL: as cache_get(), a commit elsewhere
 * makes everything stale first. Borrowed until this thread's next
 * cache_object_put().
 */
void *
cache_object_get(struct db *db, const char *key)
{
	struct cache_object *o;

	if (db_changed_elsewhere(db))
		cache_bump();
	if (cache_objects == NULL)
		return NULL;
	o = &cache_objects[cache_hash(key) % CACHE_OBJECTS];
	if (o->key == NULL || strcmp(o->key, key) != 0 ||
	    o->generation != atomic_load(&cache_generation) ||
	    clock_ms() - o->at > CACHE_TTL_MS)
		return NULL;
	return o->obj;
}

static void
cache_object_clear(struct cache_object *o)
{
	if (o->obj != NULL)
		o->free_fn(o->obj);
	free(o->key);
	memset(o, 0, sizeof *o);
}

/*
 * Keep obj under key (the cache owns it from now on and frees it with
 * free_fn), made from what generation (cache_generation_now(), read
 * before) said was current.
 */
void
cache_object_put(const char *key, void *obj, void (*free_fn)(void *),
    unsigned long generation)
{
	struct cache_object *o;

	if (cache_objects == NULL)
		cache_objects = xcalloc(CACHE_OBJECTS, sizeof *cache_objects);
	o = &cache_objects[cache_hash(key) % CACHE_OBJECTS];
	cache_object_clear(o);
	o->key = xstrdup(key);
	o->generation = generation;
	o->at = clock_ms();
	o->obj = obj;
	o->free_fn = free_fn;
}

/* Free this thread's tables (a worker, as it ends). */
void
cache_thread_free(void)
{
	if (cache_objects != NULL) {
		for (size_t i = 0; i < CACHE_OBJECTS; i++)
			cache_object_clear(&cache_objects[i]);
		free(cache_objects);
		cache_objects = NULL;
	}
	if (cache_table == NULL)
		return;
	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		free(cache_table[i].key);
		free(cache_table[i].body);
	}
	free(cache_table);
	cache_table = NULL;
}

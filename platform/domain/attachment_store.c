/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Attachments on disk and in the database.
 *
 * Files are stored once per content, under <data>/bijlagen/<h[0:2]>/<h>
 * where h is the SHA-256 of the bytes in hex; pilot_bijlagen (migration 12)
 * has a row per pilot and file with its size, type, cleaned name, the
 * uploading municipality and the time. An upload is written to a
 * temporary file in <data>/bijlagen/tmp while it is hashed, checked there,
 * fsynced, renamed into place and the directory fsynced; only then is the
 * row written. A refusal removes the temporary file, so nothing already
 * stored changes. A file no row names any more is removed after the row:
 * every removed row leaves its hash in bijlagen_weg (a trigger, migration
 * 15), whichever path removed it, and attachment_store_gc() removes the
 * files still named by no row.
 *
 * attachment_files_lock orders the two file operations that race: putting
 * a file in place and writing the row that names it (an upload, a fetch
 * from a peer), and finding no row names a file and removing it. Without
 * it, a removal could check between an upload finding its content already
 * on disk and the upload's row, and take the file from under that row. It
 * is always taken before a transaction begins, never inside one, so it
 * cannot deadlock with the writer lock (db.c); a worker first leaves its
 * round's batch (db_batch_leave), which also puts a row's removal on disk
 * before its file goes. (One meentd per data directory: another process
 * does not see this lock.)
 *
 * Adding or removing an attachment is a change of the pilot: its version
 * goes up (so the federation trigger exports it again, with its new list)
 * and the answer cache is bumped.
 */
#include "domain/domain.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <pthread.h>
#include <sodium.h>

static pthread_mutex_t attachment_files_lock = PTHREAD_MUTEX_INITIALIZER;

/* mkdir that is fine when the directory is there. */
static int
attachment_store_mkdir(const char *path)
{
	return mkdir(path, 0750) == -1 && errno != EEXIST ? -1 : 0;
}

/* fsync a directory (after a rename or unlink in it). */
static int
attachment_store_sync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (fd == -1)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* Is hash 64 lower-case hex digits? */
bool
attachment_hash_valid(const char *hash)
{
	size_t i;

	for (i = 0; hash[i] != '\0'; i++)
		if (!((hash[i] >= '0' && hash[i] <= '9') ||
		    (hash[i] >= 'a' && hash[i] <= 'f')))
			return false;
	return i == 64;
}

/* The path of a stored file (caller frees). */
char *
attachment_file_path(const char *data_dir, const char *hash)
{
	return xasprintf("%s/bijlagen/%.2s/%s", data_dir, hash, hash);
}

/* Is the file of hash there (a federated one may not be fetched yet)? */
bool
attachment_file_present(const char *data_dir, const char *hash)
{
	char *path = attachment_file_path(data_dir, hash);
	bool there = access(path, F_OK) == 0;

	free(path);
	return there;
}

/*
 * Start an upload: a temporary file in <data>/bijlagen/tmp. Returns 0, or
 * -1 (errno) with nothing to clean up.
 */
int
attachment_upload_begin(const char *data_dir, struct attachment_upload *u)
{
	char *dir;

	memset(u, 0, sizeof *u);
	dir = xasprintf("%s/bijlagen", data_dir);
	if (attachment_store_mkdir(dir) == -1) {
		free(dir);
		u->fd = -1;
		return -1;
	}
	free(dir);
	snprintf(u->tmp, sizeof u->tmp, "%s/bijlagen/tmp", data_dir);
	if (attachment_store_mkdir(u->tmp) == -1) {
		u->fd = -1;
		return -1;
	}
	snprintf(u->tmp, sizeof u->tmp, "%s/bijlagen/tmp/upload.XXXXXX",
	    data_dir);
	if ((u->fd = mkostemp(u->tmp, O_CLOEXEC)) == -1)
		return -1;
	/*
	 * OpenSSL's SHA-256 (SHA-NI where the CPU has it): libsodium's
	 * portable one ran at 64 MB/s here and set the pace of an upload.
	 */
	if ((u->st = EVP_MD_CTX_new()) == NULL)
		fatal("EVP_MD_CTX_new");
	if (EVP_DigestInit_ex(u->st, EVP_sha256(), NULL) != 1)
		fatal("EVP_DigestInit_ex");
	u->size = 0;
	return 0;
}

/* Append len bytes, hashing them. 0, or -1 (errno; abort the upload). */
int
attachment_upload_write(struct attachment_upload *u, const void *p,
    size_t len)
{
	const char *c = p;

	if (EVP_DigestUpdate(u->st, p, len) != 1)
		return -1;
	u->size += (long long)len;
	while (len > 0) {
		ssize_t n = write(u->fd, c, len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		c += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Every byte is in: the hash, in hex, into u->hash. */
void
attachment_upload_end(struct attachment_upload *u)
{
	unsigned char h[32];
	unsigned int n = 0;

	if (EVP_DigestFinal_ex(u->st, h, &n) != 1 || n != sizeof h)
		fatal("EVP_DigestFinal_ex");
	EVP_MD_CTX_free(u->st);
	u->st = NULL;
	sodium_bin2hex(u->hash, sizeof u->hash, h, sizeof h);
}

/* Give up: the temporary file goes. Safe to call twice. */
void
attachment_upload_abort(struct attachment_upload *u)
{
	EVP_MD_CTX_free(u->st);
	u->st = NULL;
	if (u->fd != -1) {
		close(u->fd);
		unlink(u->tmp);
		u->fd = -1;
	}
}

/*
 * Put the checked upload in its place, durably: fsync, rename, fsync the
 * directory. A file with the same content already there is kept and the
 * upload dropped. Returns 0, or -1 (the temporary file is gone either way).
 */
static int
attachment_upload_commit(const char *data_dir, struct attachment_upload *u)
{
	char *dir, *path;
	int rc = -1;

	dir = xasprintf("%s/bijlagen/%.2s", data_dir, u->hash);
	path = attachment_file_path(data_dir, u->hash);
	if (fsync(u->fd) == -1 || attachment_store_mkdir(dir) == -1)
		goto out;
	if (access(path, F_OK) == 0) {
		rc = 0;
		goto out;
	}
	if (rename(u->tmp, path) == -1 || attachment_store_sync_dir(dir) == -1)
		goto out;
	close(u->fd);
	u->fd = -1;
	rc = 0;
out:
	attachment_upload_abort(u);
	free(dir);
	free(path);
	return rc;
}

static void
attachment_store_row(sqlite3_stmt *st, struct attachment *a)
{
	memset(a, 0, sizeof *a);
	snprintf(a->pilot, sizeof a->pilot, "%s",
	    (const char *)sqlite3_column_text(st, 0));
	snprintf(a->hash, sizeof a->hash, "%s",
	    (const char *)sqlite3_column_text(st, 1));
	a->grootte = sqlite3_column_int64(st, 2);
	snprintf(a->type, sizeof a->type, "%s",
	    (const char *)sqlite3_column_text(st, 3));
	snprintf(a->naam, sizeof a->naam, "%s",
	    (const char *)sqlite3_column_text(st, 4));
	snprintf(a->gemeente, sizeof a->gemeente, "%s",
	    (const char *)sqlite3_column_text(st, 5));
	a->aangemaakt = (time_t)sqlite3_column_int64(st, 6);
}

#define ATTACHMENT_COLS	"pilot, hash, grootte, type, naam, gemeente, " \
	"aangemaakt"

/*
 * The attachments of a pilot (its id), oldest first, as a JSON array into
 * *out (caller frees). The caller decided the pilot is visible. 0 or -1.
 */
int
attachment_store_list(struct db *db, const char *pilot, json_t **out)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " ATTACHMENT_COLS
	    " FROM pilot_bijlagen WHERE pilot = ?1 ORDER BY aangemaakt, naam");
	struct attachment a;
	int rc;

	*out = NULL;
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, pilot);
	*out = json_array();
	while ((rc = db_step_row(db, st, "attachment list")) == 1) {
		attachment_store_row(st, &a);
		json_array_append_new(*out, attachment_json(&a));
	}
	sqlite3_reset(st);
	if (rc == -1) {
		json_decref(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

/* One attachment of a pilot: 0, MEENT_NOTFOUND or -1. */
int
attachment_store_get(struct db *db, const char *pilot, const char *hash,
    struct attachment *a)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " ATTACHMENT_COLS
	    " FROM pilot_bijlagen WHERE pilot = ?1 AND hash = ?2");
	int rc;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, pilot);
	db_bind_text(st, 2, hash);
	if ((rc = db_step_row(db, st, "attachment get")) == 1)
		attachment_store_row(st, a);
	sqlite3_reset(st);
	return rc == 1 ? 0 : rc == 0 ? MEENT_NOTFOUND : -1;
}

/* The bytes a pilot's attachments take together, or -1. */
long long
attachment_store_total(struct db *db, const char *pilot)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT coalesce(sum(grootte), 0)"
	    " FROM pilot_bijlagen WHERE pilot = ?1");
	long long total = -1;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, pilot);
	if (db_step_row(db, st, "attachment total") == 1)
		total = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return total;
}

/* The pilot changed: a new version (exported again), the cache stale. */
static int
attachment_store_touch(struct db *db, const char *pilot)
{
	sqlite3_stmt *st = db_stmt(db, "UPDATE pilots SET versie = versie + 1,"
	    " gewijzigd = ?2 WHERE id = ?1");

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, pilot);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
	return db_step_done(db, st, "attachment touch");
}

static int
attachment_store_put(struct db *db, const struct attachment *a)
{
	sqlite3_stmt *st = db_stmt(db, "INSERT INTO pilot_bijlagen"
	    " (" ATTACHMENT_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, a->pilot);
	db_bind_text(st, 2, a->hash);
	sqlite3_bind_int64(st, 3, a->grootte);
	db_bind_text(st, 4, a->type);
	db_bind_text(st, 5, a->naam);
	db_bind_text(st, 6, a->gemeente);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)a->aangemaakt);
	return db_step_done(db, st, "attachment insert");
}

/*
 * Add a's row and bump the pilot, in one transaction, unless the pilot
 * has that file already (MEENT_CONFLICT) or the total would pass
 * pilot_max bytes (MEENT_INVALID). 0, or -1.
 */
static int
attachment_store_insert(struct db *db, const struct attachment *a,
    long long pilot_max)
{
	struct attachment old;
	long long total;
	int rc;

	if (db_begin(db) == -1)
		return -1;
	if ((rc = attachment_store_get(db, a->pilot, a->hash, &old)) !=
	    MEENT_NOTFOUND) {
		rc = rc == 0 ? MEENT_CONFLICT : -1;
		goto fail;
	}
	if ((total = attachment_store_total(db, a->pilot)) == -1) {
		rc = -1;
		goto fail;
	}
	if (total + a->grootte > pilot_max) {
		rc = MEENT_INVALID;
		goto fail;
	}
	if (attachment_store_put(db, a) == -1 ||
	    attachment_store_touch(db, a->pilot) == -1 || db_commit(db) == -1) {
		rc = -1;
		goto fail;
	}
	cache_bump();
	return 0;
fail:
	db_rollback(db);
	return rc;
}

/* How many rows name hash (any pilot), or -1. */
static long
attachment_store_refs(struct db *db, const char *hash)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT count(*) FROM pilot_bijlagen"
	    " WHERE hash = ?1");
	long n = -1;

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, hash);
	if (db_step_row(db, st, "attachment refs") == 1)
		n = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return n;
}

/*
 * Remove the file of hash if no row names it; attachment_files_lock held.
 * -1 when the database could not say.
 */
static int
attachment_store_unlink_locked(struct db *db, const char *data_dir,
    const char *hash)
{
	char *path, *dir;
	long refs = attachment_store_refs(db, hash);

	if (refs != 0)
		return refs == -1 ? -1 : 0;
	path = attachment_file_path(data_dir, hash);
	dir = xasprintf("%s/bijlagen/%.2s", data_dir, hash);
	if (unlink(path) == 0)
		attachment_store_sync_dir(dir);
	free(path);
	free(dir);
	return 0;
}

/*
 * Put the upload u (ended, checked) in place and add its row a, as one
 * step under attachment_files_lock. 0, MEENT_CONFLICT (the pilot has this
 * file), MEENT_INVALID (over the pilot's cap), ATTACHMENT_NOT_STORED (the
 * file could not be written; logged) or -1 (the database). u is gone
 * after; on a refusal a file no row names is not left behind.
 */
int
attachment_store_add(struct db *db, const char *data_dir,
    struct attachment_upload *u, const struct attachment *a,
    long long pilot_max)
{
	int rc;

	if (db_batch_leave(db) == -1) {
		attachment_upload_abort(u);
		return -1;
	}
	pthread_mutex_lock(&attachment_files_lock);
	if (attachment_upload_commit(data_dir, u) == -1) {
		log_emit(LOG_ERROR, "attachment.commit", "cannot store an "
		    "upload: %s", strerror(errno));
		rc = ATTACHMENT_NOT_STORED;
	} else if ((rc = attachment_store_insert(db, a, pilot_max)) != 0)
		(void)attachment_store_unlink_locked(db, data_dir, a->hash);
	pthread_mutex_unlock(&attachment_files_lock);
	return rc;
}

/*
 * A file fetched from a peer (u ended, its hash the one announced) into
 * place, unless its row went while it came. 0 or -1 (logged by the
 * caller).
 */
int
attachment_store_keep_fetched(struct db *db, const char *data_dir,
    struct attachment_upload *u)
{
	char hash[sizeof u->hash];
	int rc;

	snprintf(hash, sizeof hash, "%s", u->hash);
	if (db_batch_leave(db) == -1) {
		attachment_upload_abort(u);
		return -1;
	}
	pthread_mutex_lock(&attachment_files_lock);
	rc = attachment_upload_commit(data_dir, u);
	if (rc == 0)
		(void)attachment_store_unlink_locked(db, data_dir, hash);
	pthread_mutex_unlock(&attachment_files_lock);
	return rc;
}

/*
 * Remove the files whose rows are gone (bijlagen_weg), up to a batch; in
 * one write transaction, so no row can go while a hash is looked at (a
 * hash still named is struck too: a later removal puts it back). Returns
 * how many hashes were looked at, or -1. Not inside a transaction.
 */
int
attachment_store_gc(struct db *db, const char *data_dir)
{
	sqlite3_stmt *st;
	json_t *hashes, *v;
	size_t i;
	int rc = -1;

	/* A file goes only once the removal of its row is on disk. */
	if (db_batch_leave(db) == -1 || durable_wait(durable_head()) != 1)
		return -1;
	hashes = json_array();
	pthread_mutex_lock(&attachment_files_lock);
	if (db_begin(db) == -1)
		goto out;
	if ((st = db_stmt(db, "SELECT hash FROM bijlagen_weg LIMIT 1000")) ==
	    NULL)
		goto fail;
	while ((rc = db_step_row(db, st, "attachment gc")) == 1)
		json_array_append_new(hashes, json_string((const char *)
		    sqlite3_column_text(st, 0)));
	sqlite3_reset(st);
	if (rc == -1)
		goto fail;
	json_array_foreach(hashes, i, v) {
		if (attachment_store_unlink_locked(db, data_dir,
		    json_string_value(v)) == -1 ||
		    (st = db_stmt(db, "DELETE FROM bijlagen_weg WHERE hash ="
		    " ?1")) == NULL)
			goto fail;
		db_bind_text(st, 1, json_string_value(v));
		if (db_step_done(db, st, "attachment gc done") == -1)
			goto fail;
	}
	if (db_commit(db) == -1)
		goto fail;
	rc = (int)json_array_size(hashes);
	goto out;
fail:
	db_rollback(db);
	rc = -1;
out:
	pthread_mutex_unlock(&attachment_files_lock);
	json_decref(hashes);
	return rc;
}

/* Remove a pilot's row of hash, or all its rows (hash NULL). */
int
attachment_store_drop(struct db *db, const char *pilot, const char *hash)
{
	sqlite3_stmt *st = db_stmt(db, hash != NULL ? "DELETE FROM"
	    " pilot_bijlagen WHERE pilot = ?1 AND hash = ?2" : "DELETE FROM"
	    " pilot_bijlagen WHERE pilot = ?1");

	if (st == NULL)
		return -1;
	db_bind_text(st, 1, pilot);
	if (hash != NULL)
		db_bind_text(st, 2, hash);
	return db_step_done(db, st, "attachment delete");
}

/*
 * Remove one attachment of a pilot and bump the pilot; the file goes too
 * when nothing else names it. 0, MEENT_NOTFOUND or -1.
 */
int
attachment_store_delete(struct db *db, const char *data_dir,
    const char *pilot, const char *hash)
{
	struct attachment a;
	int rc;

	if (db_begin(db) == -1)
		return -1;
	if ((rc = attachment_store_get(db, pilot, hash, &a)) != 0)
		goto fail;
	if (attachment_store_drop(db, pilot, hash) == -1 ||
	    attachment_store_touch(db, pilot) == -1 || db_commit(db) == -1) {
		rc = -1;
		goto fail;
	}
	cache_bump();
	(void)attachment_store_gc(db, data_dir);	/* the file, if unused */
	return 0;
fail:
	db_rollback(db);
	return rc;
}

/*
 * A federated pilot's list, as its origin sent it (checked here as
 * strictly as an upload's metadata): the rows of the pilot become these,
 * inside the caller's transaction; the pilot is not bumped (its version is
 * the origin's). The files are fetched later (fed_files.c). had: the pilot
 * was here before (a pilot just inserted has no rows to drop: they
 * reference it; the DELETE was 3 % of a federation sync's applier).
 * Returns 0, MEENT_INVALID for a bad list, or -1.
 */
int
attachment_store_replace(struct db *db, const char *pilot,
    const char *gemeente, json_t *list, long long pilot_max, bool had)
{
	struct attachment a;
	long long total = 0;
	json_t *v;
	size_t i;

	if (list != NULL && (!json_is_array(list) || json_array_size(list) >
	    ATTACHMENT_PILOT_FILES))
		return MEENT_INVALID;
	if (had && attachment_store_drop(db, pilot, NULL) == -1)
		return -1;
	json_array_foreach(list, i, v) {
		const char *hash = json_string_value(json_object_get(v, "hash"));
		const char *type = json_string_value(json_object_get(v, "type"));
		const char *naam = json_string_value(json_object_get(v, "naam"));
		json_t *size = json_object_get(v, "grootte");

		memset(&a, 0, sizeof a);
		if (hash == NULL || !attachment_hash_valid(hash) ||
		    type == NULL || !choice_valid(attachment_types, type) ||
		    naam == NULL || strlen(naam) > ATTACHMENT_NAME_MAX ||
		    attachment_name_clean(naam, a.naam) == -1 ||
		    strcmp(naam, a.naam) != 0 || !json_is_integer(size) ||
		    json_integer_value(size) <= 0 ||
		    (total += json_integer_value(size)) > pilot_max)
			return MEENT_INVALID;
		snprintf(a.pilot, sizeof a.pilot, "%s", pilot);
		snprintf(a.hash, sizeof a.hash, "%s", hash);
		snprintf(a.type, sizeof a.type, "%s", type);
		snprintf(a.gemeente, sizeof a.gemeente, "%s", gemeente);
		a.grootte = json_integer_value(size);
		a.aangemaakt = time(NULL);
		if (attachment_store_put(db, &a) == -1)
			return db_failure(db) != 0 ? -1 : MEENT_INVALID;
	}
	return 0;
}

/* Copy one file, fsynced; 0 or -1 with *err (caller frees). */
static int
attachment_store_copy_file(const char *from, const char *to, char **err)
{
	char buf[65536];
	int in, out = -1, rc = -1;
	ssize_t n;

	if ((in = open(from, O_RDONLY | O_CLOEXEC)) == -1 ||
	    (out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640)) ==
	    -1) {
		*err = xasprintf("%s: %s", in == -1 ? from : to,
		    strerror(errno));
		goto out;
	}
	while ((n = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)n) != n) {
			*err = xasprintf("%s: %s", to, strerror(errno));
			goto out;
		}
	if (n == -1 || fsync(out) == -1) {
		*err = xasprintf("%s: %s", n == -1 ? from : to,
		    strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (in != -1)
		close(in);
	if (out != -1)
		close(out);
	return rc;
}

/*
 * Copy the stored files (<from>/<xx>/<hash>) into <to>/<xx>/<hash>, for
 * meentctl backup and restore; files already there are kept (the name is
 * the content). A missing <from> is no files. Prints nothing; 0, or -1
 * with *err (caller frees). *count: files copied.
 */
int
attachment_files_copy(const char *from, const char *to, long *count,
    char **err)
{
	DIR *top, *sub;
	struct dirent *d, *f;
	int rc = 0;

	*count = 0;
	if ((top = opendir(from)) == NULL)
		return errno == ENOENT ? 0 : (*err = xasprintf("%s: %s", from,
		    strerror(errno)), -1);
	if (attachment_store_mkdir(to) == -1) {
		*err = xasprintf("%s: %s", to, strerror(errno));
		closedir(top);
		return -1;
	}
	while (rc == 0 && (d = readdir(top)) != NULL) {
		char *sfrom, *sto;

		if (strlen(d->d_name) != 2 || strcmp(d->d_name, "..") == 0)
			continue;
		sfrom = xasprintf("%s/%s", from, d->d_name);
		sto = xasprintf("%s/%s", to, d->d_name);
		if ((sub = opendir(sfrom)) == NULL ||
		    attachment_store_mkdir(sto) == -1) {
			*err = xasprintf("%s: %s", sfrom, strerror(errno));
			rc = -1;
		}
		while (rc == 0 && (f = readdir(sub)) != NULL) {
			char *a, *b;

			if (!attachment_hash_valid(f->d_name))
				continue;
			a = xasprintf("%s/%s", sfrom, f->d_name);
			b = xasprintf("%s/%s", sto, f->d_name);
			if (access(b, F_OK) != 0) {
				rc = attachment_store_copy_file(a, b, err);
				(*count)++;
			}
			free(a);
			free(b);
		}
		if (sub != NULL)
			closedir(sub);
		if (rc == 0)
			attachment_store_sync_dir(sto);
		free(sfrom);
		free(sto);
	}
	closedir(top);
	return rc;
}

/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * meentctl: the operator's tool. It works on the same data directory as a
 * running meentd (SQLite's WAL makes that safe).
 *
 *	meentctl --data DIR COMMAND [ARGS]
 *
 * Commands are rows of ctl_commands[]: a name (one or two words), the usage
 * line and a function. A usage error prints the usage and exits 2; any
 * other failure exits 1 with one line on standard error.
 */
#include "meent.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CTL_USAGE	2

struct ctl {
	const char	*data_dir;
	const char	*content_dir;
	int		 argc;
	char	       **argv;
};

struct ctl_command {
	const char	*name;
	const char	*args;
	int		(*fn)(struct ctl *);
};

static int	ctl_init(struct ctl *);
static int	ctl_gemeente_list(struct ctl *);
static int	ctl_gemeente_show(struct ctl *);
static int	ctl_export(struct ctl *);
static int	ctl_user_add(struct ctl *);
static int	ctl_user_list(struct ctl *);
static int	ctl_user_disable(struct ctl *);
static int	ctl_user_enable(struct ctl *);
static int	ctl_user_role(struct ctl *);
static int	ctl_token_create(struct ctl *);
static int	ctl_token_list(struct ctl *);
static int	ctl_token_revoke(struct ctl *);
static int	ctl_backup(struct ctl *);
static int	ctl_check(struct ctl *);
static int	ctl_reindex(struct ctl *);
static int	ctl_indicator_add(struct ctl *);
static int	ctl_import(struct ctl *);
static int	ctl_restore(struct ctl *);
static int	ctl_peer_add(struct ctl *);
static int	ctl_peer_list(struct ctl *);
static int	ctl_peer_remove(struct ctl *);
static int	ctl_peer_status(struct ctl *);
static int	ctl_mail_status(struct ctl *);
static int	ctl_mail_test(struct ctl *);
static int	ctl_user_delete(struct ctl *);
static int	ctl_notify_digest(struct ctl *);
static int	ctl_notify_dispatch(struct ctl *);

static const struct ctl_command ctl_commands[] = {
	{ "init", "[--name NAME] [--base-url URL]", ctl_init },
	{ "gemeente list", "[--provincie NAME] [--lid]", ctl_gemeente_list },
	{ "gemeente show", "GM0xxx", ctl_gemeente_show },
	{ "user add", "EMAIL --gemeente GM0xxx --role viewer|editor|admin "
	    "[--naam NAME]  (password on stdin)", ctl_user_add },
	{ "user list", "  (no password hashes)", ctl_user_list },
	{ "user disable", "ID|EMAIL  (ends its sessions)", ctl_user_disable },
	{ "user enable", "ID|EMAIL", ctl_user_enable },
	{ "user role", "ID|EMAIL viewer|editor|admin", ctl_user_role },
	{ "user delete", "EMAIL  (name and address removed everywhere)",
	    ctl_user_delete },
	{ "token create", "--gemeente GM0xxx --role viewer|editor|admin "
	    "[--name NAME] [--expires DAYS]", ctl_token_create },
	{ "token list", "", ctl_token_list },
	{ "token revoke", "ID", ctl_token_revoke },
	{ "backup", "FILE", ctl_backup },
	{ "export", "--gemeente GM0xxx DIR  (its pilots, guidelines and "
	    "published tables)", ctl_export },
	{ "restore", "FILE  (meentd stopped; the feed gets a new epoch)",
	    ctl_restore },
	{ "peer add", "URL --key BASE64 [--relay] [--interval SECONDS]",
	    ctl_peer_add },
	{ "peer list", "", ctl_peer_list },
	{ "peer remove", "URL", ctl_peer_remove },
	{ "peer status", "  (JSON)", ctl_peer_status },
	{ "mail status", "  (the outbox)", ctl_mail_status },
	{ "mail test", "ADDRESS [--unsubscribe URL]  (queue a test message)",
	    ctl_mail_test },
	{ "notify digest", "[--force] [--base-url URL]  (the weekly digest "
	    "now; --force: also for users whose week is not over)",
	    ctl_notify_digest },
	{ "notify dispatch", "[--base-url URL]  (queue the direct mails of "
	    "new events)", ctl_notify_dispatch },
	{ "check", "", ctl_check },
	{ "reindex", "", ctl_reindex },
	{ "indicator add", "FILE.json  (an indicator definition)",
	    ctl_indicator_add },
	{ "import", "--indicator ID --source TEXT [--column NAME] "
	    "[--period-column NAME] [--code-column NAME] "
	    "[--status voorlopig|definitief] FILE.csv", ctl_import },
};

static void
ctl_usage(FILE *out)
{
	fprintf(out, "usage: meentctl --data DIR [--content DIR] COMMAND\n"
	    "commands:\n");
	for (size_t i = 0; i < nitems(ctl_commands); i++)
		fprintf(out, "  %s %s\n", ctl_commands[i].name,
		    ctl_commands[i].args);
}

static int
ctl_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "meentctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

/* Open the existing database and bring its schema up to date. */
static struct db *
ctl_open(struct ctl *c)
{
	char *path = xasprintf("%s/meent.db", c->data_dir);
	char *err = NULL;
	struct db *db;

	if (access(path, F_OK) == -1) {
		ctl_fail("%s: no database; run 'meentctl --data %s init'",
		    path, c->data_dir);
		free(path);
		return NULL;
	}
	db = db_open(path, DB_MAPPED, &err);
	free(path);
	if (db == NULL || migrate_apply(db, &err) == -1) {
		ctl_fail("%s", err);
		free(err);
		db_close(db);
		return NULL;
	}
	return db;
}

/*
 * Options of a subcommand: "--name VALUE" pairs and bare flags, after the
 * positional arguments. Returns the value of --name, or NULL.
 */
static const char *
ctl_opt(struct ctl *c, const char *name)
{
	for (int i = 0; i < c->argc; i++)
		if (strcmp(c->argv[i], name) == 0)
			return i + 1 < c->argc ? c->argv[i + 1] : "";
	return NULL;
}

/* Are all options known and all values present? */
static bool
ctl_opts_valid(struct ctl *c, int npos, const char *const *valued,
    const char *const *flags)
{
	int i;

	if (c->argc < npos)
		return false;
	for (i = 0; i < npos; i++)
		if (strncmp(c->argv[i], "--", 2) == 0)
			return false;
	while (i < c->argc) {
		bool ok = false;

		for (const char *const *v = valued; v != NULL && *v != NULL; v++)
			if (strcmp(c->argv[i], *v) == 0 && i + 1 < c->argc) {
				ok = true;
				i += 2;
				break;
			}
		if (ok)
			continue;
		for (const char *const *f = flags; f != NULL && *f != NULL; f++)
			if (strcmp(c->argv[i], *f) == 0) {
				ok = true;
				i++;
				break;
			}
		if (!ok)
			return false;
	}
	return true;
}

static int
ctl_init(struct ctl *c)
{
	static const char *const valued[] = { "--name", "--base-url", NULL };
	const char *name, *base_url;
	char *path, *key, *err = NULL;
	struct db *db;
	long n;
	int rc = 1;

	if (!ctl_opts_valid(c, 0, valued, NULL))
		return CTL_USAGE;
	name = ctl_opt(c, "--name");
	base_url = ctl_opt(c, "--base-url");
	if (mkdir(c->data_dir, 0700) == -1 && errno != EEXIST)
		return ctl_fail("%s: %s", c->data_dir, strerror(errno));
	path = xasprintf("%s/meent.db", c->data_dir);
	key = xasprintf("%s/instance.key", c->data_dir);
	if (access(path, F_OK) == 0 || access(key, F_OK) == 0) {
		ctl_fail("%s holds an instance already; init refuses to "
		    "overwrite it", c->data_dir);
		goto out;
	}
	db = db_open(path, DB_CREATE | DB_MAPPED, &err);
	if (db == NULL || migrate_apply(db, &err) == -1 ||
	    instance_create(db, c->data_dir, name != NULL ? name : "meent",
	    base_url != NULL ? base_url : "http://127.0.0.1:8080",
	    &err) == -1 ||
	    (n = refdata_load_gemeenten(db, c->content_dir, &err)) < 0) {
		ctl_fail("%s", err);
		free(err);
		db_close(db);
		/* Leave nothing half-made behind. */
		unlink(key);
		unlink(path);
		goto out;
	}
	db_close(db);
	printf("initialised %s: %ld municipalities\n", c->data_dir, n);
	rc = 0;
out:
	free(path);
	free(key);
	return rc;
}

static int
ctl_gemeente_list(struct ctl *c)
{
	static const char *const valued[] = { "--provincie", NULL };
	static const char *const flags[] = { "--lid", NULL };
	struct municipality_filter f = { .lid = -1 };
	struct db *db;
	json_t *items, *g;
	long total;
	size_t i;

	if (!ctl_opts_valid(c, 0, valued, flags))
		return CTL_USAGE;
	f.provincie = ctl_opt(c, "--provincie");
	if (ctl_opt(c, "--lid") != NULL)
		f.lid = 1;
	if ((db = ctl_open(c)) == NULL)
		return 1;
	items = municipality_list(db, &f, 1, 1000, &total);
	if (items == NULL) {
		db_close(db);
		return ctl_fail("cannot read the municipalities");
	}
	json_array_foreach(items, i, g)
		printf("%s  %-32s %-14s %8lld  klasse %lld%s\n",
		    json_string_value(json_object_get(g, "code")),
		    json_string_value(json_object_get(g, "naam")),
		    json_string_value(json_object_get(g, "provincie")),
		    json_integer_value(json_object_get(g, "inwoners")),
		    json_integer_value(json_object_get(g, "grootteklasse")),
		    json_is_true(json_object_get(g, "lid")) ? "  lid" : "");
	json_decref(items);
	db_close(db);
	return 0;
}

static int
ctl_gemeente_show(struct ctl *c)
{
	struct db *db;
	json_t *g;
	int rc;

	if (!ctl_opts_valid(c, 1, NULL, NULL) || c->argc != 1)
		return CTL_USAGE;
	if (!municipality_code_valid(c->argv[0]))
		return ctl_fail("'%s' is not a GM code (GM and four digits)",
		    c->argv[0]);
	if ((db = ctl_open(c)) == NULL)
		return 1;
	rc = municipality_get(db, c->argv[0], &g);
	db_close(db);
	if (rc != MEENT_OK)
		return ctl_fail("%s: %s", c->argv[0], rc == MEENT_ERR ?
		    "cannot read" : "no such municipality");
	json_dumpf(g, stdout, JSON_INDENT(2));
	putchar('\n');
	json_decref(g);
	return 0;
}

/* A line from standard input without its newline; caller frees. */
static char *
ctl_read_password(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, stdin);

	if (n <= 0) {
		free(line);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

static int
ctl_user_add(struct ctl *c)
{
	static const char *const valued[] = { "--gemeente", "--role",
	    "--naam", NULL };
	const char *gemeente, *role;
	char *pw, *err = NULL;
	struct db *db;
	long id;

	if (!ctl_opts_valid(c, 1, valued, NULL))
		return CTL_USAGE;
	gemeente = ctl_opt(c, "--gemeente");
	role = ctl_opt(c, "--role");
	if (gemeente == NULL || role == NULL || role_parse(role) == ROLE_NONE)
		return CTL_USAGE;
	pw = ctl_read_password();
	if (pw == NULL)
		return ctl_fail("no password on standard input");
	if ((db = ctl_open(c)) == NULL) {
		sodium_memzero(pw, strlen(pw));
		free(pw);
		return 1;
	}
	id = user_add(db, c->argv[0], ctl_opt(c, "--naam"), gemeente,
	    role_parse(role), pw, strlen(pw), &err);
	sodium_memzero(pw, strlen(pw));
	free(pw);
	db_close(db);
	if (id < 0) {
		ctl_fail("%s", err);
		free(err);
		return 1;
	}
	printf("user %ld added\n", id);
	return 0;
}

static int
ctl_user_list(struct ctl *c)
{
	struct db *db;
	int rc;

	if (c->argc != 0)
		return CTL_USAGE;
	if ((db = ctl_open(c)) == NULL)
		return 1;
	rc = user_store_print_list(db, stdout);
	db_close(db);
	return rc == 0 ? 0 : ctl_fail("cannot list the users");
}

/*
 * The user named by an id or an address into *u. Returns 0, or 1 after
 * saying why.
 */
static int
ctl_user_find(struct db *db, const char *which, struct user_row *u)
{
	int rc = user_store_find(db, which, u);

	if (rc == MEENT_NOTFOUND)
		return ctl_fail("no user %s", which);
	if (rc != MEENT_OK)
		return ctl_fail("cannot read the users");
	return 0;
}

/* Disable or enable a user (the operator: no last-admin rule). */
static int
ctl_user_set_disabled(struct ctl *c, bool disabled)
{
	struct user_row u;
	struct db *db;
	int rc;

	if (c->argc != 1)
		return CTL_USAGE;
	if ((db = ctl_open(c)) == NULL)
		return 1;
	if ((rc = ctl_user_find(db, c->argv[0], &u)) != 0) {
		db_close(db);
		return rc;
	}
	rc = user_store_set_disabled(db, u.id, NULL, disabled);
	db_close(db);
	if (rc != MEENT_OK)
		return ctl_fail("cannot change user %ld", u.id);
	printf("user %ld %s\n", u.id, disabled ? "disabled; its sessions "
	    "ended" : "enabled");
	return 0;
}

static int
ctl_user_disable(struct ctl *c)
{
	return ctl_user_set_disabled(c, true);
}

static int
ctl_user_enable(struct ctl *c)
{
	return ctl_user_set_disabled(c, false);
}

static int
ctl_user_role(struct ctl *c)
{
	struct user_row u;
	enum role role;
	struct db *db;
	int rc;

	if (c->argc != 2 || (role = role_parse(c->argv[1])) == ROLE_NONE)
		return CTL_USAGE;
	if ((db = ctl_open(c)) == NULL)
		return 1;
	if ((rc = ctl_user_find(db, c->argv[0], &u)) != 0) {
		db_close(db);
		return rc;
	}
	rc = user_store_set_role(db, u.id, NULL, role);
	db_close(db);
	if (rc != MEENT_OK)
		return ctl_fail("cannot change user %ld", u.id);
	printf("user %ld is now %s\n", u.id, role_name(role));
	return 0;
}

static int
ctl_token_create(struct ctl *c)
{
	static const char *const valued[] = { "--gemeente", "--role",
	    "--name", "--expires", NULL };
	const char *gemeente, *role, *expires;
	char token[TOKEN_LEN + 1], *end;
	long days = 0, id;
	struct db *db;
	int rc;

	if (!ctl_opts_valid(c, 0, valued, NULL))
		return CTL_USAGE;
	gemeente = ctl_opt(c, "--gemeente");
	role = ctl_opt(c, "--role");
	expires = ctl_opt(c, "--expires");
	if (gemeente == NULL || role == NULL || role_parse(role) == ROLE_NONE)
		return CTL_USAGE;
	if (expires != NULL) {
		days = strtol(expires, &end, 10);
		if (*end != '\0' || days < 1 || days > 3650)
			return CTL_USAGE;
	}
	if ((db = ctl_open(c)) == NULL)
		return 1;
	if ((rc = municipality_exists(db, gemeente)) != 1) {
		db_close(db);
		return ctl_fail(rc == 0 ? "unknown municipality %s" :
		    "cannot read the municipalities (looking for %s)", gemeente);
	}
	if (token_create(db, gemeente, role_parse(role), ctl_opt(c, "--name"),
	    (int)days, token, &id) == -1) {
		db_close(db);
		return ctl_fail("cannot create the token");
	}
	db_close(db);
	/* The token and nothing else, so that scripts can capture it. */
	printf("%s\n", token);
	sodium_memzero(token, sizeof token);
	return 0;
}

static int
ctl_token_list(struct ctl *c)
{
	struct db *db;
	int rc;

	if (c->argc != 0)
		return CTL_USAGE;
	if ((db = ctl_open(c)) == NULL)
		return 1;
	rc = token_print_list(db, stdout);
	db_close(db);
	return rc == 0 ? 0 : ctl_fail("cannot list the tokens");
}

static int
ctl_token_revoke(struct ctl *c)
{
	struct db *db;
	char *end;
	long id;
	int rc;

	if (c->argc != 1)
		return CTL_USAGE;
	id = strtol(c->argv[0], &end, 10);
	if (*end != '\0' || id < 1)
		return CTL_USAGE;
	if ((db = ctl_open(c)) == NULL)
		return 1;
	rc = token_revoke(db, id);
	db_close(db);
	if (rc == MEENT_NOTFOUND)
		return ctl_fail("no active token %ld", id);
	if (rc != 0)
		return ctl_fail("cannot revoke token %ld", id);
	printf("token %ld revoked\n", id);
	return 0;
}

/*
 * The attachments' files (<data>/bijlagen) travel beside a backup FILE, in
 * the directory FILE.bijlagen: out (backup) or back (restore). Files are
 * named by their content, so copying adds and never overwrites. 0 or -1.
 */
static int
ctl_attachments_copy(const char *data_dir, const char *file, bool out)
{
	char *store = xasprintf("%s/bijlagen", data_dir);
	char *beside = xasprintf("%s.bijlagen", file);
	char *err = NULL;
	long n;
	int rc;

	rc = attachment_files_copy(out ? store : beside, out ? beside : store,
	    &n, &err);
	if (rc == -1)
		ctl_fail("attachments: %s", err);
	else
		printf("%ld attachment file(s) copied %s %s\n", n, out ?
		    "to" : "from", beside);
	free(err);
	free(store);
	free(beside);
	return rc;
}

/* export_gemeente()'s put: a file under the folder arg, made as needed. */
static int
ctl_export_put(void *arg, const char *path, const char *bytes, size_t len)
{
	char *full = xasprintf("%s/%s", (const char *)arg, path), *slash;
	FILE *f;
	int rc = -1;

	for (slash = strchr(full + strlen(arg) + 1, '/'); slash != NULL;
	    slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(full, 0755) == -1 && errno != EEXIST)
			goto out;
		*slash = '/';
	}
	if ((f = fopen(full, "wx")) == NULL)
		goto out;
	rc = fwrite(bytes, 1, len, f) == len ? 0 : -1;
	if (fclose(f) != 0)
		rc = -1;
out:
	if (rc == -1)
		fprintf(stderr, "meentctl: %s: %s\n", full, strerror(errno));
	free(full);
	return rc;
}

/*
 * export --gemeente GM0xxx DIR: everything the municipality made here, as
 * files (export_gemeente.c) in DIR, which must not exist yet.
 */
static int
ctl_export(struct ctl *c)
{
	const char *gemeente = NULL, *dir = NULL;
	struct db *db;
	int rc;

	for (int i = 0; i < c->argc; i++) {
		if (strcmp(c->argv[i], "--gemeente") == 0 && i + 1 < c->argc)
			gemeente = c->argv[++i];
		else if (strncmp(c->argv[i], "--", 2) != 0 && dir == NULL)
			dir = c->argv[i];
		else
			return CTL_USAGE;
	}
	if (gemeente == NULL || dir == NULL)
		return CTL_USAGE;
	if (!municipality_code_valid(gemeente)) {
		ctl_fail("'%s' is not a GM code (GM and four digits)",
		    gemeente);
		return CTL_USAGE;
	}
	if (mkdir(dir, 0755) == -1)
		return ctl_fail("%s: %s (export writes into a new folder)",
		    dir, strerror(errno));
	if ((db = ctl_open(c)) == NULL)
		return 1;
	rc = export_gemeente(db, gemeente, ctl_export_put, (void *)dir);
	db_close(db);
	if (rc == MEENT_NOTFOUND) {
		rmdir(dir);
		ctl_fail("%s: no such municipality", gemeente);
		return CTL_USAGE;
	}
	if (rc != 0)
		return ctl_fail("export to %s failed (what is there is "
		    "incomplete)", dir);
	printf("exported %s to %s (see %s/manifest.json)\n", gemeente, dir,
	    dir);
	return 0;
}

static int
ctl_backup(struct ctl *c)
{
	struct db *db;
	sqlite3 *dst = NULL;
	sqlite3_backup *bk;
	int rc;

	if (c->argc != 1)
		return CTL_USAGE;
	if (access(c->argv[0], F_OK) == 0)
		return ctl_fail("%s exists; backup will not overwrite it",
		    c->argv[0]);
	if ((db = ctl_open(c)) == NULL)
		return 1;
	if (sqlite3_open_v2(c->argv[0], &dst, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		rc = ctl_fail("%s: %s", c->argv[0], sqlite3_errmsg(dst));
		goto out;
	}
	bk = sqlite3_backup_init(dst, "main", db_handle(db), "main");
	if (bk == NULL) {
		rc = ctl_fail("backup: %s", sqlite3_errmsg(dst));
		goto out;
	}
	/* Copy in steps, so a running meentd's writers are not held up. */
	do {
		rc = sqlite3_backup_step(bk, 256);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(25);
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	sqlite3_backup_finish(bk);
	if (rc != SQLITE_DONE) {
		rc = ctl_fail("backup: %s", sqlite3_errstr(rc));
		unlink(c->argv[0]);
		goto out;
	}
	if (ctl_attachments_copy(c->data_dir, c->argv[0], true) == -1) {
		unlink(c->argv[0]);
		rc = 1;
		goto out;
	}
	printf("backup written to %s (the instance key stays in %s/"
	    "instance.key; keep a copy of it apart)\n", c->argv[0],
	    c->data_dir);
	rc = 0;
out:
	sqlite3_close(dst);
	db_close(db);
	return rc;
}

static int
ctl_check(struct ctl *c)
{
	struct instance in;
	struct db *db;
	sqlite3_stmt *st;
	char *err = NULL;
	int problems = 0, rc;

	if (c->argc != 0)
		return CTL_USAGE;
	if ((db = ctl_open(c)) == NULL)
		return 1;
	st = db_stmt(db, "PRAGMA integrity_check");
	rc = -1;
	while (st != NULL && (rc = db_step_row(db, st, "integrity_check")) ==
	    1) {
		const char *msg = (const char *)sqlite3_column_text(st, 0);

		if (strcmp(msg, "ok") != 0) {
			printf("integrity: %s\n", msg);
			problems++;
		}
	}
	if (rc == -1) {
		printf("integrity: the check could not be run\n");
		problems++;
	}
	st = db_stmt(db, "PRAGMA foreign_key_check");
	rc = -1;
	while (st != NULL && (rc = db_step_row(db, st, "foreign_key_check")) ==
	    1) {
		printf("foreign key: %s row %lld\n", sqlite3_column_text(st, 0),
		    sqlite3_column_int64(st, 1));
		problems++;
	}
	if (rc == -1) {
		printf("foreign key: the check could not be run\n");
		problems++;
	}
	/* The search index against the pilots it indexes (rank 1: content). */
	if (db_exec(db, "INSERT INTO pilots_fts(pilots_fts, rank)"
	    " VALUES ('integrity-check', 1)") == -1) {
		printf("search index: does not match the pilots; run reindex\n");
		problems++;
	}
	if (search_check(db) != 0) {
		printf("search index: does not match the guidelines, indicators "
		    "or municipalities; run reindex\n");
		problems++;
	}
	if (instance_load(db, c->data_dir, &in, &err) == -1) {
		printf("instance: %s\n", err);
		free(err);
		problems++;
	} else
		instance_free(&in);
	db_close(db);
	if (problems > 0)
		return ctl_fail("%d problem(s) found", problems);
	printf("ok\n");
	return 0;
}

/* Rebuild the search index from the stored text (after a restore, an
 * import, or a change of the tokenizer). */
static int
ctl_reindex(struct ctl *c)
{
	struct db *db;
	int rc;

	if (c->argc != 0)
		return CTL_USAGE;
	if ((db = ctl_open(c)) == NULL)
		return 1;
	rc = db_begin(db) == 0 && db_exec(db, "INSERT INTO pilots_fts(pilots_fts)"
	    " VALUES('rebuild')") == 0 && search_reindex(db) == 0 &&
	    db_commit(db) == 0 ? 0 : -1;
	if (rc == -1)
		db_rollback(db);
	db_close(db);
	if (rc == -1)
		return ctl_fail("cannot rebuild the search index");
	printf("search index rebuilt\n");
	return 0;
}

static void
ctl_indicator_bad(void *arg, const char *field, const char *why)
{
	(void)arg;
	fprintf(stderr, "meentctl: %s: %s\n", field, why);
}

static int
ctl_indicator_add(struct ctl *c)
{
	struct indicator ind;
	json_error_t jerr;
	json_t *def;
	struct db *db;
	int rc;

	if (c->argc != 1)
		return CTL_USAGE;
	if ((def = json_load_file(c->argv[0], JSON_REJECT_DUPLICATES,
	    &jerr)) == NULL)
		return ctl_fail("%s: line %d: %s", c->argv[0], jerr.line,
		    jerr.text);
	if (indicator_from_json(def, &ind, ctl_indicator_bad, NULL) == -1) {
		json_decref(def);
		return ctl_fail("%s: not a valid indicator", c->argv[0]);
	}
	if ((db = ctl_open(c)) == NULL) {
		json_decref(def);
		return 1;
	}
	rc = indicator_put(db, &ind);
	if (rc == 0)
		printf("indicator %s stored\n", ind.id);
	json_decref(def);
	db_close(db);
	return rc == 0 ? 0 : ctl_fail("cannot store the indicator");
}

/*
 * The arguments of import: options in any order and one file. Returns the
 * file, or NULL on a usage error.
 */
static const char *
ctl_import_args(struct ctl *c, struct indicator_import *imp)
{
	static const char *const names[] = { "--indicator", "--source",
	    "--column", "--period-column", "--code-column", "--status" };
	const char **slots[] = { &imp->indicator, &imp->source,
	    &imp->value_column, &imp->period_column, &imp->code_column,
	    &imp->status };
	const char *file = NULL;

	for (int i = 0; i < c->argc; i++) {
		size_t k;

		for (k = 0; k < nitems(names); k++)
			if (strcmp(c->argv[i], names[k]) == 0)
				break;
		if (k < nitems(names)) {
			if (i + 1 == c->argc)
				return NULL;
			*slots[k] = c->argv[++i];
		} else if (strncmp(c->argv[i], "--", 2) == 0 || file != NULL)
			return NULL;
		else
			file = c->argv[i];
	}
	if (imp->indicator == NULL || imp->source == NULL)
		return NULL;
	if (!indicator_status_valid(imp->status))
		return NULL;
	return file;
}

static int
ctl_import(struct ctl *c)
{
	struct indicator_import imp;
	struct indicator_import_report rep;
	const char *file;
	struct db *db;
	char *err = NULL;
	int rc;

	indicator_import_defaults(&imp);
	if ((file = ctl_import_args(c, &imp)) == NULL)
		return CTL_USAGE;
	if (strlen(imp.source) == 0 || strlen(imp.source) > 500)
		return ctl_fail("--source: 1 to 500 characters");
	if ((db = ctl_open(c)) == NULL)
		return 1;
	rc = indicator_import_file(db, &imp, file, &rep, &err);
	db_close(db);
	if (rc == -1) {
		rc = ctl_fail("%s (nothing was imported)", err);
		free(err);
		return rc;
	}
	printf("%s: %ld rows, %ld values imported in %ld period(s), %ld "
	    "missing, %ld for codes that are no municipality today (kept "
	    "apart, not compared)\n",
	    imp.indicator, rep.rows, rep.imported, rep.periods, rep.missing,
	    rep.unknown);
	return 0;
}

/*
 * Put a backup back in place of the database (meentd must be stopped).
 * The instance key must match it. The epoch changes, so that subscribers
 * read this instance's feed again from the start instead of trusting a
 * cursor into a history that is gone.
 */
/* One value of a statement on src, as text into out; -1 if none. */
static int
ctl_restore_value(sqlite3 *src, const char *sql, char *out, size_t len)
{
	sqlite3_stmt *st;
	int rc = -1;

	if (sqlite3_prepare_v2(src, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
		snprintf(out, len, "%s", sqlite3_column_text(st, 0));
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

/*
 * Is src (the file named file) a whole backup of this instance, of a
 * schema this meent reads? Checked before anything is overwritten: a
 * damaged file, another program's database and another instance's backup
 * are refused. 0, or 1 after saying why.
 */
static int
ctl_restore_check(sqlite3 *src, const char *file, const char *data_dir)
{
	unsigned char sk[crypto_sign_SECRETKEYBYTES], pk[32], theirs[32];
	char text[256], *keypath;
	sqlite3_stmt *st;
	long version;
	int fd, same;

	if (ctl_restore_value(src, "PRAGMA integrity_check", text,
	    sizeof text) == -1)
		return ctl_fail("%s: not a database (%s)", file,
		    sqlite3_errmsg(src));
	if (strcmp(text, "ok") != 0)
		return ctl_fail("%s is damaged (integrity_check: %s); nothing "
		    "was restored", file, text);
	version = ctl_restore_value(src, "PRAGMA user_version", text,
	    sizeof text) == 0 ? strtol(text, NULL, 10) : 0;
	if (version < 1 || sqlite3_prepare_v2(src, "SELECT public_key FROM"
	    " instance WHERE id = 1", -1, &st, NULL) != SQLITE_OK)
		return ctl_fail("%s is not a meent backup", file);
	same = sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_bytes(st, 0) == (int)sizeof theirs;
	if (same)
		memcpy(theirs, sqlite3_column_blob(st, 0), sizeof theirs);
	sqlite3_finalize(st);
	if (!same)
		return ctl_fail("%s is not a meent backup (no instance)", file);
	if (version > migrate_latest())
		return ctl_fail("%s is from a newer meent (schema %ld, this "
		    "one reads up to %d)", file, version, migrate_latest());
	keypath = xasprintf("%s/instance.key", data_dir);
	fd = open(keypath, O_RDONLY | O_CLOEXEC);
	same = fd != -1 && read(fd, sk, sizeof sk) == (ssize_t)sizeof sk;
	if (fd != -1)
		close(fd);
	if (same) {
		crypto_sign_ed25519_sk_to_pk(pk, sk);
		same = sodium_memcmp(pk, theirs, sizeof pk) == 0;
	}
	sodium_memzero(sk, sizeof sk);
	if (!same) {
		ctl_fail("%s is a backup of another instance: its key is not "
		    "%s (put that instance's key there first)", file, keypath);
		free(keypath);
		return 1;
	}
	free(keypath);
	return 0;
}

static int
ctl_restore(struct ctl *c)
{
	struct db *db = NULL;
	sqlite3 *src = NULL;
	sqlite3_backup *bk;
	struct instance in;
	sqlite3_stmt *st;
	char epoch[37], *err = NULL;
	int rc, lock_fd = -1;

	if (c->argc != 1)
		return CTL_USAGE;
	if ((lock_fd = datadir_lock(c->data_dir, &err)) == -1) {
		rc = ctl_fail("%s; nothing was restored", err);
		free(err);
		return rc;
	}
	if (access(c->argv[0], R_OK) == -1) {
		rc = ctl_fail("%s: %s", c->argv[0], strerror(errno));
		goto out;
	}
	if (sqlite3_open_v2(c->argv[0], &src, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		rc = ctl_fail("%s: %s", c->argv[0], sqlite3_errmsg(src));
		goto out;
	}
	if ((rc = ctl_restore_check(src, c->argv[0], c->data_dir)) != 0)
		goto out;
	if ((db = ctl_open(c)) == NULL) {
		rc = 1;
		goto out;
	}
	bk = sqlite3_backup_init(db_handle(db), "main", src, "main");
	if (bk == NULL) {
		rc = ctl_fail("restore: %s", sqlite3_errmsg(db_handle(db)));
		goto out;
	}
	rc = sqlite3_backup_step(bk, -1);
	sqlite3_backup_finish(bk);
	if (rc != SQLITE_DONE) {
		rc = ctl_fail("restore: %s", sqlite3_errstr(rc));
		goto out;
	}
	if (migrate_apply(db, &err) == -1 ||
	    instance_load(db, c->data_dir, &in, &err) == -1) {
		rc = ctl_fail("restored, but: %s", err);
		free(err);
		goto out;
	}
	instance_free(&in);
	instance_uuid(epoch);
	st = db_stmt(db, "UPDATE instance SET epoch = ?1 WHERE id = 1");
	db_bind_text(st, 1, epoch);
	if (db_step_done(db, st, "restore epoch") == -1) {
		rc = ctl_fail("restored, but the epoch could not be changed");
		goto out;
	}
	if (ctl_attachments_copy(c->data_dir, c->argv[0], false) == -1) {
		rc = 1;
		goto out;
	}
	printf("restored from %s; new epoch %s\n", c->argv[0], epoch);
	rc = 0;
out:
	db_close(db);
	sqlite3_close(src);
	close(lock_fd);
	return rc;
}

/*
 * Pin a peer. Its URL is checked and stored in one spelling (see
 * fed_peer_url_normalise), which is the one printed.
 */
static int
ctl_peer_add(struct ctl *c)
{
	static const char *const valued[] = { "--key", "--interval", NULL };
	static const char *const flags[] = { "--relay", NULL };
	const char *b64, *iv, *why;
	unsigned char key[32];
	long interval = 60;
	char *end, *url = NULL, *err = NULL;
	struct db *db;
	int rc;

	if (!ctl_opts_valid(c, 1, valued, flags) ||
	    (b64 = ctl_opt(c, "--key")) == NULL)
		return CTL_USAGE;
	if ((url = fed_peer_url_normalise(c->argv[0], &why)) == NULL)
		return ctl_fail("%s: %s", c->argv[0], why);
	if (!fed_sign_base64_decode(b64, key, sizeof key)) {
		rc = ctl_fail("--key: the peer's publicKey from its "
		    "/.well-known/meent (base64 of 32 bytes)");
		goto out;
	}
	if ((iv = ctl_opt(c, "--interval")) != NULL) {
		interval = strtol(iv, &end, 10);
		if (*iv == '\0' || *end != '\0' || interval < 1 ||
		    interval > 86400) {
			rc = ctl_fail("--interval: 1 to 86400 seconds");
			goto out;
		}
	}
	if ((db = ctl_open(c)) == NULL) {
		rc = 1;
		goto out;
	}
	rc = fed_peer_add(db, c->argv[0], key, ctl_opt(c, "--relay") != NULL,
	    (int)interval, &err);
	db_close(db);
	if (rc == -1) {
		rc = ctl_fail("%s", err);
		goto out;
	}
	printf("peer %s added; meentd pulls it within a second\n", url);
	rc = 0;
out:
	free(err);
	free(url);
	return rc;
}

static int
ctl_peer_list(struct ctl *c)
{
	struct db *db;
	json_t *list, *p;
	size_t i;

	if (c->argc != 0)
		return CTL_USAGE;
	if ((db = ctl_open(c)) == NULL)
		return 1;
	list = fed_peer_status(db);
	db_close(db);
	if (list == NULL)
		return ctl_fail("cannot read the peers");
	json_array_foreach(list, i, p)
		printf("%s\t%s\tevery %llds\tcursor %lld\t%s\n",
		    json_string_value(json_object_get(p, "url")),
		    json_is_true(json_object_get(p, "relay")) ? "relay" : "-",
		    (long long)json_integer_value(json_object_get(p,
		    "interval")), (long long)json_integer_value(
		    json_object_get(p, "cursor")),
		    json_is_string(json_object_get(p, "lastError")) ?
		    json_string_value(json_object_get(p, "lastError")) : "ok");
	json_decref(list);
	return 0;
}

static int
ctl_peer_remove(struct ctl *c)
{
	struct db *db;
	int rc;

	if (c->argc != 1)
		return CTL_USAGE;
	if ((db = ctl_open(c)) == NULL)
		return 1;
	rc = fed_peer_remove(db, c->argv[0]);
	db_close(db);
	if (rc == MEENT_NOTFOUND)
		return ctl_fail("%s is no peer", c->argv[0]);
	if (rc != 0)
		return ctl_fail("cannot remove %s", c->argv[0]);
	printf("peer %s removed (what came from it stays)\n", c->argv[0]);
	return 0;
}

static int
ctl_peer_status(struct ctl *c)
{
	struct db *db;
	json_t *list;

	if (c->argc != 0)
		return CTL_USAGE;
	if ((db = ctl_open(c)) == NULL)
		return 1;
	list = fed_peer_status(db);
	db_close(db);
	if (list == NULL)
		return ctl_fail("cannot read the peers");
	json_dumpf(list, stdout, JSON_INDENT(2));
	putchar('\n');
	json_decref(list);
	return 0;
}

/* The outbox: counts by state, the oldest waiting message, the last error. */
static int
ctl_mail_status(struct ctl *c)
{
	struct db *db;
	json_t *st, *counts, *oldest, *last;
	char when[32] = "-";

	if (c->argc != 0)
		return CTL_USAGE;
	if ((db = ctl_open(c)) == NULL)
		return 1;
	st = mail_status(db);
	db_close(db);
	if (st == NULL)
		return ctl_fail("cannot read the outbox");
	counts = json_object_get(st, "counts");
	oldest = json_object_get(st, "oldestQueued");
	last = json_object_get(st, "lastError");
	if (json_is_integer(oldest)) {
		time_t t = (time_t)json_integer_value(oldest);
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	printf("queued %lld\nsending %lld\nsent %lld\nfailed %lld\n"
	    "oldest queued %s\n",
	    (long long)json_integer_value(json_object_get(counts, "queued")),
	    (long long)json_integer_value(json_object_get(counts, "sending")),
	    (long long)json_integer_value(json_object_get(counts, "sent")),
	    (long long)json_integer_value(json_object_get(counts, "failed")),
	    when);
	if (json_is_object(last))
		printf("last error message %lld: %s\n", (long long)
		    json_integer_value(json_object_get(last, "id")),
		    json_string_value(json_object_get(last, "error")));
	else
		printf("last error -\n");
	json_decref(st);
	return 0;
}

/* Queue a test message; a running meentd sends it within a second. */
static int
ctl_mail_test(struct ctl *c)
{
	struct instance in;
	struct db *db;
	const char *unsubscribe = NULL;
	char *err = NULL;
	long id;

	if (c->argc == 3 && strcmp(c->argv[1], "--unsubscribe") == 0)
		unsubscribe = c->argv[2];
	else if (c->argc != 1)
		return CTL_USAGE;
	if (!mail_address_valid(c->argv[0]))
		return ctl_fail("not an e-mail address (one line, "
		    "local@domain, at most %d bytes)", MAIL_ADDRESS_MAX);
	if ((db = ctl_open(c)) == NULL)
		return 1;
	if (instance_load(db, c->data_dir, &in, &err) == -1) {
		db_close(db);
		ctl_fail("%s", err);
		free(err);
		return 1;
	}
	id = mail_enqueue_test(db, c->argv[0], in.name, unsubscribe);
	instance_free(&in);
	db_close(db);
	if (id == MEENT_INVALID)
		return ctl_fail("--unsubscribe: not an http(s) URL");
	if (id <= 0)
		return ctl_fail("cannot queue the message");
	printf("message %ld queued\n", id);
	return 0;
}

static int
ctl_user_delete(struct ctl *c)
{
	struct db *db;
	long id;
	int rc;

	if (c->argc != 1)
		return CTL_USAGE;
	if ((db = ctl_open(c)) == NULL)
		return 1;
	rc = user_find(db, c->argv[0], &id);
	if (rc == 0)
		rc = user_delete(db, id);
	db_close(db);
	if (rc == MEENT_NOTFOUND)
		return ctl_fail("no user with that address");
	if (rc != 0)
		return ctl_fail("cannot delete the user");
	printf("user %ld deleted\n", id);
	return 0;
}

/*
 * The notifier's work, once, from here (meentd does it on its own): fn
 * gets the site (--base-url, as meentd's base_url, or else the instance's
 * base URL; the instance's name).
 */
static int
ctl_notify_run(struct ctl *c, int (*fn)(struct db *,
    const struct notify_site *, struct ctl *))
{
	struct notify_site site;
	struct instance in;
	struct db *db;
	char *err = NULL, *origin;
	int rc;

	if ((db = ctl_open(c)) == NULL)
		return 1;
	if (instance_load(db, c->data_dir, &in, &err) == -1) {
		db_close(db);
		ctl_fail("%s", err);
		free(err);
		return 1;
	}
	if ((origin = http_origin(ctl_opt(c, "--base-url") != NULL ?
	    ctl_opt(c, "--base-url") : in.base_url)) == NULL) {
		instance_free(&in);
		db_close(db);
		return ctl_fail("the instance's base URL is not http(s)");
	}
	site.origin = origin;
	site.name = in.name;
	rc = fn(db, &site, c);
	free(origin);
	instance_free(&in);
	db_close(db);
	return rc;
}

static int
ctl_notify_digest_fn(struct db *db, const struct notify_site *site,
    struct ctl *c)
{
	long sent;

	if (notify_digest(db, site, time(NULL), ctl_opt(c, "--force") !=
	    NULL, &sent) == -1)
		return ctl_fail("the digest failed");
	printf("%ld digest(s) queued\n", sent);
	return 0;
}

static int
ctl_notify_digest(struct ctl *c)
{
	static const char *const valued[] = { "--base-url", NULL };
	static const char *const flags[] = { "--force", NULL };

	if (!ctl_opts_valid(c, 0, valued, flags))
		return CTL_USAGE;
	return ctl_notify_run(c, ctl_notify_digest_fn);
}

static int
ctl_notify_dispatch_fn(struct db *db, const struct notify_site *site,
    struct ctl *c)
{
	int n;

	(void)c;
	if ((n = notify_dispatch(db, site)) == -1)
		return ctl_fail("dispatching failed");
	printf("%d event(s) dispatched\n", n);
	return 0;
}

static int
ctl_notify_dispatch(struct ctl *c)
{
	static const char *const valued[] = { "--base-url", NULL };

	if (!ctl_opts_valid(c, 0, valued, NULL))
		return CTL_USAGE;
	return ctl_notify_run(c, ctl_notify_dispatch_fn);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "content", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl c = { .content_dir = MEENT_CONTENT_DIR };
	int ch, rc;

	db_init();	/* before SQLite's first use */
	if (sodium_init() == -1)
		fatal("libsodium cannot start");
	/* Stop at the command: what follows is the command's. */
	while ((ch = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd': c.data_dir = optarg; break;
		case 'C': c.content_dir = optarg; break;
		case 'h': ctl_usage(stdout); return 0;
		default: ctl_usage(stderr); return CTL_USAGE;
		}
	}
	if (c.data_dir == NULL || optind >= argc) {
		ctl_usage(stderr);
		return CTL_USAGE;
	}
	log_init(NULL, LOG_WARN);
	for (size_t i = 0; i < nitems(ctl_commands); i++) {
		const char *name = ctl_commands[i].name;
		const char *space = strchr(name, ' ');
		int words = space != NULL ? 2 : 1;

		if (space != NULL ? (optind + 1 < argc &&
		    strncmp(argv[optind], name, (size_t)(space - name)) == 0 &&
		    argv[optind][space - name] == '\0' &&
		    strcmp(argv[optind + 1], space + 1) == 0) :
		    strcmp(argv[optind], name) == 0) {
			c.argc = argc - optind - words;
			c.argv = argv + optind + words;
			rc = ctl_commands[i].fn(&c);
			if (rc == CTL_USAGE) {
				fprintf(stderr, "usage: meentctl --data DIR "
				    "%s %s\n", name, ctl_commands[i].args);
			}
			return rc;
		}
	}
	ctl_usage(stderr);
	return CTL_USAGE;
}

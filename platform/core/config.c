/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * The configuration: meentd.conf(5) and the command line that overrides it.
 *
 * The file is "key = value" lines; blank lines are ignored; a key of kind
 * CONFIG_LIST may repeat (each line adds one value). '#' starts a comment
 * only at the start of a line or after a space or tab, so a value may hold
 * '#' (a webhook secret, a URL's fragment) as long as no blank precedes it.
 * Every key is one row of config_keys[] below, with its bounds, so the file,
 * the command line and the man page describe the same set. A bad line is an
 * error naming the file, the line and the reason; meentd does not start on
 * one (and a SIGHUP reload that meets one keeps the running configuration).
 *
 * A key marked live takes effect on SIGHUP (the workers switch to the new
 * configuration between requests); config_restart_keys() names the others
 * that changed, which take effect at the next start.
 */
#include "core/core.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * CONFIG_SECRET: a path to a file only meentd may read, checked when the
 * key is set (so that a missing or unreadable one is refused with its line).
 * CONFIG_ENUM: one of the key's names (an int, its index).
 */
enum config_kind { CONFIG_STR, CONFIG_INT, CONFIG_SIZE, CONFIG_BOOL,
    CONFIG_LEVEL, CONFIG_LIST, CONFIG_NETS, CONFIG_SECRET, CONFIG_ENUM };

#define LIVE	true, NULL	/* SIGHUP applies it */
#define START	false, NULL	/* read at start only */

struct config_key {
	const char *name;
	enum config_kind kind;
	size_t offset;
	long long min, max;
	const char *help;
	bool live;
	const char *const *names;	/* CONFIG_ENUM */
};

static const char *const config_proxy_headers[] = { "x-forwarded-for",
    "forwarded", NULL };
static const char *const config_log_formats[] = { "json", "text", NULL };

#define OFF(f) offsetof(struct config, f)
static const struct config_key config_keys[] = {
	{ "data", CONFIG_STR, OFF(data_dir), 0, 0,
	    "data directory (meent.db, instance.key)", START },
	{ "listen", CONFIG_STR, OFF(listen), 0, 0,
	    "address and port to listen on, ADDR:PORT", START },
	{ "threads", CONFIG_INT, OFF(threads), 0, 256,
	    "worker threads; 0 is the number of cores", START },
	{ "seed", CONFIG_STR, OFF(seed_dir), 0, 0,
	    "seed content loaded into an empty database", START },
	{ "content", CONFIG_STR, OFF(content_dir), 0, 0,
	    "shipped content (reference data)", START },
	{ "base_url", CONFIG_STR, OFF(base_url), 0, 0,
	    "the instance's public URL", START },
	{ "log_file", CONFIG_STR, OFF(log_file), 0, 0,
	    "log to this file instead of standard error", LIVE },
	{ "log_level", CONFIG_LEVEL, OFF(log_level), 0, 0,
	    "debug, info, warn or error", LIVE },
	{ "access_log", CONFIG_BOOL, OFF(access_log), 0, 1,
	    "one log line per request", LIVE },
	{ "access_log_client", CONFIG_BOOL, OFF(access_log_client), 0, 1,
	    "the client's address in each request's line (personal data)",
	    LIVE },
	{ "max_connections", CONFIG_INT, OFF(max_connections), 1, 65536,
	    "open connections; past it, 503", LIVE },
	{ "max_header_bytes", CONFIG_SIZE, OFF(max_header_bytes), 1024,
	    65536, "request line and headers; past it, 431", LIVE },
	{ "max_body_bytes", CONFIG_SIZE, OFF(max_body_bytes), 1024,
	    64 << 20, "the largest request body any route takes; past it, 413",
	    LIVE },
	{ "attachment_max_bytes", CONFIG_SIZE, OFF(attachment_max_bytes), 1024,
	    ATTACHMENT_MAX_BYTES, "one attachment of a pilot; past it, 413",
	    LIVE },
	{ "attachment_pilot_max_bytes", CONFIG_SIZE,
	    OFF(attachment_pilot_max_bytes), 1024, 1024 << 20,
	    "all attachments of one pilot together; past it, 413", START },
	{ "header_timeout", CONFIG_INT, OFF(header_timeout), 1, 600,
	    "seconds to receive a request's headers", LIVE },
	{ "request_timeout", CONFIG_INT, OFF(request_timeout), 1, 3600,
	    "seconds to receive a whole request", LIVE },
	{ "keepalive_timeout", CONFIG_INT, OFF(keepalive_timeout), 1, 3600,
	    "seconds an idle connection stays open", LIVE },
	{ "login_per_minute", CONFIG_INT, OFF(login_per_minute), 1, 10000,
	    "login attempts per account and per address per minute", LIVE },
	{ "trusted_proxy", CONFIG_NETS, OFF(trusted_proxy), 0, 0,
	    "reverse proxies whose forwarding headers are believed (repeat)",
	    LIVE },
	{ "proxy_header", CONFIG_ENUM, OFF(proxy_header), 0, 0,
	    "x-forwarded-for or forwarded: what trusted proxies set", true,
	    config_proxy_headers },
	{ "metrics_allow", CONFIG_NETS, OFF(metrics_allow), 0, 0,
	    "addresses that may read /metrics (repeat); none: anyone", LIVE },
	{ "log_format", CONFIG_ENUM, OFF(log_format), 0, 0,
	    "json (one object a line) or text (for people)", true,
	    config_log_formats },
	{ "session_hours", CONFIG_INT, OFF(session_hours), 1, 24 * 90,
	    "lifetime of a web session", LIVE },
	{ "domein", CONFIG_LIST, OFF(domeinen), 0, 0,
	    "a pilot domain (repeat; replaces the default list)", START },
	{ "plugin", CONFIG_LIST, OFF(plugins), 0, 0,
	    "a plugin: PATH key=value ... (repeat; loaded in order)", START },
	{ "plugin_optional", CONFIG_BOOL, OFF(plugin_optional), 0, 1,
	    "start without a plugin that fails to load", START },
	{ "login_threads", CONFIG_INT, OFF(login_threads), 1, 16,
	    "threads that check passwords (Argon2id, 64 MiB each)", START },
	{ "login_queue", CONFIG_INT, OFF(login_queue), 0, 1024,
	    "logins waiting for a thread; past it, 503", START },
	{ "upload_threads", CONFIG_INT, OFF(upload_threads), 1, 64,
	    "threads that protect uploaded datasets", START },
	{ "upload_queue", CONFIG_INT, OFF(upload_queue), 0, 1024,
	    "uploads waiting for a thread; past it, 503", START },
	{ "sdc_min_frequency", CONFIG_INT, OFF(sdc_min_frequency), 1, 1000,
	    "minimum units per published cell", START },
	{ "sdc_dominance_n", CONFIG_INT, OFF(sdc_dominance_n), 1, SDC_TOPN,
	    "(n,k)-dominance: the n largest contributions ...", START },
	{ "sdc_dominance_k", CONFIG_INT, OFF(sdc_dominance_k), 50, 100,
	    "... may not exceed k percent of a cell", START },
	{ "sdc_p_percent", CONFIG_INT, OFF(sdc_p_percent), 1, 100,
	    "p%-rule: a cell's others must hide the largest by p percent",
	    START },
	{ "sdc_coalition", CONFIG_INT, OFF(sdc_coalition), 1, SDC_TOPN - 1,
	    "... against a coalition of this many other contributors", START },
	{ "sdc_noise_count", CONFIG_INT, OFF(sdc_noise_count), 1, 10,
	    "cell-key noise on published counts: -d .. d", START },
	{ "sdc_noise_magnitude", CONFIG_INT, OFF(sdc_noise_magnitude), 1, 100,
	    "cell-key noise on amounts: percent of the largest contribution",
	    START },
	{ "sdc_protection_percent", CONFIG_INT, OFF(sdc_protection_percent),
	    1, 100, "audit: a suppressed cell's interval, percent of it",
	    START },
	{ "sdc_round_base", CONFIG_INT, OFF(sdc_round_base), 0, 100,
	    "round published counts to this base; 0 does not round", START },
	{ "search_budget_ms", CONFIG_INT, OFF(search_budget_ms), 10, 60000,
	    "milliseconds a search may run; past it, 503", LIVE },
	{ "search_budget_steps", CONFIG_INT, OFF(search_budget_steps), 0,
	    1000000000, "tests only: VM steps a search may run; 0: any", LIVE },
	{ "federation_relay", CONFIG_BOOL, OFF(federation_relay), 0, 1,
	    "serve other origins' entries onward in the changes feed", START },
	{ "federation_allow_http_loopback", CONFIG_BOOL,
	    OFF(federation_allow_http_loopback), 0, 1,
	    "tests only: peers over http on loopback addresses", START },
	{ "smtp_url", CONFIG_STR, OFF(smtp_url), 0, 0,
	    "outgoing mail: smtp://HOST[:PORT] (STARTTLS) or smtps://",
	    START },
	{ "smtp_from", CONFIG_STR, OFF(smtp_from), 0, 0,
	    "the sender address of every e-mail", START },
	{ "smtp_credentials_file", CONFIG_SECRET, OFF(smtp_credentials_file), 0,
	    0, "a file with USER:PASSWORD, readable only by meentd", START },
	{ "smtp_timeout", CONFIG_INT, OFF(smtp_timeout), 1, 600,
	    "seconds one message may take to send", START },
	{ "smtp_retry_min", CONFIG_INT, OFF(smtp_retry_min), 1, 86400,
	    "seconds before the first retry; doubled each time ...", START },
	{ "smtp_retry_max", CONFIG_INT, OFF(smtp_retry_max), 1, 7 * 86400,
	    "... up to this many seconds", START },
	{ "smtp_max_attempts", CONFIG_INT, OFF(smtp_max_attempts), 1, 1000,
	    "attempts before a message is given up (failed)", START },
	{ "smtp_max_age_hours", CONFIG_INT, OFF(smtp_max_age_hours), 1,
	    24 * 30, "hours after which an unsent message is given up",
	    START },
};
#undef OFF
#undef LIVE
#undef START

/* The defaults. c must be zeroed or hold a configuration (it is freed). */
void
config_init(struct config *c)
{
	config_free(c);
	c->listen = xstrdup("127.0.0.1:8080");
	c->content_dir = xstrdup(MEENT_CONTENT_DIR);
	c->log_level = LOG_INFO;
	c->access_log = true;
	c->max_connections = 1024;
	c->max_header_bytes = 8192;
	c->max_body_bytes = DATASET_MAX_BYTES + 64 * 1024;
	c->attachment_max_bytes = ATTACHMENT_MAX_BYTES;
	c->attachment_pilot_max_bytes = 100 << 20;
	c->header_timeout = 10;
	c->request_timeout = 30;
	c->keepalive_timeout = 60;
	c->login_per_minute = 10;
	c->session_hours = 12;
	c->upload_threads = 2;
	c->login_threads = 1;
	c->login_queue = 16;
	c->upload_queue = 4;
	c->sdc_min_frequency = 10;
	c->sdc_dominance_n = 2;
	c->sdc_dominance_k = 85;
	c->sdc_p_percent = 10;
	c->sdc_coalition = 2;
	c->sdc_noise_count = 2;
	c->sdc_noise_magnitude = 30;
	c->sdc_protection_percent = 30;
	c->sdc_round_base = 0;
	c->search_budget_ms = 2000;
	c->search_budget_steps = 0;
	c->smtp_timeout = 30;
	c->smtp_retry_min = 60;
	c->smtp_retry_max = 6 * 3600;
	c->smtp_max_attempts = 20;
	c->smtp_max_age_hours = 48;
}

void
config_free(struct config *c)
{
	for (size_t i = 0; i < nitems(config_keys); i++) {
		const struct config_key *k = &config_keys[i];
		void *field = (char *)c + k->offset;

		if (k->kind == CONFIG_STR || k->kind == CONFIG_SECRET)
			free(*(char **)field);
		else if (k->kind == CONFIG_LIST || k->kind == CONFIG_NETS)
			strlist_free((struct strlist *)field);
	}
	memset(c, 0, sizeof *c);
}

static const struct config_key *
config_find(const char *name)
{
	for (size_t i = 0; i < nitems(config_keys); i++)
		if (strcmp(config_keys[i].name, name) == 0)
			return &config_keys[i];
	return NULL;
}

static int
config_parse_number(const char *v, long long *out)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0 || end == v)
		return -1;
	/* Sizes may say k or M. */
	if (*end == 'k' || *end == 'K' || *end == 'M') {
		long long mult = *end == 'M' ? 1024 * 1024 : 1024;

		if (n > LLONG_MAX / mult || n < LLONG_MIN / mult)
			return -1;
		n *= mult;
		end++;
	}
	if (*end != '\0')
		return -1;
	*out = n;
	return 0;
}

/*
 * Addresses and networks ("10.0.0.0/8 ::1"), separated by spaces or
 * commas, each checked; added to the list.
 */
static int
config_set_nets(void *field, const char *name, const char *value, char **err)
{
	char *copy = xstrdup(value), *tok, *save = NULL;
	int rc = 0;

	for (tok = strtok_r(copy, " \t,", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t,", &save)) {
		if (!proxy_net_valid(tok)) {
			*err = xasprintf("%s: '%s' is not an address or "
			    "ADDRESS/PREFIX", name, tok);
			rc = -1;
			break;
		}
		strlist_add((struct strlist *)field, tok);
	}
	free(copy);
	return rc;
}

/*
 * A secret's file must be there, a regular file meentd can read, and
 * readable by nobody else (0600 or 0400): refused here, with the key's line,
 * rather than when the service that needs it starts.
 */
static int
config_set_secret(void *field, const char *name, const char *value,
    char **err)
{
	struct stat sb;

	if (stat(value, &sb) == -1 || access(value, R_OK) == -1) {
		*err = xasprintf("%s: cannot read %s: %s", name, value,
		    strerror(errno));
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		*err = xasprintf("%s: %s is not a file", name, value);
		return -1;
	}
	if ((sb.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		*err = xasprintf("%s: %s can be read by others: chmod 600 it",
		    name, value);
		return -1;
	}
	free(*(char **)field);
	*(char **)field = xstrdup(value);
	return 0;
}

static int
config_set_enum(const struct config_key *k, void *field, const char *value,
    char **err)
{
	char *all;
	size_t len = 0;

	for (int i = 0; k->names[i] != NULL; i++)
		if (strcmp(k->names[i], value) == 0) {
			*(int *)field = i;
			return 0;
		}
	for (int i = 0; k->names[i] != NULL; i++)
		len += strlen(k->names[i]) + 4;
	all = xcalloc(1, len + 1);
	for (int i = 0; k->names[i] != NULL; i++) {
		if (i > 0)
			strcat(all, k->names[i + 1] != NULL ? ", " : " or ");
		strcat(all, k->names[i]);
	}
	*err = xasprintf("%s: '%s' is not %s", k->name, value, all);
	free(all);
	return -1;
}

/*
 * Set one key. On error returns -1 and *err (caller frees) says why.
 */
int
config_set(struct config *c, const char *name, const char *value, char **err)
{
	const struct config_key *k = config_find(name);
	void *field;
	long long n;

	if (k == NULL) {
		*err = xasprintf("unknown key '%s'", name);
		return -1;
	}
	field = (char *)c + k->offset;
	switch (k->kind) {
	case CONFIG_STR:
		free(*(char **)field);
		*(char **)field = xstrdup(value);
		return 0;
	case CONFIG_LIST:
		strlist_add((struct strlist *)field, value);
		return 0;
	case CONFIG_NETS:
		return config_set_nets(field, name, value, err);
	case CONFIG_SECRET:
		return config_set_secret(field, name, value, err);
	case CONFIG_ENUM:
		return config_set_enum(k, field, value, err);
	case CONFIG_BOOL:
		if (strcmp(value, "true") == 0 || strcmp(value, "on") == 0 ||
		    strcmp(value, "yes") == 0)
			*(bool *)field = true;
		else if (strcmp(value, "false") == 0 ||
		    strcmp(value, "off") == 0 || strcmp(value, "no") == 0)
			*(bool *)field = false;
		else {
			*err = xasprintf("%s: '%s' is not true or false",
			    name, value);
			return -1;
		}
		return 0;
	case CONFIG_LEVEL:
		if (strcmp(value, "debug") == 0)
			*(int *)field = LOG_DEBUG;
		else if (strcmp(value, "info") == 0)
			*(int *)field = LOG_INFO;
		else if (strcmp(value, "warn") == 0)
			*(int *)field = LOG_WARN;
		else if (strcmp(value, "error") == 0)
			*(int *)field = LOG_ERROR;
		else {
			*err = xasprintf("%s: '%s' is not debug, info, warn "
			    "or error", name, value);
			return -1;
		}
		return 0;
	case CONFIG_INT:
	case CONFIG_SIZE:
		if (config_parse_number(value, &n) == -1 || n < k->min ||
		    n > k->max) {
			*err = xasprintf("%s: '%s' is not a number from %lld "
			    "to %lld", name, value, k->min, k->max);
			return -1;
		}
		if (k->kind == CONFIG_INT)
			*(int *)field = (int)n;
		else
			*(size_t *)field = (size_t)n;
		return 0;
	}
	*err = xasprintf("%s: unhandled kind", name);
	return -1;
}

static char *
config_trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/*
 * Cut a comment off a line: '#' at the start of the line (after blanks
 * only) or after a space or tab. A '#' right after another character is
 * part of the value (secret=ab#cd).
 */
static void
config_strip_comment(char *line)
{
	for (char *p = line; *p != '\0'; p++)
		if (*p == '#' && (p == line || p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			return;
		}
}

/*
 * Parse configuration text (name is the file's name, for errors) into c,
 * on top of what c holds. Lines over 4 KiB are refused. Returns 0, or -1
 * and *err (caller frees) naming the line.
 */
int
config_parse(struct config *c, const char *name, const char *text,
    size_t len, char **err)
{
	const char *p = text, *end = text + len;
	int lineno = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t llen = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		char line[4096], *eq, *key, *value, *why = NULL;

		lineno++;
		if (llen >= sizeof line) {
			*err = xasprintf("%s:%d: line longer than %zu bytes",
			    name, lineno, sizeof line - 1);
			return -1;
		}
		memcpy(line, p, llen);
		line[llen] = '\0';
		p += llen + 1;
		if (strlen(line) != llen) {
			*err = xasprintf("%s:%d: a NUL byte", name, lineno);
			return -1;
		}
		config_strip_comment(line);
		key = config_trim(line);
		if (*key == '\0')
			continue;
		if ((eq = strchr(key, '=')) == NULL) {
			*err = xasprintf("%s:%d: expected 'key = value'", name,
			    lineno);
			return -1;
		}
		*eq = '\0';
		value = config_trim(eq + 1);
		key = config_trim(key);
		if (config_set(c, key, value, &why) == -1) {
			*err = xasprintf("%s:%d: %s", name, lineno, why);
			free(why);
			return -1;
		}
	}
	return 0;
}

/*
 * Read a config file (at most 1 MiB) into c, on top of what c holds.
 * Returns 0, or -1 and *err (caller frees).
 */
int
config_load(struct config *c, const char *path, char **err)
{
	char *text;
	size_t len;
	int rc;

	if (file_read_all(path, 1 << 20, &text, &len, err) == -1)
		return -1;
	rc = config_parse(c, path, text, len, err);
	free(text);
	return rc;
}

static bool
config_field_equal(const struct config_key *k, const void *a, const void *b)
{
	const struct strlist *la = a, *lb = b;
	const char *sa, *sb;

	switch (k->kind) {
	case CONFIG_STR:
	case CONFIG_SECRET:
		sa = *(char *const *)a;
		sb = *(char *const *)b;
		return sa == sb || (sa != NULL && sb != NULL &&
		    strcmp(sa, sb) == 0);
	case CONFIG_LIST:
	case CONFIG_NETS:
		if (la->n != lb->n)
			return false;
		for (size_t i = 0; i < la->n; i++)
			if (strcmp(la->v[i], lb->v[i]) != 0)
				return false;
		return true;
	case CONFIG_BOOL:
		return *(const bool *)a == *(const bool *)b;
	case CONFIG_SIZE:
		return *(const size_t *)a == *(const size_t *)b;
	case CONFIG_INT:
	case CONFIG_LEVEL:
	case CONFIG_ENUM:
		return *(const int *)a == *(const int *)b;
	}
	return false;
}

/* Replace fresh's value of k with a copy of running's. */
static void
config_field_copy(const struct config_key *k, void *to, const void *from)
{
	const struct strlist *l = from;
	const char *s;

	switch (k->kind) {
	case CONFIG_STR:
	case CONFIG_SECRET:
		s = *(char *const *)from;
		free(*(char **)to);
		*(char **)to = s != NULL ? xstrdup(s) : NULL;
		return;
	case CONFIG_LIST:
	case CONFIG_NETS:
		strlist_free(to);
		for (size_t i = 0; i < l->n; i++)
			strlist_add(to, l->v[i]);
		return;
	case CONFIG_BOOL:
		*(bool *)to = *(const bool *)from;
		return;
	case CONFIG_SIZE:
		*(size_t *)to = *(const size_t *)from;
		return;
	case CONFIG_INT:
	case CONFIG_LEVEL:
	case CONFIG_ENUM:
		*(int *)to = *(const int *)from;
		return;
	}
}

/*
 * A reload (SIGHUP): fresh is the file read again, running what meentd
 * runs with. The keys SIGHUP cannot apply (read at start only) keep
 * running's values in fresh, so that fresh can replace running; returns
 * the names of those that differed, space-separated (they take effect at
 * the next start), or NULL when none did. The caller frees the result.
 */
char *
config_restart_keys(struct config *fresh, const struct config *running)
{
	char *out = NULL, *prev;

	for (size_t i = 0; i < nitems(config_keys); i++) {
		const struct config_key *k = &config_keys[i];
		void *to = (char *)fresh + k->offset;
		const void *from = (const char *)running + k->offset;

		if (k->live || config_field_equal(k, to, from))
			continue;
		config_field_copy(k, to, from);
		prev = out;
		out = prev == NULL ? xstrdup(k->name) :
		    xasprintf("%s %s", prev, k->name);
		free(prev);
	}
	return out;
}

/* The keys and their help, for --help and the man page check. */
void
config_print_keys(FILE *out)
{
	for (size_t i = 0; i < nitems(config_keys); i++)
		fprintf(out, "  %-18s %s\n", config_keys[i].name,
		    config_keys[i].help);
}

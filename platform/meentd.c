/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * meentd: the server.
 *
 *	meentd --data DIR [--listen ADDR:PORT] [--threads N] [--config FILE]
 *	       [--seed DIR] [--content DIR] [--set KEY=VALUE]...
 *	meentd --routes
 *
 * The configuration file is read first; command-line options override it.
 * Signals are taken by the main thread alone (sigwait): SIGHUP reloads the
 * file and reopens the log (every key that can change while running takes
 * effect at once; the log names those that need a restart; a bad file
 * keeps the running configuration); SIGTERM and SIGINT drain and stop,
 * exiting 0.
 *
 * Under systemd (Type=notify, etc/meentd.service) meentd says READY=1 once
 * it listens, RELOADING=1 and then READY=1 around a SIGHUP, and STOPPING=1
 * when it starts to drain; built without libsystemd it says nothing.
 */
#include "meent.h"

#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <event2/thread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

static void
usage(FILE *out)
{
	fprintf(out, "usage: meentd --data DIR [--listen ADDR:PORT] "
	    "[--threads N] [--config FILE]\n"
	    "              [--seed DIR] [--content DIR] "
	    "[--log-format json|text]\n"
	    "              [--set KEY=VALUE]...\n"
	    "       meentd --routes\n\nconfiguration keys (meentd.conf(5)):\n");
	config_print_keys(out);
}

/*
 * Tell the service manager about a change of state (sd_notify(3)); "reload"
 * adds the CLOCK_MONOTONIC time that systemd >= 253 wants with RELOADING=1.
 * Without NOTIFY_SOCKET (not under systemd) or without libsystemd, nothing.
 */
static void
notify(const char *state)
{
#ifdef HAVE_SYSTEMD
	struct timespec ts;

	if (strcmp(state, "RELOADING=1") == 0 &&
	    clock_gettime(CLOCK_MONOTONIC, &ts) == 0) {
		sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu",
		    (unsigned long long)ts.tv_sec * 1000000ULL +
		    (unsigned long long)ts.tv_nsec / 1000ULL);
		return;
	}
	sd_notify(0, state);
#else
	(void)state;
#endif
}

/* Options that override the file, kept to reapply after a reload. */
struct overrides {
	struct strlist keys, values;
};

static void
overrides_add(struct overrides *o, const char *k, const char *v)
{
	strlist_add(&o->keys, k);
	strlist_add(&o->values, v);
}

/* Build a configuration from file and overrides; -1 and *err on error. */
static int
load_config(struct config *cfg, const char *file, struct overrides *o,
    char **err)
{
	config_init(cfg);
	if (file != NULL && config_load(cfg, file, err) == -1)
		return -1;
	for (size_t i = 0; i < o->keys.n; i++) {
		char *why = NULL;

		if (config_set(cfg, o->keys.v[i], o->values.v[i], &why) == -1) {
			*err = xasprintf("--%s: %s", o->keys.v[i], why);
			free(why);
			return -1;
		}
	}
	if (cfg->data_dir == NULL) {
		*err = xasprintf("no data directory: give --data DIR");
		return -1;
	}
	return 0;
}

static void
reload(const char *file, struct overrides *o, struct server *srv)
{
	struct config *fresh = xcalloc(1, sizeof *fresh);
	char *err = NULL;

	if (load_config(fresh, file, o, &err) == -1) {
		log_emit(LOG_ERROR, "config.reload", "kept the running "
		    "configuration: %s", err);
		free(err);
		config_free(fresh);
		free(fresh);
		return;
	}
	log_init(fresh->log_file, fresh->log_level);
	log_set_format(fresh->log_format);
	server_reload(srv, fresh);
}

/*
 * No core dumps, ever: while an upload is protected its raw rows are in
 * this process's memory, and a crash must not write them to disk. Not
 * dumpable also keeps other processes of the same user from reading that
 * memory (ptrace, /proc/PID/mem).
 */
static void
no_core_dumps(void)
{
	struct rlimit none = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &none) == -1 ||
	    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		fatal("cannot switch core dumps off");
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "listen", required_argument, NULL, 'l' },
		{ "threads", required_argument, NULL, 't' },
		{ "config", required_argument, NULL, 'c' },
		{ "seed", required_argument, NULL, 's' },
		{ "content", required_argument, NULL, 'C' },
		{ "set", required_argument, NULL, 'S' },
		{ "log-format", required_argument, NULL, 'L' },
		{ "routes", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct overrides o = { { 0 }, { 0 } };
	struct config cfg = { 0 };
	struct server *srv = NULL;
	const char *file = NULL;
	char *err = NULL, *eq;
	sigset_t sigs;
	int ch, sig, rc, lock_fd = -1;

	router_init(routes_table, routes_count);
	web_page_init();

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd': overrides_add(&o, "data", optarg); break;
		case 'l': overrides_add(&o, "listen", optarg); break;
		case 't': overrides_add(&o, "threads", optarg); break;
		case 's': overrides_add(&o, "seed", optarg); break;
		case 'C': overrides_add(&o, "content", optarg); break;
		case 'L': overrides_add(&o, "log_format", optarg); break;
		case 'c': file = optarg; break;
		case 'S':
			if ((eq = strchr(optarg, '=')) == NULL) {
				usage(stderr);
				rc = 2;
				goto out;
			}
			*eq = '\0';
			overrides_add(&o, optarg, eq + 1);
			break;
		case 'r':
			router_print(stdout);
			rc = 0;
			goto out;
		case 'V':
			printf("meentd %s (API %s)\n", PACKAGE_VERSION,
			    MEENT_API_VERSION);
			rc = 0;
			goto out;
		case 'h':
			usage(stdout);
			rc = 0;
			goto out;
		default:
			usage(stderr);
			rc = 2;
			goto out;
		}
	}
	if (optind != argc) {
		usage(stderr);
		rc = 2;
		goto out;
	}
	no_core_dumps();
	db_init();	/* before SQLite's first use */
	if (sodium_init() == -1)
		fatal("libsodium cannot start");
	/* Before any event_base exists: threads wake each other's loops. */
	if (evthread_use_pthreads() == -1)
		fatal("libevent has no pthreads support");
	if (load_config(&cfg, file, &o, &err) == -1) {
		fprintf(stderr, "meentd: %s\n", err);
		rc = 2;
		goto out;
	}
	log_set_format(cfg.log_format);
	if (log_init(cfg.log_file, cfg.log_level) == -1) {
		rc = 1;
		goto out;
	}
#ifdef MEENT_FAULT_INJECTION
	/* A test build: SQLite's files fail on demand (MEENT_FAULTS). */
	if (faultvfs_register() == -1) {
		fprintf(stderr, "meentd: cannot start the fault VFS\n");
		rc = 1;
		goto out;
	}
#endif

	/* Every thread inherits this mask; only sigwait below sees them. */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);

	static_init(&cfg);
	/* Ours alone while we run (a restore waits; a second meentd stops). */
	if (access(cfg.data_dir, F_OK) == 0 &&	/* else: "run init", below */
	    (lock_fd = datadir_lock(cfg.data_dir, &err)) == -1) {
		log_emit(LOG_ERROR, "server.start", "%s", err);
		fprintf(stderr, "meentd: %s\n", err);
		rc = 1;
		goto out;
	}
	if ((cfg.seed_dir != NULL && seed_load_dir(&cfg, &err) == -1) ||
	    outbound_start(&err) == -1 || plugin_load_all(&cfg, &err) == -1 ||
	    (srv = server_start(&cfg, &err)) == NULL) {
		log_emit(LOG_ERROR, "server.start", "%s", err);
		fprintf(stderr, "meentd: %s\n", err);
		rc = 1;
		goto out;
	}
	notify("READY=1");
	for (;;) {
		if (sigwait(&sigs, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			notify("RELOADING=1");
			reload(file, &o, srv);
			notify("READY=1");
			continue;
		}
		notify("STOPPING=1");
		log_emit(LOG_INFO, "server.drain", "signal %d: draining", sig);
		break;
	}
	server_stop(srv);
	rc = 0;
out:
	plugin_unload_all();
	if (lock_fd != -1)
		close(lock_fd);
	free(err);
	config_free(&cfg);
	strlist_free(&o.keys);
	strlist_free(&o.values);
	log_init(NULL, LOG_INFO);
	return rc;
}

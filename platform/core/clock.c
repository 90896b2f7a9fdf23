/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Time: a monotonic clock for durations and deadlines, and RFC 3339 UTC
 * timestamps (the API's only time format, per the API Design Rules).
 * The database stores times as Unix seconds; they become text only here.
 */
#include "core/core.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Milliseconds on the monotonic clock (never goes back). */
double
clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/*
 * *until: ms milliseconds from now on CLOCK_REALTIME, the clock that
 * pthread_mutex_timedlock and pthread_cond_timedwait take.
 */
void
clock_deadline(struct timespec *until, long ms)
{
	clock_gettime(CLOCK_REALTIME, until);
	until->tv_sec += ms / 1000;
	until->tv_nsec += (ms % 1000) * 1000000L;
	if (until->tv_nsec >= 1000000000L) {
		until->tv_sec++;
		until->tv_nsec -= 1000000000L;
	}
}

/* "2026-11-26T05:00:00Z" into buf (at least 21 bytes). */
void
clock_format(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	if (strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0 && len > 0)
		buf[0] = '\0';
}

/* The same as a new jansson string, for JSON bodies. */
json_t *
clock_json(time_t t)
{
	char buf[32];

	clock_format(t, buf, sizeof buf);
	return json_string(buf);
}

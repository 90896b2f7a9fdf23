/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Dutch for people: numbers with Dutch separators ("1.234,5"), whole
 * counts ("12.345"), dates ("30 november 2026") and times in
 * Europe/Amsterdam ("30 november 2026 om 14:05"), and singular or plural.
 * The API keeps its machine formats; these are for pages and exports.
 *
 * Amsterdam time is computed, not looked up: CET (UTC+1), and CEST
 * (UTC+2) from the last Sunday of March 01:00 UTC up to the last Sunday
 * of October 01:00 UTC (the EU rule, directive 2000/84/EC, the same since
 * 1996). The alternative, TZ=Europe/Amsterdam with localtime_r(), needs
 * process-wide state set before any thread starts (setenv is not
 * thread-safe), in every program and test that formats a date, and the
 * zone files, which a slim container may lack. Dates before 1996 (none
 * that meent stores) may be an hour off around the old autumn switch.
 */
#include "core/core.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const nl_months[12] = { "januari", "februari", "maart",
    "april", "mei", "juni", "juli", "augustus", "september", "oktober",
    "november", "december" };

/* Put the digits of an unsigned integer text in groups of three. */
static void
nl_group(char *out, size_t size, const char *digits, const char *rest,
    bool negative)
{
	size_t n = strlen(digits), o = 0;

	if (size == 0)
		return;
	/* U+2212 MINUS SIGN: read as "min", not as a hyphen. */
	if (negative && o + 3 < size) {
		memcpy(out + o, "\xe2\x88\x92", 3);
		o += 3;
	}
	for (size_t i = 0; i < n && o + 1 < size; i++) {
		if (i > 0 && (n - i) % 3 == 0 && o + 2 < size)
			out[o++] = '.';
		out[o++] = digits[i];
	}
	for (; *rest != '\0' && o + 1 < size; rest++)
		out[o++] = *rest == '.' ? ',' : *rest;
	out[o] = '\0';
}

/*
 * v with exactly `decimals` decimals (0 to 6), a decimal comma and dots
 * between thousands: 1234.5 → "1.234,5"; a negative number with a minus
 * sign (U+2212); NaN and infinities "–". Writes into buf (size bytes,
 * NL_NUMBER_MAX is always enough) and returns it.
 */
char *
nl_number(char *buf, size_t size, double v, int decimals)
{
	char tmp[400], *digits, *dot;
	bool negative;

	if (decimals < 0)
		decimals = 0;
	if (decimals > 6)
		decimals = 6;
	if (!isfinite(v) || fabs(v) >= 1e18) {
		snprintf(buf, size, "–");
		return buf;
	}
	snprintf(tmp, sizeof tmp, "%.*f", decimals, v);
	negative = tmp[0] == '-';
	digits = negative ? tmp + 1 : tmp;
	/* -0,00 is zero: a rounded-away minus is no minus. */
	if (negative && strspn(digits, "0.") == strlen(digits))
		negative = false;
	dot = strchr(digits, '.');
	if (dot != NULL) {
		char rest[16];

		snprintf(rest, sizeof rest, "%s", dot);
		*dot = '\0';
		nl_group(buf, size, digits, rest, negative);
	} else
		nl_group(buf, size, digits, "", negative);
	return buf;
}

/* A whole number for people: 12345 → "12.345". Returns buf. */
char *
nl_count(char *buf, size_t size, long n)
{
	return nl_number(buf, size, (double)n, 0);
}

/* "pilot" for 1 (and -1), "pilots" for any other number, 0 included. */
const char *
nl_plural(long n, const char *one, const char *many)
{
	return n == 1 || n == -1 ? one : many;
}

/* Days since 1970-01-01 of a date in the proleptic Gregorian calendar. */
static long
nl_days(long y, int m, int d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The date of a day number (the inverse of nl_days). */
static void
nl_civil(long z, long *y, int *m, int *d)
{
	long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static long
nl_floor_div(long long a, long b)
{
	return (long)(a >= 0 ? a / b : -((-a + b - 1) / b));
}

/* 01:00 UTC on the last Sunday of month m (31 days: March, October). */
static long long
nl_last_sunday(long y, int m)
{
	long last = nl_days(y, m, 31);
	/* 1970-01-01 was a Thursday: weekday 0 (Sunday) is (days + 4) % 7. */
	long wd = ((last + 4) % 7 + 7) % 7;

	return (long long)(last - wd) * 86400 + 3600;
}

/*
 * Europe/Amsterdam's offset from UTC at t, in seconds: 7200 in summer
 * time, 3600 otherwise.
 */
long
nl_amsterdam_offset(time_t t)
{
	long y;
	int m, d;

	nl_civil(nl_floor_div((long long)t, 86400), &y, &m, &d);
	return (long long)t >= nl_last_sunday(y, 3) &&
	    (long long)t < nl_last_sunday(y, 10) ? 7200 : 3600;
}

/* The local date and time in Amsterdam of t. */
static void
nl_local(time_t t, long *y, int *m, int *d, int *hh, int *mm)
{
	long long l = (long long)t + nl_amsterdam_offset(t);
	long day = nl_floor_div(l, 86400);
	long secs = (long)(l - (long long)day * 86400);

	nl_civil(day, y, m, d);
	*hh = (int)(secs / 3600);
	*mm = (int)(secs % 3600 / 60);
}

/* "30 november 2026": the date of t in Amsterdam. Returns buf. */
char *
nl_date(char *buf, size_t size, time_t t)
{
	long y;
	int m, d, hh, mm;

	nl_local(t, &y, &m, &d, &hh, &mm);
	snprintf(buf, size, "%d %s %ld", d, nl_months[m - 1], y);
	return buf;
}

/* "30 november 2026 om 14:05": t in Amsterdam. Returns buf. */
char *
nl_datetime(char *buf, size_t size, time_t t)
{
	long y;
	int m, d, hh, mm;

	nl_local(t, &y, &m, &d, &hh, &mm);
	snprintf(buf, size, "%d %s %ld om %02d:%02d", d, nl_months[m - 1], y,
	    hh, mm);
	return buf;
}

/*
 * A count with its noun: "1 pilot", "1.234 pilots", "0 pilots" (nl_count
 * and nl_plural in one). Writes into buf (NL_COUNTED_MAX is enough for
 * nouns up to 64 bytes; a longer one is cut) and returns it.
 */
char *
nl_counted(char *buf, size_t size, long n, const char *one, const char *many)
{
	char num[NL_NUMBER_MAX];

	snprintf(buf, size, "%s %s", nl_count(num, sizeof num, n),
	    nl_plural(n, one, many));
	return buf;
}

/* Whether s has exactly n digits. */
static bool
nl_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/*
 * A calendar date as the API keeps it ("2026-11-30", or the date part of
 * an RFC 3339 time) as people read it: "30 november 2026". Anything else
 * (a period such as "2024-K1", a date that does not exist) is copied as
 * it is, so that nothing is lost. Returns buf.
 */
char *
nl_date_text(char *buf, size_t size, const char *iso)
{
	int y, m, d;

	if (iso == NULL)
		iso = "";
	if (strlen(iso) < 10 || !nl_digits(iso, 4) || iso[4] != '-' ||
	    !nl_digits(iso + 5, 2) || iso[7] != '-' || !nl_digits(iso + 8, 2) ||
	    (iso[10] != '\0' && iso[10] != 'T')) {
		snprintf(buf, size, "%s", iso);
		return buf;
	}
	y = atoi(iso);
	m = atoi(iso + 5);
	d = atoi(iso + 8);
	if (m < 1 || m > 12 || d < 1 || d > 31) {
		snprintf(buf, size, "%s", iso);
		return buf;
	}
	/* 31 februari: the day must survive the round trip. */
	{
		long yy;
		int mm, dd;

		nl_civil(nl_days(y, m, d), &yy, &mm, &dd);
		if (mm != m || dd != d) {
			snprintf(buf, size, "%s", iso);
			return buf;
		}
	}
	snprintf(buf, size, "%d %s %d", d, nl_months[m - 1], y);
	return buf;
}

/*
 * An RFC 3339 time in UTC as the API gives it ("2026-11-30T13:05:00Z")
 * as people read it, in Amsterdam: "30 november 2026 om 14:05". A text
 * of another form is passed to nl_date_text (a date alone becomes a date).
 * Returns buf.
 */
char *
nl_datetime_text(char *buf, size_t size, const char *rfc3339)
{
	const char *s = rfc3339 != NULL ? rfc3339 : "";
	int hh, mi, ss;
	long days;

	if (strlen(s) != 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
	    s[19] != 'Z' || !nl_digits(s + 11, 2) || !nl_digits(s + 14, 2) ||
	    !nl_digits(s + 17, 2))
		return nl_date_text(buf, size, s);
	nl_date_text(buf, size, s);
	if (!nl_digits(buf, 1) || (hh = atoi(s + 11)) > 23 ||
	    (mi = atoi(s + 14)) > 59 || (ss = atoi(s + 17)) > 60)
		return buf;	/* not a date: copied as it was */
	days = nl_days(atoi(s), atoi(s + 5), atoi(s + 8));
	return nl_datetime(buf, size, (time_t)((long long)days * 86400 +
	    hh * 3600 + mi * 60 + ss));
}

/*
 * A period as people read it: a year stays "2024", a quarter "2024-K1"
 * becomes "1e kwartaal 2024", a month "2024-03" becomes "maart 2024".
 * Others are copied. Returns buf.
 */
char *
nl_period(char *buf, size_t size, const char *p)
{
	if (p == NULL)
		p = "";
	if (strlen(p) == 7 && nl_digits(p, 4) && p[4] == '-' && p[5] == 'K' &&
	    p[6] >= '1' && p[6] <= '4')
		snprintf(buf, size, "%ce kwartaal %.4s", p[6], p);
	else if (strlen(p) == 7 && nl_digits(p, 4) && p[4] == '-' &&
	    nl_digits(p + 5, 2) && atoi(p + 5) >= 1 && atoi(p + 5) <= 12)
		snprintf(buf, size, "%s %.4s", nl_months[atoi(p + 5) - 1], p);
	else
		snprintf(buf, size, "%s", p);
	return buf;
}

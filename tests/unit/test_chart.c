/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Unit tests: the comparison chart (chart.c) — round ticks, contrast of
 * its graphics (WCAG 1.4.11), text that stays 12 px at any width, bars in
 * order with their names, and the own municipality told apart by more
 * than colour.
 */
#include "meent.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <event2/buffer.h>

static void
test_contrast(void **state)
{
	const char *graphics[] = { chart_colours.bar, chart_colours.own,
	    chart_colours.outline, chart_colours.band_edge,
	    chart_colours.median };

	(void)state;
	/* The formula: black on white is 21:1, #767676 just above 4,5. */
	assert_true(fabs(chart_contrast("#ffffff", "#000000") - 21.0) < 1e-9);
	assert_true(fabs(chart_contrast("#000000", "#ffffff") - 21.0) < 1e-9);
	assert_true(chart_contrast("#767676", "#ffffff") > 4.5);
	assert_true(chart_contrast("#777777", "#ffffff") < 4.5);
	assert_true(fabs(chart_contrast("#5a86c0", "#5a86c0") - 1.0) < 1e-9);
	/* The old bars were below 3:1. */
	assert_true(chart_contrast("#7f9cc0", "#ffffff") < 3.0);
	for (size_t i = 0; i < nitems(graphics); i++) {
		assert_true(chart_contrast(graphics[i],
		    chart_colours.background) >= 3.0);
		assert_true(chart_contrast(graphics[i], chart_colours.band) >=
		    3.0);
	}
	/* Labels are drawn over the bars and the background. */
	assert_true(chart_contrast(chart_colours.text, chart_colours.bar) >=
	    4.5);
	assert_true(chart_contrast(chart_colours.text, chart_colours.own) >=
	    4.5);
	assert_true(chart_contrast(chart_colours.text,
	    chart_colours.background) >= 4.5);
	assert_true(chart_contrast(chart_colours.text, chart_colours.band) >=
	    4.5);
}

/* Whether step is 1, 2, 2,5 or 5 times a power of ten. */
static bool
nice(double step)
{
	double m = step / pow(10.0, floor(log10(step)));

	return fabs(m - 1) < 1e-9 || fabs(m - 2) < 1e-9 ||
	    fabs(m - 2.5) < 1e-9 || fabs(m - 5) < 1e-9;
}

static void
check_ticks(double lo, double hi, bool whole)
{
	double l = lo, h = hi, step;
	int decimals, n;

	step = chart_ticks(&l, &h, whole, &decimals);
	assert_true(nice(step));
	assert_true(l <= lo + 1e-9 && h >= hi - 1e-9);
	n = (int)round((h - l) / step);
	assert_true(n >= 2 && n <= 8);
	assert_true(fabs(l / step - round(l / step)) < 1e-6);
	if (whole) {
		assert_true(step >= 1.0 && step == floor(step));
		assert_int_equal(decimals, 0);
	}
	/* The decimals show each tick exactly. */
	assert_true(fabs(step * pow(10, decimals) -
	    round(step * pow(10, decimals))) < 1e-6);
}

static void
test_ticks(void **state)
{
	double lo, hi, step;
	int decimals;

	(void)state;
	lo = 0;
	hi = 4.26;
	step = chart_ticks(&lo, &hi, false, &decimals);
	assert_true(step == 2.0 && lo == 0.0 && hi == 6.0 && decimals == 0);
	lo = 0;
	hi = 0.7;
	step = chart_ticks(&lo, &hi, false, &decimals);
	assert_true(fabs(step - 0.2) < 1e-12 && decimals == 1);
	lo = 0;
	hi = 10;
	step = chart_ticks(&lo, &hi, false, &decimals);
	assert_true(step == 2.5 && decimals == 1);
	/* A count from 0 to 10: never 2,5 apart. */
	lo = 0;
	hi = 10;
	step = chart_ticks(&lo, &hi, true, &decimals);
	assert_true(step == 5.0 && decimals == 0);
	lo = 0;
	hi = 2;
	step = chart_ticks(&lo, &hi, true, &decimals);
	assert_true(step == 1.0 && decimals == 0);
	check_ticks(0, 1234567 * 1.15, true);
	check_ticks(0, 3, true);
	check_ticks(0, 7, true);
	check_ticks(0, 0.0426, false);
	check_ticks(-12.5, 40.1, false);
	check_ticks(-300, 0, true);
	check_ticks(17, 17.9, false);
	/* An empty range is widened. */
	lo = hi = 5;
	chart_ticks(&lo, &hi, true, &decimals);
	assert_true(hi > lo);
}

static json_t *
member(const char *code, const char *naam, double v)
{
	return json_pack("{s:s, s:s, s:i, s:f, s:{s:s}}", "gemeente", code,
	    "naam", naam, "inwoners", 40000, "waarde", v, "bron", "naam",
	    "CBS Statline");
}

/* The chart of five municipalities (one without a value) as text. */
static char *
render(const char *richting, const char *self, const char *self_name)
{
	json_t *ind = json_pack("{s:s, s:s, s:s}", "naam", "Bijstand",
	    "eenheid", "per 1.000 inwoners", "richting", richting);
	json_t *cmp = json_pack("{s:{s:s, s:s}, s:s, s:s, "
	    "s:{s:i, s:f, s:f, s:f}, s:{s:f, s:i, s:s}, s:[o, o, o, o, o]}",
	    "gemeente", "code", self, "naam", self_name,
	    "periode", "2024", "groep", "Gelderland",
	    "statistiek", "n", 4, "mediaan", 25.0, "p25", 15.0, "p75", 31.5,
	    "positie", "waarde", 20.0, "rang", 3, "keuze", "Uit het CBS.",
	    "leden", member("GM0200", "Apeldoorn", 30.0),
	    member("GM0275", "Rheden", 20.0), member("GM0202", "Arnhem", 42.5),
	    member("GM0228", "Ede", 10.0), json_pack("{s:s, s:s, s:i, s:n, "
	    "s:n}", "gemeente", "GM0274", "naam", "Renkum", "inwoners", 30000,
	    "waarde", "bron"));
	struct evbuffer *b = chart_svg(ind, cmp);
	char *s = buffer_take_string(b);

	json_decref(ind);
	json_decref(cmp);
	return s;
}

static void
test_svg(void **state)
{
	char *s = render("neutraal", "GM0275", "Rheden"), *p;
	const char *order[] = { "Arnhem", "Apeldoorn", "Rheden", "Ede" };
	size_t own = 0, bars = 0;

	(void)state;
	/* No viewBox: text is never scaled down below its size. */
	assert_null(strstr(s, "viewBox"));
	assert_non_null(strstr(s, "width=\"100%\""));
	for (p = s; (p = strstr(p, "font-size=\"")) != NULL; p++)
		assert_true(atoi(p + 11) >= 12);
	/* Every bar with its name and value, highest first. */
	p = s;
	for (size_t i = 0; i < nitems(order); i++) {
		char want[64];

		snprintf(want, sizeof want, "<title>%s: ", order[i]);
		p = strstr(p, want);
		assert_non_null(p);
	}
	for (p = s; (p = strstr(p, "<rect")) != NULL; p++) {
		if (strncmp(strstr(p, ">"), "><title>", 8) == 0)
			bars++;
		if (strncmp(p, "<rect class=\"uw-gemeente\"", 25) == 0) {
			own++;
			assert_non_null(strstr(p, "stroke=\"#000000\""));
		}
	}
	assert_int_equal(bars, 4);	/* Renkum has no value */
	assert_int_equal(own, 1);
	assert_non_null(strstr(s, "font-weight=\"bold\">Rheden (uw gemeente)"));
	assert_non_null(strstr(s, ">42,50</text>"));
	assert_non_null(strstr(s, "Eenheid: per 1.000 inwoners"));
	assert_non_null(strstr(s, "Van 1 gemeente in de groep is geen waarde"));
	assert_null(strstr(s, "GM0"));
	assert_null(strstr(s, "#7f9cc0"));
	free(s);
	/* Lower is better: lowest first. */
	s = render("lager_beter", "GM0275", "Rheden");
	p = strstr(s, "<title>Ede: ");
	assert_non_null(p);
	assert_non_null(strstr(p, "<title>Arnhem: "));
	assert_non_null(strstr(s, "van laag naar hoog"));
	free(s);
	/* A municipality without a value: no bar of its own, no legend. */
	s = render("neutraal", "GM0274", "Renkum");
	assert_null(strstr(s, "uw-gemeente"));
	assert_null(strstr(s, "Omlijnd"));
	free(s);
}

/* A long name: "uw gemeente" moves to the legend, bold and outline stay. */
static void
test_long_name(void **state)
{
	const char *naam = "Capelle aan den IJssel-Súdwest-Fryslân";
	json_t *ind = json_pack("{s:s, s:s, s:s}", "naam", "Inwoners",
	    "eenheid", "aantal", "richting", "neutraal");
	json_t *cmp = json_pack("{s:{s:s, s:s}, s:s, s:s, "
	    "s:{s:i, s:f, s:f, s:f}, s:{s:f, s:i, s:s}, s:[o, o]}",
	    "gemeente", "code", "GM0502", "naam", naam,
	    "periode", "2024-K1", "groep", "Alle gemeenten",
	    "statistiek", "n", 2, "mediaan", 1500.0, "p25", 1250.0, "p75",
	    1750.0, "positie", "waarde", 1000.0, "rang", 2, "keuze", "CBS.",
	    "leden", member("GM0502", naam, 1000.0),
	    member("GM0363", "Amsterdam", 2000.0));
	struct evbuffer *b = chart_svg(ind, cmp);
	char *s = buffer_take_string(b), want[128];

	(void)state;
	snprintf(want, sizeof want, "font-weight=\"bold\">%s</text>", naam);
	assert_non_null(strstr(s, want));
	snprintf(want, sizeof want, "Omlijnd en vet: %s (uw gemeente)", naam);
	assert_non_null(strstr(s, want));
	assert_non_null(strstr(s, "class=\"uw-gemeente\""));
	/* Counts: whole ticks and values; the period in words. */
	assert_non_null(strstr(s, ">2.000</text>"));
	assert_null(strstr(s, ",00<"));
	assert_non_null(strstr(s, "in 1e kwartaal 2024"));
	free(s);
	json_decref(ind);
	json_decref(cmp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_contrast),
		cmocka_unit_test(test_ticks),
		cmocka_unit_test(test_svg),
		cmocka_unit_test(test_long_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * A comparison as an SVG bar chart: one bar per member of the group with a
 * value, lowest first; the band from the first to the third quartile and
 * the median behind them; the municipality's bar in another colour and
 * named. The axis has round ticks in Dutch notation (no decimals for
 * counts) and says its unit. For screen readers the image has a title and a description that
 * says in words what the chart shows (role="img", aria-labelledby), and it
 * carries the numbers as a table would: each bar has its own <title>.
 *
 * Everything from data goes through html_out()'s escaping %s; coordinates
 * are numbers we compute.
 */
#include "domain/domain.h"

#include <event2/buffer.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CHART_W		720.0
#define CHART_H		360.0
#define CHART_LEFT	64.0
#define CHART_RIGHT	16.0
#define CHART_TOP	48.0
#define CHART_BOTTOM	40.0

struct chart_scale {
	double lo, hi;
};

static double
chart_y(const struct chart_scale *s, double v)
{
	double plot = CHART_H - CHART_TOP - CHART_BOTTOM;

	return CHART_TOP + plot * (1.0 - (v - s->lo) / (s->hi - s->lo));
}

static double
chart_stat(json_t *cmp, const char *key)
{
	return json_number_value(json_object_get(json_object_get(cmp,
	    "statistiek"), key));
}

/*
 * A number as Dutch text (nl_number): dots between thousands, a decimal
 * comma, two decimals, none for a whole number ("1.234", "4,26").
 */
void
chart_number(char *buf, size_t len, double v)
{
	nl_number(buf, len, v, fabs(v - round(v)) < 0.005 ? 0 : 2);
}

/* Whether every value in the chart is whole (counts: ticks need none). */
static bool
chart_whole(json_t *const *bars, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		double v = json_number_value(json_object_get(bars[i], "waarde"));

		if (v != floor(v))
			return false;
	}
	return true;
}

/*
 * Round ticks: a step of 1, 2, 2,5 or 5 times a power of ten, about four
 * of them over [lo, hi]; the scale widens to whole steps. Counts never get
 * a step below 1. *decimals: what the step needs (2,5 needs one).
 */
static double
chart_ticks(struct chart_scale *s, bool whole, int *decimals)
{
	static const double nice[] = { 1.0, 2.0, 2.5, 5.0, 10.0 };
	double raw = (s->hi - s->lo) / 4.0, mag, step = 1.0;

	mag = pow(10.0, floor(log10(raw)));
	for (size_t i = 0; i < nitems(nice); i++)
		if ((step = nice[i] * mag) >= raw * (1.0 - 1e-9))
			break;
	if (whole && step < 1.0)
		step = 1.0;
	s->lo = floor(s->lo / step + 1e-9) * step;
	s->hi = ceil(s->hi / step - 1e-9) * step;
	for (*decimals = 0; *decimals < 6; (*decimals)++) {
		double scaled = step * pow(10.0, *decimals);

		if (fabs(scaled - round(scaled)) < 1e-6)
			break;
	}
	return step;
}

static int
chart_by_value(const void *a, const void *b)
{
	double x = json_number_value(json_object_get(*(json_t *const *)a,
	    "waarde"));
	double y = json_number_value(json_object_get(*(json_t *const *)b,
	    "waarde"));

	return x < y ? -1 : x > y;
}

/* The members with a value, lowest first (borrowed). *n their number. */
static json_t **
chart_bars(json_t *cmp, size_t *n)
{
	json_t *members = json_object_get(cmp, "leden"), *m;
	json_t **bars = xreallocarray(NULL, json_array_size(members) + 1,
	    sizeof *bars);
	size_t i;

	*n = 0;
	json_array_foreach(members, i, m)
		if (json_is_number(json_object_get(m, "waarde")))
			bars[(*n)++] = m;
	qsort(bars, *n, sizeof *bars, chart_by_value);
	return bars;
}

static void
chart_description(struct evbuffer *b, json_t *ind, json_t *cmp,
    const char *self_name)
{
	json_t *pos = json_object_get(cmp, "positie");
	char med[32], p25[32], p75[32], own[32];

	chart_number(med, sizeof med, chart_stat(cmp, "mediaan"));
	chart_number(p25, sizeof p25, chart_stat(cmp, "p25"));
	chart_number(p75, sizeof p75, chart_stat(cmp, "p75"));
	html_out(b, "<desc id=\"grafiek-beschrijving\">Staafdiagram van %s "
	    "(%s) in %s voor %ld gemeenten (groep: %s). De mediaan is %s; de "
	    "middelste helft ligt tussen %s en %s. ",
	    json_string_value(json_object_get(ind, "naam")),
	    json_string_value(json_object_get(ind, "eenheid")),
	    json_string_value(json_object_get(cmp, "periode")),
	    (long)json_integer_value(json_object_get(json_object_get(cmp,
	    "statistiek"), "n")),
	    json_string_value(json_object_get(cmp, "groep")), med, p25, p75);
	if (json_is_number(json_object_get(pos, "waarde"))) {
		chart_number(own, sizeof own, json_number_value(
		    json_object_get(pos, "waarde")));
		html_out(b, "%s heeft %s, rang %ld. %s", self_name, own,
		    (long)json_integer_value(json_object_get(pos, "rang")),
		    json_string_value(json_object_get(pos, "keuze")));
	} else
		html_out(b, "Van %s is geen waarde bekend.", self_name);
	html_out(b, "</desc>\n");
}

/* Lines and labels at round ticks, and the unit above the axis. */
static void
chart_axis(struct evbuffer *b, const struct chart_scale *s, double step,
    int decimals, const char *unit)
{
	int n = (int)round((s->hi - s->lo) / step);

	for (int i = 0; i <= n; i++) {
		double v = s->lo + step * i;
		double y = chart_y(s, v);
		char label[NL_NUMBER_MAX];

		nl_number(label, sizeof label, v, decimals);
		evbuffer_add_printf(b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\""
		    " y2=\"%.1f\" stroke=\"#ccc\"/>", CHART_LEFT,
		    CHART_W - CHART_RIGHT, y, y);
		evbuffer_add_printf(b, "<text x=\"%.1f\" y=\"%.1f\" "
		    "text-anchor=\"end\" font-size=\"12\">", CHART_LEFT - 6,
		    y + 4);
		html_out(b, "%s</text>\n", label);
	}
	if (unit != NULL && *unit != '\0')
		html_out(b, "<text x=\"%ld\" y=\"%ld\" font-size=\"12\">"
		    "Eenheid: %s</text>\n", (long)4, (long)(CHART_TOP - 28),
		    unit);
}

/* The SVG of a comparison from comparison_make(). Caller frees. */
struct evbuffer *
chart_svg(json_t *ind, json_t *cmp)
{
	struct evbuffer *b = evbuffer_new();
	const char *self = json_string_value(json_object_get(json_object_get(
	    cmp, "gemeente"), "code"));
	const char *self_name = json_string_value(json_object_get(
	    json_object_get(cmp, "gemeente"), "naam"));
	struct chart_scale s;
	double plot_w = CHART_W - CHART_LEFT - CHART_RIGHT, bw, step;
	size_t n;
	json_t **bars = chart_bars(cmp, &n);
	int decimals;

	s.lo = n > 0 ? fmin(0.0, json_number_value(json_object_get(bars[0],
	    "waarde"))) : 0.0;
	s.hi = n > 0 ? json_number_value(json_object_get(bars[n - 1],
	    "waarde")) * 1.05 : 1.0;
	if (s.hi <= s.lo)
		s.hi = s.lo + 1.0;
	step = chart_ticks(&s, chart_whole(bars, n), &decimals);
	bw = n > 0 ? plot_w / (double)n : plot_w;

	evbuffer_add_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" "
	    "role=\"img\" aria-labelledby=\"grafiek-titel "
	    "grafiek-beschrijving\" font-family=\"sans-serif\">\n",
	    CHART_W, CHART_H, CHART_W, CHART_H);
	html_out(b, "<title id=\"grafiek-titel\">%s: %s vergeleken met de "
	    "groep</title>\n", json_string_value(json_object_get(ind, "naam")),
	    self_name);
	chart_description(b, ind, cmp, self_name);
	chart_axis(b, &s, step, decimals, json_string_value(json_object_get(ind,
	    "eenheid")));
	if (n > 0) {
		double y75 = chart_y(&s, chart_stat(cmp, "p75"));
		double y25 = chart_y(&s, chart_stat(cmp, "p25"));
		double ym = chart_y(&s, chart_stat(cmp, "mediaan"));

		evbuffer_add_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\""
		    " height=\"%.1f\" fill=\"#e8e0f0\"/>\n", CHART_LEFT, y75,
		    plot_w, fmax(y25 - y75, 0.5));
		evbuffer_add_printf(b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\""
		    " y2=\"%.1f\" stroke=\"#5a3d7a\" stroke-dasharray=\"6 4\"/>\n",
		    CHART_LEFT, CHART_W - CHART_RIGHT, ym, ym);
	}
	for (size_t i = 0; i < n; i++) {
		double v = json_number_value(json_object_get(bars[i], "waarde"));
		double y = chart_y(&s, v), y0 = chart_y(&s, fmax(s.lo, 0.0));
		bool mine = strcmp(json_string_value(json_object_get(bars[i],
		    "gemeente")), self) == 0;
		char label[32];

		chart_number(label, sizeof label, v);
		evbuffer_add_printf(b, "<rect x=\"%.2f\" y=\"%.2f\" "
		    "width=\"%.2f\" height=\"%.2f\" fill=\"%s\">",
		    CHART_LEFT + bw * (double)i + bw * 0.1, fmin(y, y0),
		    bw * 0.8, fmax(fabs(y0 - y), 0.5),
		    mine ? "#b4003c" : "#7f9cc0");
		html_out(b, "<title>%s: %s (bron: %s)</title></rect>\n",
		    json_string_value(json_object_get(bars[i], "naam")), label,
		    json_string_value(json_object_get(json_object_get(bars[i],
		    "bron"), "naam")));
		if (mine)
			html_out(b, "<text x=\"%ld\" y=\"%ld\" font-size=\"13\" "
			    "text-anchor=\"middle\" fill=\"#b4003c\">%s</text>\n",
			    (long)(CHART_LEFT + bw * ((double)i + 0.5)),
			    (long)fmax(y - 8, 14), self_name);
	}
	html_out(b, "<text x=\"%ld\" y=\"%ld\" font-size=\"12\">Band: middelste "
	    "helft van de groep; streep: mediaan</text>\n", (long)CHART_LEFT,
	    (long)(CHART_H - 12));
	evbuffer_add_printf(b, "</svg>\n");
	free(bars);
	return b;
}

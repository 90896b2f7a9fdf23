/*
 * A comparison as an SVG bar chart people can read, on a phone too.
 *
 * One horizontal bar per member of the group with a value, best first
 * (the order of the rank: highest first, lowest first when lower is
 * better), each labelled with its municipality's name and its value, so
 * that every bar is identifiable without a legend; the band from the first
 * to the third quartile and the median behind them. The municipality's bar
 * is told apart by more than its colour: a black outline, a bold label and
 * the words "uw gemeente". The axis has round ticks in Dutch notation (no
 * decimals for counts) and says its unit.
 *
 * Size: the SVG has no viewBox. Its x coordinates are percentages of its
 * width and everything else is in CSS pixels, so it fills the width it is
 * given (320 px on a phone) without scaling its text: every text is at
 * least CHART_FONT_MIN (12) px wide or narrow. The height grows with the
 * group, CHART_ROW px a bar.
 *
 * Colours (WCAG 1.4.11): bars, the own bar, the band's edges and the
 * median line have a contrast of at least 3:1 against the background and
 * against the band; the labels are black on them (at least 4.5:1).
 * test_chart.c computes the ratios with chart_contrast().
 *
 * For screen readers the image has a title and a description that says in
 * words what the chart shows (role="img", aria-labelledby), and each bar
 * has its own <title>; the page shows the same numbers in a table.
 *
 * Everything from data goes through html_out()'s escaping %s; coordinates
 * are numbers we compute.
 */
#include "domain/domain.h"

#include <event2/buffer.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CHART_ROW	26.0	/* px per bar */
#define CHART_BAR	20.0	/* a bar's height */
#define CHART_TOP	52.0	/* the unit's line and the ticks above the bars */
#define CHART_LINE	18.0	/* a line of the legend */
/* Bold 13 px characters on a 320 px screen's 288 px: name and value. */
#define CHART_LINE_CHARS	36

/* The background the chart is drawn on, and what is drawn on it. */
const struct chart_colours chart_colours = {
	.background = "#ffffff",
	.bar = "#5a86c0",
	.own = "#c8690a",
	.outline = "#000000",
	.band = "#f3eff7",
	.band_edge = "#4d4d4d",
	.median = "#000000",
	.grid = "#d0d0d0",
	.text = "#000000",
};

struct chart_scale {
	double lo, hi;
};

/* A value's place across the plot, in percent of the width (0 to 100). */
static double
chart_x(const struct chart_scale *s, double v)
{
	return 100.0 * (v - s->lo) / (s->hi - s->lo);
}

static double
chart_stat(json_t *cmp, const char *key)
{
	return json_number_value(json_object_get(json_object_get(cmp,
	    "statistiek"), key));
}

/* The relative luminance of "#rrggbb" (WCAG 2.1), 0 for another text. */
static double
chart_luminance(const char *hex)
{
	double c[3];

	if (hex == NULL || strlen(hex) != 7 || hex[0] != '#' ||
	    strspn(hex + 1, "0123456789abcdefABCDEF") != 6)
		return 0.0;
	for (int i = 0; i < 3; i++) {
		char part[3] = { hex[1 + 2 * i], hex[2 + 2 * i], '\0' };
		double v = (double)strtol(part, NULL, 16) / 255.0;

		c[i] = v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
	}
	return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
}

/*
 * The contrast ratio of two colours "#rrggbb" (WCAG 2.1: 1 to 21; 3 is the
 * least for graphics, 4.5 for text).
 */
double
chart_contrast(const char *a, const char *b)
{
	double la = chart_luminance(a), lb = chart_luminance(b);

	return (fmax(la, lb) + 0.05) / (fmin(la, lb) + 0.05);
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
 * Round ticks ("nice numbers"): a step of 1, 2, 2,5 or 5 times a power of
 * ten, about four of them over [*lo, *hi], which widen to whole steps.
 * Counts (whole) never get a step below 1. *decimals: what the step needs
 * (2,5 needs one). Returns the step; the ticks are *lo, *lo + step, ...,
 * *hi.
 */
double
chart_ticks(double *lo, double *hi, bool whole, int *decimals)
{
	static const double nice[] = { 1.0, 2.0, 2.5, 5.0, 10.0 };
	double raw, mag, step = 1.0;

	if (!(*hi > *lo))
		*hi = *lo + 1.0;
	raw = (*hi - *lo) / 4.0;
	mag = pow(10.0, floor(log10(raw)));
	for (size_t i = 0; i < nitems(nice); i++) {
		step = nice[i] * mag;
		/* A count's ticks are whole: never 2,5 or 0,5 apart. */
		if (whole && fabs(step - round(step)) > 1e-9)
			continue;
		if (step >= raw * (1.0 - 1e-9))
			break;
	}
	if (whole && step < 1.0)
		step = 1.0;
	*lo = floor(*lo / step + 1e-9) * step;
	*hi = ceil(*hi / step - 1e-9) * step;
	for (*decimals = 0; *decimals < 6; (*decimals)++) {
		double scaled = step * pow(10.0, *decimals);

		if (fabs(scaled - round(scaled)) < 1e-6)
			break;
	}
	return step;
}

static double
chart_value(json_t *const *m)
{
	return json_number_value(json_object_get(*m, "waarde"));
}

static int
chart_high_first(const void *a, const void *b)
{
	double x = chart_value(a), y = chart_value(b);

	return x > y ? -1 : x < y;
}

static int
chart_low_first(const void *a, const void *b)
{
	return chart_high_first(b, a);
}

/*
 * The members with a value (borrowed), best first: highest first, lowest
 * first when lower is better. *n their number, *missing how many members
 * have none.
 */
static json_t **
chart_bars(json_t *cmp, bool low_first, size_t *n, size_t *missing)
{
	json_t *members = json_object_get(cmp, "leden"), *m;
	json_t **bars = xreallocarray(NULL, json_array_size(members) + 1,
	    sizeof *bars);
	size_t i;

	*n = 0;
	json_array_foreach(members, i, m)
		if (json_is_number(json_object_get(m, "waarde")))
			bars[(*n)++] = m;
	*missing = json_array_size(members) - *n;
	qsort(bars, *n, sizeof *bars, low_first ? chart_low_first :
	    chart_high_first);
	return bars;
}

static void
chart_description(struct evbuffer *b, json_t *ind, json_t *cmp,
    const char *self_name, bool low_first, size_t missing)
{
	json_t *pos = json_object_get(cmp, "positie");
	char med[32], p25[32], p75[32], own[32], count[NL_COUNTED_MAX];
	char period[64];
	long n = (long)json_integer_value(json_object_get(json_object_get(cmp,
	    "statistiek"), "n"));

	chart_number(med, sizeof med, chart_stat(cmp, "mediaan"));
	chart_number(p25, sizeof p25, chart_stat(cmp, "p25"));
	chart_number(p75, sizeof p75, chart_stat(cmp, "p75"));
	html_out(b, "<desc id=\"grafiek-beschrijving\">Staafdiagram van %s "
	    "(%s) in %s voor %s (groep: %s), %s. De mediaan is %s; de "
	    "middelste helft ligt tussen %s en %s. ",
	    json_string_value(json_object_get(ind, "naam")),
	    json_string_value(json_object_get(ind, "eenheid")),
	    nl_period(period, sizeof period, json_string_value(
	    json_object_get(cmp, "periode"))),
	    nl_counted(count, sizeof count, n, "gemeente", "gemeenten"),
	    json_string_value(json_object_get(cmp, "groep")),
	    low_first ? "van laag naar hoog (lager is beter)" :
	    "van hoog naar laag", med, p25, p75);
	if (json_is_number(json_object_get(pos, "waarde"))) {
		chart_number(own, sizeof own, json_number_value(
		    json_object_get(pos, "waarde")));
		html_out(b, "%s heeft %s, rang %ld. %s", self_name, own,
		    (long)json_integer_value(json_object_get(pos, "rang")),
		    json_string_value(json_object_get(pos, "keuze")));
	} else
		html_out(b, "Van %s is geen waarde bekend.", self_name);
	if (missing > 0)
		html_out(b, " Van %s in de groep is geen waarde bekend; die "
		    "staan niet in de grafiek.", nl_counted(count, sizeof count,
		    (long)missing, "gemeente", "gemeenten"));
	html_out(b, "</desc>\n");
}

/*
 * The unit above the axis, and round ticks: a label above the bars and a
 * grid line through them at each (the first label starts at its tick,
 * the last ends at it, so neither is cut off).
 */
static void
chart_axis(struct evbuffer *b, const struct chart_scale *s, double step,
    int decimals, const char *unit, double bottom)
{
	int n = (int)round((s->hi - s->lo) / step);

	if (unit != NULL && *unit != '\0')
		html_out(b, "<text class=\"eenheid\" x=\"0\" y=\"16\" "
		    "font-size=\"13\">Eenheid: %s</text>\n", unit);
	for (int i = 0; i <= n; i++) {
		double x = chart_x(s, s->lo + step * i);
		char label[NL_NUMBER_MAX];

		nl_number(label, sizeof label, s->lo + step * i, decimals);
		evbuffer_add_printf(b, "<line x1=\"%.2f%%\" x2=\"%.2f%%\" "
		    "y1=\"%.0f\" y2=\"%.0f\" stroke=\"%s\"/>", x, x,
		    CHART_TOP - 8, bottom, chart_colours.grid);
		evbuffer_add_printf(b, "<text class=\"tick\" x=\"%.2f%%\" "
		    "y=\"%.0f\" font-size=\"12\" text-anchor=\"%s\">", x,
		    CHART_TOP - 12, i == 0 ? "start" : i == n ? "end" : "middle");
		html_out(b, "%s</text>\n", label);
	}
}

/*
 * The band from the first to the third quartile, behind the bars (over
 * is false), or its edges and the median line, over them (over true), so
 * that the bars do not hide them.
 */
static void
chart_spread(struct evbuffer *b, const struct chart_scale *s, json_t *cmp,
    double bottom, bool over)
{
	double x25 = chart_x(s, chart_stat(cmp, "p25"));
	double x75 = chart_x(s, chart_stat(cmp, "p75"));
	double xm = chart_x(s, chart_stat(cmp, "mediaan"));

	if (!over) {
		evbuffer_add_printf(b, "<rect x=\"%.2f%%\" y=\"%.0f\" "
		    "width=\"%.2f%%\" height=\"%.0f\" fill=\"%s\"/>\n", x25,
		    CHART_TOP, fmax(x75 - x25, 0.0), bottom - CHART_TOP,
		    chart_colours.band);
		return;
	}
	for (int i = 0; i < 2; i++)
		evbuffer_add_printf(b, "<line x1=\"%.2f%%\" x2=\"%.2f%%\" "
		    "y1=\"%.0f\" y2=\"%.0f\" stroke=\"%s\" "
		    "stroke-dasharray=\"2 2\"/>\n", i ? x75 : x25, i ? x75 : x25,
		    CHART_TOP, bottom, chart_colours.band_edge);
	evbuffer_add_printf(b, "<line x1=\"%.2f%%\" x2=\"%.2f%%\" y1=\"%.0f\" "
	    "y2=\"%.0f\" stroke=\"%s\" stroke-width=\"2\" "
	    "stroke-dasharray=\"6 4\"/>\n", xm, xm, CHART_TOP, bottom,
	    chart_colours.median);
}

/* The characters (not bytes) of a UTF-8 text. */
static size_t
chart_chars(const char *s)
{
	size_t n = 0;

	for (; s != NULL && *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/*
 * One bar at row i: from zero (or the axis' start) to its value, its
 * name at the left and its value at the right, both black on the bar or
 * the background. The own one outlined, its label bold with "uw
 * gemeente" when name, words and value fit one line of a phone
 * (CHART_LINE_CHARS); else the legend says it.
 */
static void
chart_bar(struct evbuffer *b, const struct chart_scale *s, json_t *m,
    size_t i, bool mine)
{
	double v = json_number_value(json_object_get(m, "waarde"));
	const char *naam = json_string_value(json_object_get(m, "naam"));
	double x0 = chart_x(s, fmax(s->lo, fmin(0.0, s->hi)));
	double x = chart_x(s, v), y = CHART_TOP + CHART_ROW * (double)i + 3;
	char label[32];

	chart_number(label, sizeof label, v);
	evbuffer_add_printf(b, "<rect%s x=\"%.2f%%\" y=\"%.0f\" "
	    "width=\"%.2f%%\" height=\"%.0f\" fill=\"%s\"",
	    mine ? " class=\"uw-gemeente\"" : "", fmin(x, x0), y,
	    fmax(fabs(x - x0), 0.3), CHART_BAR, mine ? chart_colours.own :
	    chart_colours.bar);
	if (mine)
		evbuffer_add_printf(b, " stroke=\"%s\" stroke-width=\"2\"",
		    chart_colours.outline);
	html_out(b, "><title>%s: %s (bron: %s)</title></rect>\n",
	    json_string_value(json_object_get(m, "naam")), label,
	    json_string_value(json_object_get(json_object_get(m, "bron"),
	    "naam")));
	/* The attributes are ours (printf); the names are escaped (html_out). */
	evbuffer_add_printf(b, "<text x=\"0\" dx=\"4\" y=\"%.0f\" "
	    "font-size=\"13\"%s>", y + CHART_BAR - 6, mine ?
	    " font-weight=\"bold\"" : "");
	html_out(b, "%s%s</text>", naam, mine && chart_chars(naam) +
	    strlen(label) + 16 <= CHART_LINE_CHARS ? " (uw gemeente)" : "");
	evbuffer_add_printf(b, "<text class=\"waarde\" x=\"100%%\" dx=\"-4\" "
	    "y=\"%.0f\" font-size=\"13\" text-anchor=\"end\"%s>",
	    y + CHART_BAR - 6, mine ? " font-weight=\"bold\"" : "");
	html_out(b, "%s</text>\n", label);
}

/*
 * What the band, the dashes and the outline mean, under the bars (the
 * outline only when the municipality has a bar: own).
 */
static void
chart_legend(struct evbuffer *b, double bottom, const char *self_name,
    bool own)
{
	static const char *const lines[] = { "Band tussen stippellijnen: "
	    "middelste helft", "Lange streepjes: mediaan van de groep" };

	for (size_t i = 0; i < nitems(lines); i++)
		html_out(b, "<text x=\"0\" y=\"%ld\" font-size=\"12\">%s</text>\n",
		    (long)(bottom + CHART_LINE * (double)(i + 1)), lines[i]);
	if (own)
		html_out(b, "<text x=\"0\" y=\"%ld\" font-size=\"12\" "
		    "font-weight=\"bold\">Omlijnd en vet: %s (uw gemeente)"
		    "</text>\n", (long)(bottom + CHART_LINE * 3.0), self_name);
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
	const char *dir = json_string_value(json_object_get(ind, "richting"));
	bool low_first = dir != NULL && strcmp(dir, "lager_beter") == 0;
	struct chart_scale s = { 0.0, 1.0 };
	double step, bottom;
	size_t n, missing;
	json_t **bars = chart_bars(cmp, low_first, &n, &missing);
	int decimals;
	bool own = false;

	/* From zero (or below it). The values are written at the right
	 * edge, over a long bar if need be (black on the bar: 5.6:1). */
	for (size_t i = 0; i < n; i++) {
		double v = json_number_value(json_object_get(bars[i],
		    "waarde"));

		s.lo = fmin(s.lo, v);
		s.hi = i == 0 ? fmax(0.0, v) : fmax(s.hi, v);
	}
	step = chart_ticks(&s.lo, &s.hi, chart_whole(bars, n), &decimals);
	bottom = CHART_TOP + CHART_ROW * (double)(n > 0 ? n : 1);

	evbuffer_add_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "class=\"staafdiagram\" width=\"100%%\" height=\"%.0f\" "
	    "role=\"img\" aria-labelledby=\"grafiek-titel "
	    "grafiek-beschrijving\" font-family=\"sans-serif\" fill=\"%s\">\n",
	    bottom + CHART_LINE * 3.0 + 8.0, chart_colours.text);
	html_out(b, "<title id=\"grafiek-titel\">%s: %s vergeleken met de "
	    "groep</title>\n", json_string_value(json_object_get(ind, "naam")),
	    self_name);
	chart_description(b, ind, cmp, self_name, low_first, missing);
	evbuffer_add_printf(b, "<rect width=\"100%%\" height=\"100%%\" "
	    "fill=\"%s\"/>\n", chart_colours.background);
	if (n > 0)
		chart_spread(b, &s, cmp, bottom, false);
	chart_axis(b, &s, step, decimals, json_string_value(json_object_get(ind,
	    "eenheid")), bottom);
	for (size_t i = 0; i < n; i++) {
		bool mine = self != NULL && strcmp(json_string_value(
		    json_object_get(bars[i], "gemeente")), self) == 0;

		chart_bar(b, &s, bars[i], i, mine);
		own |= mine;
	}
	if (n > 0)
		chart_spread(b, &s, cmp, bottom, true);
	if (n == 0)
		html_out(b, "<text x=\"0\" y=\"%ld\" font-size=\"13\">Geen "
		    "waarden in deze groep.</text>\n", (long)(CHART_TOP + 16));
	chart_legend(b, bottom, self_name, own);
	evbuffer_add_printf(b, "</svg>\n");
	free(bars);
	return b;
}

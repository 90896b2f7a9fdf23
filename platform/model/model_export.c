/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Downloads for spreadsheets, for the API's comparison and dataset routes
 * (and the pages that link to them): the bytes go out as an attachment
 * with a file name (Content-Disposition), so a browser saves them, and
 * the .xlsx is written in the data directory (core/sheet_xlsx.c).
 */
#include "model/model.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

/*
 * Send an export's bytes (borrowed) in format ("csv", "csv-nl" or "xlsx")
 * with status 200, saved as name plus the format's extension. name is
 * built by us from checked identifiers: no quotes, no line breaks.
 */
void
model_export_send(struct req *r, const char *format, const char *name,
    struct evbuffer *bytes)
{
	const char *ctype = sheet_content_type(format);
	char *disp = xasprintf("attachment; filename=\"%s.%s\"", name,
	    strcmp(format, "xlsx") == 0 ? "xlsx" : "csv");

	reply_header(r, "Content-Disposition", disp);
	free(disp);
	reply_send(r, 200, ctype != NULL ? ctype : "text/csv; charset=utf-8",
	    bytes);
}

/*
 * Render sheet (borrowed) in format ("csv-nl" or "xlsx") into out. 0, or
 * -1 after answering 500 (the file could not be written).
 */
int
model_export_render(struct req *r, json_t *sheet, const char *format,
    struct evbuffer *out)
{
	if (sheet_render(sheet, format, r->ctx->cfg->data_dir, out) == 0)
		return 0;
	reply_problem(r, 500, "Niet gelukt", "Het bestand kon niet gemaakt "
	    "worden. Probeer het later opnieuw.");
	return -1;
}

/*
 * A dataset d (dataset_store_get(), borrowed) as a download in format
 * ("csv-nl" or "xlsx"), with its indicator's name and unit and the
 * uploading municipality as its source. Answers in every case.
 */
void
model_export_dataset(struct req *r, json_t *d, const char *format)
{
	const char *code = json_string_value(json_object_get(d, "gemeente"));
	json_t *ind = NULL, *gm = NULL, *sheet;
	struct evbuffer *b;
	char *source, *name;

	if (indicator_get(r->db, json_string_value(json_object_get(d,
	    "indicator")), &ind) != MEENT_OK ||
	    municipality_get(r->db, code, &gm) == MEENT_ERR) {
		json_decref(ind);
		reply_db_failed(r, "De dataset kon niet gelezen worden.");
		return;
	}
	source = xasprintf("gemeente %s (%s)", gm != NULL ?
	    json_string_value(json_object_get(gm, "naam")) : code, code);
	sheet = export_dataset(d, ind, source);
	b = evbuffer_new();
	if (model_export_render(r, sheet, format, b) == 0) {
		name = xasprintf("dataset-%s-%s", json_string_value(
		    json_object_get(d, "indicator")), json_string_value(
		    json_object_get(d, "periode")));
		model_export_send(r, format, name, b);
		free(name);
	}
	evbuffer_free(b);
	json_decref(sheet);
	free(source);
	json_decref(gm);
	json_decref(ind);
}

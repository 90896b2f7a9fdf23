/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * Attachments of pilots (bijlagen): what a file is, decided from its
 * content, and what its name may be.
 *
 * The type comes from libmagic over the stored bytes, never from the name
 * the uploader gave. The allowed set is attachment_types[]. OOXML and ODF
 * files are zip archives, so libmagic's answer for them is only "a zip":
 * libzip then reads the archive's directory (never its data, except the
 * few bytes of ODF's "mimetype" entry) and decides the kind from the
 * entries ([Content_Types].xml with word/, xl/ or ppt/; or an ODF
 * mimetype). The directory also declares every entry's uncompressed size:
 * an archive whose total is over ATTACHMENT_ZIP_MAX, or over a tenth of
 * it and more than ATTACHMENT_ZIP_RATIO times its own size, or with more than
 * ATTACHMENT_ZIP_ENTRIES entries, is refused as a zip bomb. Nothing here
 * decompresses a whole entry, so a lying directory costs nothing either.
 *
 * CSV has no magic: libmagic says text/csv for regular ones and text/plain
 * for short or irregular ones; text/plain is taken as CSV only when the
 * name ends in .csv (the content is still text, never a program).
 */
#include "domain/domain.h"

#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <magic.h>
#include <zip.h>

/* The allowed types: value the stored Content-Type, hint the extension. */
const struct choice attachment_types[] = {
	{ "application/pdf", "PDF-document", "pdf" },
	{ "application/vnd.oasis.opendocument.text", "Tekstdocument (ODF)",
	    "odt" },
	{ "application/vnd.oasis.opendocument.spreadsheet", "Rekenblad (ODF)",
	    "ods" },
	{ "application/vnd.oasis.opendocument.presentation",
	    "Presentatie (ODF)", "odp" },
	{ "application/vnd.openxmlformats-officedocument.wordprocessingml."
	    "document", "Word-document", "docx" },
	{ "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	    "Excel-rekenblad", "xlsx" },
	{ "application/vnd.openxmlformats-officedocument.presentationml."
	    "presentation", "PowerPoint-presentatie", "pptx" },
	{ "text/csv", "CSV-tabel", "csv" },
	{ "image/png", "PNG-afbeelding", "png" },
	{ "image/jpeg", "JPEG-afbeelding", "jpg" },
	{ NULL, NULL, NULL }
};

#define OOXML	"application/vnd.openxmlformats-officedocument."
#define ODF	"application/vnd.oasis.opendocument."

/* Does name end in ext (".csv"), in any case? */
static bool
attachment_ext(const char *name, const char *ext)
{
	size_t n = strlen(name), e = strlen(ext);

	return n >= e && strcasecmp(name + n - e, ext) == 0;
}

/* Is libmagic's answer one that may be a zip-based office file? */
static bool
attachment_zipish(const char *mime)
{
	return strcmp(mime, "application/zip") == 0 ||
	    strncmp(mime, OOXML, strlen(OOXML)) == 0 ||
	    strncmp(mime, ODF, strlen(ODF)) == 0 ||
	    strcmp(mime, "application/octet-stream") == 0;
}

/* ODF: the first bytes of the "mimetype" entry, into out ("" if none). */
static void
attachment_odf_mimetype(zip_t *z, char *out, size_t outlen)
{
	zip_int64_t i = zip_name_locate(z, "mimetype", 0);
	zip_file_t *f;
	zip_int64_t n;

	out[0] = '\0';
	if (i < 0 || (f = zip_fopen_index(z, (zip_uint64_t)i, 0)) == NULL)
		return;
	n = zip_fread(f, out, outlen - 1);
	zip_fclose(f);
	out[n > 0 ? n : 0] = '\0';
}

/*
 * The office type of the zip archive in fd (size bytes), into *type (a
 * value of attachment_types). NULL when it is one; else a Dutch reason.
 */
static const char *
attachment_zip(int fd, long long size, const char **type)
{
	zip_error_t ze;
	zip_source_t *src;
	zip_t *z;
	zip_int64_t n;
	zip_stat_t st;
	unsigned long long total = 0;
	bool ctypes = false, word = false, xl = false, ppt = false;
	const char *why = NULL;
	char mt[96];
	FILE *fp;
	int dfd = -1;

	*type = NULL;
	zip_error_init(&ze);
	/* libzip closes the descriptor it is given: give it its own. */
	/* libmagic left the shared offset anywhere; libzip starts there. */
	if (lseek(fd, 0, SEEK_SET) == -1 || (dfd = dup(fd)) == -1 ||
	    (fp = fdopen(dfd, "rb")) == NULL) {
		if (dfd != -1)
			close(dfd);
		return "Het bestand kon niet gelezen worden.";
	}
	if ((src = zip_source_filep_create(fp, 0, -1, &ze)) ==
	    NULL || (z = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS,
	    &ze)) == NULL) {
		if (src != NULL)
			zip_source_free(src);
		else
			fclose(fp);
		zip_error_fini(&ze);
		return "Het bestand lijkt een kantoordocument, maar het "
		    "zip-archief is beschadigd.";
	}
	n = zip_get_num_entries(z, 0);
	if (n <= 0 || n > ATTACHMENT_ZIP_ENTRIES) {
		why = "Het kantoordocument heeft te veel (of geen) onderdelen.";
		goto out;
	}
	for (zip_int64_t i = 0; i < n; i++) {
		if (zip_stat_index(z, (zip_uint64_t)i, 0, &st) == -1 ||
		    !(st.valid & ZIP_STAT_SIZE) || !(st.valid & ZIP_STAT_NAME)) {
			why = "Het zip-archief van het kantoordocument is "
			    "beschadigd.";
			goto out;
		}
		total += st.size;
		if (total > ATTACHMENT_ZIP_MAX || (total > ATTACHMENT_ZIP_MAX / 10
		    && total / (unsigned long long)(size > 0 ? size : 1) >
		    ATTACHMENT_ZIP_RATIO)) {
			why = "Het kantoordocument pakt uit tot veel meer dan "
			    "het zelf groot is (een zip-bom); het is geweigerd.";
			goto out;
		}
		ctypes |= strcmp(st.name, "[Content_Types].xml") == 0;
		word |= strcmp(st.name, "word/document.xml") == 0;
		xl |= strcmp(st.name, "xl/workbook.xml") == 0;
		ppt |= strcmp(st.name, "ppt/presentation.xml") == 0;
	}
	if (ctypes && word + xl + ppt == 1)
		*type = word ? OOXML "wordprocessingml.document" : xl ?
		    OOXML "spreadsheetml.sheet" :
		    OOXML "presentationml.presentation";
	else {
		attachment_odf_mimetype(z, mt, sizeof mt);
		if (strncmp(mt, ODF, strlen(ODF)) == 0) {
			const struct choice *c = choice_find(attachment_types,
			    mt);

			*type = c != NULL ? c->value : NULL;
		}
	}
	if (*type == NULL)
		why = "Dit zip-archief is geen Word-, Excel-, PowerPoint- of "
		    "ODF-document; andere archieven kunnen niet.";
out:
	zip_discard(z);
	zip_error_fini(&ze);
	return why;
}

/*
 * What the file in fd (size bytes, read from offset 0; the offset is left
 * anywhere) is: *type, a value of attachment_types, when allowed, and NULL
 * returned; else a Dutch reason why it is refused. name is the cleaned
 * name, consulted only to tell CSV from other plain text.
 */
const char *
attachment_detect(int fd, long long size, const char *name,
    const char **type)
{
	const struct choice *c;
	const char *mime, *why = NULL;
	magic_t m;

	*type = NULL;
	if (size == 0)
		return "Het bestand is leeg.";
	if ((m = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR)) == NULL)
		return "Het bestandstype kon niet bepaald worden.";
	if (magic_load(m, NULL) == -1 || lseek(fd, 0, SEEK_SET) == -1 ||
	    (mime = magic_descriptor(m, fd)) == NULL) {
		magic_close(m);
		return "Het bestandstype kon niet bepaald worden.";
	}
	if (attachment_zipish(mime))
		why = attachment_zip(fd, size, type);
	else if (strcmp(mime, "text/plain") == 0 && attachment_ext(name,
	    ".csv"))
		*type = "text/csv";
	else if ((c = choice_find(attachment_types, mime)) != NULL)
		*type = c->value;
	else
		why = "Dit soort bestand kan niet als bijlage: alleen PDF, "
		    "ODF (odt, ods, odp), Word, Excel, PowerPoint, CSV, PNG en "
		    "JPEG. Het type wordt uit de inhoud bepaald, niet uit de "
		    "naam.";
	magic_close(m);
	return why;
}

/* The length of the valid UTF-8 sequence at s (at most n), or 0. */
static size_t
attachment_utf8_len(const unsigned char *s, size_t n)
{
	size_t len;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((len == 3 && s[0] == 0xe0 && s[1] < 0xa0) ||
	    (len == 3 && s[0] == 0xed && s[1] >= 0xa0) ||
	    (len == 4 && s[0] == 0xf0 && s[1] < 0x90) ||
	    (len == 4 && s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return len;
}

/*
 * A file name as given, made safe to store and to send back: path
 * separators and control characters (C0, DEL) become '_', leading dots and
 * spaces go (no hidden or relative names), the rest is kept up to
 * ATTACHMENT_NAME_MAX bytes, cut at a character's end. Only the last path
 * component counts ("C:\\x\\rapport.pdf" is "rapport.pdf"). Returns 0, or
 * -1 when in is not UTF-8 (anywhere, the cut part too) or nothing is left.
 */
int
attachment_name_clean(const char *in, char out[ATTACHMENT_NAME_MAX + 1])
{
	const unsigned char *s = (const unsigned char *)in;
	const char *slash;
	size_t n, o = 0, len;
	bool full = false;

	if ((slash = strrchr(in, '/')) != NULL)
		s = (const unsigned char *)slash + 1;
	if ((slash = strrchr((const char *)s, '\\')) != NULL)
		s = (const unsigned char *)slash + 1;
	while (*s == '.' || *s == ' ')
		s++;
	n = strlen((const char *)s);
	for (size_t i = 0; i < n; i += len) {
		if ((len = attachment_utf8_len(s + i, n - i)) == 0)
			return -1;
		if (o + len > ATTACHMENT_NAME_MAX) {
			full = true;	/* the rest is only checked */
			continue;
		}
		if (full)
			continue;
		if (len == 1 && (s[i] < 0x20 || s[i] == 0x7f))
			out[o++] = '_';
		else {
			memcpy(out + o, s + i, len);
			o += len;
		}
	}
	out[o] = '\0';
	return o == 0 ? -1 : 0;
}

/* An attachment as the API and the federation show it. */
json_t *
attachment_json(const struct attachment *a)
{
	return json_pack("{s:s, s:I, s:s, s:s, s:s, s:o}", "hash", a->hash,
	    "grootte", (json_int_t)a->grootte, "type", a->type, "naam",
	    a->naam, "gemeente", a->gemeente, "aangemaakt",
	    clock_json(a->aangemaakt));
}

/* escape.c - the one escaping function for text output and diagnostics, and
 * the UTF-8 repair used before handing strings to jansson. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

enum esc_mode {
	ESC_TEXT, /* controls, DEL, C1 and invalid bytes */
	ESC_UTF8, /* invalid bytes only */
};

/* Length (1..4) of the valid UTF-8 sequence at s with its code point in
 * *cp, or 0 when s[0] does not start one (RFC 3629 table 3-7: no
 * overlongs, no surrogates, nothing above U+10FFFF).  Reads past s[0] only
 * while the bytes are continuation bytes, so never beyond the NUL. */
static size_t
utf8_seq(const unsigned char *s, uint32_t *cp)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xBF;
	size_t n;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4;
	else
		return 0;
	if (c == 0xE0)
		lo = 0xA0;
	else if (c == 0xED)
		hi = 0x9F;
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F;
	if (s[1] < lo || s[1] > hi)
		return 0;
	uint32_t v = c & (n == 2 ? 0x1Fu : n == 3 ? 0x0Fu : 0x07u);
	v = (v << 6) | (s[1] & 0x3Fu);
	for (size_t i = 2; i < n; i++) {
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
		v = (v << 6) | (s[i] & 0x3Fu);
	}
	*cp = v;
	return n;
}

static const char hexdig[] = "0123456789abcdef";

/* Appends the escape for one byte or code point to out (when not NULL) and
 * returns how many bytes it takes. */
static size_t
put_escape(char *out, const char *prefix, uint32_t v, const char *suffix)
{
	char tmp[16];
	size_t n = 0;
	for (const char *p = prefix; *p != '\0'; p++)
		tmp[n++] = *p;
	tmp[n++] = hexdig[(v >> 4) & 0xF];
	tmp[n++] = hexdig[v & 0xF];
	for (const char *p = suffix; *p != '\0'; p++)
		tmp[n++] = *p;
	if (out != NULL)
		memcpy(out, tmp, n);
	return n;
}

/* Escapes s into out (or only counts when out is NULL); returns the length
 * of the result without its NUL.  Every iteration consumes at least one
 * byte of s. */
static size_t
escape_into(char *out, const char *s, enum esc_mode mode)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = 0;
	while (*p != '\0') {
		uint32_t cp;
		size_t n = utf8_seq(p, &cp);
		size_t w;
		if (n == 0) {
			w = put_escape(out != NULL ? out + len : NULL, "\\x", *p, "");
			n = 1;
		} else if (mode == ESC_TEXT && (cp < 0x20 || cp == 0x7F)) {
			w = put_escape(out != NULL ? out + len : NULL, "\\x", cp, "");
		} else if (mode == ESC_TEXT && cp >= 0x80 && cp <= 0x9F) {
			w = put_escape(out != NULL ? out + len : NULL, "\\u{", cp, "}");
		} else {
			if (out != NULL)
				memcpy(out + len, p, n);
			w = n;
		}
		len += w;
		p += n;
	}
	return len;
}

static char *
escape_dup(const char *s, enum esc_mode mode)
{
	if (s == NULL)
		s = "";
	size_t n = escape_into(NULL, s, mode);
	char *out = malloc(n + 1);
	if (out == NULL)
		return NULL;
	escape_into(out, s, mode);
	out[n] = '\0';
	return out;
}

char *
esc_text(const char *s)
{
	return escape_dup(s, ESC_TEXT);
}

char *
esc_utf8(const char *s)
{
	return escape_dup(s, ESC_UTF8);
}

int
esc_utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p != '\0') {
		uint32_t cp;
		size_t n = utf8_seq(p, &cp);
		if (n == 0)
			return 0;
		p += n;
	}
	return 1;
}

int
esc_fputs(const char *s, FILE *f)
{
	char *e = esc_text(s);
	if (e == NULL)
		return -1;
	int rc = fputs(e, f) < 0 ? -1 : 0;
	free(e);
	return rc;
}

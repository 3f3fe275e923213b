/* fmt.c - small formatters shared by text and JSON output. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mapiprof/mapiprof.h>

#include "fmt.h"

int
fmt_filetime(int64_t ft, char *buf, size_t size)
{
	/* 0 is "unknown" (mapiprof.h last_write / last_written): no date. */
	if (ft <= 0)
		return -1;
	return mapiprof_filetime_iso(ft, buf, size);
}

char *
fmt_hex(const uint8_t *p, size_t n)
{
	static const char dig[] = "0123456789abcdef";
	if (n > (SIZE_MAX - 1) / 2)
		return NULL;
	char *s = malloc(n * 2 + 1);
	if (s == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		s[2 * i] = dig[p[i] >> 4];
		s[2 * i + 1] = dig[p[i] & 0xF];
	}
	s[n * 2] = '\0';
	return s;
}

char *
fmt_flags(const struct mapiprof_prop *p)
{
	size_t len = 1 + sizeof("|0xffffffff");
	for (size_t i = 0; i < p->nflags; i++)
		len += strlen(p->flags[i]) + 1;
	char *s = malloc(len);
	if (s == NULL)
		return NULL;
	s[0] = '\0';
	size_t used = 0;
	for (size_t i = 0; i < p->nflags; i++) {
		int n = snprintf(s + used, len - used, "%s%s", used > 0 ? "|" : "", p->flags[i]);
		used += n > 0 ? (size_t)n : 0;
	}
	if (p->unknown_bits != 0)
		snprintf(s + used, len - used, "%s0x%" PRIx32, used > 0 ? "|" : "",
		         p->unknown_bits);
	return s;
}

void
fmt_tag(uint32_t tag, char *buf, size_t size)
{
	snprintf(buf, size, "0x%08" PRIx32, tag);
}

void
fmt_value_name(uint32_t tag, char *buf, size_t size)
{
	snprintf(buf, size, "%04" PRIx32 "%04" PRIx32, tag & 0xFFFFu, tag >> 16);
}

const char *
fmt_log_format(uint32_t format)
{
	if (format == 1)
		return "old-format log (DIRT)";
	if (format == 6)
		return "new-format logs (HvLE)";
	return "logs";
}

/* fmt.c - small formatters shared by text and JSON output. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mapiprof/mapiprof.h>

#include "fmt.h"

#define FT_PER_SEC INT64_C(10000000)
/* Days from 1601-01-01 to 1970-01-01. */
#define DAYS_1601_1970 INT64_C(134774)

/* Civil date from days since 1970-01-01 (proleptic Gregorian; the
 * era/day-of-era method, valid for negative days too). */
static void
civil_from_days(int64_t z, int64_t *y, int64_t *m, int64_t *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2 ? 1 : 0);
}

int
fmt_filetime(int64_t ft, char *buf, size_t size)
{
	if (ft <= 0)
		return -1;
	int64_t secs = ft / FT_PER_SEC, frac = ft % FT_PER_SEC;
	int64_t days = secs / 86400, rem = secs % 86400;
	int64_t y, m, d;
	civil_from_days(days - DAYS_1601_1970, &y, &m, &d);
	int n = snprintf(buf, size,
	                 "%04" PRId64 "-%02" PRId64 "-%02" PRId64 "T%02" PRId64 ":%02" PRId64
	                 ":%02" PRId64,
	                 y, m, d, rem / 3600, rem / 60 % 60, rem % 60);
	if (n < 0 || (size_t)n >= size)
		return -1;
	size_t used = (size_t)n;
	if (frac != 0)
		n = snprintf(buf + used, size - used, ".%07" PRId64 "Z", frac);
	else
		n = snprintf(buf + used, size - used, "Z");
	return (n < 0 || (size_t)n >= size - used) ? -1 : 0;
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

/* logmaker.c - test-only builder of a dirty hive and its new-format
 * transaction log (logmaker.h), laid out as the regf specification's "New
 * format" and "Log entries" describe:
 * a 512-byte base block of file type 6, then HvLE entries from offset 512. */
#include "logmaker.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/le.h"
#include "regf/marvin32.h"
#include "regf/replay.h"

#define LM_BB      4096u /* primary base block */
#define LM_BB_LOG  512u  /* a log holds its first 512 bytes */
#define LM_PAGE    4096u /* HvLE pages are whole 4 KiB pages of the hive bins */
#define LM_SEQ1    0x004u
#define LM_SEQ2    0x008u
#define LM_TYPE    0x01Cu
#define LM_BINS    0x028u
#define LM_ROOT    0x024u
#define LM_LE_HDR  40u
#define LM_LE_REF  8u
#define LM_ALIGN   512u
#define LM_MAXSIZE (512u * 1024u * 1024u)

static char lm_err[256];

const char *
lm_error(void)
{
	return lm_err;
}

static int lm_fail(const char *f, ...) MP_PRINTF(1, 2);

static int
lm_fail(const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	vsnprintf(lm_err, sizeof(lm_err), f, ap);
	va_end(ap);
	return -1;
}

/* Reads a whole hive file (at least a base block); *len its size. */
static uint8_t *
lm_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;
	if (f == NULL) {
		lm_fail("%s: cannot open", path);
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    (unsigned long)n < LM_BB || (unsigned long)n > LM_MAXSIZE) {
		lm_fail("%s: cannot size it, or not a hive size", path);
		fclose(f);
		return NULL;
	}
	*len = (size_t)n;
	if ((buf = malloc(*len)) == NULL || fread(buf, 1, *len, f) != *len ||
	    memcmp(buf, "regf", 4) != 0) {
		lm_fail("%s: cannot read it, or no 'regf' signature", path);
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static int
lm_write(const char *path, const uint8_t *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (f == NULL)
		return lm_fail("%s: cannot create", path);
	int ok = (len == 0 || fwrite(data, 1, len, f) == len);
	if (fclose(f) != 0 || !ok)
		return lm_fail("%s: cannot write", path);
	return 0;
}

/* 1 if page k (offset k * 4096 in the hive bins) of changed differs from
 * clean's, or clean has no such page. */
static int
lm_page_differs(const uint8_t *clean, size_t clen, const uint8_t *changed, size_t k)
{
	size_t off = LM_BB + k * LM_PAGE;
	if (off + LM_PAGE > clen)
		return 1;
	return memcmp(clean + off, changed + off, LM_PAGE) != 0;
}

/* Appends one HvLE entry of npages pages (their indexes in pages[]) to
 * log at *pos; returns its size. */
static size_t
lm_entry(uint8_t *log, size_t pos, const uint8_t *changed, const size_t *pages, size_t npages,
         uint32_t seq, uint32_t bins)
{
	uint8_t *e = log + pos;
	size_t data = LM_LE_HDR + npages * LM_LE_REF;
	size_t size = (data + npages * LM_PAGE + LM_ALIGN - 1u) / LM_ALIGN * LM_ALIGN;
	memcpy(e, "HvLE", 4);
	mp_put_le32(e + 0x04, (uint32_t)size);
	mp_put_le32(e + 0x08, 0);
	mp_put_le32(e + 0x0C, seq);
	mp_put_le32(e + 0x10, bins);
	mp_put_le32(e + 0x14, (uint32_t)npages);
	for (size_t i = 0; i < npages; i++) {
		mp_put_le32(e + LM_LE_HDR + i * LM_LE_REF, (uint32_t)(pages[i] * LM_PAGE));
		mp_put_le32(e + LM_LE_HDR + i * LM_LE_REF + 4, LM_PAGE);
		memcpy(e + data + i * LM_PAGE, changed + LM_BB + pages[i] * LM_PAGE, LM_PAGE);
	}
	mp_put_le64(e + 0x18, mp_marvin32(e + LM_LE_HDR, size - LM_LE_HDR, MP_MARVIN32_REGF_SEED));
	mp_put_le64(e + 0x20, mp_marvin32(e, 32, MP_MARVIN32_REGF_SEED));
	return size;
}

/* Builds the log image for the changed pages pages[0..np) in nent entries. */
static uint8_t *
lm_build_log(const uint8_t *clean, const uint8_t *changed, const size_t *pages, size_t np,
             size_t nent, struct lm_result *res)
{
	uint32_t bins = mp_le32(changed + LM_BINS);
	uint8_t *log = calloc(1, LM_BB_LOG + nent * (LM_ALIGN + np * (LM_PAGE + LM_LE_REF)));
	if (log == NULL) {
		lm_fail("out of memory");
		return NULL;
	}
	/* The log's base block: the primary's first 512 bytes, type 6, both
	 * sequence numbers = the first entry's (spec "Base block" of a log). */
	memcpy(log, clean, LM_BB_LOG);
	mp_put_le32(log + LM_SEQ1, res->seq_primary);
	mp_put_le32(log + LM_SEQ2, res->seq_primary);
	mp_put_le32(log + LM_TYPE, 6);
	mp_regf_base_seal(log);
	size_t pos = LM_BB_LOG, done = 0;
	for (size_t k = 0; k < nent; k++) {
		size_t n = (np - done) / (nent - k);
		res->entry_off[k] = pos;
		res->entry_len[k] = lm_entry(log, pos, changed, pages + done, n,
		                             res->seq_primary + (uint32_t)k, bins);
		pos += res->entry_len[k];
		done += n;
	}
	res->entries = nent;
	res->pages = np;
	res->log_len = pos;
	res->seq_after = res->seq_primary + (uint32_t)nent - 1u;
	return log;
}

/* Writes out (the dirty primary), out.LOG1 and maybe out.LOG2. */
static int
lm_emit(const char *out, uint8_t *clean, size_t clen, const uint8_t *log, const struct lm_opts *o,
        const struct lm_result *res)
{
	size_t n = strlen(out) + 6;
	char *p = malloc(n);
	int rc = -1;
	if (p == NULL)
		return lm_fail("out of memory");
	mp_put_le32(clean + LM_SEQ1, res->seq_primary + 1u);
	mp_regf_base_seal(clean);
	snprintf(p, n, "%s.LOG1", out);
	if (lm_write(out, clean, clen) != 0 || lm_write(p, log, res->log_len) != 0)
		goto out;
	snprintf(p, n, "%s.LOG2", out);
	if (o->empty_log2 && lm_write(p, NULL, 0) != 0)
		goto out;
	rc = 0;
out:
	free(p);
	return rc;
}

/* Checks the two hives fit together; returns the number of changed pages
 * listed in pages[] (sized for every page of changed), or -1. */
static long
lm_diff(const uint8_t *clean, size_t clen, const uint8_t *changed, size_t xlen, size_t *pages)
{
	uint32_t bins = mp_le32(changed + LM_BINS);
	size_t np = 0;
	if (mp_le32(clean + LM_ROOT) != mp_le32(changed + LM_ROOT))
		return lm_fail("the root cell moved (0x%x -> 0x%x)", mp_le32(clean + LM_ROOT),
		               mp_le32(changed + LM_ROOT));
	if (bins == 0 || bins % LM_PAGE != 0 || xlen < LM_BB + (size_t)bins ||
	    clen < LM_BB + (size_t)mp_le32(clean + LM_BINS))
		return lm_fail("hive-bins size does not fit the file");
	for (size_t k = 0; k < bins / LM_PAGE; k++)
		if (lm_page_differs(clean, clen, changed, k))
			pages[np++] = k;
	if (np == 0)
		return lm_fail("no page differs between the two hives");
	return (long)np;
}

int
lm_make_dirty_opts(const char *clean, const char *changed, const char *out,
                   const struct lm_opts *opts, struct lm_result *res)
{
	struct lm_opts o = opts != NULL ? *opts : (struct lm_opts){0};
	struct lm_result r;
	size_t clen = 0, xlen = 0, *pages = NULL;
	uint8_t *c = NULL, *x = NULL, *log = NULL;
	int rc = -1;
	long np;
	memset(&r, 0, sizeof(r));
	if ((c = lm_read(clean, &clen)) == NULL || (x = lm_read(changed, &xlen)) == NULL)
		goto out;
	if ((pages = calloc(xlen / LM_PAGE + 1u, sizeof(*pages))) == NULL) {
		lm_fail("out of memory");
		goto out;
	}
	if ((np = lm_diff(c, clen, x, xlen, pages)) < 0)
		goto out;
	if (o.entries == 0)
		o.entries = 1;
	if (o.entries > LM_MAX_ENTRIES || o.entries > (unsigned long)np) {
		lm_fail("%u entries asked, %ld pages changed (at most %u entries)", o.entries, np,
		        LM_MAX_ENTRIES);
		goto out;
	}
	r.seq_primary = mp_le32(c + LM_SEQ2);
	if ((log = lm_build_log(c, x, pages, (size_t)np, o.entries, &r)) == NULL)
		goto out;
	if (lm_emit(out, c, clen, log, &o, &r) != 0)
		goto out;
	if (res != NULL)
		*res = r;
	rc = 0;
out:
	free(c);
	free(x);
	free(log);
	free(pages);
	return rc;
}

int
lm_make_dirty(const char *clean, const char *changed, const char *out)
{
	return lm_make_dirty_opts(clean, changed, out, NULL, NULL);
}

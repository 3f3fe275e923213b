/* hiveinfo.c - the regf back end of mapiprof_inspect() (file.c dispatches):
 * reads a hive's base block directly (no hivex) and lists its transaction
 * logs, never writes (regf spec "Base block", "Dirty state
 * of a hive"); and the parts of an inspection every format shares (the info
 * record, the file's attributes, the sha256 of bytes in memory). */
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>

#include "base/hex.h"
#include "base/le.h"
#include "base/platform.h"
#include "regf/base_block.h"
#include "regf/hiveinfo.h"

/* A log "has a header" when it holds at least this much and starts with
 * "regf" (the first sector of a base block; every field we read is in it). */
#define LOG_HEADER_MIN 512u

/* The public struct first, so mapiprof_info_free can find the arena. */
struct info_impl {
	struct mapiprof_info pub;
	struct mp_arena arena;
};

/* Rejects what is not a hive at all (no "regf" signature) and a file
 * shorter than the base block. */
static int
check_size(struct mapiprof_ctx *ctx, int fd, uint64_t size)
{
	uint8_t sig[4];
	if (size < 4) {
		mp_seterr(ctx, MAPIPROF_E_FORMAT, "not a registry hive: file has only %llu bytes",
		          (unsigned long long)size);
		return MAPIPROF_FAILED;
	}
	if (mp_pread_full(ctx, fd, sig, sizeof(sig), 0) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (memcmp(sig, "regf", 4) != 0) {
		mp_seterr(ctx, MAPIPROF_E_FORMAT,
		          "not a registry hive: no 'regf' signature at offset 0");
		return MAPIPROF_FAILED;
	}
	if (size < MP_REGF_BASE_BLOCK) {
		mp_seterr(ctx, MAPIPROF_E_TRUNCATED,
		          "truncated hive: file has %llu bytes, less than the %u-byte base block",
		          (unsigned long long)size, MP_REGF_BASE_BLOCK);
		return MAPIPROF_FAILED;
	}
	return MAPIPROF_OK;
}

/* Decodes the base block into info.  checksum_computed is the value the
 * stored one is compared with: the plain XOR when the stored value equals
 * it (hivex, libregf), else the Windows-rule value (ReactOS hivesum.c). */
static int
read_base_block(struct mapiprof_ctx *ctx, int fd, struct mapiprof_info *info)
{
	struct mp_regf_base b;
	if (mp_pread_full(ctx, fd, b.bb, sizeof(b.bb), 0) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	mp_regf_base_decode(b.bb, &b);
	info->seq1 = b.seq1;
	info->seq2 = b.seq2;
	info->last_written = (int64_t)b.ts;
	info->major = b.major;
	info->minor = b.minor;
	info->file_type = b.type;
	info->bins_size = b.bins;
	info->checksum_stored = b.stored;
	info->checksum_computed = b.stored == b.plain ? b.plain : b.windows;
	info->checksum_ok = info->checksum_stored == info->checksum_computed;
	info->dirty = info->seq1 != info->seq2 || !info->checksum_ok;
	uint64_t need = (uint64_t)MP_REGF_BASE_BLOCK + info->bins_size;
	if (info->size < need) {
		mp_seterr(ctx, MAPIPROF_E_TRUNCATED,
		          "truncated hive: file has %llu bytes, the header needs %llu "
		          "(4096-byte base block + %u bytes of hive bins)",
		          (unsigned long long)info->size, (unsigned long long)need,
		          info->bins_size);
		return MAPIPROF_FAILED;
	}
	return MAPIPROF_OK;
}

/* The digest as lower-case hex into out[65]. */
static void
sha256_finish(struct sha256_ctx *sha, char out[65])
{
	uint8_t digest[SHA256_DIGEST_SIZE];
	sha256_digest(sha, sizeof(digest), digest);
	mp_hex_encode(digest, sizeof(digest), out);
}

void
mp_sha256_hex(const void *p, size_t n, char out[65])
{
	struct sha256_ctx sha;
	sha256_init(&sha);
	sha256_update(&sha, n, p);
	sha256_finish(&sha, out);
}

static unsigned char
ascii_upper(unsigned char c)
{
	return c >= 'a' && c <= 'z' ? (unsigned char)(c - 0x20) : c;
}

/* 1 when the n bytes at a and b are equal, ASCII letters folded. */
static int
ascii_caseeq(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ascii_upper((unsigned char)a[i]) != ascii_upper((unsigned char)b[i]))
			return 0;
	return 1;
}

/* Which log suffix directory entry name carries after the hive's file name
 * base, compared ASCII case-insensitively (regipy ships
 * `transactions_ntuser.dat.log1` beside `transactions_NTUSER.DAT`):
 * 0 ".LOG", 1 ".LOG1", 2 ".LOG2", -1 not a log of this hive (regf spec
 * "Types of files"). */
static int
log_suffix(const char *name, const char *base)
{
	static const char *const suffixes[] = {".LOG", ".LOG1", ".LOG2"};
	size_t bl = strlen(base), nl = strlen(name);
	if (nl <= bl || !ascii_caseeq(name, base, bl))
		return -1;
	for (int k = 0; k < 3; k++) {
		size_t sl = strlen(suffixes[k]);
		if (nl - bl == sl && ascii_caseeq(name + bl, suffixes[k], sl))
			return k;
	}
	return -1;
}

struct found_log {
	int suffix;
	struct mapiprof_logfile lf;
};

static int
cmp_found(const void *a, const void *b)
{
	const struct found_log *x = a, *y = b;
	if (x->suffix != y->suffix)
		return x->suffix < y->suffix ? -1 : 1;
	return strcmp(x->lf.path, y->lf.path);
}

/* Reads the size and base block fields of the log at lf->path.  A log we
 * cannot open or that is not a regular file is skipped (returns 0); only a
 * read error after opening fails.
 *
 * newer: a log's base block carries the hive's primary sequence number at
 * the time the log was started (Vista+ write both of its numbers at once,
 * regf spec).  Windows bumps the primary's seq1 before writing it and seq2
 * after (ReactOS HvpWriteHive), so a log whose seq1 is >= the primary's
 * seq2 was started no earlier than the last completed primary write and may
 * hold data the primary lacks.
 * Older logs (seq1 < seq2) only hold what the primary already has. */
static int
read_log(struct mapiprof_ctx *ctx, struct mapiprof_logfile *lf, uint32_t hive_seq2)
{
	int fd = -1;
	if (mp_open_read(NULL, lf->path, &fd) != MAPIPROF_OK)
		return 0;
	int rc = 1;
	struct mp_file_attr attr;
	if (mp_fd_attr(NULL, fd, &attr) != MAPIPROF_OK || attr.kind != MP_FILE_REGULAR) {
		rc = 0;
		goto out;
	}
	lf->size = attr.size;
	lf->mtime_ns = attr.mtime_ns;
	uint8_t hdr[LOG_HEADER_MIN];
	if (lf->size >= LOG_HEADER_MIN) {
		if (mp_pread_full(ctx, fd, hdr, sizeof(hdr), 0) != MAPIPROF_OK) {
			mp_seterr_file(ctx, lf->path);
			rc = -1;
			goto out;
		}
		lf->has_header = memcmp(hdr, "regf", 4) == 0;
	}
	if (lf->has_header) {
		lf->seq1 = mp_le32(hdr + MP_BB_SEQ1);
		lf->seq2 = mp_le32(hdr + MP_BB_SEQ2);
		lf->file_type = mp_le32(hdr + MP_BB_TYPE);
		lf->newer = lf->seq1 >= hive_seq2;
	}
out:
	mp_close(fd);
	return rc;
}

/* Fills found[*n] for directory entry name if it is a log of the hive. */
static int
consider_entry(struct info_impl *im, struct mapiprof_ctx *ctx, const char *dir, const char *base,
               const char *name, struct found_log *found, size_t *n)
{
	int suffix = log_suffix(name, base);
	if (suffix < 0)
		return MAPIPROF_OK;
	char *p = mp_path_join(dir, name);
	if (p == NULL)
		return mp_nomem(ctx);
	struct found_log *f = &found[*n];
	memset(f, 0, sizeof(*f));
	f->suffix = suffix;
	f->lf.path = mp_arena_strdup(&im->arena, p);
	free(p);
	if (f->lf.path == NULL)
		return mp_nomem(ctx);
	int r = read_log(ctx, &f->lf, im->pub.seq2);
	if (r < 0)
		return MAPIPROF_FAILED;
	*n += (size_t)r;
	return MAPIPROF_OK;
}

/* Lists the transaction logs beside the hive (regf spec "Types of files"),
 * sorted .LOG, .LOG1, .LOG2 then by name.  A directory we cannot list means
 * no logs. */
static int
find_logs(struct mapiprof_ctx *ctx, struct info_impl *im)
{
	char *dir = mp_path_dir(im->pub.path);
	char *base = mp_path_base(im->pub.path);
	char **names = NULL;
	size_t nnames = 0, n = 0;
	struct found_log *found = NULL;
	int rc = MAPIPROF_OK;
	if (dir == NULL || base == NULL) {
		rc = mp_nomem(ctx);
		goto out;
	}
	if (mp_dir_list(NULL, dir, &names, &nnames) != MAPIPROF_OK || nnames == 0)
		goto out;
	if ((found = calloc(nnames, sizeof(*found))) == NULL) {
		rc = mp_nomem(ctx);
		goto out;
	}
	for (size_t i = 0; i < nnames && rc == MAPIPROF_OK; i++)
		rc = consider_entry(im, ctx, dir, base, names[i], found, &n);
	if (rc != MAPIPROF_OK || n == 0)
		goto out;
	qsort(found, n, sizeof(*found), cmp_found);
	struct mapiprof_logfile *logs = mp_arena_calloc(&im->arena, n, sizeof(*logs));
	if (logs == NULL) {
		rc = mp_nomem(ctx);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		logs[i] = found[i].lf;
	im->pub.logs = logs;
	im->pub.nlogs = n;
out:
	free(found);
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	free(base);
	free(dir);
	return rc;
}

int
mp_info_open(struct mapiprof_ctx *ctx, struct mapiprof_info *info, int *fd)
{
	struct mp_file_attr attr;
	if (mp_open_read(ctx, info->path, fd) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (mp_fd_attr(ctx, *fd, &attr) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	info->size = attr.size;
	info->mtime_ns = attr.mtime_ns;
	info->mode = attr.mode;
	if (attr.kind != MP_FILE_REGULAR) {
		mp_seterr(ctx, MAPIPROF_E_FORMAT, "not a regular file");
		return MAPIPROF_FAILED;
	}
	return MAPIPROF_OK;
}

struct mapiprof_info *
mp_info_new(const char *path, const char *format)
{
	struct info_impl *im = calloc(1, sizeof(*im));
	if (im == NULL)
		return NULL;
	im->pub.format = format;
	if ((im->pub.path = mp_arena_strdup(&im->arena, path)) == NULL) {
		free(im);
		return NULL;
	}
	return &im->pub;
}

void
mp_info_log_replayed(struct mapiprof_info *info, size_t i, int on)
{
	/* The array lives in the info's arena and is written only here and by
	 * find_logs; it is const in the public record for callers. */
	if (i < info->nlogs)
		((struct mapiprof_logfile *)(uintptr_t)&info->logs[i])->replayed = on;
}

char *
mp_info_strdup(struct mapiprof_info *info, const char *s)
{
	return mp_arena_strdup(&((struct info_impl *)info)->arena, s);
}

int
mp_hiveinfo_inspect(struct mapiprof_ctx *ctx, const char *path, unsigned flags,
                    struct mapiprof_info **out)
{
	if (out != NULL)
		*out = NULL;
	if (ctx == NULL || path == NULL || out == NULL) {
		mp_seterr(ctx, MAPIPROF_E_INVALID, "mapiprof_inspect: NULL argument");
		return MAPIPROF_FAILED;
	}
	struct mapiprof_info *info = mp_info_new(path, "regf");
	if (info == NULL)
		return mp_nomem(ctx);
	struct info_impl *im = (struct info_impl *)info;
	int fd = -1;
	int rc = MAPIPROF_FAILED;
	const char *errfile = path;
	if (mp_info_open(ctx, info, &fd) != MAPIPROF_OK ||
	    check_size(ctx, fd, info->size) != MAPIPROF_OK ||
	    read_base_block(ctx, fd, info) != MAPIPROF_OK)
		goto out;
	mp_close(fd);
	fd = -1;
	if ((flags & MP_INSPECT_NO_LOGS) == 0 && find_logs(ctx, im) != MAPIPROF_OK) {
		if (ctx->code != MAPIPROF_E_NOMEM)
			errfile = NULL; /* read_log named the log */
		goto out;
	}
	rc = MAPIPROF_OK;
out:
	mp_close(fd);
	if (rc != MAPIPROF_OK) {
		if (errfile != NULL)
			mp_seterr_file(ctx, errfile);
		mapiprof_info_free(info);
		return rc;
	}
	*out = info;
	return MAPIPROF_OK;
}

void
mapiprof_info_free(struct mapiprof_info *info)
{
	if (info == NULL)
		return;
	struct info_impl *im = (struct info_impl *)info;
	mp_arena_free(&im->arena);
	free(im);
}

/* file.c - the public facade's inspect and open: one format dispatch point
 * (by content) inspects a file or opens its store (a dirty hive's recovered
 * state when its logs apply, write/recover.h) and locates its profiles
 * (mapi/locate.c); mapi/profiles.c hands out what was found. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/filehash.h"
#include "base/limits.h"
#include "base/platform.h"
#include "mapi/locate.h"
#include "regf/hiveinfo.h"
#include "regf/lazy.h"
#include "regf/replay.h"
#include "regtext/info.h"
#include "store/reg.h"
#include "write/recover.h"

/* ---- open and inspect: one dispatch point by format ------------------- */

/* Bytes read from the start of the file to recognise its format. */
#define SNIFF_BYTES 64u

/* A regf hive starts with the base block signature "regf"
 * (regf spec "Base block"). */
static int
sniff_regf(const unsigned char *head, size_t n)
{
	return n >= 4 && memcmp(head, "regf", 4) == 0;
}

/* 1 when head[0..n) starts with s after blanks and line ends. */
static int
starts_with_header(const unsigned char *head, size_t n, const char *s)
{
	size_t i = 0, len = strlen(s);
	while (i < n && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
		i++;
	return n - i >= len && memcmp(head + i, s, len) == 0;
}

/* A .reg file (Wine regproc.c parse_file_header): a UTF-16LE or UTF-8 byte
 * order mark, or a first line (after blanks) starting with one of the two
 * headers.  What follows is the parser's to judge ("line N: reason"). */
static int
sniff_reg(const unsigned char *head, size_t n)
{
	if (n >= 2 && head[0] == 0xFF && head[1] == 0xFE)
		return 1;
	if (n >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF)
		return 1;
	return starts_with_header(head, n, "Windows Registry Editor Version 5.00") ||
	       starts_with_header(head, n, "REGEDIT4");
}

/* ---- which state of a hive is read (regf spec "Dirty state of a hive") - */

/* 1 when a non-empty transaction log lies beside the hive. */
static int
has_logs(const struct mapiprof_info *info)
{
	for (size_t i = 0; i < info->nlogs; i++)
		if (info->logs[i].size > 0)
			return 1;
	return 0;
}

/* The primary file is read: state "primary", nothing recovered, the note
 * (NULL for a clean hive) copied into info. */
static int
read_primary(struct mapiprof_ctx *ctx, struct mapiprof_info *info, const char *note)
{
	info->state = "primary";
	info->recovered_format = 0;
	info->recovered_entries = 0;
	info->recovered_seq = 0;
	info->recovery_note = NULL;
	for (size_t i = 0; i < info->nlogs; i++)
		mp_info_log_replayed(info, i, 0);
	if (note != NULL && (info->recovery_note = mp_info_strdup(info, note)) == NULL)
		return mp_nomem(ctx);
	return MAPIPROF_OK;
}

/* Falls back to the primary file after the replay (or the opening of its
 * result) failed: the failure becomes the note, and the error is cleared
 * (but for NOMEM, which stays an error). */
static int
fall_back(struct mapiprof_ctx *ctx, struct mapiprof_info *info, const char *what)
{
	char note[sizeof(ctx->msg) + 80];
	if (ctx->code == MAPIPROF_E_NOMEM)
		return MAPIPROF_FAILED;
	snprintf(note, sizeof(note), "%s, so the primary file was read: %s", what, ctx->msg);
	mapiprof_clear_error(ctx);
	return read_primary(ctx, info, note);
}

/* Decides which state of the hive info describes is read and fills info's
 * state fields: a clean hive's primary (its logs ignored, as Windows does:
 * spec "Dirty state of a hive"); a dirty hive with a non-empty log beside
 * it replayed in memory (regf/replay.h), unless MAPIPROF_OPEN_NO_LOGS or no
 * log applies.  With img, the recovered image is handed over (img->data
 * NULL when the primary is read). */
static int
regf_state(struct mapiprof_ctx *ctx, struct mapiprof_info *info, unsigned flags, struct mp_buf *img)
{
	struct mp_regf_recovery rep;
	struct mp_buf buf = {0};
	if (!info->dirty)
		return read_primary(ctx, info, NULL);
	if (!has_logs(info))
		return read_primary(ctx, info,
		                    "the hive is dirty, but no transaction log is beside it: the "
		                    "primary file was read");
	if ((flags & MAPIPROF_OPEN_NO_LOGS) != 0)
		return read_primary(ctx, info, "logs not read (--no-logs)");
	if (mp_regf_recover_file(ctx, info, &buf, &rep) != MAPIPROF_OK)
		return fall_back(ctx, info, "the transaction logs could not be replayed");
	int rc = mp_recovered_state(ctx, info, &rep);
	if (rc == MAPIPROF_OK && img != NULL) {
		*img = buf;
		return rc;
	}
	mp_buf_free(&buf);
	return rc;
}

/* The regf back end of mapiprof_inspect_flags: the base block, the logs
 * beside it, the state read.  The back ends never hash: the facade does
 * (hash_begin). */
static int
inspect_regf(struct mapiprof_ctx *ctx, const char *path, unsigned flags, struct mapiprof_info **out)
{
	if (mp_hiveinfo_inspect(ctx, path, MP_INSPECT_NO_HASH, out) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (regf_state(ctx, *out, flags, NULL) != MAPIPROF_OK) {
		mapiprof_info_free(*out);
		*out = NULL;
		mp_seterr_file(ctx, path);
		return MAPIPROF_FAILED;
	}
	return MAPIPROF_OK;
}

/* The primary file's store: its checksum must be right (hivex refuses a
 * bad one too); a sequence mismatch alone is fine for reading.  Read cell by
 * cell (regf/lazy.h): a read touches the keys it reads, not the whole hive;
 * writers validate the whole hive themselves (write/commit.c). */
static int
open_primary(struct mapiprof_file *f)
{
	if (!f->info->checksum_ok) {
		mp_seterr(f->ctx, MAPIPROF_E_CHECKSUM,
		          "bad base block checksum (stored 0x%08x, computed 0x%08x)%s",
		          (unsigned)f->info->checksum_stored, (unsigned)f->info->checksum_computed,
		          f->info->recovery_note != NULL ? "; no transaction log was replayed"
		                                         : "");
		return MAPIPROF_FAILED;
	}
	return mp_regf_lazy_open(f->ctx, f->path, &f->store);
}

/* The store on the recovered image, kept in a private temporary file
 * (recover.h) until mapiprof_close; when that fails, the primary's. */
static int
open_recovered(struct mapiprof_file *f, const struct mp_buf *img)
{
	if (mp_recovered_create(f->ctx, f->path, img, &f->recovered) == MAPIPROF_OK &&
	    mp_regf_lazy_open(f->ctx, f->recovered->path, &f->store) == MAPIPROF_OK)
		return MAPIPROF_OK;
	mp_recovered_free(f->recovered);
	f->recovered = NULL;
	if (fall_back(f->ctx, f->info, "the recovered state could not be opened") != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	return open_primary(f);
}

/* Opens a hive read-only, in the state regf_state picks. */
static int
open_regf(struct mapiprof_file *f, unsigned flags)
{
	struct mp_buf img = {0};
	int rc = MAPIPROF_FAILED;
	if (mp_hiveinfo_inspect(f->ctx, f->path, MP_INSPECT_NO_HASH, &f->info) != MAPIPROF_OK ||
	    regf_state(f->ctx, f->info, flags, &img) != MAPIPROF_OK)
		goto out;
	rc = img.data != NULL ? open_recovered(f, &img) : open_primary(f);
out:
	mp_buf_free(&img);
	return rc;
}

/* A .reg file, REGEDIT4 text in the context's code page: read and parsed
 * once, the parse handed to the store. */
static int
inspect_reg(struct mapiprof_ctx *ctx, const char *path, unsigned flags, struct mapiprof_info **out)
{
	(void)flags;
	return mp_reginfo_inspect(ctx, path, ctx->codepage, MP_INSPECT_NO_HASH, out, NULL);
}

static int
open_reg(struct mapiprof_file *f, unsigned flags)
{
	struct mp_reg_file *parsed = NULL;
	(void)flags;
	if (mp_reginfo_inspect(f->ctx, f->path, f->ctx->codepage, MP_INSPECT_NO_HASH, &f->info,
	                       &parsed) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	return mp_store_reg_from_parsed(f->ctx, parsed, &f->store);
}

/* Every back end, tried in order by its sniff; a file no sniff recognises
 * goes to the first (regf), whose inspect reports what is wrong with it.
 * A new back end adds one row here and nothing elsewhere. */
static const struct {
	const char *format;
	int (*sniff)(const unsigned char *head, size_t n);
	int (*inspect)(struct mapiprof_ctx *ctx, const char *path, unsigned flags,
	               struct mapiprof_info **out);
	int (*open)(struct mapiprof_file *f, unsigned flags);
} formats[] = {
    {"regf", sniff_regf, inspect_regf, open_regf},
    {"reg", sniff_reg, inspect_reg, open_reg},
};

/* The row of formats[] for the file at path.  Errors reading it are left
 * to the back end's own open. */
static size_t
pick_format(const char *path)
{
	unsigned char head[SNIFF_BYTES];
	size_t n = 0;
	int fd = -1;
	if (mp_open_read(NULL, path, &fd) == MAPIPROF_OK &&
	    mp_read_some(NULL, fd, head, sizeof(head), &n) != MAPIPROF_OK)
		n = 0;
	mp_close(fd);
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (formats[i].sniff(head, n))
			return i;
	return 0;
}

int
mapiprof_inspect(struct mapiprof_ctx *ctx, const char *path, struct mapiprof_info **out)
{
	return mapiprof_inspect_flags(ctx, path, 0, out);
}

int
mapiprof_inspect_flags(struct mapiprof_ctx *ctx, const char *path, unsigned flags,
                       struct mapiprof_info **out)
{
	if (out != NULL)
		*out = NULL;
	if (ctx == NULL || path == NULL || out == NULL) {
		mp_seterr(ctx, MAPIPROF_E_INVALID, "mapiprof_inspect: NULL argument");
		return MAPIPROF_FAILED;
	}
	if ((flags & ~(MAPIPROF_OPEN_NO_HASH | MAPIPROF_OPEN_NO_LOGS)) != 0) {
		mp_seterr(ctx, MAPIPROF_E_INVALID, "unknown inspect flags 0x%x", flags);
		return MAPIPROF_FAILED;
	}
	/* The hash runs beside the back end's reading (a .reg file is parsed
	 * whole, a dirty hive's logs replayed). */
	struct mp_filehash *hash = NULL;
	if ((flags & MAPIPROF_OPEN_NO_HASH) == 0 &&
	    mp_filehash_begin(ctx, path, 1, &hash) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (formats[pick_format(path)].inspect(ctx, path, flags, out) != MAPIPROF_OK) {
		mp_filehash_cancel(hash);
		return MAPIPROF_FAILED;
	}
	if (hash != NULL && mp_filehash_end(ctx, hash, (*out)->sha256) != MAPIPROF_OK) {
		mapiprof_info_free(*out);
		*out = NULL;
		return MAPIPROF_FAILED;
	}
	if ((*out)->state == NULL)
		(*out)->state = "primary";
	return MAPIPROF_OK;
}

int
mapiprof_open(struct mapiprof_ctx *ctx, const char *path, unsigned flags,
              struct mapiprof_file **out)
{
	if (out != NULL)
		*out = NULL;
	if (ctx == NULL || path == NULL || out == NULL) {
		mp_seterr(ctx, MAPIPROF_E_INVALID, "mapiprof_open: missing argument");
		return MAPIPROF_FAILED;
	}
	struct mapiprof_file *f = NULL;
	if ((flags & ~(MAPIPROF_OPEN_NO_HASH | MAPIPROF_OPEN_NO_LOGS | MAPIPROF_OPEN_LOCK |
	               MAPIPROF_OPEN_HASH_LATER)) != 0) {
		mp_seterr(ctx, MAPIPROF_E_INVALID, "unknown open flags 0x%x", flags);
		goto fail;
	}
	f = calloc(1, sizeof(*f));
	if (f == NULL) {
		mp_nomem(ctx);
		goto fail;
	}
	f->lock_fd = -1;
	f->ctx = ctx;
	/* Locked before the first byte is read: a writer that waited reads
	 * what the one before it wrote. */
	if ((flags & MAPIPROF_OPEN_LOCK) != 0 &&
	    mp_lock_path(ctx, path, mp_lock_wait_ms(ctx), &f->lock_fd) != MAPIPROF_OK)
		goto fail;
	f->path = mp_arena_strdup(&f->arena, path);
	if (f->path == NULL) {
		mp_nomem(ctx);
		goto fail;
	}
	f->name = f->path;
	/* Started first, so that the hash of the whole file runs while the
	 * store is opened and the profiles are located. */
	if ((flags & MAPIPROF_OPEN_NO_HASH) == 0 &&
	    mp_filehash_begin(ctx, path, 1, &f->hash) != MAPIPROF_OK)
		goto fail;
	if (formats[pick_format(path)].open(f, flags) != MAPIPROF_OK ||
	    mp_locate_profiles(f->store, &f->arena, &f->profiles, &f->nprofiles) != MAPIPROF_OK)
		goto fail;
	/* By default the info has the hash when the file is open, as it always
	 * had; MAPIPROF_OPEN_HASH_LATER leaves it running beside the decoding. */
	if (f->hash != NULL && (flags & MAPIPROF_OPEN_HASH_LATER) == 0 &&
	    mapiprof_file_sha256(f) == NULL)
		goto fail;
	if (f->info != NULL && f->info->state == NULL)
		f->info->state = "primary";
	*out = f;
	return MAPIPROF_OK;
fail:
	mp_seterr_file(ctx, path);
	mapiprof_close(f);
	return MAPIPROF_FAILED;
}

/* An error about path is about name for the caller.  Returns
 * MAPIPROF_FAILED. */
static int
name_error(struct mapiprof_ctx *ctx, const char *path, const char *name)
{
	if (mapiprof_errfile(ctx) != NULL && strcmp(mapiprof_errfile(ctx), path) == 0)
		mp_seterr_file(ctx, name);
	return MAPIPROF_FAILED;
}

int
mapiprof_open_as(struct mapiprof_ctx *ctx, const char *path, const char *name, unsigned flags,
                 struct mapiprof_file **out)
{
	if (name == NULL || strcmp(name, path != NULL ? path : "") == 0)
		return mapiprof_open(ctx, path, flags, out);
	/* Nothing named name lies beside path: no logs to look for. */
	if (mapiprof_open(ctx, path, flags | MAPIPROF_OPEN_NO_LOGS, out) != MAPIPROF_OK)
		return name_error(ctx, path, name);
	if (((*out)->name = mp_arena_strdup(&(*out)->arena, name)) == NULL) {
		mapiprof_close(*out);
		*out = NULL;
		return mp_nomem(ctx);
	}
	return MAPIPROF_OK;
}

int
mapiprof_inspect_as(struct mapiprof_ctx *ctx, const char *path, const char *name, unsigned flags,
                    struct mapiprof_info **out)
{
	if (name == NULL || strcmp(name, path != NULL ? path : "") == 0)
		return mapiprof_inspect_flags(ctx, path, flags, out);
	if (mapiprof_inspect_flags(ctx, path, flags | MAPIPROF_OPEN_NO_LOGS, out) != MAPIPROF_OK)
		return name_error(ctx, path, name);
	if (((*out)->path = mp_info_strdup(*out, name)) == NULL) {
		mapiprof_info_free(*out);
		*out = NULL;
		return mp_nomem(ctx);
	}
	return MAPIPROF_OK;
}

/* Bytes read from a pipe per call while spooling. */
#define SPOOL_CHUNK (256u * 1024u)

int
mapiprof_spool(struct mapiprof_ctx *ctx, int fd, const char *name, char **path)
{
	struct mp_file_attr own = {.kind = MP_FILE_REGULAR, .mode = 0600};
	uint64_t total = 0;
	size_t got = 0;
	int out = -1, rc = MAPIPROF_FAILED;
	if (ctx == NULL || path == NULL) {
		mp_seterr(ctx, MAPIPROF_E_INVALID, "mapiprof_spool: NULL argument");
		return MAPIPROF_FAILED;
	}
	*path = NULL;
	/* uid and gid -1: fchown changes nothing, the file stays the caller's. */
	own.uid = own.gid = UINT32_MAX;
	uint8_t *buf = malloc(SPOOL_CHUNK);
	if (buf == NULL)
		return mp_nomem(ctx);
	if (mp_temp_create(ctx, mp_tmpdir(), "input", &own, path, &out) != MAPIPROF_OK)
		goto out;
	do {
		if (mp_read_some(ctx, fd, buf, SPOOL_CHUNK, &got) != MAPIPROF_OK)
			goto out;
		total += got;
		/* The largest input any format accepts: a hive image. */
		if (total > MP_MAX_HIVE_IMAGE) {
			mp_seterr(ctx, MAPIPROF_E_LIMIT, "input larger than %u bytes",
			          MP_MAX_HIVE_IMAGE);
			goto out;
		}
		if (got > 0 && mp_write_full(ctx, out, buf, got) != MAPIPROF_OK)
			goto out;
	} while (got > 0);
	rc = MAPIPROF_OK;
out:
	free(buf);
	if (out >= 0 && mp_close(out) != 0 && rc == MAPIPROF_OK) {
		mp_seterr_errno(ctx, errno, "cannot write a temporary file");
		rc = MAPIPROF_FAILED;
	}
	if (rc != MAPIPROF_OK) {
		mp_seterr_file(ctx, name);
		mapiprof_spool_remove(*path);
		*path = NULL;
	}
	return rc;
}

void
mapiprof_spool_remove(char *path)
{
	if (path == NULL)
		return;
	mp_unlink(NULL, path);
	free(path);
}

void
mapiprof_close(struct mapiprof_file *file)
{
	if (file == NULL)
		return;
	mp_filehash_cancel(file->hash);
	mp_store_close(file->store);
	mp_recovered_free(file->recovered); /* after the store that maps it */
	mapiprof_info_free(file->info);
	mp_arena_free(&file->arena);
	mp_close(file->lock_fd); /* last: releases the lock */
	free(file);
}

const char *
mapiprof_file_path(const struct mapiprof_file *file)
{
	return file->name;
}

const struct mapiprof_info *
mapiprof_file_info(const struct mapiprof_file *file)
{
	return file->info;
}

const char *
mapiprof_file_sha256(struct mapiprof_file *file)
{
	if (file == NULL || file->info == NULL) {
		mp_seterr(file != NULL ? file->ctx : NULL, MAPIPROF_E_INVALID,
		          "mapiprof_file_sha256: no file");
		return NULL;
	}
	if (file->info->sha256[0] != '\0')
		return file->info->sha256;
	struct mp_filehash *h = file->hash;
	file->hash = NULL;
	if (h == NULL && mp_filehash_begin(file->ctx, file->path, 0, &h) != MAPIPROF_OK)
		return NULL;
	if (mp_filehash_end(file->ctx, h, file->info->sha256) != MAPIPROF_OK) {
		name_error(file->ctx, file->path, file->name);
		return NULL;
	}
	return file->info->sha256;
}

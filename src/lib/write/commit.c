/* commit.c - mapiprof_write_check and mapiprof_plan_write: a plan is written
 * into a new file beside the target (never onto the user's file) by the
 * in-place patcher on a copy (regf/patch.c) or by a hivex rewrite, or for a
 * .reg file by the text patcher (regtext/patch.c), fsync'd, verified by
 * reopening it, and renamed over the target (install.c; never hivex's
 * in-place hivex_commit, lib/write.c; dirty hives per regf spec "Dirty state
 * of a hive").  A dirty hive read with its logs replayed (recover.h) is
 * written from its recovered image, and with opts->recover its logs are reset
 * afterwards. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fingerprint.h"
#include "base/le.h"
#include "base/limits.h"
#include "base/platform.h"
#include "mapi/locate.h"
#include "plan/plan.h"
#include "regf/binwalk.h"
#include "regf/cells.h"
#include "regf/freeable.h"
#include "regf/hiveinfo.h"
#include "regf/hivex_decides.h"
#include "regf/patch.h"
#include "regtext/parse.h"
#include "regtext/patch.h"
#include "store/kids.h"
#include "store/reg.h"
#include "write/commit_io.h"
#include "write/inplace.h"
#include "write/install.h"
#include "write/recover.h"

/* A value name hivex could not decode comes back from the store as U+FFFD
 * then "#<offset>" (store/hive.c); rewriting it would store that text. */
#define UNDECODABLE_NAME "\xEF\xBF\xBD#"

/* One write in progress. */
struct commit {
	struct mapiprof_ctx *ctx;
	struct mapiprof_file *file;
	const struct mapiprof_plan *plan;
	const struct mp_commit_io *io;
	struct mp_install ins; /* target (opts->output, or the input), temporary file */
	int in_place;          /* no opts->output */
	/* The source bytes: the input, or the recovered image of a hive read
	 * with its logs replayed (its store was opened on them, so the plan's
	 * cell offsets are theirs). */
	const char *src_path;
	const struct mapiprof_info *src; /* their base block facts */
	int in_fd;                       /* on the source (borrowed from recovered) */
	int own_in_fd;
	struct mp_file_attr in;        /* the source's attributes */
	struct mp_file_attr like;      /* the input's: owner and mode of the new file */
	int reset_logs;                /* opts->recover in place: reset the input's logs */
	int patched;                   /* the in-place patcher wrote it (else hivex did) */
	const struct mp_reg_file *reg; /* the parsed input when it is a .reg file */
	struct mp_reg_edits edits;     /* what the .reg patch changed */
	int text_in_check;             /* the .reg input's bytes are checked by verify_reg_bytes */
	size_t touched;                /* bytes compared since pages were let go */
	struct mp_kids *kids;          /* children by name in the store being verified */
	struct planned_key *planned;   /* the plan's keys of the input, sorted */
	size_t nplanned;
};

/* A key of the input the plan changes: its place in the plan (the first
 * when it is there twice) and whether it deletes it. */
struct planned_key {
	mp_key key;
	size_t index;
	int del;
};

/* The final values of one key: borrowed from cur (the key's values read
 * from a store) and from the plan's ops. */
struct final {
	struct mp_value *cur;
	size_t ncur;
	struct mp_value *v;
	size_t n;
};

/* ---- safety ------------------------------------------------------------- */

/* 1 when log l (non-empty) may hold data the hive lacks: its base block
 * was started at or after the hive's last completed write (hiveinfo.c
 * read_log), or it was modified after the hive (regf spec "Dirty state of a
 * hive"). */
static int
log_is_newer(const struct mapiprof_info *in, const struct mapiprof_logfile *l)
{
	if (l->size == 0)
		return 0;
	return (l->has_header && l->seq1 >= in->seq2) || l->mtime_ns > in->mtime_ns;
}

/* Records the refusal for log l. */
static void
refuse_log(struct mapiprof_ctx *ctx, const struct mapiprof_info *in,
           const struct mapiprof_logfile *l)
{
	char *name = mp_path_base(l->path);
	const char *shown = name != NULL ? name : l->path;
	if (l->has_header && l->seq1 >= in->seq2)
		mp_seterr(ctx, MAPIPROF_E_UNSAFE,
		          "transaction log %s holds newer data (its sequence number %u is not "
		          "older than the hive's %u): the hive's latest changes may live only in "
		          "%s; writing it would make Windows ignore them",
		          shown, (unsigned)l->seq1, (unsigned)in->seq2, shown);
	else
		mp_seterr(ctx, MAPIPROF_E_UNSAFE,
		          "transaction log %s was modified after the hive: the hive's latest "
		          "changes may live only in %s; writing it would make Windows ignore them",
		          shown, shown);
	free(name);
}

int
mapiprof_write_check(struct mapiprof_file *file)
{
	if (file == NULL)
		return MAPIPROF_FAILED;
	struct mapiprof_ctx *ctx = file->ctx;
	const struct mapiprof_info *in = file->info;
	if (in == NULL) {
		mp_seterr(ctx, MAPIPROF_E_INVALID, "only regf hives and .reg files can be written");
		goto refused;
	}
	if (mp_store_reg_file(file->store) != NULL)
		return MAPIPROF_OK; /* text: no logs, no dirty state */
	if (file->recovered != NULL) {
		mp_seterr(ctx, MAPIPROF_E_UNSAFE,
		          "the hive is dirty (sequence numbers %u/%u) and was read with its "
		          "transaction logs replayed (sequence %u, as Windows would load it); "
		          "writing needs --recover, which writes that state with the changes as "
		          "a clean hive and resets the logs",
		          (unsigned)in->seq1, (unsigned)in->seq2, (unsigned)in->recovered_seq);
		goto refused;
	}
	if (in->seq1 != in->seq2) {
		mp_seterr(ctx, MAPIPROF_E_UNSAFE,
		          "the hive is dirty: its sequence numbers differ (primary %u, secondary "
		          "%u), so its latest changes may live only in its transaction logs "
		          "(.LOG1/.LOG2); writing it would make Windows ignore them",
		          (unsigned)in->seq1, (unsigned)in->seq2);
		goto refused;
	}
	if (!in->checksum_ok) {
		mp_seterr(ctx, MAPIPROF_E_UNSAFE,
		          "the hive is dirty: its base block checksum is wrong (stored 0x%08x, "
		          "computed 0x%08x); writing it would make Windows ignore its "
		          "transaction logs",
		          (unsigned)in->checksum_stored, (unsigned)in->checksum_computed);
		goto refused;
	}
	for (size_t i = 0; i < in->nlogs; i++) {
		if (log_is_newer(in, &in->logs[i])) {
			refuse_log(ctx, in, &in->logs[i]);
			goto refused;
		}
	}
	return MAPIPROF_OK;
refused:
	mp_seterr_file(ctx, file->name);
	return MAPIPROF_FAILED;
}

/* ---- the final values of a key ------------------------------------------- */

static void
final_free(struct final *f)
{
	mp_store_values_free(f->cur, f->ncur);
	free(f->v);
	memset(f, 0, sizeof(*f));
}

/* Index of the op of k named name (case-insensitive, as the registry), or
 * k->nops. */
static size_t
op_index(const struct mp_key_change *k, const char *name)
{
	size_t i = 0;
	while (i < k->nops && mp_name_casecmp(k->ops[i].value_name, name) != 0)
		i++;
	return i;
}

/* The values key (0: a key still to create, no values) of store s holds
 * after k's ops: stored values in stored order, a set one replaced where it
 * lies (keeping the stored spelling of its name), a deleted one dropped,
 * new ones appended in op order (plan.h). */
static int
final_values(struct mp_store *s, mp_key key, const struct mp_key_change *k, struct final *f)
{
	memset(f, 0, sizeof(*f));
	for (size_t j = 1; j < k->nops; j++) {
		if (op_index(k, k->ops[j].value_name) < j) {
			mp_seterr(s->ctx, MAPIPROF_E_INVALID,
			          "section %s: the plan sets value %s twice", k->uid,
			          k->ops[j].value_name);
			return MAPIPROF_FAILED;
		}
	}
	if (key != 0 && s->ops->values(s, key, &f->cur, &f->ncur) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	uint8_t *used = calloc(k->nops + 1, 1);
	f->v = calloc(f->ncur + k->nops + 1, sizeof(*f->v));
	if (used == NULL || f->v == NULL) {
		free(used);
		final_free(f);
		return mp_nomem(s->ctx);
	}
	for (size_t i = 0; i < f->ncur; i++) {
		size_t j = op_index(k, f->cur[i].name);
		if (j == k->nops) {
			f->v[f->n++] = f->cur[i];
			continue;
		}
		used[j] = 1;
		if (!k->ops[j].del)
			f->v[f->n++] = (struct mp_value){f->cur[i].name, k->ops[j].reg_type,
			                                 (uint8_t *)k->ops[j].data, k->ops[j].len};
	}
	for (size_t j = 0; j < k->nops; j++) {
		const struct mp_value_change *op = &k->ops[j];
		if (!used[j] && !op->del)
			f->v[f->n++] = (struct mp_value){(char *)op->value_name, op->reg_type,
			                                 (uint8_t *)op->data, op->len};
	}
	free(used);
	return MAPIPROF_OK;
}

/* ---- the hivex rewrite ----------------------------------------------------- */

/* Creates k's key below its profile key (a path key: below the hive root):
 * each missing component of k->uid ('\'-separated) is added as stored in
 * the plan (lower case for a new section).  Sets *out. */
static int
create_key(struct mp_store *s, struct mp_kids *kids, const struct mp_key_change *k, mp_key *out)
{
	mp_key at = k->profile_key;
	char *path = strdup(k->uid);
	int rc = mp_key_change_is_path(k) ? s->ops->root(s, &at) : MAPIPROF_OK;
	if (path == NULL)
		return mp_nomem(s->ctx);
	for (char *comp = path, *next = NULL; rc == MAPIPROF_OK && comp != NULL; comp = next) {
		next = strchr(comp, '\\');
		if (next != NULL)
			*next++ = '\0';
		mp_key child = 0;
		rc = mp_kids_child(kids, at, comp, &child);
		if (rc == MAPIPROF_OK && child == 0) {
			rc = s->ops->add_child(s, at, comp, &child);
			if (rc == MAPIPROF_OK)
				rc = mp_kids_added(kids, at, comp, child);
		}
		at = child;
	}
	free(path);
	*out = at;
	return rc;
}

/* Rewrites k's key in the writable store s with ONE set_values call
 * (hivex reallocates every value of a key on each call, lib/write.c). */
static int
rewrite_key(struct mp_store *s, struct mp_kids *kids, const struct mp_key_change *k)
{
	mp_key key = k->key;
	struct final f;
	if (k->del)
		return s->ops->delete_key(s, key);
	if (key == 0 && create_key(s, kids, k, &key) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (final_values(s, key, k, &f) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	int rc = MAPIPROF_OK;
	for (size_t i = 0; i < f.n && rc == MAPIPROF_OK; i++) {
		if (strncmp(f.v[i].name, UNDECODABLE_NAME, strlen(UNDECODABLE_NAME)) == 0) {
			mp_seterr(s->ctx, MAPIPROF_E_FORMAT,
			          "section %s: a value name cannot be decoded, so the key cannot "
			          "be rewritten",
			          k->uid);
			rc = MAPIPROF_FAILED;
		}
	}
	if (rc == MAPIPROF_OK)
		rc = s->ops->set_values(s, key, f.v, f.n);
	final_free(&f);
	return rc;
}

/* Checks every cell hivex will free before it sees the hive: hivex 1.3
 * aborts the process on one that is not a cell in use, or freed twice,
 * also by two keys of one plan (regf/freeable.h). */
static int
check_freeable(struct commit *c)
{
	const struct mp_regf_cells oc = {c->ctx, c->in_fd, c->src->bins_size, NULL};
	struct mp_regf_used u = {0};
	struct mp_regf_freed f = {0};
	int rc = mp_regf_used_load(&oc, &u);
	for (size_t i = 0; rc == MAPIPROF_OK && i < c->plan->nkeys; i++) {
		const struct mp_key_change *k = &c->plan->keys[i];
		if (k->key == 0 || (k->nops == 0 && !k->del))
			continue;
		rc = k->del ? mp_regf_freed_subtree(&oc, &u, k->uid, k->key, &f)
		            : mp_regf_freed_values(&oc, k->uid, k->key, &f);
	}
	if (rc == MAPIPROF_OK)
		rc = mp_regf_freed_check(&oc, &u, &f);
	mp_regf_freed_free(&f);
	mp_regf_used_free(&u);
	return rc;
}

/* 1 when the plan creates k's key. */
static int
creates(const struct mp_key_change *k)
{
	return k->key == 0 && !k->del;
}

static const struct mapiprof_plan *sort_plan; /* for by_uid_desc (qsort has no context) */

static int
by_uid_desc(const void *a, const void *b)
{
	const struct mp_key_change *x = &sort_plan->keys[*(const size_t *)a];
	const struct mp_key_change *y = &sort_plan->keys[*(const size_t *)b];
	int r = mp_name_casecmp(y->uid, x->uid);
	return r != 0 ? r : (*(const size_t *)a < *(const size_t *)b ? -1 : 1);
}

/* The order to write the plan's keys in: the plan's, except that each run
 * of keys it creates goes in descending order of name.  hivex inserts a new
 * key into its parent's sorted subkey list by reading the names from the
 * start up to the first greater one (insert_subkey, lib/write.c): in
 * descending order that is at once, in any other it reads the new
 * siblings made before.  Keys of one run are independent (create_key
 * makes any missing parent), so the order does not change the result. */
static size_t *
write_order(struct commit *c)
{
	size_t n = c->plan->nkeys;
	size_t *order = malloc((n > 0 ? n : 1) * sizeof(*order));
	if (order == NULL) {
		mp_nomem(c->ctx);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	sort_plan = c->plan;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && creates(&c->plan->keys[j]))
			j++;
		if (j - i > 1)
			qsort(order + i, j - i, sizeof(*order), by_uid_desc);
		i = j > i ? j : i + 1;
	}
	sort_plan = NULL;
	return order;
}

/* The hivex path: the input read whole into memory (never modified), each
 * planned key rewritten, the result written over the empty temporary file
 * (hivex truncates it). */
static int
rewrite_hivex(struct commit *c)
{
	struct mp_store *s = NULL;
	struct mp_kids *kids = NULL;
	size_t *order = NULL;
	int rc = MAPIPROF_FAILED;
	if (check_freeable(c) != MAPIPROF_OK ||
	    mp_store_hive_open(c->ctx, c->src_path, 1, &s) != MAPIPROF_OK ||
	    (kids = mp_kids_new(s)) == NULL || (order = write_order(c)) == NULL)
		goto out;
	for (size_t i = 0; i < c->plan->nkeys; i++)
		if (rewrite_key(s, kids, &c->plan->keys[order[i]]) != MAPIPROF_OK)
			goto out;
	rc = c->io->write_hive(s, c->ins.tmp);
out:
	free(order);
	mp_kids_free(kids);
	mp_store_close(s);
	return rc;
}

/* The input is not the file the plan was made from (open_input). */
static int
changed(struct commit *c)
{
	mp_seterr(c->ctx, MAPIPROF_E_UNSAFE,
	          "the file changed after it was read%s; nothing written, run again",
	          c->reg != NULL               ? ""
	          : c->file->recovered != NULL ? " (size or modification time of the hive or its "
	                                         "transaction logs)"
	                                       : " (size or modification time)");
	return MAPIPROF_FAILED;
}

/* Where the patched text goes: the temporary file, with writeback
 * started behind it so that the fsync finds little left to write. */
struct reg_out {
	struct commit *c;
	uint64_t written, flushed;
};

#define WRITE_BEHIND (8u * 1024u * 1024u)

/* n more bytes are in the temporary file: writeback starts every
 * WRITE_BEHIND bytes. */
static int
wrote_tmp(struct reg_out *o, size_t n)
{
	o->written += n;
	if (o->written - o->flushed >= WRITE_BEHIND) {
		mp_write_behind(o->c->ins.tmp_fd, o->flushed, o->written - o->flushed);
		o->flushed = o->written;
	}
	return MAPIPROF_OK;
}

static int
put_tmp(void *arg, const void *data, size_t n)
{
	struct reg_out *o = arg;
	if (n == 0)
		return MAPIPROF_OK;
	if (o->c->io->write(o->c->ctx, o->c->ins.tmp_fd, data, n) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	return wrote_tmp(o, n);
}

/* A long unchanged span, copied from the input file (c->in_fd: the
 * file parsed, open_input checked) by the kernel. */
static int
copy_tmp(void *arg, size_t off, size_t n)
{
	struct reg_out *o = arg;
	if (o->c->io->copy_span(o->c->ctx, o->c->in_fd, off, o->c->ins.tmp_fd, n) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	return wrote_tmp(o, n);
}

/* A .reg file's new content: the input's text with the plan applied by
 * regtext/patch.c, its unchanged bytes copied from the input file (short
 * ones written from the parsed file); c->edits keeps what changed, for the
 * check. */
static int
produce_reg(struct commit *c)
{
	struct reg_out o = {c, 0, 0};
	const struct mp_reg_sink sink = {put_tmp, copy_tmp, &o};
	return mp_reg_patch_to(c->ctx, c->file->store, c->plan->keys, c->plan->nkeys, &sink,
	                       &c->edits);
}

/* The fast path copies the source and rewrites only the planned keys'
 * cells, and verify_fast checks only those: the rest of the copy is good
 * only if the source is.  The store the plan was made on reads cells on
 * demand (regf/lazy.h) and has seen only the keys it read, so the whole
 * source is checked here as hivex opens it (every bin and cell, hivex
 * lib/handle.c) on its way into the temporary file: by regf/binwalk.c, fed
 * the very bytes the copy reads (one read of the source for both), and
 * where its stricter rules refuse the hive, by hivex's own open, which
 * decides.  A refused copy is never patched: the temporary file, unnamed
 * or not, is removed by mp_install_end. */
static int
copy_checked(struct commit *c)
{
	struct mp_regf_base b;
	if (mp_regf_base_read(c->ctx, c->in_fd, &b) != MAPIPROF_OK) {
		mp_seterr_file(c->ctx, c->src_path);
		return MAPIPROF_FAILED;
	}
	struct mp_regf_binwalk walk;
	mp_regf_binwalk_begin(&walk, c->ctx, b.bins, mp_le32(b.bb + MP_BB_ROOT));
	const struct mp_copy_watch watch = {mp_regf_binwalk_feed, &walk};
	int rc = c->io->copy(c->ctx, c->in_fd, c->ins.tmp_fd, c->in.size, &watch);
	if (rc == MAPIPROF_OK)
		rc = mp_regf_binwalk_end(&walk);
	if (rc == MAPIPROF_OK || c->ctx->code != MAPIPROF_E_FORMAT)
		return rc;
	if (mp_regf_hivex_decides(c->ctx, c->src_path, NULL, NULL) == MAPIPROF_OK)
		/* The walk stopped the copy where it refused: copy it whole. */
		return c->io->copy(c->ctx, c->in_fd, c->ins.tmp_fd, c->in.size, NULL);
	if (c->ctx->code == MAPIPROF_E_FORMAT)
		mp_seterr_file(c->ctx, c->src_path);
	return MAPIPROF_FAILED;
}

/* The new content of the temporary file: the fast path (the checked copy
 * of the input, then regf/patch.c, which also creates keys) unless the plan
 * deletes a key, which the patcher declines anyway; the hivex rewrite when
 * it declines.  A .reg file: its patched text. */
static int
produce(struct commit *c)
{
	if (c->reg != NULL)
		return produce_reg(c);
	int done = 0, del = 0;
	for (size_t i = 0; i < c->plan->nkeys; i++)
		del |= c->plan->keys[i].del;
	if (!del) {
		if (copy_checked(c) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		if (c->io->patch(c->ctx, c->ins.tmp_fd, c->plan->keys, c->plan->nkeys, &done) !=
		    MAPIPROF_OK)
			return MAPIPROF_FAILED;
	}
	c->patched = done;
	return done ? MAPIPROF_OK : rewrite_hivex(c);
}

/* ---- verify ------------------------------------------------------------- */

/* Compares the values a key holds (act) with the planned final ones (exp)
 * by name; records MAPIPROF_E_VERIFY on the first difference. */
static int
compare_values(struct mapiprof_ctx *ctx, const char *uid, const struct final *exp,
               const struct mp_value *act, size_t nact)
{
	for (size_t i = 0; i < exp->n; i++) {
		const struct mp_value *e = &exp->v[i];
		const struct mp_value *a = mp_store_value_find(act, nact, e->name);
		const char *why = NULL;
		if (a == NULL)
			why = "is missing";
		else if (a->type != e->type)
			why = "has the wrong registry type";
		else if (a->len != e->len || (e->len > 0 && memcmp(a->data, e->data, e->len) != 0))
			why = "has the wrong data";
		if (why != NULL) {
			mp_seterr(ctx, MAPIPROF_E_VERIFY,
			          "the written file did not verify: section %s: value %s %s", uid,
			          e->name, why);
			return MAPIPROF_FAILED;
		}
	}
	if (nact != exp->n) {
		mp_seterr(ctx, MAPIPROF_E_VERIFY,
		          "the written file did not verify: section %s holds %zu values, "
		          "planned %zu",
		          uid, nact, exp->n);
		return MAPIPROF_FAILED;
	}
	return MAPIPROF_OK;
}

/* The path of k's key from the hive root (malloc'd; NULL after an error). */
static char *
key_path(struct commit *c, const struct mp_key_change *k)
{
	const struct mapiprof_profile *p =
	    mp_key_change_is_path(k) ? NULL : mapiprof_profile_at(c->file, k->profile);
	char *path = NULL;
	if (mp_key_change_is_path(k)) {
		path = strdup(k->uid);
	} else if (p != NULL) {
		size_t len = strlen(p->root) + strlen(p->name) + strlen(k->uid) + 3;
		if ((path = malloc(len)) != NULL)
			snprintf(path, len, "%s\\%s\\%s", p->root, p->name, k->uid);
	} else {
		mp_seterr(c->ctx, MAPIPROF_E_INVALID, "plan of another file (profile #%zu)",
		          k->profile);
		return NULL;
	}
	if (path == NULL)
		mp_nomem(c->ctx);
	return path;
}

/* 1 when the plan creates the key at path (after deleting its namesake). */
static int
recreated(const struct commit *c, const char *path)
{
	for (size_t i = 0; i < c->plan->nkeys; i++) {
		const struct mp_key_change *k = &c->plan->keys[i];
		if (mp_key_change_is_path(k) && k->key == 0 && !k->del &&
		    mp_name_casecmp(k->uid, path) == 0)
			return 1;
	}
	return 0;
}

/* A deleted key (now: what the new file has at its path) is gone, unless
 * the plan creates a key of that name again (checked as created). */
static int
verify_gone(struct commit *c, struct mp_store *s, mp_key now, const struct mp_key_change *k,
            const char *path)
{
	(void)s;
	(void)k;
	if (now == 0 || recreated(c, path))
		return MAPIPROF_OK;
	mp_seterr(c->ctx, MAPIPROF_E_VERIFY,
	          "the written file did not verify: key %s was to be deleted", path);
	return MAPIPROF_FAILED;
}

/* A created key has exactly the children the plan creates below it (each
 * of which verify_key checks), so a created tree holds nothing else. */
static int
verify_kids(struct commit *c, struct mp_store *s, mp_key now, const struct mp_key_change *k,
            const char *path)
{
	mp_key *kids = NULL;
	size_t n = 0;
	if (s->ops->children(s, now, &kids, &n) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	free(kids);
	if (n == k->nkids)
		return MAPIPROF_OK;
	mp_seterr(c->ctx, MAPIPROF_E_VERIFY,
	          "the written file did not verify: key %s has %zu subkeys, planned %zu", path, n,
	          k->nkids);
	return MAPIPROF_FAILED;
}

/* Finds k's key in the new file by its names from the root (not by its
 * cell offset) and checks that it holds exactly the input's values with
 * k's ops applied. */
static int
verify_key(struct commit *c, struct mp_store *s, mp_key root, const struct mp_key_change *k)
{
	const struct mapiprof_profile *p =
	    mp_key_change_is_path(k) ? NULL : mapiprof_profile_at(c->file, k->profile);
	struct mp_value *act = NULL;
	size_t nact = 0;
	struct final exp = {0};
	mp_key key = 0;
	int rc = MAPIPROF_FAILED;
	char *path = key_path(c, k);
	if (path == NULL)
		goto out;
	if (mp_kids_path(c->kids, root, path, &key) != MAPIPROF_OK)
		goto out;
	if (k->del) {
		rc = verify_gone(c, s, key, k, path);
		goto out;
	}
	if (key == 0) {
		mp_seterr(c->ctx, MAPIPROF_E_VERIFY,
		          "the written file did not verify: key %s is missing", path);
		goto out;
	}
	if (final_values(c->file->store, k->key, k, &exp) != MAPIPROF_OK ||
	    s->ops->values(s, key, &act, &nact) != MAPIPROF_OK)
		goto out;
	rc = compare_values(c->ctx, p != NULL ? k->uid : path, &exp, act, nact);
	if (rc == MAPIPROF_OK && k->key == 0)
		rc = verify_kids(c, s, key, k, path);
out:
	mp_store_values_free(act, nact);
	final_free(&exp);
	free(path);
	return rc;
}

/* The base block of the new file: a clean regf hive (regf spec "Base block",
 * "Dirty state of a hive"). */
static int
verify_header(struct commit *c)
{
	struct mapiprof_info *info = NULL;
	if (mp_hiveinfo_inspect(c->ctx, c->ins.tmp, MP_INSPECT_NO_HASH | MP_INSPECT_NO_LOGS,
	                        &info) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	int ok = info->checksum_ok && info->seq1 == info->seq2 && info->major == 1 &&
	         info->file_type == 0;
	if (!ok)
		mp_seterr(c->ctx, MAPIPROF_E_VERIFY,
		          "the written file did not verify: its base block is not clean (sequence "
		          "numbers %u/%u, checksum %s, version %u.%u, type %u)",
		          (unsigned)info->seq1, (unsigned)info->seq2,
		          info->checksum_ok ? "ok" : "bad", (unsigned)info->major,
		          (unsigned)info->minor, (unsigned)info->file_type);
	mapiprof_info_free(info);
	return ok ? MAPIPROF_OK : MAPIPROF_FAILED;
}

static int plan_structural(const struct mapiprof_plan *plan);
static int verify_begin(struct commit *c, struct mp_store *s);
static void verify_end(struct commit *c);
static int same_subtree(struct commit *c, struct mp_store *ns, mp_key old, mp_key now,
                        size_t depth);

/* The hivex path's check: reopens the temporary file read-only with
 * hivex (which walks every bin and cell), a clean base block, and every
 * planned key reads back exactly as planned. */
static int
verify_hivex(struct commit *c)
{
	struct mp_store *s = NULL;
	mp_key root = 0, old = 0;
	int rc = MAPIPROF_FAILED;
	if (verify_header(c) != MAPIPROF_OK ||
	    mp_store_hive_open(c->ctx, c->ins.tmp, 0, &s) != MAPIPROF_OK ||
	    s->ops->root(s, &root) != MAPIPROF_OK || verify_begin(c, s) != MAPIPROF_OK)
		goto out;
	for (size_t i = 0; i < c->plan->nkeys; i++)
		if (verify_key(c, s, root, &c->plan->keys[i]) != MAPIPROF_OK)
			goto out;
	/* A plan that creates or deletes keys: every other key stays as it
	 * was, read back through the whole tree. */
	if (plan_structural(c->plan) &&
	    (c->file->store->ops->root(c->file->store, &old) != MAPIPROF_OK ||
	     same_subtree(c, s, old, root, 0) != MAPIPROF_OK))
		goto out;
	rc = MAPIPROF_OK;
out:
	verify_end(c);
	mp_store_close(s);
	return rc;
}

static int
planned_cmp(const void *a, const void *b)
{
	const struct planned_key *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* Fills c->planned (looked up for every key of the input by same_subtree,
 * so sorted once rather than searched through the plan each time). */
static int
load_planned(struct commit *c)
{
	free(c->planned);
	c->planned = malloc((c->plan->nkeys > 0 ? c->plan->nkeys : 1) * sizeof(*c->planned));
	if (c->planned == NULL)
		return mp_nomem(c->ctx);
	c->nplanned = 0;
	for (size_t i = 0; i < c->plan->nkeys; i++)
		if (c->plan->keys[i].key != 0)
			c->planned[c->nplanned++] =
			    (struct planned_key){c->plan->keys[i].key, i, c->plan->keys[i].del};
	qsort(c->planned, c->nplanned, sizeof(*c->planned), planned_cmp);
	return MAPIPROF_OK;
}

/* 1 when key (of the input's store) is one the plan changes (2: deletes),
 * as its first entry in the plan says. */
static int
planned_key(const struct commit *c, mp_key key)
{
	size_t lo = 0, hi = c->nplanned;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->planned[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == c->nplanned || c->planned[lo].key != key)
		return 0;
	return c->planned[lo].del ? 2 : 1;
}

/* Sets up the lookups of a check of the new file (store s). */
static int
verify_begin(struct commit *c, struct mp_store *s)
{
	return (c->kids = mp_kids_new(s)) != NULL ? load_planned(c) : MAPIPROF_FAILED;
}

static void
verify_end(struct commit *c)
{
	mp_kids_free(c->kids);
	c->kids = NULL;
	free(c->planned);
	c->planned = NULL;
	c->nplanned = 0;
}

/* 1 when the plan creates or deletes a key named by its path. */
static int
plan_structural(const struct mapiprof_plan *plan)
{
	for (size_t i = 0; i < plan->nkeys; i++)
		if (mp_key_change_is_path(&plan->keys[i]) &&
		    mp_key_change_structural(&plan->keys[i]))
			return 1;
	return 0;
}

/* The value-bearing blocks of key of a .reg store: *n of them, written
 * to out (at most cap). */
static size_t
value_blocks(const struct mp_store *s, mp_key key, uint32_t *out, size_t cap)
{
	const struct mp_reg_file *f = mp_store_reg_file(s);
	const uint32_t *blocks = NULL;
	size_t nb = 0, n = 0;
	mp_store_reg_key_blocks(s, key, &blocks, &nb);
	for (size_t i = 0; i < nb; i++)
		if (f->blocks[blocks[i]].nvalues > 0) {
			if (n < cap)
				out[n] = blocks[i];
			n++;
		}
	return n;
}

/* 1 when key old of the input and key now of the new file are both keys
 * of .reg files whose value lines are byte for byte the same text, block
 * by block (from the key line to the end of the last value line): then
 * they hold the same values, with nothing decoded.  0 sends the caller to
 * compare the decoded values. */
#define LET_GO_STEP (32u * 1024u * 1024u)

/* 1 when bytes [off, off + len) of the input are, unchanged, bytes
 * [now_off, now_off + len) of the written file: no edit of the patch
 * (c->edits, in offset order) falls inside them and those before them
 * shift them to now_off.  The byte check (verify_reg_bytes) has proven
 * that the written file is the input with the edits, so such bytes need
 * no second comparison. */
static int
kept_at(const struct commit *c, size_t off, size_t len, size_t now_off)
{
	const struct mp_reg_edits *ed = &c->edits;
	size_t shift_in = 0, shift_out = 0;
	for (size_t i = 0; i < ed->n; i++) {
		const struct mp_reg_edit *e = &ed->e[i];
		if (e->off + e->len <= off) {
			shift_in += e->len;
			shift_out += e->n;
			continue;
		}
		if (e->off < off + len)
			return 0; /* inside, or overlapping */
		break;
	}
	return off - shift_in + shift_out == now_off;
}

static int
same_lines(const struct commit *c, struct mp_store *os, struct mp_store *ns, mp_key old, mp_key now,
           size_t *touched)
{
	enum { MAXB = 16 };
	const struct mp_reg_file *of = mp_store_reg_file(os), *nf = mp_store_reg_file(ns);
	uint32_t ob[MAXB], nbk[MAXB];
	if (of == NULL || nf == NULL)
		return 0;
	size_t no = value_blocks(os, old, ob, MAXB), nn = value_blocks(ns, now, nbk, MAXB);
	if (no != nn || no > MAXB)
		return 0;
	for (size_t i = 0; i < no; i++) {
		const struct mp_reg_block *a = &of->blocks[ob[i]], *b = &nf->blocks[nbk[i]];
		size_t alen = a->vend - a->span.off, blen = b->vend - b->span.off;
		if (alen != blen || a->nvalues != b->nvalues)
			return 0;
		if (kept_at(c, a->span.off, alen, b->span.off))
			continue;
		if (memcmp(of->raw + a->span.off, nf->raw + b->span.off, alen) != 0)
			return 0;
		*touched += alen;
	}
	/* Both files are read once through here: their pages need not stay
	 * (let go in large steps: each call costs a TLB flush). */
	if (*touched >= LET_GO_STEP) {
		if (of->map != NULL)
			mp_map_drop(of->map, 0, of->rawlen);
		if (nf->map != NULL)
			mp_map_drop(nf->map, 0, nf->rawlen);
		*touched = 0;
	}
	return 1;
}

/* *match = kids[*next] of store s when that child is named exactly name
 * (and *next moves on), else 0.  A new file's unchanged keys keep their
 * order, so the input's children are mostly found here in turn; a store's
 * children differ in name (mp_name_casecmp), so an exact namesake is the
 * one mp_kids_child would find, without sorting the children again each
 * time a deep subtree has pushed them out of its cache. */
static int
next_namesake(struct mp_store *s, const mp_key *kids, size_t n, size_t *next, const char *name,
              mp_key *match)
{
	char *kn = NULL;
	*match = 0;
	if (*next >= n)
		return MAPIPROF_OK;
	if (s->ops->key_name(s, kids[*next], &kn) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (strcmp(kn, name) == 0)
		*match = kids[(*next)++];
	free(kn);
	return MAPIPROF_OK;
}

/* Key old of the input's store and key now of the new file (store ns)
 * hold the same values (unless the plan changes old: verify_key checks
 * those; a key it deletes is skipped), and each child of old has a namesake below now that does so
 * too, recursively: nothing the plan does not touch changed. */
static int
same_subtree(struct commit *c, struct mp_store *ns, mp_key old, mp_key now, size_t depth)
{
	if (depth > MP_MAX_KEY_DEPTH) {
		mp_seterr(c->ctx, MAPIPROF_E_LIMIT, "keys nested more than %u levels deep",
		          MP_MAX_KEY_DEPTH);
		return MAPIPROF_FAILED;
	}
	struct mp_store *os = c->file->store;
	struct mp_value *ov = NULL, *nv = NULL;
	size_t no = 0, nn = 0, nk = 0;
	mp_key *kids = NULL, *nkids = NULL;
	size_t nnk = 0;
	char *name = NULL;
	int planned = planned_key(c, old);
	int rc = os->ops->key_name(os, old, &name);
	if (rc == MAPIPROF_OK && !planned && !same_lines(c, os, ns, old, now, &c->touched)) {
		rc = os->ops->values(os, old, &ov, &no);
		if (rc == MAPIPROF_OK)
			rc = ns->ops->values(ns, now, &nv, &nn);
		struct final f = {.v = ov, .n = no};
		if (rc == MAPIPROF_OK)
			rc = compare_values(c->ctx, name, &f, nv, nn);
	}
	if (rc == MAPIPROF_OK)
		rc = os->ops->children(os, old, &kids, &nk);
	if (rc == MAPIPROF_OK && nk > 0)
		rc = ns->ops->children(ns, now, &nkids, &nnk);
	for (size_t i = 0, next = 0; rc == MAPIPROF_OK && i < nk; i++) {
		char *kn = NULL;
		mp_key match = 0;
		if (planned_key(c, kids[i]) == 2)
			continue; /* deleted: verify_key checks it is gone */
		rc = os->ops->key_name(os, kids[i], &kn);
		if (rc == MAPIPROF_OK)
			rc = next_namesake(ns, nkids, nnk, &next, kn, &match);
		if (rc == MAPIPROF_OK && match == 0)
			rc = mp_kids_child(c->kids, now, kn, &match);
		if (rc == MAPIPROF_OK && match == 0) {
			mp_seterr(c->ctx, MAPIPROF_E_VERIFY,
			          "the written file did not verify: key %s\\%s is missing", name,
			          kn);
			rc = MAPIPROF_FAILED;
		}
		if (rc == MAPIPROF_OK)
			rc = same_subtree(c, ns, kids[i], match, depth + 1);
		free(kn);
	}
	mp_store_values_free(ov, no);
	mp_store_values_free(nv, nn);
	free(kids);
	free(nkids);
	free(name);
	return rc;
}

/* Bytes of the written .reg file read at a time by its byte check. */
#define BYTES_CHUNK (1u << 20)

/* The byte check of a written .reg file in progress: the file (fd), read
 * sequentially, against what was meant to be written. */
struct byte_check {
	struct commit *c;
	int fd;
	uint8_t *buf;
	uint64_t at;           /* bytes of the file compared so far */
	size_t dropped;        /* the input's pages before this were let go */
	struct mp_fp_split fp; /* of the input's bytes, in order, as compared */
};

/* The next len bytes of the file are exactly want[0..len); from_input:
 * want is the input's mapping at offset in_off, whose pages are let go
 * behind the comparison (the input is read once through here). */
static int
same_as(struct byte_check *b, const uint8_t *want, size_t len, int from_input, size_t in_off)
{
	while (len > 0) {
		size_t n = len < BYTES_CHUNK ? len : BYTES_CHUNK;
		if (mp_pread_full(b->c->ctx, b->fd, b->buf, n, b->at) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		if (from_input && b->c->reg->map != NULL)
			mp_map_populate(b->c->reg->map, in_off, n);
		if (memcmp(b->buf, want, n) != 0) {
			size_t i = 0;
			while (b->buf[i] == want[i])
				i++;
			mp_seterr(b->c->ctx, MAPIPROF_E_VERIFY,
			          "the written file did not verify: byte %llu is not the one "
			          "written",
			          (unsigned long long)(b->at + i));
			return MAPIPROF_FAILED;
		}
		if (from_input) /* while they are at hand */
			mp_fp_split_add(&b->fp, want, n);
		b->at += n;
		want += n;
		len -= n;
		in_off += n;
		const struct mp_map *map = b->c->reg->map;
		if (from_input && map != NULL && in_off - b->dropped >= LET_GO_STEP) {
			mp_map_drop(map, b->dropped, in_off - b->dropped);
			b->dropped = in_off;
		}
	}
	return MAPIPROF_OK;
}

/* The written .reg file holds exactly what was meant: the input's bytes
 * with the patch's edits (c->edits) stitched in, and nothing more.  One
 * sequential pass, no parse: whatever differs anywhere (a byte the disk
 * or the writer got wrong, a piece missing or repeated, even where the
 * text would still parse to the same keys) is refused here. */
static int
verify_reg_bytes(struct commit *c)
{
	const struct mp_reg_file *in = c->reg;
	const struct mp_reg_edits *ed = &c->edits;
	struct byte_check b = {.c = c, .fd = -1};
	struct mp_file_attr a;
	uint64_t want = in->rawlen;
	for (size_t i = 0; i < ed->n; i++)
		want = want - ed->e[i].len + ed->e[i].n;
	int rc = mp_open_read(c->ctx, c->ins.tmp, &b.fd);
	if (rc == MAPIPROF_OK)
		rc = mp_fd_attr(c->ctx, b.fd, &a);
	if (rc == MAPIPROF_OK && a.size != want) {
		mp_seterr(c->ctx, MAPIPROF_E_VERIFY,
		          "the written file did not verify: it holds %llu bytes, not the %llu "
		          "written",
		          (unsigned long long)a.size, (unsigned long long)want);
		rc = MAPIPROF_FAILED;
	}
	if (rc == MAPIPROF_OK && (b.buf = malloc(BYTES_CHUNK)) == NULL)
		rc = mp_nomem(c->ctx);
	mp_fp_split_init(&b.fp, in->fp_split);
	size_t pos = 0, text = 0;
	for (size_t i = 0; rc == MAPIPROF_OK && i <= ed->n; i++) {
		size_t end = i < ed->n ? ed->e[i].off : in->rawlen;
		rc = same_as(&b, in->raw + pos, end - pos, 1, pos);
		if (rc == MAPIPROF_OK && i < ed->n) {
			rc = same_as(&b, ed->text + text, ed->e[i].n, 0, 0);
			mp_fp_split_add(&b.fp, in->raw + ed->e[i].off,
			                ed->e[i].len); /* the bytes replaced */
			text += ed->e[i].n;
			pos = ed->e[i].off + ed->e[i].len;
		}
	}
	/* open_input left the check that the input still holds the bytes
	 * parsed to this read of them (same_text). */
	if (rc == MAPIPROF_OK && c->text_in_check && mp_fp_split_final(&b.fp) != in->fingerprint)
		rc = changed(c);
	if (in->map != NULL && in->rawlen > b.dropped)
		mp_map_drop(in->map, b.dropped, in->rawlen - b.dropped);
	free(b.buf);
	mp_close(b.fd);
	return rc;
}

/* 1 when the input's mapping no longer holds the bytes parsed (for an
 * error message only: verify_reg_bytes checks it on the way). */
static int
input_changed(const struct commit *c)
{
	struct mp_fp_split fp;
	mp_fp_split_init(&fp, c->reg->fp_split);
	mp_fp_split_add(&fp, c->reg->raw, c->reg->rawlen);
	return mp_fp_split_final(&fp) != c->reg->fingerprint;
}

/* A .reg file's check: the temporary file parses again (strictly, in the
 * input's code page) in the input's encoding and header, every planned key
 * reads back exactly as planned, every other key as it was, and it holds
 * exactly the bytes meant (verify_reg_bytes). */
static int
verify_reg(struct commit *c)
{
	struct mp_store *s = NULL;
	mp_key root = 0, old = 0;
	const char *cp = c->reg->codepage != NULL ? c->reg->codepage : c->ctx->codepage;
	int rc = MAPIPROF_FAILED;
	/* Up to the first edit and after the last one the file is the input
	 * (verify_reg_bytes proves it below): the input's key blocks there are
	 * not read again. */
	const struct mp_reg_edits *ed = &c->edits;
	size_t same_len = ed->n > 0 ? ed->e[0].off : 0;
	size_t tail_in = ed->n > 0 ? ed->e[ed->n - 1].off + ed->e[ed->n - 1].len : 0;
	size_t tail_out = tail_in;
	for (size_t i = 0; i < ed->n; i++)
		tail_out = tail_out - ed->e[i].len + ed->e[i].n;
	int parsed = ed->n > 0 ? mp_reg_parse_store_edited(c->ctx, c->ins.tmp, cp, c->reg, same_len,
	                                                   tail_in, tail_out, &s)
	                       : mp_reg_parse_store_after(c->ctx, c->ins.tmp, cp, c->reg, 0, &s);
	if (parsed != MAPIPROF_OK || s->ops->root(s, &root) != MAPIPROF_OK ||
	    verify_begin(c, s) != MAPIPROF_OK)
		goto out;
	const struct mp_reg_file *f = mp_store_reg_file(s);
	if (f->encoding != c->reg->encoding || f->header != c->reg->header) {
		mp_seterr(c->ctx, MAPIPROF_E_VERIFY,
		          "the written file did not verify: its encoding or header changed");
		goto out;
	}
	for (size_t i = 0; i < c->plan->nkeys; i++)
		if (verify_key(c, s, root, &c->plan->keys[i]) != MAPIPROF_OK)
			goto out;
	if (c->file->store->ops->root(c->file->store, &old) != MAPIPROF_OK)
		goto out;
	rc = same_subtree(c, s, old, root, 0);
out:
	verify_end(c);
	mp_store_close(s);
	/* A new file that does not read back as planned may be one made from
	 * an input that changed since it was parsed: that is said instead. */
	if (rc != MAPIPROF_OK && c->text_in_check && input_changed(c))
		return changed(c);
	/* Last: the comparisons above skip bytes it proves unchanged. */
	return rc == MAPIPROF_OK ? verify_reg_bytes(c) : rc;
}

/* ---- verify, fast path ---------------------------------------------------
 *
 * When the in-place patcher wrote the file, everything but the bytes it
 * wrote is a kernel copy of the input, every bin and cell of which was
 * checked as hivex's open checks them as it was copied (copy_checked).  The patcher writes
 * only into the base block, the cells of the planned keys (nk, value list,
 * vk and data cells) and one new bin at the end.  So the new file is read
 * back through a new descriptor, cell by cell (regf/cells.c), and checked
 * where it can differ: the base block; the new bin(s), tiled as hivex's
 * open requires; every old cell of each planned key keeping its size (a
 * freed cell changes only its sign, so every old bin stays tiled); and each
 * planned key's ENTIRE value set, at the nk offset the patch keeps, equal to
 * the input's values (read by hivex) with the plan applied.  A structure
 * the cell reader leaves alone (MP_CELLS_UNUSUAL: big data, 4-aligned
 * cells) falls back to the full hivex check. */

/* Cells of one key in the input: offset and size. */
struct cellrec {
	uint32_t rel, size;
};

/* The base block of the new file: a clean regf hive one sequence number past
 * the input's, checksum valid by both rules (hivex lib/handle.c, ReactOS
 * hivesum.c), same version, and its hive bins the input's plus those
 * appended, filling the file up to the input's size or past it (regf spec
 * "Hive bin", regf/patch.h). */
static int
fast_base(struct commit *c, int fd, struct mp_regf_base *b)
{
	const struct mapiprof_info *in = c->src;
	if (mp_regf_base_read(c->ctx, fd, b) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	uint64_t end = (uint64_t)MP_REGF_BASE_BLOCK + b->bins;
	uint64_t size = end > c->in.size ? end : c->in.size;
	uint32_t seq = in->seq1 + 1u;
	if (b->seq1 != seq || b->seq2 != seq || b->stored != b->plain || b->plain != b->windows ||
	    b->minor != in->minor || b->type != 0 || b->format != 1) {
		mp_seterr(c->ctx, MAPIPROF_E_VERIFY,
		          "the written file did not verify: its base block is not clean (sequence "
		          "numbers %u/%u, expected %u; checksum 0x%08x, computed 0x%08x/0x%08x; "
		          "version 1.%u, type %u)",
		          (unsigned)b->seq1, (unsigned)b->seq2, (unsigned)seq, (unsigned)b->stored,
		          (unsigned)b->plain, (unsigned)b->windows, (unsigned)b->minor,
		          (unsigned)b->type);
		return MAPIPROF_FAILED;
	}
	if (b->bins < in->bins_size || b->fsize != size) {
		mp_seterr(c->ctx, MAPIPROF_E_VERIFY,
		          "the written file did not verify: hive bins size 0x%x (was 0x%x) does "
		          "not match its %llu bytes",
		          (unsigned)b->bins, (unsigned)in->bins_size, (unsigned long long)b->fsize);
		return MAPIPROF_FAILED;
	}
	return MAPIPROF_OK;
}

/* The bins appended after the input's (from rel on) are whole, valid hbins
 * whose cells tile them. */
static int
fast_new_bins(const struct mp_regf_cells *nc, uint32_t rel)
{
	while (rel < nc->bins) {
		uint32_t size = 0;
		if (mp_regf_cells_bin(nc, "new bin", rel, &size) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		rel += size; /* >= 4096 */
	}
	return MAPIPROF_OK;
}

/* The cells of k's key in the input as it was (c->in_fd): its nk (also
 * in *nk), value list, vk cells and their data cells, in *recs (arena a),
 * *n of them. */
static int
old_cells(const struct mp_regf_cells *oc, const struct mp_key_change *k, struct mp_arena *a,
          struct mp_regf_nk *nk, struct cellrec **recs, size_t *n)
{
	uint32_t *list = NULL, list_cell = 0;
	*n = 0;
	int rc = mp_regf_cells_nk(oc, k->uid, k->key, nk);
	if (rc == MAPIPROF_OK)
		rc = mp_regf_cells_vlist(oc, k->uid, nk, a, &list, &list_cell);
	if (rc != MAPIPROF_OK)
		return rc;
	if ((*recs = mp_arena_calloc(a, 2u + 2u * (size_t)nk->nvalues, sizeof(**recs))) == NULL)
		return mp_nomem(oc->ctx);
	(*recs)[(*n)++] = (struct cellrec){nk->rel, nk->cell};
	if (nk->nvalues > 0)
		(*recs)[(*n)++] = (struct cellrec){nk->vlist, list_cell};
	for (uint32_t i = 0; rc == MAPIPROF_OK && i < nk->nvalues; i++) {
		struct mp_regf_vk vk;
		uint8_t head[4];
		uint32_t size = 0;
		rc = mp_regf_cells_vk(oc, k->uid, list[i], &vk);
		if (rc != MAPIPROF_OK)
			break;
		(*recs)[(*n)++] = (struct cellrec){vk.rel, vk.cell};
		if (vk.is_inline || vk.len == 0)
			continue;
		rc =
		    mp_regf_cells_read(oc, k->uid, "data cell", vk.doff, head, sizeof(head), &size);
		if (rc == MAPIPROF_OK)
			(*recs)[(*n)++] = (struct cellrec){vk.doff, size};
	}
	return rc;
}

/* Every old cell of k's key still has its size in the new file (nc):
 * allocated, or freed by the patch (regf spec "Cell"), never resized.  *nk:
 * the key's nk as it was. */
static int
fast_old_cells(struct commit *c, const struct mp_regf_cells *oc, const struct mp_regf_cells *nc,
               const struct mp_key_change *k, struct mp_arena *a, struct mp_regf_nk *nk)
{
	struct cellrec *recs = NULL;
	size_t n = 0;
	int rc = old_cells(oc, k, a, nk, &recs, &n);
	for (size_t i = 0; rc == MAPIPROF_OK && i < n; i++) {
		uint32_t raw = 0;
		if ((rc = mp_regf_cells_size(nc, k->uid, recs[i].rel, &raw)) != MAPIPROF_OK)
			break;
		if (raw != recs[i].size && raw != 0u - recs[i].size) {
			mp_seterr(c->ctx, MAPIPROF_E_VERIFY,
			          "the written file did not verify: section %s: the cell at file "
			          "offset 0x%llx changed its size from %u to %d",
			          k->uid, (unsigned long long)recs[i].rel + MP_REGF_BASE_BLOCK,
			          (unsigned)recs[i].size, (int)(int32_t)raw);
			rc = MAPIPROF_FAILED;
		}
	}
	return rc;
}

/* Reads value i of the key (vk at rel) into v: name as store/hive.c gives
 * it (an undecodable one as U+FFFD "#" and the vk's file offset), type,
 * data (at most MP_MAX_VALUE_LEN bytes). */
static int
cell_value(const struct mp_regf_cells *nc, const char *uid, uint32_t rel, struct mp_value *v)
{
	struct mp_regf_vk vk;
	int undecodable = 0;
	int rc = mp_regf_cells_vk(nc, uid, rel, &vk);
	if (rc == MAPIPROF_OK)
		rc = mp_regf_cells_data(nc, uid, &vk);
	if (rc == MAPIPROF_OK)
		rc = mp_regf_cells_vk_name_utf8(nc, &vk, &v->name, &undecodable);
	if (rc != MAPIPROF_OK)
		return rc;
	if (undecodable) {
		char buf[40];
		snprintf(buf, sizeof(buf), UNDECODABLE_NAME "%zx",
		         (size_t)rel + MP_REGF_BASE_BLOCK);
		if ((v->name = strdup(buf)) == NULL)
			return mp_nomem(nc->ctx);
	}
	if (vk.len > MP_MAX_VALUE_LEN)
		return mp_regf_cells_bad(nc, uid, "value longer than the cap", rel);
	v->type = vk.type;
	v->len = vk.len;
	if ((v->data = malloc(vk.len > 0 ? vk.len : 1u)) == NULL)
		return mp_nomem(nc->ctx);
	return mp_regf_cells_data_read(nc, &vk, v->data);
}

/* Every value of the key whose nk is at file offset key in the new file
 * (nc, the nk in *nk), in stored order; release with
 * mp_store_values_free. */
static int
cell_values(const struct mp_regf_cells *nc, const char *uid, mp_key key, struct mp_arena *a,
            struct mp_regf_nk *nk, struct mp_value **out, size_t *n)
{
	uint32_t *list = NULL, list_cell = 0;
	*out = NULL;
	*n = 0;
	int rc = mp_regf_cells_nk(nc, uid, key, nk);
	if (rc == MAPIPROF_OK)
		rc = mp_regf_cells_vlist(nc, uid, nk, a, &list, &list_cell);
	if (rc != MAPIPROF_OK)
		return rc;
	if ((*out = calloc(nk->nvalues > 0 ? nk->nvalues : 1u, sizeof(**out))) == NULL)
		return mp_nomem(nc->ctx);
	for (; rc == MAPIPROF_OK && *n < nk->nvalues; (*n)++)
		rc = cell_value(nc, uid, list[*n], &(*out)[*n]);
	return rc;
}

/* 1 when byte i of an nk's fixed part is one the patch may change: the
 * LastWrite time, value count and list, largest name and data (regf spec
 * "Key node"). */
static int
nk_may_change(uint32_t i)
{
	return (i >= MP_NK_TIME && i < MP_NK_TIME + 8u) ||
	       (i >= MP_NK_NVALUES && i < MP_NK_VLIST + 4u) ||
	       (i >= MP_NK_MAXVNAME && i < MP_NK_MAXDATA + 4u);
}

/* The key's nk in the new file is its old one (was) but for what the patch
 * may change, and its largest name and data fields were not lowered: the
 * key keeps its name, parent, subkeys, security and class. */
static int
same_nk(struct commit *c, const char *uid, const struct mp_regf_nk *was,
        const struct mp_regf_nk *now)
{
	uint32_t i = 0;
	while (i < MP_NK_HDR && (nk_may_change(i) || was->hdr[i] == now->hdr[i]))
		i++;
	if (i == MP_NK_HDR && now->maxvname < was->maxvname)
		i = MP_NK_MAXVNAME;
	if (i == MP_NK_HDR && now->maxdata < was->maxdata)
		i = MP_NK_MAXDATA;
	if (i == MP_NK_HDR)
		return MAPIPROF_OK;
	mp_seterr(c->ctx, MAPIPROF_E_VERIFY,
	          "the written file did not verify: section %s: its key cell changed at file "
	          "offset 0x%llx",
	          uid, (unsigned long long)now->rel + MP_REGF_BASE_BLOCK + i);
	return MAPIPROF_FAILED;
}

/* One planned key in the new file: its nk is the old one but for what the
 * patch changes, its old cells kept their sizes, and its values are the
 * input's with k's ops applied. */
static int
fast_key(struct commit *c, const struct mp_regf_cells *oc, const struct mp_regf_cells *nc,
         const struct mp_key_change *k, struct mp_arena *a)
{
	struct mp_value *act = NULL;
	size_t nact = 0;
	struct final exp = {0};
	struct mp_regf_nk was, now;
	int rc = fast_old_cells(c, oc, nc, k, a, &was);
	if (rc == MAPIPROF_OK)
		rc = cell_values(nc, k->uid, k->key, a, &now, &act, &nact);
	if (rc == MAPIPROF_OK)
		rc = same_nk(c, k->uid, &was, &now);
	if (rc == MAPIPROF_OK)
		rc = final_values(c->file->store, k->key, k, &exp);
	if (rc == MAPIPROF_OK)
		rc = compare_values(c->ctx, k->uid, &exp, act, nact);
	mp_store_values_free(act, nact);
	final_free(&exp);
	return rc;
}

/* The fast path's check (see above), through a new read-only descriptor
 * of the temporary file.  MP_CELLS_UNUSUAL: not decided, check with hivex. */
static int
verify_fast(struct commit *c)
{
	const struct mapiprof_info *in = c->src;
	struct mp_regf_base b = {0};
	struct mp_arena a = {0};
	int fd = -1;
	int rc = mp_open_read(c->ctx, c->ins.tmp, &fd);
	if (rc == MAPIPROF_OK)
		rc = fast_base(c, fd, &b);
	const struct mp_regf_cells nc = {c->ctx, fd, b.bins, NULL};
	const struct mp_regf_cells oc = {c->ctx, c->in_fd, in->bins_size, NULL};
	if (rc == MAPIPROF_OK)
		rc = fast_new_bins(&nc, in->bins_size);
	for (size_t i = 0; rc == MAPIPROF_OK && i < c->plan->nkeys; i++)
		rc = fast_key(c, &oc, &nc, &c->plan->keys[i], &a);
	mp_arena_free(&a);
	mp_close(fd);
	return rc;
}

/* 1 when the plan creates a key: the new keys and their parents' subkey
 * lists are checked by hivex, which walks every cell on open. */
static int
plan_creates(const struct mapiprof_plan *plan)
{
	for (size_t i = 0; i < plan->nkeys; i++)
		if (creates(&plan->keys[i]))
			return 1;
	return 0;
}

/* Reopens the temporary file read-only and checks it: cell by cell where
 * the in-place patcher only changed values, with hivex otherwise (or when
 * the cell reader leaves a structure alone).  Anything that does not read back as
 * planned is MAPIPROF_E_VERIFY. */
static int
verify(struct commit *c)
{
	int fast = c->patched && !plan_creates(c->plan);
	int rc = c->reg != NULL ? verify_reg(c) : fast ? verify_fast(c) : MP_CELLS_UNUSUAL;
	if (rc == MP_CELLS_UNUSUAL)
		rc = verify_hivex(c);
	if (rc != MAPIPROF_OK && c->ctx->code != MAPIPROF_E_VERIFY &&
	    c->ctx->code != MAPIPROF_E_NOMEM &&
	    !(c->text_in_check && c->ctx->code == MAPIPROF_E_UNSAFE)) {
		char msg[sizeof(c->ctx->msg)];
		memcpy(msg, c->ctx->msg, sizeof(msg));
		mp_seterr(c->ctx, MAPIPROF_E_VERIFY, "the written file did not verify: %.400s",
		          msg);
	}
	return rc;
}

/* ---- the write ------------------------------------------------------------ */

/* Checks the arguments and the target (mp_install_check_target: an in-place
 * target must not be a symbolic link, an existing -o target must be a
 * regular file) and picks the source: the recovered image of a hive read
 * with its logs replayed, else the input. */
static int
prepare(struct commit *c, const struct mapiprof_write_opts *opts)
{
	const char *output = opts != NULL ? opts->output : NULL;
	const struct mp_recovered *rec = c->file->recovered;
	c->in_place = output == NULL;
	if (c->file->info == NULL || c->file->store == NULL) {
		mp_seterr(c->ctx, MAPIPROF_E_INVALID,
		          "only regf hives and .reg files can be written");
		return MAPIPROF_FAILED;
	}
	if (c->in_place && c->file->name != c->file->path) {
		/* A spooled input (standard input) lives in a private temporary
		 * file: replacing that would write nothing anyone sees. */
		mp_seterr(c->ctx, MAPIPROF_E_INVALID,
		          "'%s' cannot be written in place: give an output", c->file->name);
		return MAPIPROF_FAILED;
	}
	c->reg = mp_store_reg_file(c->file->store);
	c->src_path = rec != NULL ? rec->path : c->file->path;
	c->src = rec != NULL ? rec->info : c->file->info;
	c->reset_logs = rec != NULL && opts != NULL && opts->recover && c->in_place;
	if (mp_install_begin(&c->ins, c->ctx, c->in_place ? c->file->path : output,
	                     opts != NULL ? opts->backup_suffix : NULL) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	return mp_install_check_target(&c->ins, c->in_place);
}

/* Bytes of the input read at a time to check it (a multiple of
 * MP_FP_BLOCK). */
#define CHECK_CHUNK (1u << 20)

/* 1 when the input (c->in_fd, c->in) holds exactly the bytes the .reg
 * store was parsed from: the same size and fingerprint (base/fingerprint.h;
 * the parse keeps no copy of a large file).  When the store lies in a
 * mapping of this very file (device and inode), its pages are the file's
 * own (a read-only private mapping shows the file's current bytes), so the
 * byte check of the new file, which reads them anyway, takes the
 * fingerprint instead of a pass of its own here: *same = 1 and
 * c->text_in_check (verify_reg_bytes). */
static int
same_text(struct commit *c, int *same)
{
	*same = 0;
	if (c->in.size != c->reg->rawlen)
		return MAPIPROF_OK;
	const struct mp_map *map = c->reg->map;
	if (map != NULL && map->mapped && map->dev == c->in.dev && map->ino == c->in.ino) {
		c->text_in_check = 1;
		*same = 1;
		return MAPIPROF_OK;
	}
	uint8_t *chunk = malloc(CHECK_CHUNK);
	if (chunk == NULL)
		return mp_nomem(c->ctx);
	struct mp_fp_split fp;
	mp_fp_split_init(&fp, c->reg->fp_split);
	int rc = MAPIPROF_OK;
	for (size_t at = 0; rc == MAPIPROF_OK && at < c->reg->rawlen; at += CHECK_CHUNK) {
		size_t n = c->reg->rawlen - at < CHECK_CHUNK ? c->reg->rawlen - at : CHECK_CHUNK;
		rc = mp_pread_full(c->ctx, c->in_fd, chunk, n, at);
		mp_fp_split_add(&fp, chunk, n);
	}
	*same = rc == MAPIPROF_OK && mp_fp_split_final(&fp) == c->reg->fingerprint;
	free(chunk);
	return rc;
}

/* Opens the input again (read-only) and checks it is the file the plan
 * was made from: a hive has the same size and modification time as when
 * it was opened (plan keys are cell offsets into exactly those bytes); a
 * .reg file holds exactly the bytes parsed (plan keys and the patch are
 * about those lines).  A hive read with its logs replayed: the hive and its
 * logs are as they were (mp_install_unchanged), and the source is then the
 * recovered image the plan was made from. */
static int
open_input(struct commit *c)
{
	const struct mapiprof_info *info = c->file->info;
	const struct mp_recovered *rec = c->file->recovered;
	int same = 0;
	c->own_in_fd = 1;
	if (mp_open_read(c->ctx, c->file->path, &c->in_fd) != MAPIPROF_OK ||
	    mp_fd_attr(c->ctx, c->in_fd, &c->in) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	c->like = c->in;
	if (c->reg != NULL) {
		if (same_text(c, &same) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
	} else {
		same = c->in.size == info->size && c->in.mtime_ns == info->mtime_ns;
	}
	if (same && rec != NULL && mp_install_unchanged(c->ctx, info, &same) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (!same)
		return changed(c);
	if (rec == NULL)
		return MAPIPROF_OK;
	mp_close(c->in_fd);
	c->in_fd = rec->fd;
	c->own_in_fd = 0;
	return mp_fd_attr(c->ctx, c->in_fd, &c->in);
}

/* Total number of value ops, keys to create and keys to delete in the
 * plan. */
static size_t
plan_ops(const struct mapiprof_plan *plan)
{
	size_t n = 0;
	for (size_t i = 0; plan != NULL && i < plan->nkeys; i++)
		n += plan->keys[i].nops + (mp_key_change_structural(&plan->keys[i]) ? 1u : 0u);
	return n;
}

/* Everything from the open input to the new file in place: produce the
 * temporary file, verify it, keep the backups, rename, reset the logs. */
static int
write_new(struct commit *c)
{
	/* In place, the file replaced must be the one just read, also at the
	 * rename (another program may replace it meanwhile). */
	if (c->in_place)
		mp_install_expect(&c->ins, &c->like);
	/* Only under the writer lock: no writer of this library is at work on
	 * the target meanwhile. */
	if (c->in_place && c->file->lock_fd >= 0)
		mp_install_reap(&c->ins);
	if (mp_install_temp(&c->ins, &c->like) != MAPIPROF_OK || produce(c) != MAPIPROF_OK ||
	    mp_install_finish_temp(&c->ins) != MAPIPROF_OK || verify(c) != MAPIPROF_OK ||
	    mp_install_backup_target(&c->ins) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (c->reset_logs && mp_install_backup_logs(&c->ins, c->file->info) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (mp_install_rename(&c->ins) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	return c->reset_logs ? mp_install_reset_logs(&c->ins, c->file->info) : MAPIPROF_OK;
}

/* Why the plan cannot be written into the hive itself before the patcher
 * is asked (NULL: it may). */
static const char *
in_place_obstacle(const struct commit *c, const struct mapiprof_write_opts *opts)
{
	if (c->reg != NULL)
		return "a .reg file is text, written whole";
	if (!c->in_place)
		return "an output file is given";
	if (opts != NULL && opts->backup_suffix != NULL)
		return "a backup keeps the original whole";
	if (c->file->recovered != NULL)
		return "the hive is dirty and was read with its transaction logs replayed";
	for (size_t i = 0; i < c->plan->nkeys; i++)
		if (c->plan->keys[i].del)
			return "the plan deletes a key";
	return NULL;
}

/* mapiprof_plan_write_in_place: the journaled write into the hive itself (inplace.h),
 * under the writer lock (taken here when the file was opened without it).
 * *done = 0 when it cannot be, with a note saying why: the caller writes
 * a new file as always. */
static int
write_in_place(struct commit *c, const struct mapiprof_write_opts *opts, int *done)
{
	char why[200] = "";
	const char *obstacle = in_place_obstacle(c, opts);
	int declined = 1, lock = -1, rc = MAPIPROF_OK;
	*done = 0;
	if (obstacle == NULL && c->file->lock_fd < 0)
		rc = mp_lock_path(c->ctx, c->file->path, mp_lock_wait_ms(c->ctx), &lock);
	if (obstacle == NULL && rc == MAPIPROF_OK) {
		struct mp_inplace w = {c->ctx,   c->io,         c->file->path, c->file->info,
		                       c->in_fd, c->plan->keys, c->plan->nkeys};
		rc = mp_inplace_write(&w, &declined, why, sizeof(why));
	}
	mp_close(lock);
	if (rc != MAPIPROF_OK)
		return rc;
	if (declined)
		mp_setnote(c->ctx, "not written in place: %s; written as a new file instead",
		           obstacle != NULL ? obstacle : why);
	*done = !declined;
	return MAPIPROF_OK;
}

/* A hive read with its logs replayed is written from its recovered image
 * (the plan's offsets are into it) when opts->recover, or opts->force (the
 * logs then stay as they are: the new hive is clean, so Windows ignores
 * them); otherwise mapiprof_write_check refuses it. */
static int
plan_write(struct mapiprof_file *file, const struct mapiprof_plan *plan,
           const struct mapiprof_write_opts *opts, int in_place)
{
	if (file == NULL)
		return MAPIPROF_FAILED;
	if (plan_ops(plan) == 0)
		return MAPIPROF_OK; /* nothing to change: the file is not touched */
	int recover = file->recovered != NULL && opts != NULL && opts->recover;
	if (!recover && (opts == NULL || !opts->force) && mapiprof_write_check(file) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	struct commit c = {.ctx = file->ctx, .file = file, .plan = plan, .in_fd = -1};
	c.ins.tmp_fd = -1;
	c.io = mp_commit_io_current();
	int rc = MAPIPROF_FAILED;
	int done = 0;
	if (prepare(&c, opts) == MAPIPROF_OK && open_input(&c) == MAPIPROF_OK &&
	    (!in_place || write_in_place(&c, opts, &done) == MAPIPROF_OK) &&
	    (done || write_new(&c) == MAPIPROF_OK))
		rc = MAPIPROF_OK;
	if (c.own_in_fd)
		mp_close(c.in_fd);
	mp_install_end(&c.ins);
	mp_reg_edits_free(&c.edits);
	if (rc != MAPIPROF_OK)
		mp_seterr_file(c.ctx, file->name);
	return rc;
}

int
mapiprof_plan_write(struct mapiprof_file *file, const struct mapiprof_plan *plan,
                    const struct mapiprof_write_opts *opts)
{
	return plan_write(file, plan, opts, 0);
}

int
mapiprof_plan_write_in_place(struct mapiprof_file *file, const struct mapiprof_plan *plan,
                             const struct mapiprof_write_opts *opts)
{
	return plan_write(file, plan, opts, 1);
}

/* patch.h - a plan applied to a .reg file as text (regtext/patch.c): every
 * byte the plan does not touch is copied from the original, so comments,
 * blank lines, wrapping, order, encoding and line ends survive; only the
 * lines of changed values are rewritten, in regedit's format
 * (regtext/format.h). */
#ifndef MP_REG_PATCH_H
#define MP_REG_PATCH_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/ctx.h"
#include "store/changes.h"
#include "store/store.h"

/*
 * Appends to out the bytes of the .reg file behind s (a store made by
 * store/reg.c; anything else fails with MAPIPROF_E_INVALID) with keys[0..n)
 * applied.  keys are handles of s (plan.h), as mapiprof_plan_build made them
 * on this store.  For each key:
 *  - an op setting a value the key holds: the line that last assigned it
 *    (with its continuation lines) is replaced by the new line, keeping the
 *    name as that line writes it (and @ for the default value);
 *  - an op deleting a value: every line of the key's current life (since
 *    it was last created) that assigns or deletes that value is removed;
 *  - an op setting a value the key does not hold: a new line after the last
 *    value line of the key's last block (after its key line when the block
 *    has no value line), in op order;
 *  - a key to create (key == 0), or one with no block of its own (it only
 *    appears inside longer paths): a new block at the end of the file, after
 *    a blank line, "[<the profile key's path as the file writes it>\<uid>]"
 *    and its new values, then a blank line (regedit's layout, Wine
 *    programs/reg/tests/export.c).
 *  - a path key (store/changes.h) to create, or one without a block of its
 *    own: the same, its path written from its deepest key the file has (or
 *    the file's hive root, "HKEY_CURRENT_USER" in a file without one);
 *  - a key to delete: every block of its current life and of every key
 *    below it, from the key line up to the next key line; when its parent
 *    would vanish with them (no other key line opens it and the plan
 *    creates nothing below it), a key line of the parent takes the place
 *    of the first block removed.
 * New text is in the file's encoding; its line end is the one of the line
 * it follows (the file's first line end when that line has none, CRLF in a
 * file without any).  With n == 0, out receives the input byte for byte.
 */
int mp_reg_patch(struct mapiprof_ctx *ctx, struct mp_store *s, const struct mp_key_change *keys,
                 size_t n, struct mp_buf *out);

/* Where mp_reg_patch_to puts the text: put(arg, bytes, n) returns
 * MAPIPROF_OK or MAPIPROF_FAILED with the error in the ctx.  copy, when
 * not NULL, takes the unchanged spans of at least MP_REG_COPY_MIN bytes
 * instead of put: the sink appends bytes [off, off + n) of the file the
 * store was parsed from, read from the file itself (a kernel-side copy,
 * which never touches the parse's mapping). */
struct mp_reg_sink {
	int (*put)(void *arg, const void *data, size_t n);
	int (*copy)(void *arg, size_t off, size_t n);
	void *arg;
};
#define MP_REG_COPY_MIN (64u * 1024u)

/* One change of the original: bytes [off, off + len) replaced by n bytes
 * of new text (len 0: inserted at off). */
struct mp_reg_edit {
	size_t off, len, n;
};

/* The changes mp_reg_patch_to made, in offset order (e malloc'd), and
 * their new text, each edit's n bytes after the previous one's (text
 * malloc'd, textlen bytes): with the original, the whole of what was
 * written, for the check of the written file. */
struct mp_reg_edits {
	struct mp_reg_edit *e;
	size_t n;
	uint8_t *text;
	size_t textlen;
};

/* mp_reg_patch, the text handed to sink piece by piece (the unchanged
 * bytes straight from the parsed file, a mapped one's pages let go
 * behind them) instead of built in memory; with edits not NULL, the
 * changes made (release with mp_reg_edits_free). */
int mp_reg_patch_to(struct mapiprof_ctx *ctx, struct mp_store *s, const struct mp_key_change *keys,
                    size_t n, const struct mp_reg_sink *sink, struct mp_reg_edits *edits);
void mp_reg_edits_free(struct mp_reg_edits *edits);

#endif

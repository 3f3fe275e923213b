/* reg.h - the .reg back end of the store interface (store.h): a
 * read-only tree made from a parsed .reg file (reg_doc.h). */
#ifndef MP_STORE_REG_H
#define MP_STORE_REG_H

#include "store/reg_doc.h"
#include "store/store.h"

/*
 * Opens a parsed .reg file (reg_doc.h) as a store, which takes it over: it
 * is released (file->release) with the store, or here on failure.
 *
 * The tree: the blocks of the file merged in file order (a key may appear in
 * several blocks; [-key] removes a key and everything below it; "name"=-
 * removes a value; a later assignment replaces an earlier one in place, so
 * values keep the order of their first appearance, a value deleted and set
 * again goes last).  Keys and values keep the spelling of their first
 * appearance; children are in order of first appearance.  The root is the
 * user hive root: keys under HKEY_CURRENT_USER\, HKCU\ and
 * HKEY_USERS\<one component>\ hang below it exactly as in an NTUSER.DAT;
 * keys under another root R hang below a child named by R's full name.
 * key_mtime is 0; the write ops are NULL.
 *
 * Returns MAPIPROF_OK and *out (release with mp_store_close), or
 * MAPIPROF_FAILED: MAPIPROF_E_LIMIT past a cap of limits.h, or
 * MAPIPROF_E_NOMEM.
 */
int mp_store_reg_from_parsed(struct mapiprof_ctx *ctx, struct mp_reg_file *file,
                             struct mp_store **out);
/* The parsed file behind a store made by this back end (NULL for any other
 * store); owned by the store. */
const struct mp_reg_file *mp_store_reg_file(const struct mp_store *s);

/* ---- what the text patcher (regtext/patch.c) asks of the tree ----------------
 * Keys are handles of s; every query on another back end or a bad handle
 * finds nothing. */

/* The blocks ([key] lines, indices into the parsed file's blocks) whose
 * values went to key, in file order: the blocks of its current life (a key
 * deleted with [-key] and opened again is a new key with new blocks). */
void mp_store_reg_key_blocks(const struct mp_store *s, mp_key key, const uint32_t **blocks,
                             size_t *n);
/* *line: the value line that last set value name (case-insensitive) of
 * key, or NULL when key does not hold such a value.  Fails only when the
 * key's value lines cannot be decoded (mp_reg_file.decode). */
int mp_store_reg_value_line(struct mp_store *s, mp_key key, const char *name,
                            const struct mp_reg_value **line);
/* *vals: the nvalues decoded value lines of block (an index into the
 * parsed file's blocks), decoded now when the parse was lazy. */
int mp_store_reg_block_values(struct mp_store *s, size_t block, const struct mp_reg_value **vals);
/* The path of key (not the root) as the file writes it: the start of the
 * path of the last key line that opened key or a key below it in key's
 * current life, up to key's own component (no trailing '\'), e.g.
 * "HKEY_USERS\S-1-5-21-1\Software\...\Profiles\Outlook".  *path points
 * into the parsed file (not NUL-terminated at *len).  MAPIPROF_E_INVALID
 * when s is not a .reg store or key is the root or unknown. */
int mp_store_reg_key_path(struct mp_store *s, mp_key key, const char **path, size_t *len);

/* The hive root's path as the file writes it: the root part of the first
 * key line under the user hive root ("HKEY_CURRENT_USER", "HKCU",
 * "HKEY_USERS\S-1-5-21-1"), "HKEY_CURRENT_USER" when there is none. */
void mp_store_reg_root_path(const struct mp_store *s, const char **path, size_t *len);

#endif

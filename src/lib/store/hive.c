/* hive.c - the store interface (store.h) over hivex: the only file
 * that includes <hivex.h> (hivex's behaviour as in its lib/handle.c and
 * lib/write.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hivex.h>

#include "base/limits.h"
#include "base/platform.h"
#include "store/store.h"

/* Deepest key path built for an error message (registry maximum: Microsoft
 * Learn, "Registry element size limits"). */
#define KEY_DEPTH_MAX 512u
/* Largest value hivex writes correctly into a hive of version >= 1.4: it
 * stores bigger ones as one plain cell where Windows expects a 'db'
 * big-data record (regf spec "Big data"; ReactOS cmlib.h). */
#define BIG_DATA_MIN 16344u
/* Longest key name accepted by add_child, in UTF-8 bytes (255 UTF-16
 * units per "Registry element size limits", at most 3 bytes each). */
#define KEY_NAME_MAX_BYTES (255u * 3u)

struct hive_store {
	struct mp_store base; /* first: a struct mp_store * is a struct hive_store * */
	hive_h *h;
	int writable;
	uint32_t minor; /* regf minor version, read from the base block (regf spec) */
};

static hive_h *
hv(struct mp_store *s)
{
	return ((struct hive_store *)s)->h;
}

/* hivex errnos that mean "the file's structure is bad" rather than a
 * failed system call. */
static int
is_format_errno(int err)
{
	return err == EINVAL || err == EFAULT || err == ENOTSUP || err == ERANGE || err == EILSEQ;
}

/* Records a failed hivex call: ERANGE (hivex's caps, and ours from
 * limits.h) as MAPIPROF_E_LIMIT, other format errnos as MAPIPROF_E_FORMAT,
 * the rest through mp_seterr_errno. */
static void
hive_err(struct mp_store *s, int err, const char *where, const char *what)
{
	if (err == ERANGE)
		mp_seterr(s->ctx, MAPIPROF_E_LIMIT, "%s: %s", where, what);
	else if (is_format_errno(err))
		mp_seterr(s->ctx, MAPIPROF_E_FORMAT, "%s: %s: %s", where, what, strerror(err));
	else
		mp_seterr_errno(s->ctx, err != 0 ? err : EIO, "%s: %s", where, what);
}

/* Name of a node as UTF-8, malloc'd; NULL only when out of memory.  A name
 * hivex cannot decode (e.g. UTF-16 with an unpaired surrogate) comes back
 * as U+FFFD followed by "#<node offset>": unique, never equal to an ASCII
 * name, never a crash. */
static char *
node_name(hive_h *h, hive_node_h node)
{
	errno = 0;
	char *name = hivex_node_name(h, node);
	if (name != NULL || errno == ENOMEM)
		return name;
	char buf[40];
	snprintf(buf, sizeof(buf), "\xEF\xBF\xBD#%zx", (size_t)node);
	return strdup(buf);
}

/* Path of node below the root ("Software\\X"; "(root)" for the root itself),
 * for error messages; malloc'd, NULL when out of memory.  Stops after
 * KEY_DEPTH_MAX levels or at a parent hivex cannot follow ("...\\"). */
static char *
key_path(hive_h *h, hive_node_h node)
{
	hive_node_h root = hivex_root(h);
	char *path = strdup(node == root ? "(root)" : "");
	for (unsigned depth = 0; path != NULL && node != root && node != 0; depth++) {
		char *name = depth < KEY_DEPTH_MAX ? node_name(h, node) : strdup("...");
		if (name == NULL) {
			free(path);
			return NULL;
		}
		size_t n = strlen(name) + strlen(path) + 2;
		char *p = malloc(n);
		if (p != NULL)
			snprintf(p, n, "%s%s%s", name, path[0] != '\0' ? "\\" : "", path);
		free(name);
		free(path);
		path = p;
		if (depth >= KEY_DEPTH_MAX)
			break;
		node = hivex_node_parent(h, node);
	}
	return path;
}

/* Records "key 'PATH': what" for a failed hivex call on key (err saved by
 * the caller right after the call). */
static int
key_err(struct mp_store *s, mp_key key, int err, const char *what)
{
	char *path = key_path(hv(s), (hive_node_h)key);
	char where[600];
	snprintf(where, sizeof(where), "key '%s'", path != NULL ? path : "?");
	free(path);
	hive_err(s, err, where, what);
	return MAPIPROF_FAILED;
}

static int
op_root(struct mp_store *s, mp_key *out)
{
	errno = 0;
	hive_node_h root = hivex_root(hv(s));
	if (root == 0) {
		/* hivex sets HIVEX_NO_KEY (ENOKEY or ENOENT): a structure fault. */
		mp_seterr(s->ctx, MAPIPROF_E_FORMAT, "root key: not a valid key cell");
		return MAPIPROF_FAILED;
	}
	*out = root;
	return MAPIPROF_OK;
}

static int
op_children(struct mp_store *s, mp_key key, mp_key **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	errno = 0;
	hive_node_h *kids = hivex_node_children(hv(s), (hive_node_h)key);
	if (kids == NULL)
		return key_err(s, key, errno, "cannot read subkeys");
	size_t count = 0;
	while (count <= MP_MAX_SUBKEYS_PER_KEY && kids[count] != 0)
		count++;
	if (count > MP_MAX_SUBKEYS_PER_KEY) {
		free(kids);
		return key_err(s, key, ERANGE, "too many subkeys");
	}
	mp_key *arr = malloc((count > 0 ? count : 1) * sizeof(*arr));
	if (arr == NULL) {
		free(kids);
		return mp_nomem(s->ctx);
	}
	for (size_t i = 0; i < count; i++)
		arr[i] = kids[i];
	free(kids);
	*out = arr;
	*n = count;
	return MAPIPROF_OK;
}

static int
op_key_name(struct mp_store *s, mp_key key, char **out)
{
	*out = node_name(hv(s), (hive_node_h)key);
	return *out != NULL ? MAPIPROF_OK : mp_nomem(s->ctx);
}

/* hivex reports a negative (corrupt) timestamp as an error; the store
 * contract says 0 when there is none, so such a key gets 0. */
static int
op_key_mtime(struct mp_store *s, mp_key key, int64_t *out)
{
	int64_t t = hivex_node_timestamp(hv(s), (hive_node_h)key);
	*out = t > 0 ? t : 0;
	return MAPIPROF_OK;
}

/* Fills v from hivex value handle hval: name (substituted as node_name
 * when undecodable), type and a copy of the data, capped by
 * MP_MAX_VALUE_LEN. */
static int
read_value(struct mp_store *s, mp_key key, hive_value_h hval, struct mp_value *v)
{
	hive_h *h = hv(s);
	errno = 0;
	v->name = hivex_value_key(h, hval);
	if (v->name == NULL) {
		if (errno == ENOMEM)
			return mp_nomem(s->ctx);
		char buf[40];
		snprintf(buf, sizeof(buf), "\xEF\xBF\xBD#%zx", (size_t)hval);
		if ((v->name = strdup(buf)) == NULL)
			return mp_nomem(s->ctx);
	}
	hive_type t = 0;
	size_t len = 0;
	char what[300];
	errno = 0;
	if (hivex_value_type(h, hval, &t, &len) == -1) {
		int err = errno;
		snprintf(what, sizeof(what), "value '%.200s': cannot read its type", v->name);
		return key_err(s, key, err, what);
	}
	if (len > MP_MAX_VALUE_LEN) {
		snprintf(what, sizeof(what), "value '%.200s': %zu bytes exceed the cap of %u",
		         v->name, len, MP_MAX_VALUE_LEN);
		return key_err(s, key, ERANGE, what);
	}
	errno = 0;
	char *data = hivex_value_value(h, hval, &t, &len);
	if (data == NULL && (len != 0 || errno != 0)) {
		int err = errno;
		snprintf(what, sizeof(what), "value '%.200s': cannot read its data", v->name);
		return key_err(s, key, err, what);
	}
	v->type = (uint32_t)t;
	v->data = (uint8_t *)data;
	v->len = len;
	return MAPIPROF_OK;
}

static int
op_values(struct mp_store *s, mp_key key, struct mp_value **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	errno = 0;
	hive_value_h *hvals = hivex_node_values(hv(s), (hive_node_h)key);
	if (hvals == NULL)
		return key_err(s, key, errno, "cannot read values");
	size_t count = 0;
	while (count <= MP_MAX_VALUES_PER_KEY && hvals[count] != 0)
		count++;
	if (count > MP_MAX_VALUES_PER_KEY) {
		free(hvals);
		return key_err(s, key, ERANGE, "too many values");
	}
	struct mp_value *vals = calloc(count > 0 ? count : 1, sizeof(*vals));
	if (vals == NULL) {
		free(hvals);
		return mp_nomem(s->ctx);
	}
	int rc = MAPIPROF_OK;
	size_t done = 0;
	for (; done < count; done++) {
		if ((rc = read_value(s, key, hvals[done], &vals[done])) != MAPIPROF_OK) {
			done++; /* free the partly filled entry too */
			break;
		}
	}
	free(hvals);
	if (rc != MAPIPROF_OK) {
		mp_store_values_free(vals, done);
		return rc;
	}
	*out = vals;
	*n = count;
	return MAPIPROF_OK;
}

/* Checks a new key name: non-empty, no '\', at most 255 characters. */
static int
check_key_name(struct mp_store *s, mp_key parent, const char *name)
{
	const char *why = NULL;
	if (name[0] == '\0')
		why = "empty key name";
	else if (strchr(name, '\\') != NULL)
		why = "key name contains '\\'";
	else if (strlen(name) > KEY_NAME_MAX_BYTES)
		why = "key name longer than 255 characters";
	if (why == NULL)
		return MAPIPROF_OK;
	char *path = key_path(hv(s), (hive_node_h)parent);
	mp_seterr(s->ctx, MAPIPROF_E_INVALID, "key '%s': cannot add child: %s",
	          path != NULL ? path : "?", why);
	free(path);
	return MAPIPROF_FAILED;
}

static int
op_add_child(struct mp_store *s, mp_key parent, const char *name, mp_key *out)
{
	*out = 0;
	if (check_key_name(s, parent, name) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	/* hivex looks for a namesake itself (hivex_node_get_child, lib/write.c)
	 * and fails with EEXIST: no second look here, which would read every
	 * sibling's name again. */
	errno = 0;
	hive_node_h child = hivex_node_add_child(hv(s), (hive_node_h)parent, name);
	if (child == 0) {
		int err = errno;
		if (err == EEXIST) {
			char *path = key_path(hv(s), (hive_node_h)parent);
			mp_seterr(s->ctx, MAPIPROF_E_INVALID, "key '%s': child '%s' already exists",
			          path != NULL ? path : "?", name);
			free(path);
			return MAPIPROF_FAILED;
		}
		char what[300];
		snprintf(what, sizeof(what), "cannot add child '%.200s'", name);
		return key_err(s, parent, err, what);
	}
	*out = child;
	return MAPIPROF_OK;
}

/* hivex_node_delete_child frees the key, its values and every key below
 * it, and drops it from its parent's subkey list (lib/write.c). */
static int
op_delete_key(struct mp_store *s, mp_key key)
{
	mp_key root = 0;
	if (op_root(s, &root) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (key == root)
		return key_err(s, key, EINVAL, "the root key cannot be deleted");
	errno = 0;
	if (hivex_node_delete_child(hv(s), (hive_node_h)key) == -1)
		return key_err(s, key, errno, "cannot delete the key");
	return MAPIPROF_OK;
}

/* Refuses a value hivex would write in a way Windows misreads (hivex
 * lib/write.c allocates one cell; regf spec "Big data"): more than
 * BIG_DATA_MIN bytes in a hive of version >= 1.4. */
static int
check_value_sizes(struct mp_store *s, mp_key key, const struct mp_value *vals, size_t n)
{
	if (((struct hive_store *)s)->minor < 4)
		return MAPIPROF_OK;
	for (size_t i = 0; i < n; i++) {
		if (vals[i].len <= BIG_DATA_MIN)
			continue;
		char what[300];
		snprintf(what, sizeof(what),
		         "value '%.200s': %zu bytes exceed %u, which hivex cannot write as "
		         "big data",
		         vals[i].name, vals[i].len, BIG_DATA_MIN);
		return key_err(s, key, ERANGE, what);
	}
	return MAPIPROF_OK;
}

/* One hivex_node_set_values call with all of vals (hivex rewrites every value
 * of the key on each set, lib/write.c).  hivex does not modify the names or
 * data it is given, so the const casts are safe. */
static int
op_set_values(struct mp_store *s, mp_key key, const struct mp_value *vals, size_t n)
{
	if (n > MP_MAX_VALUES_PER_KEY)
		return key_err(s, key, ERANGE, "too many values to set");
	if (check_value_sizes(s, key, vals, n) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	hive_set_value *sv = calloc(n > 0 ? n : 1, sizeof(*sv));
	if (sv == NULL)
		return mp_nomem(s->ctx);
	for (size_t i = 0; i < n; i++) {
		sv[i].key = (char *)vals[i].name;
		sv[i].t = (hive_type)vals[i].type;
		sv[i].len = vals[i].len;
		sv[i].value = (char *)vals[i].data;
	}
	errno = 0;
	int r = hivex_node_set_values(hv(s), (hive_node_h)key, n, sv, 0);
	int err = errno;
	free(sv);
	if (r == -1)
		return key_err(s, key, err, "cannot set values");
	return MAPIPROF_OK;
}

/* hivex_commit to path (a new file; hivex opens it O_WRONLY|O_CREAT|O_TRUNC
 * and does not fsync: the caller syncs and renames; lib/write.c). */
static int
op_write_to(struct mp_store *s, const char *path)
{
	errno = 0;
	if (hivex_commit(hv(s), path, 0) == -1) {
		int err = errno;
		mp_seterr_errno(s->ctx, err != 0 ? err : EIO, "cannot write hive to '%s'", path);
		mp_seterr_file(s->ctx, path);
		return MAPIPROF_FAILED;
	}
	return MAPIPROF_OK;
}

static void
op_close(struct mp_store *s)
{
	struct hive_store *hs = (struct hive_store *)s;
	if (hs->h != NULL)
		hivex_close(hs->h);
	free(hs->base.path);
	free(hs);
}

static const struct mp_store_ops hive_ops_ro = {
    .format = "regf",
    .root = op_root,
    .children = op_children,
    .key_name = op_key_name,
    .key_mtime = op_key_mtime,
    .values = op_values,
    .add_child = NULL,
    .delete_key = NULL,
    .set_values = NULL,
    .write_to = NULL,
    .close = op_close,
};

static const struct mp_store_ops hive_ops_rw = {
    .format = "regf",
    .root = op_root,
    .children = op_children,
    .key_name = op_key_name,
    .key_mtime = op_key_mtime,
    .values = op_values,
    .add_child = op_add_child,
    .delete_key = op_delete_key,
    .set_values = op_set_values,
    .write_to = op_write_to,
    .close = op_close,
};

/* The regf minor version of the file at path; 5 (the cautious answer for
 * check_value_sizes) when it cannot be read. */
static uint32_t
read_minor(const char *path)
{
	uint8_t bb[0x1C];
	int fd = -1;
	uint32_t minor = 5;
	if (mp_open_read(NULL, path, &fd) != MAPIPROF_OK)
		return minor;
	if (mp_pread_full(NULL, fd, bb, sizeof(bb), 0) == MAPIPROF_OK)
		minor = (uint32_t)bb[0x18] | (uint32_t)bb[0x19] << 8 | (uint32_t)bb[0x1A] << 16 |
		        (uint32_t)bb[0x1B] << 24;
	mp_close(fd);
	return minor;
}

/* Read-only: hivex opens O_RDONLY and mmaps PROT_READ, so the file's bytes
 * and mtime never change.  Writable: hivex reads the whole file into memory
 * and closes it; nothing reaches disk before write_to (lib/handle.c). */
int
mp_store_hive_open(struct mapiprof_ctx *ctx, const char *path, int writable, struct mp_store **out)
{
	*out = NULL;
	struct hive_store *hs = calloc(1, sizeof(*hs));
	if (hs == NULL)
		return mp_nomem(ctx);
	hs->base.ops = writable ? &hive_ops_rw : &hive_ops_ro;
	hs->base.ctx = ctx;
	hs->writable = writable != 0;
	if ((hs->base.path = strdup(path)) == NULL) {
		free(hs);
		return mp_nomem(ctx);
	}
	errno = 0;
	/* hivex's write mode reads the file whole and closes it (used, never
	 * written, where a mapping would keep the file from being replaced). */
	hs->h = hivex_open(path, writable || mp_mapping_pins_file() ? HIVEX_OPEN_WRITE : 0);
	if (hs->h == NULL) {
		int err = errno;
		if (is_format_errno(err))
			mp_seterr(ctx, MAPIPROF_E_FORMAT, "hivex cannot open the hive: %s",
			          strerror(err));
		else
			mp_seterr_errno(ctx, err != 0 ? err : EIO, "cannot open the hive");
		mp_seterr_file(ctx, path);
		op_close(&hs->base);
		return MAPIPROF_FAILED;
	}
	if (writable)
		hs->minor = read_minor(path);
	*out = &hs->base;
	return MAPIPROF_OK;
}

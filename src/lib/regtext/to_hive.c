/* to_hive.c - the fixture builder (regtext/to_hive.h): a .reg file read by
 * the .reg store and copied key by key into a new hive made by regf/empty.c,
 * through the hive store. */
#include <stdlib.h>

#include "base/platform.h"
#include "regf/empty.h"
#include "regtext/parse.h"
#include "regtext/to_hive.h"
#include "store/reg.h"
#include "store/store.h"

/* Name of the new hive's root key (any name works: hivex's images/minimal
 * has $$$PROTO.HIV; it is not shown when the hive is loaded). */
#define ROOT_NAME "ROOT"

/* Copies key src of reg (its values in one set_values call, as hivex
 * lib/write.c rewrites all of a key's values on each set, then its
 * children depth first) to key dst of hive.  The recursion is at most
 * MP_MAX_KEY_DEPTH + 1 deep: the parser refuses deeper paths. */
static int
copy_key(struct mp_store *reg, mp_key src, struct mp_store *hive, mp_key dst)
{
	struct mp_value *vals = NULL;
	mp_key *kids = NULL;
	size_t nvals = 0, nkids = 0;
	int rc = MAPIPROF_FAILED;
	if (reg->ops->values(reg, src, &vals, &nvals) != MAPIPROF_OK)
		goto out;
	if (nvals > 0 && hive->ops->set_values(hive, dst, vals, nvals) != MAPIPROF_OK)
		goto out;
	if (reg->ops->children(reg, src, &kids, &nkids) != MAPIPROF_OK)
		goto out;
	for (size_t i = 0; i < nkids; i++) {
		char *name = NULL;
		mp_key child = 0;
		if (reg->ops->key_name(reg, kids[i], &name) != MAPIPROF_OK)
			goto out;
		int r = hive->ops->add_child(hive, dst, name, &child);
		free(name);
		if (r != MAPIPROF_OK || copy_key(reg, kids[i], hive, child) != MAPIPROF_OK)
			goto out;
	}
	rc = MAPIPROF_OK;
out:
	free(kids);
	mp_store_values_free(vals, nvals);
	return rc;
}

/* Makes a private directory beside out_path for the temporary files, so
 * that the final rename stays on one file system.  Returns it malloc'd, or
 * NULL with the error in ctx. */
static char *
make_tmpdir(struct mapiprof_ctx *ctx, const char *out_path)
{
	char *dir = mp_path_dir(out_path);
	char *tmp = NULL;
	if (dir == NULL) {
		mp_nomem(ctx);
		return NULL;
	}
	if (mp_temp_dir(ctx, dir, ".mkhive", &tmp) != MAPIPROF_OK)
		mp_seterr_file(ctx, out_path);
	free(dir);
	return tmp;
}

/* Builds the hive (the empty one at empty, the full one at built, both in
 * the temporary directory) and renames it over out_path. */
static int
build_in(struct mapiprof_ctx *ctx, struct mp_store *reg, const char *empty, const char *built,
         const char *out_path, unsigned minor, int64_t filetime)
{
	struct mp_store *hive = NULL;
	mp_key rroot = 0, hroot = 0;
	int rc = MAPIPROF_FAILED;
	if (mp_regf_create_empty(ctx, empty, minor, ROOT_NAME, filetime) != MAPIPROF_OK ||
	    mp_store_hive_open(ctx, empty, 1, &hive) != MAPIPROF_OK)
		goto out;
	if (reg->ops->root(reg, &rroot) != MAPIPROF_OK ||
	    hive->ops->root(hive, &hroot) != MAPIPROF_OK)
		goto out;
	if (copy_key(reg, rroot, hive, hroot) != MAPIPROF_OK) {
		mp_seterr_file(ctx, reg->path);
		goto out;
	}
	if (hive->ops->write_to(hive, built) != MAPIPROF_OK)
		goto out;
	if (mp_rename(ctx, built, out_path) != MAPIPROF_OK) {
		mp_seterr_file(ctx, out_path);
		goto out;
	}
	rc = MAPIPROF_OK;
out:
	mp_store_close(hive);
	return rc;
}

int
mp_reg_to_hive(struct mapiprof_ctx *ctx, const char *reg_path, const char *out_path, unsigned minor,
               int64_t filetime)
{
	struct mp_store *reg = NULL;
	char *tmp = NULL, *empty = NULL, *built = NULL;
	int rc = MAPIPROF_FAILED;
	if (minor != 3 && minor != 5) {
		mp_seterr(ctx, MAPIPROF_E_INVALID, "regf minor version %u is not 3 or 5", minor);
		return MAPIPROF_FAILED;
	}
	if (mp_reg_parse_store(ctx, reg_path, NULL, &reg) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if ((tmp = make_tmpdir(ctx, out_path)) == NULL)
		goto out;
	empty = mp_path_join(tmp, "empty.dat");
	built = mp_path_join(tmp, "hive.dat");
	if (empty == NULL || built == NULL) {
		mp_nomem(ctx);
		goto out;
	}
	rc = build_in(ctx, reg, empty, built, out_path, minor, filetime);
out:
	if (tmp != NULL) {
		/* Everything in tmp is ours; on success hive.dat was renamed. */
		if (built != NULL)
			mp_unlink(NULL, built);
		if (empty != NULL)
			mp_unlink(NULL, empty);
		mp_rmdir(NULL, tmp);
	}
	free(built);
	free(empty);
	free(tmp);
	mp_store_close(reg);
	return rc;
}

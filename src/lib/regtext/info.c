/* info.c - mapiprof_inspect() of a .reg file (regtext/info.h): its bytes
 * mapped once, hashed and parsed in full (value lines checked, decoded on
 * demand) (encodings and line ends as Wine's
 * programs/reg/tests/import.c checks them). */
#include <stdlib.h>

#include "base/limits.h"
#include "base/platform.h"
#include "regf/hiveinfo.h"
#include "regtext/info.h"

static const char *
encoding_name(const struct mp_reg_file *f)
{
	switch (f->encoding) {
	case MP_REG_ENC_UTF16LE:
		return "utf-16le";
	case MP_REG_ENC_UTF8:
		return "utf-8";
	case MP_REG_ENC_UTF8_BOM:
		return "utf-8-bom";
	case MP_REG_ENC_CODEPAGE:
		break;
	}
	return f->codepage != NULL ? f->codepage : "windows-1252";
}

static const char *
eol_name(enum mp_reg_eol eol)
{
	switch (eol) {
	case MP_REG_EOL_CRLF:
		return "crlf";
	case MP_REG_EOL_LF:
		return "lf";
	case MP_REG_EOL_CR:
		return "cr";
	case MP_REG_EOL_MIXED:
		return "mixed";
	case MP_REG_EOL_NONE:
		break;
	}
	return "none";
}

/* Maps the regular file behind fd (info->size bytes, capped). */
static int
map_all(struct mapiprof_ctx *ctx, int fd, const struct mapiprof_info *info, struct mp_map *map)
{
	if (info->size > MP_MAX_REG_FILE) {
		mp_seterr(ctx, MAPIPROF_E_LIMIT, "file larger than %u bytes", MP_MAX_REG_FILE);
		return MAPIPROF_FAILED;
	}
	return mp_map_fd(ctx, fd, (size_t)info->size, map);
}

/* The reg_* fields of info from the parsed file. */
static int
describe(struct mapiprof_ctx *ctx, struct mapiprof_info *info, const struct mp_reg_file *f)
{
	info->reg_encoding = mp_info_strdup(info, encoding_name(f));
	info->reg_header =
	    f->header == MP_REG_HDR_REGEDIT4 ? "REGEDIT4" : "Windows Registry Editor Version 5.00";
	info->reg_line_ends = eol_name(f->eol);
	return info->reg_encoding != NULL ? MAPIPROF_OK : mp_nomem(ctx);
}

int
mp_reginfo_inspect(struct mapiprof_ctx *ctx, const char *path, const char *codepage, unsigned flags,
                   struct mapiprof_info **out, struct mp_reg_file **parsed)
{
	struct mapiprof_info *info = mp_info_new(path, "reg");
	struct mp_reg_file *f = NULL;
	struct mp_map map = {0};
	int fd = -1, rc = MAPIPROF_FAILED;
	*out = NULL;
	if (parsed != NULL)
		*parsed = NULL;
	if (info == NULL) {
		mp_nomem(ctx);
		goto out;
	}
	if (mp_info_open(ctx, info, &fd) != MAPIPROF_OK ||
	    map_all(ctx, fd, info, &map) != MAPIPROF_OK)
		goto out;
	if ((flags & MP_INSPECT_NO_HASH) == 0) {
		mp_sha256_hex(map.p, (size_t)info->size, info->sha256);
		mp_map_drop(&map, 0, map.len); /* read again from the start */
	}
	mp_close(fd);
	fd = -1;
	rc = mp_reg_parse_mapped(ctx, path, &map, codepage, &f);
	if (rc != MAPIPROF_OK || (rc = describe(ctx, info, f)) != MAPIPROF_OK)
		goto out;
	rc = MAPIPROF_OK;
out:
	mp_close(fd);
	mp_unmap(&map);
	if (rc != MAPIPROF_OK) {
		mp_seterr_file(ctx, path);
		mp_reg_parse_free(f);
		mapiprof_info_free(info);
		return rc;
	}
	if (parsed != NULL)
		*parsed = f;
	else
		mp_reg_parse_free(f);
	*out = info;
	return MAPIPROF_OK;
}

/* edit.h - one edit line "SECTION PROP OP [VALUE]" parsed and typed against
 * its property (see the comment above enum mapiprof_op in mapiprof.h), and
 * recipes: files of edits. */
#ifndef MP_EDIT_H
#define MP_EDIT_H

#include <stddef.h>
#include <stdint.h>

#include "base/ctx.h"

struct mp_edit {
	const char *text;      /* the edit as written, trimmed */
	const char *selector;  /* SECTION ("exchange" or any mapiprof_select selector) */
	uint32_t tag;          /* PROP resolved to a tag */
	const char *prop_name; /* the table's name for tag, or NULL */
	enum mapiprof_op op;
	uint64_t number;   /* integer/boolean VALUE, or the flag mask for += -= */
	uint32_t reg_type; /* registry type to write: REG_SZ for PT_STRING8, else REG_BINARY */
	uint8_t *data;     /* = : the encoded registry data (all types) */
	size_t len;
};

/* Parses and types one edit; strings in a.  Errors: MAPIPROF_E_EDIT with a
 * message naming the token (e.g. "PR_PROFILE_CONNECT_FLAGS is PT_LONG: 'abc'
 * is not a number or flag name"); NOMEM. */
int mp_edit_parse(struct mapiprof_ctx *ctx, struct mp_arena *a, const char *line,
                  struct mp_edit *out);

/* Width in bytes of the integer types += -= >= work on (PT_I2 2, PT_LONG 4,
 * PT_I8 8), else 0. */
size_t mp_edit_int_width(uint32_t tag);

/* Encodes v as width (<= 8) little-endian bytes into out (MFCMAPI
 * registryProperty.cpp). */
void mp_edit_put_le(uint8_t *out, uint64_t v, size_t width);
/* Reads width (<= 8) little-endian bytes. */
uint64_t mp_edit_get_le(const uint8_t *p, size_t width);

struct mapiprof_recipe {
	struct mp_arena arena;
	struct mapiprof_recipe_info info;
	struct mp_edit *edits;
	size_t nedits;
};

/* The built-in recipes: the files of recipes/ as name (file name without
 * ".recipe") and text, compiled into recipes_gen.c by
 * tools/embed_recipes.py; recipe.c parses them with the same parser as a
 * user's file. */
struct mp_builtin_recipe {
	const char *name;
	const char *text;
};
extern const struct mp_builtin_recipe mp_builtin_recipes[];
extern const size_t mp_builtin_nrecipes;

#endif

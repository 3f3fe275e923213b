/* propspec.c - a property named as a user writes it: a tag, a registry
 * value name or a name from the tag table (propspec.h). */
#include <string.h>

#include "base/hex.h"
#include "base/nearest.h"
#include "mapi/decode.h"
#include "mapi/propspec.h"
#include "mapi/tables.h"

/* Parses "0xIIIITTTT" with exactly 8 hex digits. */
static int
parse_hex_tag(const char *s, uint32_t *tag)
{
	return s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && strlen(s) == 10 &&
	       mp_hex_u32(s + 2, 8, tag);
}

int
mp_propspec_tag(const char *spec, uint32_t *tag)
{
	int secure = 0;
	if (parse_hex_tag(spec, tag) || mp_parse_value_name(spec, tag, &secure))
		return 1;
	const struct mapiprof_tagdef *d = mp_tag_by_name(spec);
	if (d == NULL)
		return 0;
	*tag = d->tag;
	return 1;
}

int
mapiprof_parse_propspec(struct mapiprof_ctx *ctx, const char *spec, uint32_t *tag)
{
	if (spec != NULL && mp_propspec_tag(spec, tag))
		return MAPIPROF_OK;
	char hint[MP_DID_YOU_MEAN_MAX];
	mp_seterr(
	    ctx, MAPIPROF_E_PROPSPEC,
	    "'%s' is not a property name like PR_..., a tag like 0xIIIITTTT or a value "
	    "name like TTTTIIII%s",
	    spec != NULL ? spec : "",
	    mp_did_you_mean(spec != NULL ? mp_tag_nearest_name(spec) : NULL, hint, sizeof(hint)));
	mp_seterr_file(ctx, NULL);
	return MAPIPROF_FAILED;
}

/* propspec.h - a property named as a user writes it (mapiprof_parse_propspec
 * is the public face of this). */
#ifndef MP_PROPSPEC_H
#define MP_PROPSPEC_H

#include <stdint.h>

/* 1 when spec is a tag (0x66040003), a value name (00036604: tag 0x66040003
 * stored as "TTTTIIII") or a table name (PR_PROFILE_CONNECT_FLAGS, any
 * case); sets *tag.  0 otherwise. */
int mp_propspec_tag(const char *spec, uint32_t *tag);

#endif

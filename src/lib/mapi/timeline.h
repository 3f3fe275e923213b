/* timeline.h - the profile and section keys of an open file with their
 * last-write times, for forensic timelines (mapiprof_timeline). */
#ifndef MP_MAPI_TIMELINE_H
#define MP_MAPI_TIMELINE_H

#include <stddef.h>

#include "mapi/locate.h"

/* Every profile key and section key of file, and more[0..nmore) (records
 * of keys found elsewhere, e.g. recovered from free space), sorted by
 * last_write, oldest first; records of one time keep their order (live
 * keys first, profile then its sections, then more).  *out (free()) gets
 * *n records whose strings are the file's or more's. */
int mp_timeline(struct mapiprof_file *file, const struct mapiprof_keytime *more, size_t nmore,
                struct mapiprof_keytime **out, size_t *n);

#endif

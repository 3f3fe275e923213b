/* profiles.h - the profile names an error message lists when a profile
 * asked for by name is not there, with the nearest one ("did you mean"). */
#ifndef MP_MAPI_PROFILES_H
#define MP_MAPI_PROFILES_H

#include <stddef.h>

#include "base/nearest.h"
#include "mapi/locate.h"

/* Room for the names listed in a "no profile" message (the whole message
 * has 512 bytes). */
#define MP_PROFILE_LIST_MAX 240

/* Appends the names of file's profiles that keep(profile, arg) accepts (all
 * when keep is NULL) to the NUL-terminated list: "A, B", each name once,
 * cut with "..." when size runs out; offers each to near, so one search
 * can span several files. */
void mp_profile_names(const struct mapiprof_file *file,
                      int (*keep)(const struct mapiprof_profile *, const void *), const void *arg,
                      struct mp_nearest *near, char *list, size_t size);

#endif

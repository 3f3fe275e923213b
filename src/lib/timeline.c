/* timeline.c - the public facade of timelines (mapiprof_timeline): the
 * live profile and section keys (mapi/timeline.h) and, on request, the keys
 * recovered from a hive's free cells (mapiprof_deleted_keys). */
#include <stdlib.h>

#include "mapi/timeline.h"

int
mapiprof_timeline(struct mapiprof_file *file, unsigned flags, struct mapiprof_keytime **out,
                  size_t *n)
{
	const struct mapiprof_deleted_key *keys = NULL;
	size_t nkeys = 0;
	*out = NULL;
	*n = 0;
	if ((flags & MAPIPROF_TIMELINE_DELETED) != 0 && mapiprof_deleted_supported(file) &&
	    mapiprof_deleted_keys(file, &keys, &nkeys, NULL) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	/* The keys themselves recovered; live keys that only hold recovered
	 * values are on the timeline already, and the orphan values have no
	 * key (no path, no time). */
	struct mapiprof_keytime *more = malloc((nkeys + 1) * sizeof(*more));
	size_t nmore = 0;
	if (more == NULL)
		return mp_nomem(file->ctx);
	for (size_t i = 0; i < nkeys; i++) {
		const struct mapiprof_deleted_key *k = &keys[i];
		if (!k->deleted || k->path == NULL)
			continue;
		struct mapiprof_keytime rec = {k->last_write, k->path, k->profile,
		                               k->section,    k->role, 1};
		more[nmore++] = rec;
	}
	int rc = mp_timeline(file, more, nmore, out, n);
	free(more);
	return rc;
}

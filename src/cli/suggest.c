/* suggest.c - the answer to an unknown command: the nearest command
 * ("did you mean"), and where the list of commands is. */
#include <stdlib.h>

#include <mapiprof/mapiprof.h>

#include "commands.h"
#include "diag.h"
#include "exitcode.h"
#include "suggest.h"

int
suggest_command(const char *name)
{
	size_t n = command_count();
	const char **names = malloc((n > 0 ? n : 1) * sizeof(*names));
	const char *near = NULL;
	if (names != NULL) {
		for (size_t i = 0; i < n; i++)
			names[i] = command_at(i)->name;
		near = mapiprof_nearest(name, names, n);
	}
	if (near != NULL)
		diag(NULL, "unknown command '%s'; did you mean '%s'?", name, near);
	else
		diag(NULL, "unknown command '%s'", name);
	free(names);
	diag(NULL, "\"mapiprof help\" lists the commands");
	return EXIT_USAGE;
}

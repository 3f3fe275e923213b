/* winpath.c - moving a Windows path from under one folder to another
 * (winpath.h).  Only '\' separates components: profiles store paths as
 * Windows wrote them (Microsoft Learn, "Naming Files, Paths, and
 * Namespaces"). */
#include <stdlib.h>
#include <string.h>

#include "mapi/winpath.h"
#include "store/store.h"

size_t
mp_winpath_trim(const char *s)
{
	size_t n = strlen(s);
	while (n > 1 && s[n - 1] == '\\')
		n--;
	return n;
}

/* 1 when a[0..n) and b[0..n2) are equal as mp_name_casecmp compares names. */
static int
same_name(const char *a, size_t n, const char *b, size_t n2)
{
	char *x = malloc(n + 1), *y = malloc(n2 + 1);
	int same = -1;
	if (x != NULL && y != NULL) {
		memcpy(x, a, n);
		x[n] = '\0';
		memcpy(y, b, n2);
		y[n2] = '\0';
		same = mp_name_casecmp(x, y) == 0;
	}
	free(x);
	free(y);
	return same;
}

int
mp_winpath_move(const char *path, const char *from, size_t from_len, const char *to, size_t to_len,
                char **out)
{
	*out = NULL;
	/* path's first k components, k as many as from has. */
	size_t k = 1;
	for (size_t i = 0; i < from_len; i++)
		k += from[i] == '\\';
	size_t end = 0, plen = strlen(path);
	for (size_t seen = 0; end < plen; end++) {
		if (path[end] == '\\' && ++seen == k)
			break;
	}
	if (end == plen) {
		size_t seps = 0;
		for (size_t i = 0; i < plen; i++)
			seps += path[i] == '\\';
		if (seps + 1 < k)
			return 0;
	}
	int same = same_name(path, end, from, from_len);
	if (same <= 0)
		return same;
	size_t rest = plen - end;
	if ((*out = malloc(to_len + rest + 1)) == NULL)
		return -1;
	memcpy(*out, to, to_len);
	memcpy(*out + to_len, path + end, rest + 1);
	return 1;
}

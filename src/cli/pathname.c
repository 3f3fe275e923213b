/* pathname.c - see pathname.h.  Windows' rules: Microsoft Learn, "Naming
 * Files, Paths, and Namespaces". */
#include <stdlib.h>
#include <string.h>

#include "pathname.h"

int
pn_is_sep(enum path_rules r, char c)
{
	return c == '/' || (r == PATHS_WINDOWS && c == '\\');
}

static int
is_drive(const char *p)
{
	return ((p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z')) && p[1] == ':';
}

static size_t
component_end(enum path_rules r, const char *path, size_t i)
{
	while (path[i] != '\0' && !pn_is_sep(r, path[i]))
		i++;
	return i;
}

size_t
pn_root_len(enum path_rules r, const char *path)
{
	if (r != PATHS_WINDOWS)
		return path[0] == '/' ? 1 : 0;
	if (is_drive(path))
		return pn_is_sep(r, path[2]) ? 3 : 2;
	if (!pn_is_sep(r, path[0]))
		return 0;
	if (!pn_is_sep(r, path[1]))
		return 1;
	/* "\\\\server\\share\\" (or "\\\\?\\C:\\"): two components after the
	 * double separator, and the separator after them. */
	size_t i = component_end(r, path, 2);
	if (path[i] != '\0')
		i = component_end(r, path, i + 1);
	return path[i] != '\0' ? i + 1 : i;
}

void
pn_last(enum path_rules r, const char *path, size_t *start, size_t *len)
{
	size_t root = pn_root_len(r, path), end = strlen(path);
	while (end > root && pn_is_sep(r, path[end - 1]))
		end--;
	size_t i = end;
	while (i > root && !pn_is_sep(r, path[i - 1]))
		i--;
	*start = i;
	*len = end - i;
}

char *
pn_join(enum path_rules r, const char *dir, size_t dlen, const char *name)
{
	char sep = r == PATHS_WINDOWS ? '\\' : '/';
	for (size_t i = dlen; r == PATHS_WINDOWS && i > 0; i--)
		if (pn_is_sep(r, dir[i - 1])) {
			sep = dir[i - 1];
			break;
		}
	int add = dlen > 0 && !pn_is_sep(r, dir[dlen - 1]) &&
	          !(r == PATHS_WINDOWS && dlen == 2 && is_drive(dir));
	size_t nl = strlen(name);
	char *p = malloc(dlen + (size_t)add + nl + 1);
	if (p == NULL)
		return NULL;
	memcpy(p, dir, dlen);
	if (add)
		p[dlen] = sep;
	memcpy(p + dlen + (size_t)add, name, nl + 1);
	return p;
}

static char
ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

int
pn_same_name(enum path_rules r, const char *a, const char *b)
{
	if (r != PATHS_WINDOWS)
		return strcmp(a, b) == 0;
	for (; *a != '\0' && ascii_lower(*a) == ascii_lower(*b); a++, b++)
		;
	return *a == *b;
}

int
pn_suffix_ok(enum path_rules r, const char *suffix)
{
	for (const char *c = suffix; *c != '\0'; c++)
		if (pn_is_sep(r, *c) || (r == PATHS_WINDOWS && *c == ':'))
			return 0;
	return suffix[0] != '\0';
}

const char *
pn_suffix_banned(enum path_rules r)
{
	return r == PATHS_WINDOWS ? "'/', '\\' or ':'" : "'/'";
}

/* pathname.c - see pathname.h.  Windows' rules: Microsoft Learn, "Naming
 * Files, Paths, and Namespaces". */
#include <stdlib.h>
#include <string.h>

#include "base/pathname.h"

int
mp_pn_is_sep(enum mp_path_rules r, char c)
{
	return c == '/' || (r == MP_PATHS_WINDOWS && c == '\\');
}

static int
is_drive(const char *p)
{
	return ((p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z')) && p[1] == ':';
}

/* The end of the component of path that starts at i. */
static size_t
component_end(enum mp_path_rules r, const char *path, size_t i)
{
	while (path[i] != '\0' && !mp_pn_is_sep(r, path[i]))
		i++;
	return i;
}

size_t
mp_pn_root_len(enum mp_path_rules r, const char *path)
{
	if (r != MP_PATHS_WINDOWS)
		return path[0] == '/' ? 1 : 0;
	if (is_drive(path))
		return mp_pn_is_sep(r, path[2]) ? 3 : 2;
	if (!mp_pn_is_sep(r, path[0]))
		return 0;
	if (!mp_pn_is_sep(r, path[1]))
		return 1; /* the current drive's root */
	/* "\\\\server\\share\\" or "\\\\?\\C:\\": two components after the
	 * double separator, and the separator after them. */
	size_t i = component_end(r, path, 2);
	if (path[i] != '\0')
		i = component_end(r, path, i + 1);
	return path[i] != '\0' ? i + 1 : i;
}

/* Length of path without trailing separators, never cutting into the
 * root. */
static size_t
trimmed_len(enum mp_path_rules r, const char *path, size_t root)
{
	size_t len = strlen(path);
	while (len > root && len > 1 && mp_pn_is_sep(r, path[len - 1]))
		len--;
	return len;
}

/* Where the last component of path starts (root <= i <= len). */
static size_t
last_start(enum mp_path_rules r, const char *path, size_t root, size_t len)
{
	size_t i = len;
	while (i > root && !mp_pn_is_sep(r, path[i - 1]))
		i--;
	return i;
}

static char *
dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

char *
mp_pn_dir(enum mp_path_rules r, const char *path)
{
	size_t root = mp_pn_root_len(r, path);
	size_t i = last_start(r, path, root, trimmed_len(r, path, root));
	while (i > root && mp_pn_is_sep(r, path[i - 1]))
		i--;
	if (i == 0)
		return dup_n(".", 1);
	return dup_n(path, i);
}

char *
mp_pn_base(enum mp_path_rules r, const char *path)
{
	size_t root = mp_pn_root_len(r, path);
	size_t len = trimmed_len(r, path, root);
	if (len <= root && len > 0)
		return dup_n(path, len); /* the path is only a root */
	size_t i = last_start(r, path, root, len);
	return dup_n(path + i, len - i);
}

int
mp_pn_has_sep(enum mp_path_rules r, const char *path)
{
	for (; *path != '\0'; path++)
		if (mp_pn_is_sep(r, *path))
			return 1;
	return 0;
}

char *
mp_pn_join(enum mp_path_rules r, const char *dir, const char *name)
{
	size_t dl = strlen(dir), nl = strlen(name);
	char sep = r == MP_PATHS_WINDOWS ? '\\' : '/';
	for (size_t i = dl; r == MP_PATHS_WINDOWS && i > 0; i--)
		if (mp_pn_is_sep(r, dir[i - 1])) {
			sep = dir[i - 1];
			break;
		}
	int add = dl > 0 && !mp_pn_is_sep(r, dir[dl - 1]) &&
	          !(r == MP_PATHS_WINDOWS && dl == 2 && is_drive(dir));
	char *p = malloc(dl + (size_t)add + nl + 1);
	if (p == NULL)
		return NULL;
	memcpy(p, dir, dl);
	if (add)
		p[dl] = sep;
	memcpy(p + dl + (size_t)add, name, nl + 1);
	return p;
}

int
mp_pn_suffix_ok(enum mp_path_rules r, const char *suffix)
{
	return suffix[0] != '\0' && !mp_pn_has_sep(r, suffix) &&
	       !(r == MP_PATHS_WINDOWS && strchr(suffix, ':') != NULL);
}

const char *
mp_pn_suffix_banned(enum mp_path_rules r)
{
	return r == MP_PATHS_WINDOWS ? "'/', '\\' or ':'" : "'/'";
}

/* posix.c - POSIX.1-2008 calls for the Windows build (posix.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "posix.h"

char *
strndup(const char *s, size_t n)
{
	size_t len = 0;
	while (len < n && s[len] != '\0')
		len++;
	char *p = malloc(len + 1);
	if (p != NULL) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

char *
stpcpy(char *dst, const char *src)
{
	size_t len = strlen(src);
	memcpy(dst, src, len + 1);
	return dst + len;
}

char *
mkdtemp(char *templ)
{
	static const char alnum[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	size_t len = strlen(templ);
	if (len < 6 || strcmp(templ + len - 6, "XXXXXX") != 0) {
		errno = EINVAL;
		return NULL;
	}
	for (unsigned tries = 0; tries < 100; tries++) {
		LARGE_INTEGER t;
		QueryPerformanceCounter(&t);
		unsigned long long r = (unsigned long long)t.QuadPart * 6364136223846793005ull +
		                       GetCurrentProcessId() + tries;
		for (size_t i = 0; i < 6; i++, r /= sizeof(alnum) - 1)
			templ[len - 6 + i] = alnum[r % (sizeof(alnum) - 1)];
		/* NULL security attributes: the parent's inheritable ACL, which
		 * in the user's %TEMP% is the user's own. */
		if (CreateDirectoryA(templ, NULL))
			return templ;
		if (GetLastError() != ERROR_ALREADY_EXISTS) {
			errno = GetLastError() == ERROR_PATH_NOT_FOUND ? ENOENT : EACCES;
			return NULL;
		}
	}
	errno = EEXIST;
	return NULL;
}

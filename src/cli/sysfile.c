/* sysfile.c - see sysfile.h. */
#include <stdlib.h>
#include <sys/stat.h>

#include "sysfile.h"

#ifdef _WIN32
#include <windows.h>

/* Microsoft Learn, "BY_HANDLE_FILE_INFORMATION": the volume serial number
 * and the file index together identify a file on a computer. */
static int
file_id(const char *path, BY_HANDLE_FILE_INFORMATION *info)
{
	HANDLE h = CreateFileA(path, 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
	                       NULL, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
	if (h == INVALID_HANDLE_VALUE)
		return -1;
	int ok = GetFileInformationByHandle(h, info) != 0;
	CloseHandle(h);
	return ok ? 0 : -1;
}

int
sysfile_same(const char *a, const char *b)
{
	BY_HANDLE_FILE_INFORMATION ia, ib;
	return file_id(a, &ia) == 0 && file_id(b, &ib) == 0 &&
	       ia.dwVolumeSerialNumber == ib.dwVolumeSerialNumber &&
	       ia.nFileIndexHigh == ib.nFileIndexHigh && ia.nFileIndexLow == ib.nFileIndexLow;
}

enum path_rules
sysfile_paths(void)
{
	return PATHS_WINDOWS;
}

const char *
sysfile_tmpdir(void)
{
	const char *v = getenv("TEMP");
	if (v == NULL || v[0] == '\0')
		v = getenv("TMP");
	return v != NULL && v[0] != '\0' ? v : ".";
}
#else
int
sysfile_same(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

enum path_rules
sysfile_paths(void)
{
	return PATHS_POSIX;
}

const char *
sysfile_tmpdir(void)
{
	const char *v = getenv("TMPDIR");
	return v != NULL && v[0] != '\0' ? v : "/tmp";
}
#endif

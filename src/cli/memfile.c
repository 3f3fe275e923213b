/* memfile.c - see memfile.h. */
#include <stdlib.h>

#include "memfile.h"

#ifdef _WIN32
#include <windows.h>

int
memfile_open(struct memfile *m)
{
	char dir[MAX_PATH + 1], name[MAX_PATH + 1];
	m->buf = NULL;
	m->len = 0;
	m->f = NULL;
	DWORD n = GetTempPathA(sizeof(dir), dir);
	if (n == 0 || n > sizeof(dir) || GetTempFileNameA(dir, "mp", 0, name) == 0)
		return -1;
	/* "T": kept in memory while the cache allows; "D": removed when
	 * closed (Microsoft Learn, "fopen": mode). */
	m->f = fopen(name, "w+bTD");
	if (m->f == NULL) {
		DeleteFileA(name);
		return -1;
	}
	return 0;
}

int
memfile_close(struct memfile *m)
{
	int rc = -1;
	long size = -1;
	if (fflush(m->f) == 0 && fseek(m->f, 0, SEEK_END) == 0 && (size = ftell(m->f)) >= 0 &&
	    fseek(m->f, 0, SEEK_SET) == 0 && (m->buf = malloc((size_t)size + 1)) != NULL &&
	    fread(m->buf, 1, (size_t)size, m->f) == (size_t)size) {
		m->buf[size] = '\0';
		m->len = (size_t)size;
		rc = 0;
	}
	fclose(m->f);
	m->f = NULL;
	if (rc != 0) {
		free(m->buf);
		m->buf = NULL;
	}
	return rc;
}
#else
int
memfile_open(struct memfile *m)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	return m->f != NULL ? 0 : -1;
}

int
memfile_close(struct memfile *m)
{
	int rc = fclose(m->f);
	m->f = NULL;
	if (rc != 0 || m->buf == NULL) {
		free(m->buf);
		m->buf = NULL;
		return -1;
	}
	return 0;
}
#endif

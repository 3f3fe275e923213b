/* memfile.h - a stdio stream written into memory (open_memstream; on
 * Windows, which lacks it, a temporary file read back at the end). */
#ifndef MP_CLI_MEMFILE_H
#define MP_CLI_MEMFILE_H

#include <stddef.h>
#include <stdio.h>

struct memfile {
	FILE *f;   /* write here */
	char *buf; /* after memfile_close: what was written, NUL-terminated (malloc'd) */
	size_t len;
};

/* Returns 0, or -1 (out of memory, no temporary file). */
int memfile_open(struct memfile *m);
/* Closes m->f and sets m->buf and m->len; returns 0, or -1 (m->buf NULL). */
int memfile_close(struct memfile *m);

#endif

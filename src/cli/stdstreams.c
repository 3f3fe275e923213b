/* stdstreams.c - see stdstreams.h. */
#include <stdio.h>

#include "stdstreams.h"

#ifdef _WIN32
#include <fcntl.h>
#include <io.h>
#include <windows.h>

void
stdstreams_init(void)
{
	/* Microsoft Learn, "_setmode": _O_BINARY turns off the CRLF
	 * translation of text mode. */
	_setmode(_fileno(stdin), _O_BINARY);
	_setmode(_fileno(stdout), _O_BINARY);
	_setmode(_fileno(stderr), _O_BINARY);
	SetConsoleOutputCP(CP_UTF8);
}
#else
void
stdstreams_init(void)
{
}
#endif

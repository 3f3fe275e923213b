/* stdstreams.h - the standard streams as the CLI needs them everywhere. */
#ifndef MP_CLI_STDSTREAMS_H
#define MP_CLI_STDSTREAMS_H

/* On Windows: standard input, output and error in binary mode (a hive or a
 * UTF-16 .reg file on stdout is bytes, and text lines end in LF as on
 * every other system; a .reg file carries its own CRLF), and a console
 * shown UTF-8, the code page the program runs in (mapiprof.manifest).
 * Nothing elsewhere. */
void stdstreams_init(void);

#endif

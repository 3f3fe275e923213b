/* cli_server.h - the requests of the CLI server (cli_server.c) and its
 * client (tu_run in testutil.c). */
#ifndef MP_CLI_SERVER_H
#define MP_CLI_SERVER_H

#include <stdint.h>

/* The descriptors the server is started with. */
#define CS_LISTEN_FD   3
#define CS_LIFELINE_FD 4

/* Bounds of a request: more is a broken client. */
#define CS_MAX_STRINGS 4096u
#define CS_MAX_LEN     (16u << 20)

struct cs_request {
	uint32_t argc;  /* arguments, argv[0] the program's path */
	uint32_t envc;  /* environment entries */
	uint32_t umask; /* the file mode creation mask */
	uint32_t len;   /* bytes of strings that follow */
};

#endif

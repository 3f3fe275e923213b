/* cli.h - the whole of mapiprof(1) as one call. */
#ifndef MAPIPROF_CLI_H
#define MAPIPROF_CLI_H

/* Runs the command line argv[0..argc-1] (argv[1] the command) with the
 * process's standard streams; returns the exit status (exitcode.h). */
int cli_main(int argc, char *argv[]);

#endif

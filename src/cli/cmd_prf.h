/* cmd_prf.h - the subcommands of "mapiprof prf" (cmd_prf.c dispatches):
 * each parses its own options (argv[0] is the subcommand's name) and
 * returns an exit status from exitcode.h. */
#ifndef MP_CLI_CMD_PRF_H
#define MP_CLI_CMD_PRF_H

int prf_check(int argc, char *argv[]);
int prf_stage(int argc, char *argv[]);

#endif

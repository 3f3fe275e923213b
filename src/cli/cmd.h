/* cmd.h - the command handlers, one per cmd_<name>.c.  Each parses its own
 * options (argv[0] is the command name) and returns an exit status from
 * exitcode.h; none of them exits. */
#ifndef MP_CLI_CMD_H
#define MP_CLI_CMD_H

int cmd_list(int argc, char *argv[]);
int cmd_show(int argc, char *argv[]);
int cmd_get(int argc, char *argv[]);
int cmd_info(int argc, char *argv[]);
int cmd_export(int argc, char *argv[]);
int cmd_tags(int argc, char *argv[]);
int cmd_edit(int argc, char *argv[]);
int cmd_apply(int argc, char *argv[]);
int cmd_recover(int argc, char *argv[]);
int cmd_recipes(int argc, char *argv[]);
int cmd_profile(int argc, char *argv[]);
int cmd_import(int argc, char *argv[]);
int cmd_prf(int argc, char *argv[]);
int cmd_timeline(int argc, char *argv[]);
int cmd_diff(int argc, char *argv[]);
int cmd_relocate(int argc, char *argv[]);
int cmd_complete(int argc, char *argv[]);

#endif

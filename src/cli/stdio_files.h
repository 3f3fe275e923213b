/* stdio_files.h - "-" as a file operand: standard input as an input FILE
 * (read whole by the library into a private temporary file, once per run,
 * however many operands name it) and standard output as an output
 * (-o -, --emit-reg -), written through a private temporary file and
 * copied out only once it is complete and verified. */
#ifndef MP_CLI_STDIO_FILES_H
#define MP_CLI_STDIO_FILES_H

#include <stddef.h>

struct mapiprof_ctx;
struct mapiprof_file;
struct mapiprof_info;

/* 1 when path is "-". */
int sf_is_dash(const char *path);
/* mapiprof_open of arg, or of standard input when arg is "-" (named "-").
 * Errors are in ctx, about arg, as mapiprof_open's. */
int sf_open(struct mapiprof_ctx *ctx, const char *arg, unsigned flags, struct mapiprof_file **f);
/* mapiprof_inspect_flags of arg, or of standard input when arg is "-". */
int sf_inspect(struct mapiprof_ctx *ctx, const char *arg, unsigned flags,
               struct mapiprof_info **out);
/* Operands that stand for a file elsewhere: name (a hive inside a WIM
 * image, "golden.wim:/Users/alice/NTUSER.DAT") is read and written at path
 * (its copy streamed out of the image, with its logs beside it), while
 * messages keep calling it name.  Both are borrowed until sf_unalias.
 * Returns 0, or -1 when out of memory. */
int sf_alias(const char *name, const char *path);
void sf_unalias(void);
/* How messages name a file that lies beside an alias's path (a hive's log
 * streamed out of a WIM image with it): beside the alias's name
 * ("golden.wim:/Users/alice/NTUSER.DAT.LOG1"); any other path as it is.
 * Malloc'd; NULL when out of memory. */
char *sf_shown(const char *path);
/* Removes the copy of standard input, if one was made (main calls it). */
void sf_cleanup(void);

/* An output that goes to standard output: a fresh path in a private
 * temporary directory for the library to write (atomically, as any
 * output), then copied to standard output. */
struct sf_out {
	char *dir;  /* the private directory (mkdtemp), or NULL */
	char *path; /* dir/out: give it as the output path */
};
/* Makes o->path.  Returns 0, or -1 after a diagnostic. */
int sf_out_begin(struct sf_out *o);
/* Copies the file at path to standard output.  Returns 0, or -1 after a
 * diagnostic. */
int sf_copy_out(const char *path);
/* Where the bytes of operand arg are: the copy of standard input for "-"
 * (once sf_open read it), the path of an alias (sf_alias), else arg. */
const char *sf_source(const char *arg);
/* Removes the temporary directory and what it holds. */
void sf_out_end(struct sf_out *o);

#endif

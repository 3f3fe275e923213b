/* fuzz_common.h - what the libFuzzer harnesses share: the input written to
 * a file of a private directory (the library reads paths), and a walk over
 * everything an opened file exposes, touching every byte of every string
 * and array it returns so that AddressSanitizer checks them. */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "mapiprof/mapiprof.h"

/* Writes data to NAME in the harness's private directory (made once, in
 * /dev/shm when it exists so that no disk is touched) and returns its path;
 * aborts when it cannot. */
const char *fuzz_write(const char *name, const uint8_t *data, size_t size);

/* Every profile, section and property of file, the selectors, the sections'
 * UID references, and a .reg export of the whole file. */
void fuzz_walk(struct mapiprof_file *file);

/* Plans a few edits (a flag, a new string, an unset) on every profile of
 * file and writes the plan as a .reg patch: what apply --check and
 * --dry-run do. */
void fuzz_plan(struct mapiprof_ctx *ctx, struct mapiprof_file *file);

/* Touches every byte of s (NULL allowed). */
void fuzz_touch(const char *s);
void fuzz_touch_bytes(const void *p, size_t n);

/* A failed call must say why. */
void fuzz_check_error(const struct mapiprof_ctx *ctx);

#endif

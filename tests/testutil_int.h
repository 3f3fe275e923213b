/* testutil_int.h - helpers shared by the unit tests that use the library's
 * internal headers (testutil.h has those that need only the public API):
 * plans made by hand (plan.h), failing steps for mp_commit_set_io
 * (write/commit_io.h), the comparison of two stores' trees (store.h), and the
 * checks that a regf image is clean (regf spec "Base block", "Hive bin").
 * They assert (cr_assert) instead of returning errors. */
#ifndef MP_TESTUTIL_INT_H
#define MP_TESTUTIL_INT_H

#include <stddef.h>
#include <stdint.h>

#include "mapi/section.h"
#include "plan/plan.h"
#include "store/store.h"

/* ---- plans made by hand --------------------------------------------------- */

#define TU_PLAN_MAX_KEYS 8
#define TU_PLAN_MAX_OPS  8

/* A plan (plan.h) built by tu_plan_add: per section key its ops.  Zero it
 * (memset) before the first tu_plan_add. */
struct tu_plan {
	struct mapiprof_plan plan;
	struct mp_key_change keys[TU_PLAN_MAX_KEYS];
	struct mp_value_change ops[TU_PLAN_MAX_KEYS][TU_PLAN_MAX_OPS];
};

/* The direct child section (depth 1) of profile p of tu_file whose uid is
 * uid (compared as the store compares names), or NULL. */
const struct mp_section *tu_section_of(size_t p, const char *uid);
/* Adds an op (value name, del, REG_* type, data) on section uid of profile
 * p of tu_file, the section's key first when it has none yet (key 0 when
 * the section does not exist: the writer creates it).  name and data must
 * outlive the plan. */
void tu_plan_add(struct tu_plan *h, size_t p, const char *uid, const char *name, int del,
                 uint32_t type, const void *data, size_t len);
/* h (zeroed here) := the GC-referral fix on profile p of tu_file, as the
 * recipe makes it: global 00036604 = 0, 00036606 = 0x4000, 0003661b =
 * 3000; MUIDEMSAB 00036619 = 9, 00036639 = 1 (REG_BINARY, 4 bytes). */
void tu_plan_gc_referral(struct tu_plan *h, size_t p);

/* ---- failing steps for mp_commit_set_io (write/commit_io.h) -------------------------
 * Each records an error ("injected <step> failure") and returns
 * MAPIPROF_FAILED; the counters count the calls in this test's process. */

extern int tu_patch_calls, tu_link_calls, tu_rename_calls;
/* The errno tu_fail_link records: EIO unless a test sets another. */
extern int tu_fail_link_errno;

struct mapiprof_ctx;

/* A patch step that declines (*done = 0), as regf/patch.c does for what it
 * leaves to hivex; counts in tu_patch_calls. */
int tu_decline_patch(struct mapiprof_ctx *ctx, int fd, const struct mp_key_change *keys, size_t n,
                     int *done);
int tu_fail_fsync(struct mapiprof_ctx *ctx, int fd);
int tu_fail_link(struct mapiprof_ctx *ctx, const char *from, const char *to);
int tu_fail_rename(struct mapiprof_ctx *ctx, const char *from, const char *to);

/* ---- stores ---------------------------------------------------------------- */

/* How tu_assert_same_tree pairs the subkeys of two keys. */
enum tu_tree_order {
	TU_SAME_ORDER, /* by position: the same names in the same order */
	TU_BY_NAME,    /* each of a's looked up by name in b (a hive sorts its
	                  subkeys, a .reg store keeps the file's order) */
};

/* Asserts that store a below key ka and store b below kb hold the same
 * tree: the same values (names, types, bytes) in the same order, and
 * subkeys of the same names spelled the same, recursively.  where names ka
 * in messages.  Returns the number of keys compared (ka counted). */
size_t tu_assert_same_tree(struct mp_store *a, mp_key ka, struct mp_store *b, mp_key kb,
                           const char *where, enum tu_tree_order order);

/* ---- regf images ------------------------------------------------------------ */

/* Asserts that the len bytes at b are a clean hive: "regf", seq1 == seq2,
 * file type 0, hive-bins size = len - 4096, the checksum the plain XOR of
 * the first 508 bytes and neither 0 nor 0xFFFFFFFF (so that hivex and
 * Windows agree, ReactOS hivesum.c), computed here rather than by
 * mp_regf_checksum, and "hbin" bins chaining up to exactly that size (regf
 * spec "Hive bin"). */
void tu_assert_clean_image(const uint8_t *b, size_t len);
/* tu_assert_clean_image of the file at path. */
void tu_assert_clean_file(const char *path);

/* ---- parsed .reg files (store/reg_doc.h) --------------------------------- */

struct mp_reg_file;
/* Asserts that two parses of one file hold the same key blocks (paths,
 * components, spans, value counts and places), line count and line ends;
 * len names the case in the messages ("after byte len"). */
void tu_assert_same_reg_blocks(const struct mp_reg_file *a, const struct mp_reg_file *b,
                               size_t len);

#endif

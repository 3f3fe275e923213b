/* limits.h - caps on what untrusted input may make us do.  Each cap states
 * its reason; exceeding one is MAPIPROF_E_LIMIT or a decode error, never a
 * crash or an unbounded allocation. */
#ifndef MP_LIMITS_H
#define MP_LIMITS_H

/* Value data read from a store.  hivex itself refuses values > 8,000,000
 * bytes (hivex lib/hivex-internal.h); MAPI profile values are a few KiB. */
#define MP_MAX_VALUE_LEN (8u * 1000u * 1000u)
/* Values per key and subkeys per key: hivex's own caps (hivex-internal.h). */
#define MP_MAX_VALUES_PER_KEY  110000u
#define MP_MAX_SUBKEYS_PER_KEY 70000u
/* Depth of the section walk below a profile key (real profiles are 2 deep;
 * the registry allows 512, per "Registry element size limits"). */
#define MP_MAX_SECTION_DEPTH 8u
/* Keys walked below one profile (notatin's real profile has 48). */
#define MP_MAX_SECTIONS_PER_PROFILE 20000u
/* Profiles per root. */
#define MP_MAX_PROFILES 4096u
/* Elements of a multi-value property (count field is file-supplied). */
#define MP_MAX_MV_COUNT 65536u
/* Key and value name length in UTF-8 bytes (registry: 255 chars for keys,
 * 16,383 for values, per "Registry element size limits"; UTF-8 may
 * triple that). */
#define MP_MAX_NAME_BYTES (16383u * 3u + 1u)
/* A .reg file: mapped, not copied (regtext/parse.h), so a whole-HKCU
 * regedit export (UTF-16, twice its text) fits; the records' offsets are
 * 32 bits (store/reg_doc.h). */
#define MP_MAX_REG_FILE (1024u * 1024u * 1024u)
/* One logical .reg line after joining continuations. */
#define MP_MAX_REG_LINE (64u * 1024u * 1024u)

/* Key lines plus value lines in one .reg file: bounds the parser's arrays
 * however short the lines are; a whole SOFTWARE hive export holds a few
 * million. */
#define MP_MAX_REG_ITEMS (8u * 1000u * 1000u)
/* Memory for what a .reg file holds (its parsed key lines and key tree,
 * about 170 bytes a key line with the arrays' spare room; value lines are
 * counted, and decoded only for the keys read) besides the file's own
 * bytes, which are mapped and let go behind the reader: at most the file's
 * size plus this.  A file of more and shorter key lines than that allows
 * (hundreds of thousands of lines shorter than 100 bytes on average) is
 * refused with MAPIPROF_E_LIMIT as soon as its parse passes the budget. */
#define MP_REG_MEM_SLACK (48u * 1024u * 1024u)
/* Keys in one key path: the registry's tree depth limit (Microsoft Learn,
 * "Registry element size limits"). */
#define MP_MAX_KEY_DEPTH 512u
/* Output built in memory (a .reg export; a patched .reg file is written
 * piece by piece): hex text triples binary data and UTF-16 doubles text. */
#define MP_MAX_OUTPUT (1024u * 1024u * 1024u)

/* A hive image built in memory by transaction-log replay (regf/replay.c;
 * the logs are read in regf/log.c), and each primary or log file read for
 * it: real NTUSER.DAT files are a few MB (the largest in regipy's test data
 * is 6.5 MB) and whole SOFTWARE hives a few hundred MB.  Checked before any
 * allocation, so a log claiming a huge hive-bins size fails
 * with MAPIPROF_E_LIMIT or stops replay instead of allocating.  A build may
 * lower it (the fuzzer does, fuzz/meson.build). */
#ifndef MP_MAX_HIVE_IMAGE
#define MP_MAX_HIVE_IMAGE (1024u * 1024u * 1024u)
#endif

#endif

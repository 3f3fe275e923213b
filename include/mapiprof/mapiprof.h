/*
 * mapiprof.h - read and patch Windows MAPI profiles offline, in an
 * NTUSER.DAT registry hive or a .reg file, without MAPI, Outlook or Windows.
 * The manual is mapiprof(3).
 *
 * Basic outline for reading a file:
 *   1. ctx = mapiprof_ctx_new()             one per thread; carries the last error
 *   2. mapiprof_open(ctx, path, 0, &file)    open: detect format, validate, locate profiles
 *   3. mapiprof_profile_at(file, i)          locate: profiles, default profile, services
 *   4. mapiprof_section_at / mapiprof_select sections and their roles
 *   5. mapiprof_section_props(...)           decode: every value of a section
 *   6. mapiprof_close(file); mapiprof_ctx_free(ctx)
 * Patching goes on with the same objects: a recipe or edit lines
 * (mapiprof_recipe_load, mapiprof_recipe_from_edits) are planned
 * (mapiprof_plan_build), and the plan is applied, committed and verified by
 * mapiprof_plan_write; then mapiprof_plan_free, mapiprof_recipe_free.
 *
 * Contract: the library never prints and never exits.  Functions that can
 * fail return MAPIPROF_OK (0) or MAPIPROF_FAILED (-1) and leave a code and a
 * one-line message in the context.  Everything a file hands out (profiles,
 * sections, properties, strings) is owned by the file and stays valid until
 * mapiprof_close().  Arrays the caller must release say so and are released
 * with mapiprof_free().
 */
#ifndef MAPIPROF_MAPIPROF_H
#define MAPIPROF_MAPIPROF_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32) && defined(MAPIPROF_BUILDING)
#define MAPIPROF_API __declspec(dllexport)
#elif defined(__GNUC__)
#define MAPIPROF_API __attribute__((visibility("default")))
#else
#define MAPIPROF_API
#endif

#define MAPIPROF_VERSION "0.2.0"

/* ---- status and errors ------------------------------------------------ */

#define MAPIPROF_OK     0
#define MAPIPROF_FAILED (-1)

enum mapiprof_error {
	MAPIPROF_E_NONE = 0,
	MAPIPROF_E_NOMEM,      /* out of memory */
	MAPIPROF_E_IO,         /* a system call failed; mapiprof_errno() has errno */
	MAPIPROF_E_NOENT,      /* the file does not exist */
	MAPIPROF_E_ISDIR,      /* the path is a directory */
	MAPIPROF_E_FORMAT,     /* not a registry hive, or a malformed structure */
	MAPIPROF_E_TRUNCATED,  /* the hive is shorter than its header says */
	MAPIPROF_E_CHECKSUM,   /* base block checksum is wrong */
	MAPIPROF_E_NOPROFILES, /* no MAPI profile in the file */
	MAPIPROF_E_NOPROFILE,  /* the named (or default) profile does not exist */
	MAPIPROF_E_SELECTOR,   /* a section selector is not valid (usage error) */
	MAPIPROF_E_PROPSPEC,   /* a property name, tag or value name is not valid (usage) */
	MAPIPROF_E_NOPROP,     /* the property is absent */
	MAPIPROF_E_CODEPAGE,   /* the code page is unknown to iconv */
	MAPIPROF_E_LIMIT,      /* input exceeds a safety cap (a size or count limit) */
	MAPIPROF_E_INVALID,    /* invalid argument from the caller */
	MAPIPROF_E_EDIT,       /* an edit is not valid, or cannot apply (usage) */
	MAPIPROF_E_RECIPE,     /* unknown recipe, or a recipe file is not valid */
	MAPIPROF_E_NOSECTION,  /* a selector matches no section and none can be created */
	MAPIPROF_E_UNSAFE,     /* refused: the hive is dirty or has newer logs */
	MAPIPROF_E_VERIFY,     /* the written file did not read back as planned */
	MAPIPROF_E_BUSY,       /* another writer holds the file's lock (MAPIPROF_OPEN_LOCK) */
};

struct mapiprof_ctx;

/* Returns a new context, or NULL when out of memory.  Default code page for
 * PT_STRING8 bytes in REG_BINARY values: windows-1252. */
MAPIPROF_API struct mapiprof_ctx *mapiprof_ctx_new(void);
MAPIPROF_API void mapiprof_ctx_free(struct mapiprof_ctx *ctx);
/* Sets the code page (an iconv name such as "windows-1252", "CP932").
 * Fails with MAPIPROF_E_CODEPAGE when iconv does not know it. */
MAPIPROF_API int mapiprof_ctx_set_codepage(struct mapiprof_ctx *ctx, const char *codepage);
MAPIPROF_API const char *mapiprof_ctx_codepage(const struct mapiprof_ctx *ctx);
/* How long a writer waits for another writer's lock on the same file
 * (MAPIPROF_OPEN_LOCK, mapiprof_recover): seconds, 0 for not at all.
 * Default MAPIPROF_LOCK_WAIT_DEFAULT. */
#define MAPIPROF_LOCK_WAIT_DEFAULT 60u
MAPIPROF_API void mapiprof_ctx_set_lock_wait(struct mapiprof_ctx *ctx, unsigned seconds);

MAPIPROF_API enum mapiprof_error mapiprof_errcode(const struct mapiprof_ctx *ctx);
/* errno saved with MAPIPROF_E_IO (0 otherwise). */
MAPIPROF_API int mapiprof_errno(const struct mapiprof_ctx *ctx);
/* The file the last error is about, or NULL. */
MAPIPROF_API const char *mapiprof_errfile(const struct mapiprof_ctx *ctx);
/* One line: the place (key path, value name, byte offset) and the reason,
 * without the file name; "" when there is no error. */
MAPIPROF_API const char *mapiprof_errmsg(const struct mapiprof_ctx *ctx);
MAPIPROF_API void mapiprof_clear_error(struct mapiprof_ctx *ctx);
/* What the last call that wrote a file could not do although it succeeded,
 * e.g. "the owner (uid 1000, gid 1000) of FILE was not kept: ..." on a
 * file system that cannot hold it (a FUSE mount, vfat, CIFS); "" when
 * nothing.  A write clears it first; mapiprof_clear_note clears it too. */
MAPIPROF_API const char *mapiprof_note(const struct mapiprof_ctx *ctx);
MAPIPROF_API void mapiprof_clear_note(struct mapiprof_ctx *ctx);
MAPIPROF_API const char *mapiprof_version(void);
MAPIPROF_API void mapiprof_free(void *p);
/* FILETIME (100 ns since 1601-01-01 UTC) as "YYYY-MM-DDTHH:MM:SS[.fffffff]Z",
 * the form MAPIPROF_V_TIME values carry, into buf (32 bytes always suffice).
 * Returns 0, or -1 when filetime is negative or beyond year 9999, buf is
 * NULL or size is too small. */
MAPIPROF_API int mapiprof_filetime_iso(int64_t filetime, char *buf, size_t size);

/* ---- inspect: the file header, without decoding anything ------------ */

struct mapiprof_logfile {
	const char *path;      /* the log beside the hive (name matched case-insensitively) */
	uint64_t size;
	int has_header;        /* non-empty and starts with a regf base block */
	uint32_t seq1, seq2;   /* its base block sequence numbers (when has_header) */
	uint32_t file_type;    /* 1 old format (DIRT), 6 new format (HvLE) */
	int newer;             /* holds data newer than the primary (see info in the man page) */
	int64_t mtime_ns;      /* modification time, ns since 1970 (0 if unknown) */
	int replayed;          /* entries of it were replayed into the state read
				  (state "recovered") */
};

struct mapiprof_info {
	const char *path;
	const char *format;         /* "regf" or "reg" */
	uint64_t size;              /* file size in bytes */
	char sha256[65];            /* lower-case hex of the whole file; "" with
				       MAPIPROF_OPEN_NO_HASH, or _HASH_LATER until
				       mapiprof_file_sha256 */
	uint32_t major, minor;      /* regf version, e.g. 1.3 / 1.5 */
	uint32_t seq1, seq2;        /* primary and secondary sequence numbers */
	uint32_t file_type;         /* 0 primary */
	uint32_t bins_size;         /* hive bins data size from the base block */
	int64_t last_written;       /* FILETIME from the base block (100 ns since 1601) */
	uint32_t checksum_stored, checksum_computed;
	int checksum_ok;
	int dirty;                  /* seq1 != seq2 or bad checksum */
	size_t nlogs;
	const struct mapiprof_logfile *logs;
	int64_t mtime_ns;           /* modification time of the file, ns since 1970 */
	uint32_t mode;              /* permission bits of the file */
	/* .reg files (format "reg"); NULL for hives.  The regf fields above
	 * (version, sequence numbers, checksum, bins, logs) are 0 for them. */
	const char *reg_encoding;   /* "utf-16le", "utf-8", "utf-8-bom", or the code page
				       of a REGEDIT4 file as the context names it
				       (mapiprof_ctx_codepage, default "WINDOWS-1252") */
	const char *reg_header;     /* "Windows Registry Editor Version 5.00" or "REGEDIT4" */
	const char *reg_line_ends;  /* "crlf", "lf", "cr", "mixed" or "none" */
	/* Which state of a hive was (or would be) read.  A dirty hive (seq1
	 * != seq2 or a bad checksum) with a non-empty log beside it is read
	 * with its transaction logs replayed in memory, as Windows would load
	 * it; the files are never changed by that (regf spec "Dirty state of
	 * a hive"). */
	const char *state;          /* "primary" or "recovered" ("primary" for .reg) */
	uint32_t recovered_format;  /* 1 old logs (DIRT), 6 new logs (HvLE); 0 not recovered */
	size_t recovered_entries;   /* log entries replayed (1 for a DIRT log) */
	uint32_t recovered_seq;     /* both sequence numbers of the recovered state */
	const char *recovery_note;  /* why replay stopped, or why the primary was read
				       although the hive is dirty; NULL for a clean hive */
};

/* Reads the base block and hashes the file; never modifies it.  Fails on a
 * missing file, a directory, a file that is not a hive or a truncated hive;
 * a bad checksum or a sequence mismatch is reported (dirty), not an error.
 * A .reg file (recognised by its content: BOM and header, see
 * mapiprof_open) is parsed in full and fails as mapiprof_open would on
 * malformed text; format is then "reg" and the reg_* fields are set.
 * Release with mapiprof_info_free(). */
MAPIPROF_API int mapiprof_inspect(struct mapiprof_ctx *ctx, const char *path,
				  struct mapiprof_info **out);
/* mapiprof_inspect with flags (MAPIPROF_OPEN_NO_HASH, MAPIPROF_OPEN_NO_LOGS):
 * without NO_LOGS a dirty hive's logs are replayed in memory (the result
 * is discarded) to fill the state fields. */
MAPIPROF_API int mapiprof_inspect_flags(struct mapiprof_ctx *ctx, const char *path,
					unsigned flags, struct mapiprof_info **out);
MAPIPROF_API void mapiprof_info_free(struct mapiprof_info *info);

/* ---- open and locate --------------------------------------------------- */

struct mapiprof_file;

/* mapiprof_open and mapiprof_inspect_flags flags. */
/* No sha256 of the input: the info's sha256 is "" until mapiprof_file_sha256
 * (an open file) asks for it. */
#define MAPIPROF_OPEN_NO_HASH 0x1u
#define MAPIPROF_OPEN_NO_LOGS 0x2u /* read the primary file only, never its logs */
/* For a writer: an exclusive advisory lock on the file (flock; LockFileEx
 * on Windows), taken before it is read and held until mapiprof_close, so
 * that two writers of one file run one after the other and the second
 * plans on what the first wrote.  Waits as mapiprof_ctx_set_lock_wait
 * says, then fails with MAPIPROF_E_BUSY.  The hive's transaction logs are
 * covered by the hive's lock (every writer takes it first).  Programs that
 * do not lock, Windows among them, are not kept out. */
#define MAPIPROF_OPEN_LOCK 0x4u
/* mapiprof_open hashes the whole input in a second thread (where a second
 * CPU is online) while it opens the file, and the info has the sha256 when
 * it returns.  With this flag the hash goes on running while the caller
 * decodes, and mapiprof_file_sha256 collects it (the info's sha256 is ""
 * until then); MAPIPROF_OPEN_NO_HASH wins over it.  Since 0.2.0. */
#define MAPIPROF_OPEN_HASH_LATER 0x8u

/* Opens a file read-only: inspects it (errors as mapiprof_inspect, plus
 * MAPIPROF_E_CHECKSUM), opens the store and locates every profile.  A file
 * with no profile opens fine; mapiprof_profile_count() is then 0.
 *
 * The format comes from the content, never the name: a regf hive ("regf"),
 * or a .reg file (format "reg"): BOM FF FE and UTF-16LE text; BOM EF BB BF
 * and UTF-8; no BOM and "Windows Registry Editor Version 5.00" (UTF-8); no
 * BOM and "REGEDIT4" (8-bit text in the context's code page,
 * mapiprof_ctx_set_codepage, default windows-1252).  Malformed .reg text
 * fails with MAPIPROF_E_FORMAT and a message "line N: reason". */
MAPIPROF_API int mapiprof_open(struct mapiprof_ctx *ctx, const char *path, unsigned flags,
			       struct mapiprof_file **out);
MAPIPROF_API void mapiprof_close(struct mapiprof_file *file);
/* The file's name as messages give it: the path, or mapiprof_open_as's
 * name. */
MAPIPROF_API const char *mapiprof_file_path(const struct mapiprof_file *file);

/* An input that is not a file (standard input, a pipe) is read whole into
 * a private temporary file (mode 0600, in $TMPDIR): mapiprof_spool copies
 * everything readable from fd there, at most 1 GiB (the largest hive image
 * read: MAPIPROF_E_LIMIT beyond), and sets *path (release with
 * mapiprof_spool_remove, which also deletes the file).  Errors name name.
 * mapiprof_open_as and mapiprof_inspect_as then read path but call it name
 * ("-") in every message, in mapiprof_file_path and in info->path; they
 * look for no transaction logs (nothing lies beside name), and a file
 * opened so cannot be written in place (mapiprof_plan_write needs an
 * output).  With name NULL or equal to path they are mapiprof_open and
 * mapiprof_inspect_flags. */
MAPIPROF_API int mapiprof_spool(struct mapiprof_ctx *ctx, int fd, const char *name, char **path);
MAPIPROF_API void mapiprof_spool_remove(char *path);

/* A Windows volume unpacked or mounted as a directory tree at root.
 * mapiprof_tree_hives finds its user hives: every Users\*\NTUSER.DAT and
 * Documents and Settings\*\NTUSER.DAT (Default and Public included), names
 * compared case-insensitively as Windows does, symbolic links (junctions)
 * never followed; *paths gets n paths on disk ("root/Users/alice/NTUSER.DAT"),
 * sorted (release with mapiprof_free_strings).  mapiprof_tree_resolve maps
 * a path inside the volume ("/Users/alice/NTUSER.DAT", '/' or '\'
 * separated) to the file on disk the same way (*out malloc'd, free with
 * mapiprof_free).  Errors name root: MAPIPROF_E_NOENT for a root that is not
 * a directory or a path not in the image, MAPIPROF_E_INVALID for ".." or a
 * link on the way. */
MAPIPROF_API int mapiprof_tree_hives(struct mapiprof_ctx *ctx, const char *root, char ***paths,
				     size_t *n);
MAPIPROF_API int mapiprof_tree_resolve(struct mapiprof_ctx *ctx, const char *root,
				       const char *path, char **out);
MAPIPROF_API void mapiprof_free_strings(char **v, size_t n);

/* A Windows image inside a WIM archive, through wimlib.  spec is FILE, or
 * FILE:N / FILE:NAME for one image of several (a FILE that exists as spec
 * whole wins over a split at the last ':'); the archive is recognised by
 * wimlib, not by its name.  An archive of several images and no selector
 * fails with MAPIPROF_E_SELECTOR naming them; a selector that names none,
 * MAPIPROF_E_NOENT; a file wimlib does not read as a WIM,
 * MAPIPROF_E_FORMAT.  With MAPIPROF_WIM_WRITE, what wimlib cannot update (a
 * part of a split WIM, a file we may not write, a WIM marked read-only)
 * fails with MAPIPROF_E_INVALID or MAPIPROF_E_IO before anything is done.
 * Errors name spec.  mapiprof_wim_hives and mapiprof_wim_resolve find hives
 * as mapiprof_tree_hives and mapiprof_tree_resolve do, giving paths inside
 * the image ("/Users/alice/NTUSER.DAT").  mapiprof_wim_extract streams the
 * hive at path and its logs (.LOG, .LOG1, .LOG2) out of the image into a
 * private folder (mode 0700, in $TMPDIR) and sets *local to the hive there
 * (malloc'd); mapiprof_wim_close removes that folder.  mapiprof_wim_update
 * puts v[0..n) back (each local file at its path, with logs its extracted
 * logs too) in one update and one commit that rebuilds the archive into a
 * temporary file renamed over it (a crash leaves the old archive or the
 * new one); with backup_suffix the archive is first kept as FILE+suffix.
 * Each replaced file keeps its last access time; its security descriptor,
 * attributes and creation time are wimlib's for a new file (none,
 * FILE_ATTRIBUTE_NORMAL, the last write time).  n == 0 writes nothing.
 * After a successful update only mapiprof_wim_close may be called. */
struct mapiprof_wim;
struct mapiprof_wim_put {
	const char *local; /* the file to put, as mapiprof_wim_extract made it */
	const char *path;  /* where, inside the image */
	int logs;          /* also put back the logs extracted beside local */
};
#define MAPIPROF_WIM_WRITE 0x1u
MAPIPROF_API int mapiprof_wim_open(struct mapiprof_ctx *ctx, const char *spec, unsigned flags,
				   struct mapiprof_wim **out);
MAPIPROF_API int mapiprof_wim_hives(struct mapiprof_ctx *ctx, const struct mapiprof_wim *w,
				    char ***paths, size_t *n);
MAPIPROF_API int mapiprof_wim_resolve(struct mapiprof_ctx *ctx, const struct mapiprof_wim *w,
				      const char *path, char **out);
MAPIPROF_API int mapiprof_wim_extract(struct mapiprof_ctx *ctx, struct mapiprof_wim *w,
				      const char *path, char **local);
MAPIPROF_API int mapiprof_wim_update(struct mapiprof_ctx *ctx, struct mapiprof_wim *w,
				     const struct mapiprof_wim_put *v, size_t n,
				     const char *backup_suffix);
/* The archive's path on disk (spec without its selector). */
MAPIPROF_API const char *mapiprof_wim_file(const struct mapiprof_wim *w);
MAPIPROF_API void mapiprof_wim_close(struct mapiprof_wim *w);
MAPIPROF_API int mapiprof_open_as(struct mapiprof_ctx *ctx, const char *path, const char *name,
				  unsigned flags, struct mapiprof_file **out);
MAPIPROF_API int mapiprof_inspect_as(struct mapiprof_ctx *ctx, const char *path,
				     const char *name, unsigned flags, struct mapiprof_info **out);
MAPIPROF_API const struct mapiprof_info *mapiprof_file_info(const struct mapiprof_file *file);
/* The sha256 of the open file's bytes on disk (for standard input, of its
 * copy) as lower-case hex, also left in mapiprof_file_info's sha256: the
 * one open computed, or waits for the hash MAPIPROF_OPEN_HASH_LATER
 * started, or (MAPIPROF_OPEN_NO_HASH) hashes now.  NULL on failure
 * (MAPIPROF_E_IO, MAPIPROF_E_TRUNCATED for a file cut short meanwhile).
 * Since 0.2.0. */
MAPIPROF_API const char *mapiprof_file_sha256(struct mapiprof_file *file);

struct mapiprof_profile {
	const char *name;           /* profile key name (UTF-8) */
	const char *root;           /* path of its Profiles key as stored, '\' separated */
	const char *root_kind;      /* "wms" (NT), "wms9x", "office" */
	const char *office_version; /* "16.0" for office roots, else NULL */
	int is_default;
	int64_t last_write;         /* FILETIME of the profile key, 0 if unknown */
	size_t nservices;
	const char *const *services; /* service names in PR_SERVICES order */
};

MAPIPROF_API size_t mapiprof_profile_count(const struct mapiprof_file *file);
MAPIPROF_API const struct mapiprof_profile *mapiprof_profile_at(const struct mapiprof_file *file,
								size_t i);
/* Finds a profile by name (case-insensitive), or the default profile when
 * name is NULL.  Profiles are ordered newest root first (Office NN.0
 * descending, then Windows Messaging Subsystem), so the first match wins.
 * Fails with MAPIPROF_E_NOPROFILES or MAPIPROF_E_NOPROFILE. */
MAPIPROF_API int mapiprof_profile_find(struct mapiprof_file *file, const char *name, size_t *index);

/* ---- sections ---------------------------------------------------------- */

struct mapiprof_section {
	const char *uid;     /* key path relative to the profile, as stored
				(e.g. "13dbb0c8aa05101a9bb000aa002fc45a",
				"9375CFF0413111d3B88A00104B2A6676\\00000001") */
	const char *role;    /* "global", "emsab", "outlook", "services", "instance",
				"accounts", "account", "service", "provider", "emsmdb",
				"unknown" */
	const char *service; /* PR_SERVICE_NAME of the section, of its owning service, or
				of the service an account's "Service UID" names */
	const char *owner;   /* uid of the owning service section (provider, emsmdb) */
	int64_t last_write;  /* FILETIME of the key, 0 if unknown */
	/* Accounts (role "account"): "pop3", "imap4", "http", "ldap", "mapi" or
	 * "unknown", from the subkey's clsid (actMgmt.h); NULL otherwise. */
	const char *account_type;
};

MAPIPROF_API size_t mapiprof_section_count(const struct mapiprof_file *file, size_t profile);
MAPIPROF_API const struct mapiprof_section *
mapiprof_section_at(const struct mapiprof_file *file, size_t profile, size_t section);

/* Resolves a selector: global, emsab, outlook, services, instance, accounts,
 * emsmdb, exchange (the emsmdb sections, else the global section),
 * service:NAME, or a 32-hex-digit UID (case-insensitive).  Sets
 * *indices (release with mapiprof_free) and *n; no match is not an error
 * (n == 0).  An invalid selector fails with MAPIPROF_E_SELECTOR. */
MAPIPROF_API int mapiprof_select(struct mapiprof_file *file, size_t profile, const char *selector,
				 size_t **indices, size_t *n);
/* Checks selector syntax without a file. */
MAPIPROF_API int mapiprof_selector_valid(const char *selector);
/* As mapiprof_selector_valid, but a bad selector fails with
 * MAPIPROF_E_SELECTOR and a message listing the valid selectors and, when
 * one is near, "did you mean". */
MAPIPROF_API int mapiprof_selector_check(struct mapiprof_ctx *ctx, const char *selector);

/* ---- decoded properties ----------------------------------------------- */

enum mapiprof_kind {
	MAPIPROF_V_INT,       /* i (PT_I2, PT_LONG as unsigned 32-bit, PT_I8, REG_DWORD, REG_QWORD) */
	MAPIPROF_V_BOOL,      /* i is 0 or 1 */
	MAPIPROF_V_STRING,    /* s (UTF-8) */
	MAPIPROF_V_BINARY,    /* data/len */
	MAPIPROF_V_TIME,      /* i = FILETIME, s = ISO-8601 UTC */
	MAPIPROF_V_CLSID,     /* s = "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" */
	MAPIPROF_V_MV_INT,    /* count, ints */
	MAPIPROF_V_MV_STRING, /* count, strs (UTF-8) */
	MAPIPROF_V_MV_BINARY, /* count, blobs */
	MAPIPROF_V_OPAQUE,    /* secure / credential value: never decoded, data/len only */
	MAPIPROF_V_RAW,       /* malformed or unknown type: data/len, and error when malformed */
};

struct mapiprof_blob {
	const uint8_t *data;
	size_t len;
};

/* A 16-byte UID found in a binary value that names a section of the profile. */
struct mapiprof_uidref {
	char uid[33];        /* lower-case hex */
	size_t section;      /* index into the profile's sections, or SIZE_MAX if dangling */
};

/* One field of a decoded structure. */
enum mapiprof_field_type {
	MAPIPROF_F_STRING, /* s (UTF-8) */
	MAPIPROF_F_INT,    /* i */
	MAPIPROF_F_BOOL,   /* i is 0 or 1 */
};
#define MAPIPROF_FIELD_DEFAULT     0x1u /* not stored: the documented default applies */
#define MAPIPROF_FIELD_UNCONFIRMED 0x2u /* meaning not settled by a public source */
struct mapiprof_field {
	const char *name;  /* lower_snake_case, stable */
	enum mapiprof_field_type type;
	const char *s;
	int64_t i;
	unsigned flags;    /* MAPIPROF_FIELD_* */
};

/* A binary structure decoded from a value, as far as it is valid: kind
 * "store_entryid", "pst_folder_entryid", "exchange_folder_entryid",
 * "exchange_message_entryid", "oneoff_entryid", "exchange_ab_entryid",
 * "contact_ab_entryid", "port", "switch", "smtp_secure_connection",
 * "smtp_auth_method", "leave_on_server", "mapi_provider", "secret", or
 * "account" (mapiprof_account). */
struct mapiprof_decoded {
	const char *kind;
	size_t index;      /* element of a PT_MV_BINARY value, else 0 */
	int unconfirmed;   /* some field is MAPIPROF_FIELD_UNCONFIRMED */
	const char *error; /* non-NULL: malformed from some point on (truncated, lengths
			      past the end); fields hold what came before */
	size_t nfields;
	const struct mapiprof_field *fields;
};

struct mapiprof_prop {
	const char *value_name;   /* as stored */
	int is_tag;               /* name is TTTTIIII (optionally S-prefixed) */
	int secure;               /* S-prefixed, ID 0x67F0..0x67FF, or a credential value */
	uint32_t tag;             /* 0xIIIITTTT when is_tag */
	const char *name;         /* from the tag table, NULL if unknown */
	const char *type_name;    /* "PT_LONG", "PT_MV_UNICODE", "PT_0x0045"; NULL for non-tags */
	uint32_t reg_type;
	const char *reg_type_name; /* "REG_BINARY", "REG_SZ", ..., "REG_0x1234" */
	enum mapiprof_kind kind;
	int64_t i;
	const char *s;
	size_t count;
	const int64_t *ints;
	const char *const *strs;
	const struct mapiprof_blob *blobs;
	int mv_offset_width;      /* 4 (32-bit layout) or 8 (64-bit layout); 0 if not MV */
	int has_flags;            /* the tag has a flag table entry (bits or enumeration) */
	size_t nflags;
	const char *const *flags; /* names of the set bits, or the enumeration value name */
	uint32_t unknown_bits;    /* bits set with no name */
	size_t nuids;
	const struct mapiprof_uidref *uids;
	const uint8_t *data;      /* the raw bytes, always */
	size_t len;
	const char *error;        /* non-NULL: malformed; kind is MAPIPROF_V_RAW */
	/* Structures recognised inside the value (entry IDs by their provider
	 * UID, typed account-manager values, secrets): one for a single
	 * value, one per recognised element of a PT_MV_BINARY (index says
	 * which); 0 when nothing was recognised.  See DECODED STRUCTURES in
	 * the man page for every kind and field. */
	size_t ndecoded;
	const struct mapiprof_decoded *decoded;
};

/* Decodes (once, then cached) every value of a section. */
MAPIPROF_API int mapiprof_section_props(struct mapiprof_file *file, size_t profile, size_t section,
					const struct mapiprof_prop **props, size_t *n);

/* An account of the account manager (a section whose account_type is set)
 * summarised as one decoded structure of kind "account": type, service
 * (for "mapi": "exchange", "pst", "address_book" or the service name),
 * account_name, email, server or path (a data file), user, the ports with
 * MAPIPROF_FIELD_DEFAULT when the value is absent, preferences_uid.  Owned
 * by the file.  Fails with MAPIPROF_E_INVALID for a section that is not an
 * account. */
MAPIPROF_API int mapiprof_account(struct mapiprof_file *file, size_t profile, size_t section,
				  const struct mapiprof_decoded **out);

/* Parses PROP as a tag name (PR_PROFILE_CONNECT_FLAGS, case-insensitive), a
 * tag (0x66040003) or a value name (00036604).  Fails with
 * MAPIPROF_E_PROPSPEC; the message names the nearest tag name when one is
 * near ("did you mean"). */
MAPIPROF_API int mapiprof_parse_propspec(struct mapiprof_ctx *ctx, const char *spec, uint32_t *tag);

/* Finds PROP (as mapiprof_parse_propspec, or a non-tag value name) in a
 * section; fails with MAPIPROF_E_NOPROP when absent. */
MAPIPROF_API int mapiprof_prop_find(struct mapiprof_file *file, size_t profile, size_t section,
				    const char *spec, const struct mapiprof_prop **out);

/* ---- deleted and earlier data (read only) ------------------------------ */

/* A value recovered from a free vk cell of a hive, decoded by the same
 * decoders as a live value (its uids are not resolved: nuids is 0). */
struct mapiprof_deleted_prop {
	struct mapiprof_prop prop;
	int earlier;          /* its key still holds a live value of this name: this is
				 an earlier version of it, since overwritten */
	int data_overwritten; /* the data cell is in use again, cut short, or big data:
				 prop.kind MAPIPROF_V_RAW, prop.len 0, prop.error
				 "data overwritten" */
	uint64_t offset;      /* file offset of the vk cell */
};

/* A key recovered from free space below a Profiles root (a deleted profile
 * or section), or a live profile or section key that holds recovered
 * values. */
struct mapiprof_deleted_key {
	const char *path;    /* from the hive root, '\'-separated, as stored; for an
				orphan as far as its parent chain validates, after "?\";
				NULL for the orphan values (no key found for them) */
	int orphan;          /* the parent chain breaks before the hive root */
	int deleted;         /* the key itself was recovered (1) or is live (0) */
	const char *profile; /* the profile key's name; NULL for an orphan */
	const char *root;    /* its Profiles root path; NULL for an orphan */
	const char *section; /* path below the profile key; NULL for the profile key
				itself and for orphans not named like a section */
	const char *role;    /* "profile", or the section role as mapiprof_section
				has it ("unknown" when it cannot be told) */
	size_t live_profile; /* index of the live profile of that root and name,
				SIZE_MAX when there is none */
	int64_t last_write;  /* FILETIME of the key's nk cell; 0 for the orphan values */
	uint64_t offset;     /* file offset of the nk cell; 0 for the orphan values */
	size_t nprops;
	const struct mapiprof_deleted_prop *props; /* by vk offset */
};

/* 1 when the file can hold deleted data: a regf hive (its free cells); 0
 * for a .reg file, which keeps nothing of what was deleted. */
MAPIPROF_API int mapiprof_deleted_supported(const struct mapiprof_file *file);
/* Carves the free cells of the hive (once, then cached; the recovered state
 * for a hive read with its logs replayed) for nk and vk cells, checking
 * every offset, size, signature and name length, and returns the recovered
 * keys and values that belong under a Profiles root (as mapiprof_open
 * finds them) or, when their parent chain breaks, that look like MAPI
 * profile data (a key named by 32 hex digits, values named TTTTIIII).
 * Sorted by path, orphans last; each key with its full path, last-write
 * time, profile and section role (for timelines).  A value belongs to a
 * key through the key's value list: a recovered key's, the slack past a
 * live list's count, or a freed list that matches one live key best (its
 * other values are the key's live vk cells or equal the key's values).
 * An old value of a live key equal (type and data) to what the key holds
 * now under that name is left out.
 * *truncated (may be NULL) is set when more than 200000 keys or values
 * were found and the rest dropped.  A .reg file gives n == 0.  Fails on
 * NOMEM, an I/O error or MAPIPROF_E_LIMIT. */
MAPIPROF_API int mapiprof_deleted_keys(struct mapiprof_file *file,
				       const struct mapiprof_deleted_key **keys, size_t *n,
				       int *truncated);

/* ---- plan: edits and recipes ------------------------------------------- */

/*
 * An edit is one line "SECTION PROP OP [VALUE]":
 *   SECTION  any selector (mapiprof_select), or "exchange": the profile's
 *            Exchange settings sections (its emsmdb sections when it has any,
 *            else the global section)
 *   PROP     a tag name, a tag (0x66040003) or a value name (00036604)
 *   OP       =  set          += set flag bits     -= clear flag bits
 *            >= raise to at least                 unset  delete (no VALUE)
 *   VALUE    a number (decimal or 0x), flag names joined with '|', true/false,
 *            a string ("quoted" with \" and \\, or the rest of the line), or
 *            hex bytes for binary; checked against the property's type.
 * A recipe is a file of edits, one per line, with '#' comments and header
 * lines "description: ..." and "applies-to: any|exchange|exchange-legacy".
 */
enum mapiprof_op {
	MAPIPROF_OP_SET,
	MAPIPROF_OP_SET_BITS,
	MAPIPROF_OP_CLEAR_BITS,
	MAPIPROF_OP_AT_LEAST,
	MAPIPROF_OP_UNSET,
};

struct mapiprof_recipe;

struct mapiprof_recipe_info {
	const char *name;         /* built-in name, or the file path */
	const char *description;  /* from "description:" */
	const char *applies_to;   /* "any", "exchange" or "exchange-legacy" */
	const char *text;         /* the whole recipe text (its comments are the rationale) */
	size_t nedits;
	const char *const *edits; /* each edit line as written */
};

/* Loads a built-in recipe by name, or a recipe file by path (a name with a
 * '/' or an existing file).  Every edit is checked (syntax, property, value
 * against the property's type).  Errors: MAPIPROF_E_RECIPE (unknown name,
 * unreadable file, bad header line; the message names the line),
 * MAPIPROF_E_EDIT (a bad edit; usage). */
MAPIPROF_API int mapiprof_recipe_load(struct mapiprof_ctx *ctx, const char *name_or_path,
				      struct mapiprof_recipe **out);
/* Makes a recipe (applies to any profile) from edit lines, e.g. -e options. */
MAPIPROF_API int mapiprof_recipe_from_edits(struct mapiprof_ctx *ctx, const char *const *edits,
					    size_t n, struct mapiprof_recipe **out);
MAPIPROF_API const struct mapiprof_recipe_info *
mapiprof_recipe_info(const struct mapiprof_recipe *recipe);
MAPIPROF_API void mapiprof_recipe_free(struct mapiprof_recipe *recipe);
/* The built-in recipes (shipped recipe files compiled in). */
MAPIPROF_API size_t mapiprof_builtin_count(void);
MAPIPROF_API const struct mapiprof_recipe_info *mapiprof_builtin_at(size_t i);

/* What one planned change touches. */
enum mapiprof_change_kind {
	MAPIPROF_CHANGE_PROP = 0,   /* a property of a profile section (the fields below) */
	MAPIPROF_CHANGE_VALUE,      /* a registry value of key outside the sections:
				       value_name, before/after (PT_ type from the REG type) */
	MAPIPROF_CHANGE_KEY_ADD,    /* key is created (its values follow as VALUE/PROP changes) */
	MAPIPROF_CHANGE_KEY_DELETE, /* key and everything below it is deleted */
};

/* One planned change of one value. */
struct mapiprof_change {
	size_t profile;                     /* profile index in the file */
	const char *profile_name;
	const char *section;                /* uid (lower case when the key is new) */
	const char *role;
	int new_section;                    /* the section key will be created */
	const char *edit;                   /* the edit line that caused it */
	const char *value_name;             /* TTTTIIII */
	uint32_t tag;
	const char *prop_name;              /* NULL when the table has no name */
	const struct mapiprof_prop *before; /* NULL: absent before */
	const struct mapiprof_prop *after;  /* NULL: deleted */
	enum mapiprof_change_kind kind;
	const char *key; /* the key's path from the hive root, '\'-separated, as stored
			    (for PROP changes too); NULL only where unknown */
};

/* A profile the recipe does not apply to, left untouched. */
struct mapiprof_skip {
	size_t profile;
	const char *profile_name;
	const char *reason;
};

struct mapiprof_plan;

/* Plans recipe on the given profiles of an open file; reads only.  Edits
 * apply in order (a later edit sees the earlier one's result); an edit whose
 * result equals the current value plans nothing, so a second run of the same
 * recipe yields an empty plan.  Errors: MAPIPROF_E_NOSECTION (a selector
 * matches no section and names none that can be created), MAPIPROF_E_EDIT
 * (the edit cannot apply to the stored value, e.g. += on a malformed one). */
MAPIPROF_API int mapiprof_plan_build(struct mapiprof_file *file,
				     const struct mapiprof_recipe *recipe, const size_t *profiles,
				     size_t nprofiles, struct mapiprof_plan **out);
MAPIPROF_API size_t mapiprof_plan_count(const struct mapiprof_plan *plan);
MAPIPROF_API const struct mapiprof_change *mapiprof_plan_at(const struct mapiprof_plan *plan,
							    size_t i);
MAPIPROF_API size_t mapiprof_plan_skip_count(const struct mapiprof_plan *plan);
MAPIPROF_API const struct mapiprof_skip *mapiprof_plan_skip_at(const struct mapiprof_plan *plan,
							       size_t i);
MAPIPROF_API void mapiprof_plan_free(struct mapiprof_plan *plan);

/* ---- plan: profile administration and imports ---------------------------- */

/* Which Profiles root a profile is looked for (and an import goes) in. */
struct mapiprof_admin_opts {
	const char *office; /* only Software\Microsoft\Office\<office>\Outlook\Profiles
			       (a version such as "16.0"); NULL: any root */
	int wms;            /* only the Windows Messaging Subsystem root
			       (Software\Microsoft\Windows NT\CurrentVersion\...) */
	int replace;        /* copy, rename: an existing profile named NEW is deleted
			       first, in the same plan */
};

/* 1 when v names an Office version as the registry keys its settings
 * (Software\Microsoft\Office\<v>): decimal digits, a dot, decimal digits,
 * e.g. "16.0"; else 0. */
MAPIPROF_API int mapiprof_office_version_valid(const char *v);

/* 1 when name can name a profile key: not empty, at most 255 bytes, no '\'
 * and no control character (U+0000..U+001F, U+007F); else 0. */
MAPIPROF_API int mapiprof_profile_name_valid(const char *name);

/* Plans of profile administration (opts NULL: any root, no replace).  A
 * profile is found by name case-insensitively as the registry compares
 * names, in the first root that holds it in mapiprof_profile_find's order
 * (newest Office first, then the Windows Messaging Subsystem) or in the
 * root opts names.  The DefaultProfile value lives in the Profiles key of a
 * Windows Messaging Subsystem root and in its parent (...\Outlook) for an
 * Office root, as mapiprof_profile.is_default reads it.
 *   default: DefaultProfile (REG_SZ) names the profile (its stored
 *            spelling); nothing when it already does.
 *   delete:  the profile key and everything below it; when it is the
 *            default, DefaultProfile is deleted too.
 *   copy:    a new key NEW in the same root with every key below the
 *            profile's at any depth and every value, same names, types and
 *            bytes, in stored order.
 *   rename:  copy, then delete of the old key; DefaultProfile follows when
 *            the old one was the default.
 * Changes are MAPIPROF_CHANGE_KEY_DELETE, _KEY_ADD (one per key created,
 * each followed by a _VALUE per value) and _VALUE (DefaultProfile).
 * Errors: MAPIPROF_E_NOPROFILES / MAPIPROF_E_NOPROFILE (not found),
 * MAPIPROF_E_INVALID (an invalid name, NEW exists without opts->replace,
 * NEW is the profile itself), MAPIPROF_E_LIMIT (more than 20000 keys or 512
 * levels to copy), MAPIPROF_E_FORMAT (a name that cannot be copied). */
MAPIPROF_API int mapiprof_plan_profile_default(struct mapiprof_file *file, const char *name,
					       const struct mapiprof_admin_opts *opts,
					       struct mapiprof_plan **out);
MAPIPROF_API int mapiprof_plan_profile_delete(struct mapiprof_file *file, const char *name,
					      const struct mapiprof_admin_opts *opts,
					      struct mapiprof_plan **out);
MAPIPROF_API int mapiprof_plan_profile_copy(struct mapiprof_file *file, const char *src,
					    const char *new_name,
					    const struct mapiprof_admin_opts *opts,
					    struct mapiprof_plan **out);
MAPIPROF_API int mapiprof_plan_profile_rename(struct mapiprof_file *file, const char *old_name,
					      const char *new_name,
					      const struct mapiprof_admin_opts *opts,
					      struct mapiprof_plan **out);

struct mapiprof_import_opts {
	const char *profile; /* only this profile of the source; NULL: every one */
	const char *as;      /* its name in the target (one profile only) */
	const char *office;  /* put them in this Office version's root ... */
	int wms;             /* ... or the Windows Messaging Subsystem's; neither:
				each in the root it has in the source */
	int set_default;     /* DefaultProfile of the target root names the imported
				profile the source names as default (or the only one) */
	int replace;         /* a profile of that name in the target is deleted first */
};

/* Plans the import of profiles of source (any file mapiprof_open reads:
 * a .reg export, a hive) into target: each profile key and everything below
 * it, as mapiprof_plan_profile_copy copies, into its root (created with
 * every missing key above it when the target lacks it).  Only profile keys
 * are taken (mapiprof_import_ignored lists the rest).  Errors as the profile
 * plans, and MAPIPROF_E_NOPROFILES (the source has none), MAPIPROF_E_INVALID
 * (opts->as with several profiles, two imported profiles of one name in one
 * root, set_default and no default among them). */
MAPIPROF_API int mapiprof_plan_import(struct mapiprof_file *target, struct mapiprof_file *source,
				      const struct mapiprof_import_opts *opts,
				      struct mapiprof_plan **out);
/* The keys of source that an import with opts does not take: every key
 * outside the imported profiles that is not above one of them (the top of
 * each such subtree only), and the keys above them that hold values (their
 * values are not imported; DefaultProfile counts only without
 * opts->set_default).  *paths (release with mapiprof_free_strings) gets *n
 * paths from the hive root, in the source's key order. */
MAPIPROF_API int mapiprof_import_ignored(struct mapiprof_file *source,
					 const struct mapiprof_import_opts *opts, char ***paths,
					 size_t *n);
/* Plans staging a PRF file for Outlook's next start (Microsoft Learn,
 * "Customize Outlook profiles by using an Outlook Profile File (PRF)";
 * Office 2003 deployment guidance): in the key
 *   Software\Microsoft\Office\<office>\Outlook\Setup
 * (created when missing) the REG_SZ value ImportPRF set to prf_path (the
 * file's path on the machine that will load the hive), and the values
 * FirstRun and First-Run deleted (Outlook ignores ImportPRF while either
 * exists).  office: "N.0" (N 1 to 3 digits), or NULL for the newest
 * version among the keys Software\Microsoft\Office\<N.0> that have an
 * Outlook subkey, else "16.0".  Needs no MAPI profile in the file.  The
 * plan holds changes of kind MAPIPROF_CHANGE_VALUE, preceded by one
 * MAPIPROF_CHANGE_KEY_ADD per key to create; it is empty when the file is
 * already staged so.  Errors: MAPIPROF_E_INVALID (office or prf_path not
 * valid, see mapiprof_prf_stage_valid). */
MAPIPROF_API int mapiprof_plan_prf_stage(struct mapiprof_file *file, const char *office,
					 const char *prf_path, struct mapiprof_plan **out);
/* 1 when office (NULL allowed) and prf_path are what mapiprof_plan_prf_stage
 * takes: office "N.0"; prf_path non-empty valid UTF-8 of at most 32767
 * bytes without control characters.  Else 0 and *why (when not NULL) says
 * which rule failed. */
MAPIPROF_API int mapiprof_prf_stage_valid(const char *office, const char *prf_path,
					  const char **why);

/* Plans moving PST and OST files: every path of the given profiles
 * (profiles[0..nprofiles), indices; NULL: every profile) that is
 * from or lies below it (whole '\\'-separated components, compared
 * case-insensitively as the registry compares names; trailing '\\' of from
 * and to ignored) gets to in place of that part, the rest kept byte for
 * byte.  Looked at: PR_PST_PATH (001e6700/001f6700) and
 * PR_PROFILE_OFFLINE_STORE_PATH (001e6610/001f6610) in every section, and
 * the ANSI and Unicode paths inside PST store entry IDs: a binary value
 * that is one (01020fff, "Delivery Store EntryID") or a PT_MV_BINARY whose
 * elements are (store MRU lists).  Each value is rebuilt in the layout it
 * had (same parts, same padding, same string terminators; ANSI text in
 * the context's code page), so relocating back (to, from) restores every
 * byte.  Changes are MAPIPROF_CHANGE_PROP; an empty plan when nothing
 * lies under from.  Errors: MAPIPROF_E_INVALID (from or to not valid, see
 * mapiprof_relocate_valid; a relocated path longer than 259 bytes in an
 * ANSI form or 32766 UTF-16 code units in a Unicode one), MAPIPROF_E_CODEPAGE
 * (the new path has a character the code page cannot hold, for an ANSI
 * form), MAPIPROF_E_FORMAT (a path to move does not convert exactly to
 * text); each message names the profile, section and value.  A binary
 * value with a PST store entry ID naming a path under from inside another
 * structure (whose lengths nobody documents) is left alone and named in
 * the note (mapiprof_note), which the call clears first. */
MAPIPROF_API int mapiprof_plan_relocate(struct mapiprof_file *file, const size_t *profiles,
					size_t nprofiles, const char *from, const char *to,
					struct mapiprof_plan **out);
/* 1 when from and to are paths mapiprof_plan_relocate takes: non-empty,
 * not only '\\', valid UTF-8 without control characters.  Else 0 and *why
 * (when not NULL) says which rule failed. */
MAPIPROF_API int mapiprof_relocate_valid(const char *from, const char *to, const char **why);

/* ---- apply, commit, verify ---------------------------------------------- */

struct mapiprof_write_opts {
	const char *output;        /* NULL: replace the input; else write this new path */
	const char *backup_suffix; /* NULL: no backup; else keep the original as FILE+suffix */
	int force;                 /* write even when mapiprof_write_check refuses */
	int recover;               /* a dirty hive read with its logs replayed: write the
				      recovered state with the plan applied, then reset
				      the logs beside the input (see mapiprof_recover) */
};

/* Whether the file is safe to rewrite: fails with MAPIPROF_E_UNSAFE when the
 * sequence numbers differ, the checksum is bad, or a non-empty .LOG/.LOG1/
 * .LOG2 beside it holds newer data (its changes may live only in the logs,
 * and a commit would make Windows ignore them).  A .reg file always passes. */
MAPIPROF_API int mapiprof_write_check(struct mapiprof_file *file);

/* Writes a plan: applies it to a new file in the target's directory
 * (created exclusively), fsyncs it, reopens it and verifies that every
 * planned value reads back as planned, then renames it over the target and
 * fsyncs the directory, keeping the original's permissions.  An empty plan
 * writes nothing.  On any failure the original is untouched and the
 * temporary file removed.  Refuses (MAPIPROF_E_UNSAFE) unless
 * mapiprof_write_check passes or opts->force.
 *
 * A .reg file is patched as text: every line the plan does not touch stays
 * byte-identical; a changed value's line is rewritten in place in regedit's
 * format, in the file's encoding and line ends; a new value goes at the end
 * of its key's last block, a new key at the end of the file; an unset value
 * loses its lines.  The result is verified by parsing it again. */
MAPIPROF_API int mapiprof_plan_write(struct mapiprof_file *file, const struct mapiprof_plan *plan,
				     const struct mapiprof_write_opts *opts);

/* mapiprof_plan_write, but a hive is changed in the file itself, keeping
 * its identity (inode, links, owner, ACLs), as Windows does: only when the
 * plan fits its existing cells and one appended bin (no key deleted; no
 * opts->output, backup or recovered state), the changed 4096-byte pages go
 * first to FILE.LOG1 as a new-format log entry, then into the hive between
 * a dirty and a clean base block, each step flushed, and the log is reset;
 * a stop at any point leaves the old hive or a dirty one whose log replay
 * (mapiprof_recover, Windows) gives the new one.  Otherwise the plan is
 * written as by mapiprof_plan_write, with a note (mapiprof_note) saying
 * why.  Since 0.2.0. */
MAPIPROF_API int mapiprof_plan_write_in_place(struct mapiprof_file *file,
					      const struct mapiprof_plan *plan,
					      const struct mapiprof_write_opts *opts);

/* ---- dirty hives: transaction-log recovery -------------------------------- */

struct mapiprof_recover_opts {
	const char *output;        /* NULL: replace the hive in place; else write this path */
	const char *backup_suffix; /* NULL: no backup; else keep the original as FILE+suffix
				      (and each log reset as LOG+suffix) */
	int consume_logs;          /* in place only: reset the logs after the write, as
				      Windows does after a recovery */
};

/* Replays the transaction logs beside a dirty hive (.LOG, .LOG1, .LOG2:
 * old DIRT and new HvLE formats, hashes checked, stopping at the first
 * invalid entry) and writes the recovered, clean hive atomically (temporary
 * file beside the target, fsync, verified by reopening, rename, directory
 * fsync).  A clean hive is not rewritten in place (with an output, a copy is
 * written).  *info (when info is not NULL; release with mapiprof_info_free)
 * receives the facts of the recovered state.  Fails with MAPIPROF_E_UNSAFE
 * when the hive is dirty and no log applies, MAPIPROF_E_FORMAT for a log
 * that is not valid, and as mapiprof_plan_write for the write. */
MAPIPROF_API int mapiprof_recover(struct mapiprof_ctx *ctx, const char *path,
				  const struct mapiprof_recover_opts *opts,
				  struct mapiprof_info **info);

/* ---- .reg output: exports and patch files --------------------------------- */

/* Options of the .reg writers (NULL: every default). */
struct mapiprof_reg_opts {
	/* Key path written for the root of the hive, without a trailing '\'
	 * ("HKEY_USERS\\S-1-5-21-...").  NULL: "HKEY_CURRENT_USER".  It must
	 * start with a root name, full (HKEY_CURRENT_USER, HKEY_USERS, ...) or
	 * short (HKCU, HKU, HKLM, ...); the file carries the full name. */
	const char *root;
};

/* 1 when root is valid as mapiprof_reg_opts.root: a root name (any case,
 * full or short) alone or followed by '\' and a path, without an empty component, a
 * trailing '\', CR or LF; else 0. */
MAPIPROF_API int mapiprof_reg_root_valid(const char *root);

/* Exports profiles as a regedit 5.00 file that `reg import` accepts: BOM
 * FF FE, UTF-16LE, CRLF, full root names, and regedit's layout (a blank line
 * before every key line, a final blank line), escapes and hex wrapping (Wine
 * programs/reg/tests/export.c).  Keys go depth-first in the store's order,
 * values in stored order, each in a form that re-imports to the same type and
 * bytes (a REG_SZ that would not is written hex(1):).  profiles holds the
 * indices of the profiles to export, each its key and everything below it;
 * profiles == NULL (n ignored) exports every profile, each Profiles key first
 * with its own values (DefaultProfile).  *out is malloc'd (release with
 * mapiprof_free).  Errors: MAPIPROF_E_INVALID (bad index or root),
 * MAPIPROF_E_FORMAT (a name a .reg file cannot hold: NUL, CR or LF),
 * MAPIPROF_E_LIMIT, store errors. */
MAPIPROF_API int mapiprof_export_reg(struct mapiprof_file *file, const size_t *profiles, size_t n,
				     const struct mapiprof_reg_opts *opts, void **out, size_t *len);

/* The changes of a plan as a regedit 5.00 file (same format as
 * mapiprof_export_reg) holding only what the plan changes: per changed
 * section key, its key line and one line per value, the new data or
 * "name"=- for an unset; so `reg import` rolls the same fix out to a live
 * machine.  An empty plan gives a file with the header only (a valid no-op
 * import).  *out as mapiprof_export_reg. */
MAPIPROF_API int mapiprof_plan_reg(struct mapiprof_file *file, const struct mapiprof_plan *plan,
				   const struct mapiprof_reg_opts *opts, void **out, size_t *len);

/* Writes len bytes to path atomically: a new file created exclusively in
 * path's directory, fsync'd, renamed over path, the directory fsync'd.  An
 * existing path keeps its permissions; a new one gets 0644 less the umask.
 * path must not be a directory, and (when it exists) must be a regular file
 * or a symbolic link to one, which is then replaced by the file. */
MAPIPROF_API int mapiprof_save(struct mapiprof_ctx *ctx, const char *path, const void *data,
			       size_t len);
/* ---- PRF files: Outlook profile configuration files ------------------------
 * An INI-style text (Microsoft Learn, "Customize Outlook profiles by using
 * an Outlook Profile File (PRF)"; KB 148664): [General] (ProfileName,
 * DefaultProfile, OverwriteProfile, ...), [Service List] (ServiceN=NAME,
 * each with a section [ServiceN]), [Internet Account List] or [Account List]
 * (AccountN=TYPE, each with a section [AccountN]), and mapping sections.
 * Every string is UTF-8; line numbers count from 1. */

struct mapiprof_prf_entry {
	const char *key;   /* as written, spaces around it removed */
	const char *value; /* as written, spaces around it removed */
	size_t line;
};

struct mapiprof_prf_section {
	const char *name; /* between the brackets, spaces around it removed */
	size_t line;      /* of its first [name] line */
	const struct mapiprof_prf_entry *entries; /* in file order; a duplicate key only once */
	size_t nentries;
};

/* One entry of [Service List] or an account list, and the section it names. */
struct mapiprof_prf_item {
	const char *id;    /* the key: "Service1", "Account1" */
	const char *value; /* the service's name, the account's type */
	size_t line;
	const struct mapiprof_prf_section *section; /* [id], NULL when missing */
};

/* A line that is not well formed, or a section a list names but the file
 * lacks.  line 0: about the whole file (its encoding). */
struct mapiprof_prf_problem {
	size_t line;
	const char *reason;
};

struct mapiprof_prf {
	const char *encoding; /* "UTF-16LE", "UTF-8" or the code page read with */
	int bom;              /* the file starts with a byte order mark */
	const struct mapiprof_prf_section *sections; /* in file order */
	size_t nsections;
	const struct mapiprof_prf_section *general; /* [General], or NULL */
	const struct mapiprof_prf_item *services;
	size_t nservices;
	const struct mapiprof_prf_item *accounts;
	size_t naccounts;
	const struct mapiprof_prf_problem *problems; /* by line */
	size_t nproblems;
	size_t more_problems; /* found beyond the stored ones */
};

/* Reads and checks a PRF file; reads only.  Its encoding: UTF-16LE after
 * the BOM FF FE, UTF-8 after EF BB BF; without a BOM, UTF-8 when the bytes
 * are valid UTF-8 with some non-ASCII, else the context's code page
 * (mapiprof_ctx_set_codepage, default windows-1252).  Malformed lines do
 * not fail the call: they are listed in problems.  Fails (MAPIPROF_FAILED)
 * when the file cannot be read, is not a regular file, is larger than
 * 16 MiB (MAPIPROF_E_LIMIT) or is UTF-16BE/UTF-32 (MAPIPROF_E_FORMAT).
 * Release *out with mapiprof_prf_free. */
MAPIPROF_API int mapiprof_prf_read(struct mapiprof_ctx *ctx, const char *path,
				   struct mapiprof_prf **out);
/* The value of key (case-insensitive, as Windows reads INI files) in
 * section s, or NULL. */
MAPIPROF_API const char *mapiprof_prf_value(const struct mapiprof_prf_section *s,
					    const char *key);
MAPIPROF_API void mapiprof_prf_free(struct mapiprof_prf *prf);

/* ---- forensics: key times and differences -------------------------------- */

/* One key on a timeline: a profile key, a section key, or (with
 * MAPIPROF_TIMELINE_DELETED) a key recovered from the hive's free space. */
struct mapiprof_keytime {
	int64_t last_write;  /* FILETIME of the key's last write; 0 when unknown (a .reg file
				holds none) */
	const char *path;    /* from the hive root, '\'-separated, as stored */
	const char *profile; /* the profile's name; NULL for a recovered orphan */
	const char *section; /* the section's uid (path below the profile key); NULL for a
				profile key */
	const char *role;    /* "profile" for a profile key, else the section's role */
	int deleted;         /* recovered from free space, not a live key */
};

/* mapiprof_timeline flags: recovered keys too. */
#define MAPIPROF_TIMELINE_DELETED 0x1u

/* Every profile key and section key of file (and, with
 * MAPIPROF_TIMELINE_DELETED, every recovered one), sorted by last_write,
 * oldest first; keys of one time stay in file order (profile, then its
 * sections, then recovered keys).  *out (release with mapiprof_free; its
 * strings are the file's) gets *n records.  With MAPIPROF_TIMELINE_DELETED
 * the keys mapiprof_deleted_keys recovers are added (deleted = 1; profile
 * NULL for an orphan, whose path starts "?\\"); a .reg file has none. */
MAPIPROF_API int mapiprof_timeline(struct mapiprof_file *file, unsigned flags,
				   struct mapiprof_keytime **out, size_t *n);

enum mapiprof_diff_kind {
	MAPIPROF_DIFF_ADDED,   /* only in b */
	MAPIPROF_DIFF_REMOVED, /* only in a */
	MAPIPROF_DIFF_CHANGED, /* in both, another type or other bytes */
};

/* One difference between two files' profiles.  A value added, removed or
 * changed has value_name set; a profile or section key present on one side
 * only and holding no value appears once with value_name NULL (so an empty
 * key is a difference too). */
struct mapiprof_diff_change {
	enum mapiprof_diff_kind change;
	const char *profile;    /* the profile's name (a's spelling when in both) */
	const char *root;       /* the path of its Profiles key */
	const char *section;    /* the section's uid; NULL for a profile key's own entry */
	const char *role;       /* the section's role, NULL with section */
	const char *value_name; /* as stored; NULL for a key's entry */
	const struct mapiprof_prop *before; /* a's value (owned by a), NULL when absent */
	const struct mapiprof_prop *after;  /* b's value (owned by b), NULL when absent */
	/* Where before/after live (for mapiprof_section_at and the uids of a
	 * prop); SIZE_MAX when absent. */
	size_t profile_a, section_a, profile_b, section_b;
	/* Integer values whose tag has a flag table (an absent value counts as
	 * 0): the bits after has and before had not, and the other way round
	 * (bits that hold an enumeration of the table left out); the names of
	 * the bit flags that appear and disappear; and which of the bits set
	 * or cleared have no name.  All 0 for other values. */
	uint32_t bits_set, bits_cleared;
	size_t nset_names, ncleared_names;
	const char *const *set_names;
	const char *const *cleared_names;
	uint32_t unknown_set, unknown_cleared;
};

struct mapiprof_diff_opts {
	const char *profile; /* only the profile of this name (either side); NULL: every one */
	const char *section; /* only the sections this selector (mapiprof_select) picks on
				either side; NULL: every one */
};

struct mapiprof_diff;

/* Compares the profiles of a and b, decoded, so that any two files
 * mapiprof_open reads compare (a hive and a .reg export of it are equal).
 * Profiles match by root and name, sections by uid, values by name, all
 * case-insensitively as the registry compares names; a value differs when
 * its registry type or its bytes differ.  Changes are ordered profile,
 * section, value: a's order first, then what only b has.  Reads only.
 * The changes point into a and b: close them after mapiprof_diff_free.
 * Errors (in the context of the file concerned; a's for the options):
 * MAPIPROF_E_SELECTOR (opts->section not valid), MAPIPROF_E_NOPROFILE
 * (opts->profile in neither), NOMEM.  Release *out with
 * mapiprof_diff_free. */
MAPIPROF_API int mapiprof_diff(struct mapiprof_file *a, struct mapiprof_file *b,
			       const struct mapiprof_diff_opts *opts, struct mapiprof_diff **out);
MAPIPROF_API size_t mapiprof_diff_count(const struct mapiprof_diff *diff);
MAPIPROF_API const struct mapiprof_diff_change *mapiprof_diff_at(const struct mapiprof_diff *diff,
								 size_t i);
MAPIPROF_API void mapiprof_diff_free(struct mapiprof_diff *diff);

/* ---- the tag and flag tables (offline reference) ------------------------ */

struct mapiprof_tagdef {
	const char *name;
	uint32_t tag;
	const char *type_name;
	const char *scope;   /* provider scope for IDs 0x6600..0x67FF ("exchange", "contab",
				"ldap", "pst", "pab", ...), "" when global */
	const char *meaning;
	const char *source;
};

struct mapiprof_flagdef {
	uint32_t tag;          /* property the flag belongs to */
	const char *prop_name;
	const char *name;
	uint32_t value;
	uint32_t mask;         /* enumerations: the mask compared (0xFFFFFFFF if whole value) */
	int is_enum;           /* 1: value of an enumeration; 0: a bit (or bit group) */
	const char *scope;     /* "" or e.g. "service", "provider" */
	const char *meaning;
	const char *source;
};

MAPIPROF_API size_t mapiprof_tag_count(void);
MAPIPROF_API const struct mapiprof_tagdef *mapiprof_tag_at(size_t i);
MAPIPROF_API size_t mapiprof_flag_count(void);
MAPIPROF_API const struct mapiprof_flagdef *mapiprof_flag_at(size_t i);

/* The name in names[0..n) nearest to word (a mistyped command or name),
 * for "did you mean": ASCII case-insensitive, a letter missed, added,
 * changed or two swapped counting one edit, within a limit that grows with
 * word's length (1 edit up to 5 characters, 2 up to 9, then 3); NULL when
 * none is that near. */
MAPIPROF_API const char *mapiprof_nearest(const char *word, const char *const *names, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* MAPIPROF_MAPIPROF_H */

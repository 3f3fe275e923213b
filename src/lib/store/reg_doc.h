/* reg_doc.h - what a parsed .reg file is: key blocks and value lines, each
 * with the exact lines and bytes it came from.  The .reg store (reg.h)
 * serves this as a tree; the parser (regtext/parse.h) fills it and the text
 * patcher (regtext/patch.h) replaces exactly those lines. */
#ifndef MP_STORE_REG_DOC_H
#define MP_STORE_REG_DOC_H

#include <stddef.h>
#include <stdint.h>

struct mapiprof_ctx;
struct mp_map;

/* How the text of the file is encoded (regedit's export formats; Wine
 * programs/regedit/regproc.c). */
enum mp_reg_encoding {
	MP_REG_ENC_UTF16LE,  /* BOM FF FE; what regedit writes */
	MP_REG_ENC_UTF8,     /* no BOM, "Windows Registry Editor Version 5.00" header */
	MP_REG_ENC_UTF8_BOM, /* BOM EF BB BF, either header */
	MP_REG_ENC_CODEPAGE, /* no BOM, REGEDIT4 header: 8-bit text in a code page */
};

/* Line terminator style : the style of the first terminated line;
 * MIXED when later lines use another one. */
enum mp_reg_eol {
	MP_REG_EOL_NONE, /* no line is terminated (header-only file without newline) */
	MP_REG_EOL_CRLF,
	MP_REG_EOL_LF,
	MP_REG_EOL_CR,
	MP_REG_EOL_MIXED,
};

enum mp_reg_header {
	MP_REG_HDR_REGEDIT4, /* "REGEDIT4" */
	MP_REG_HDR_V5,       /* "Windows Registry Editor Version 5.00" */
};

/* Root keys accepted by regedit (Wine regproc.c, reg_class_keys), long name or abbreviation. */
enum mp_reg_root {
	MP_REG_ROOT_HKLM,
	MP_REG_ROOT_HKU,
	MP_REG_ROOT_HKCR,
	MP_REG_ROOT_HKCC,
	MP_REG_ROOT_HKCU,
	MP_REG_ROOT_HKDD,
};

/* A run of whole physical lines of the file: lines [line, line + nlines)
 * (1-based) and the bytes [off, off + len) of the original file, including
 * the terminator of the last line.  A writer replaces exactly these bytes.
 * 32 bits each: a file has at most MP_MAX_REG_FILE bytes (base/limits.h),
 * and these records are held for every line of a file of millions. */
struct mp_reg_span {
	uint32_t line;
	uint32_t nlines;
	uint32_t off;
	uint32_t len;
};

/* How a value's data was written (a writer keeps the style where it can). */
enum mp_reg_syntax {
	MP_REG_SYN_DELETE, /* "name"=- */
	MP_REG_SYN_STRING, /* "name"="text" */
	MP_REG_SYN_DWORD,  /* "name"=dword:1234abcd */
	MP_REG_SYN_HEX,    /* "name"=hex:.. or hex(N):.. */
};

/* One value line (with its continuation lines).  Counts and indices are 32
 * bits, as in mp_reg_span. */
struct mp_reg_value {
	const char *name;    /* UTF-8, escapes resolved; "" for @ (and for "") */
	const uint8_t *data; /* bytes as the registry stores them (see mp_reg_parse_buf) */
	uint32_t len;        /* at most MP_MAX_VALUE_LEN */
	uint32_t block;      /* index of the key block it belongs to */
	uint32_t type;       /* REG_* (MP_REG_SZ for strings, MP_REG_DWORD, hex(N) N) */
	enum mp_reg_syntax syntax;
	struct mp_reg_span span;
	unsigned char is_default; /* written as @ */
};

/* One key line and the lines up to the next key line. */
struct mp_reg_block {
	const char *path;        /* UTF-8 key path as written between the brackets (no '-') */
	unsigned char is_delete; /* [-path] */
	enum mp_reg_root root;
	/* The key's place in a user hive (NTUSER.DAT): components below the hive
	 * root.  HKEY_CURRENT_USER\x, HKCU\x and HKEY_USERS\<one component>\x
	 * give "x..."; any other root R gives the full root name of R first
	 * ("HKEY_LOCAL_MACHINE", ...).  Empty components ("\\", trailing '\')
	 * are dropped, as the registry API does (Wine regproc.c, reg_class_keys). */
	const char *const *comp;
	uint32_t ncomp;       /* at most MP_MAX_KEY_DEPTH + 1 */
	uint32_t first_value; /* values[first_value .. first_value + nvalues) (eager parse) */
	uint32_t nvalues;     /* value lines (32 bits: at most MP_MAX_REG_ITEMS values) */
	/* End offset of the last value line (with its continuation lines), or
	 * of the key line when the block has none. */
	uint32_t vend;
	/* Its nvalues value lines, decoded: set by an eager parse, and by
	 * mp_reg_file.decode on the first use in a lazy one (NULL until then). */
	const struct mp_reg_value *values;
	struct mp_reg_span span; /* the key line */
	struct mp_reg_span body; /* the key line up to (not including) the next key line */
};

/* A parsed .reg file.  Everything it points to lives until release(). */
struct mp_reg_file {
	/* Frees the file and everything it points to; set by whoever built it
	 * (the parser), called by whoever owns it last (the .reg store). */
	void (*release)(struct mp_reg_file *f);
	const char *name; /* the path or name given to the parser */
	enum mp_reg_encoding encoding;
	enum mp_reg_header header;
	enum mp_reg_eol eol;
	const char *codepage; /* iconv name of 8-bit text (CODEPAGE encoding), else NULL */
	const uint8_t *raw;   /* the file as read, byte for byte */
	size_t rawlen;
	/* The mapping raw lies in (a lazy parse), whose pages a reader may let
	 * go behind it (mp_map_drop); NULL when raw is a copy in memory. */
	const struct mp_map *map;
	/* base/fingerprint.h of raw[0..rawlen), taken as the file was parsed:
	 * a writer checks the file still holds these bytes.  It is
	 * mp_fp_join of raw[0..fp_split) and raw[fp_split..rawlen) (the
	 * halves a large file is read in; fp_split 0: one run). */
	uint64_t fingerprint;
	size_t fp_split;
	size_t bom_len;                 /* 0, 2 (UTF-16LE) or 3 (UTF-8) */
	struct mp_reg_span header_span; /* the header line (after the BOM) */
	size_t nlines;                  /* physical lines (a final unterminated line counts) */
	int final_newline;              /* the last line ends with a terminator */
	struct mp_reg_block *blocks;
	size_t nblocks;
	/* Every value line in file order after an eager parse; NULL after a
	 * lazy one, whose blocks decode theirs on demand (decode). */
	struct mp_reg_value *values;
	size_t nvalues; /* value lines in the file, either way */
	/* Bytes malloc'd for the records and strings above (not raw): what
	 * counts against the memory budget of base/limits.h. */
	size_t mem;
	/* Sets blocks[block].values (a no-op once set), or fails with the
	 * error in ctx naming the file and line. */
	int (*decode)(struct mp_reg_file *f, struct mapiprof_ctx *ctx, size_t block);
	/* Value lines decoded on demand so far (a lazy parse decodes only the
	 * blocks asked for). */
	size_t ndecoded;
};

#endif

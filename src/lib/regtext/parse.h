/* reg_parse.h - the .reg reader: a regedit export (or hand-written .reg file)
 * parsed into key blocks and value lines, each with the exact lines and
 * bytes it came from, so that a writer can later replace exactly those lines
 * and leave every other byte of the file alone. */
#ifndef MP_REG_PARSE_H
#define MP_REG_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "base/ctx.h"

/* How the text of the file is encoded (reg-and-regf.md §1.1). */
enum mp_reg_encoding {
	MP_REG_ENC_UTF16LE,  /* BOM FF FE; what regedit writes */
	MP_REG_ENC_UTF8,     /* no BOM, "Windows Registry Editor Version 5.00" header */
	MP_REG_ENC_UTF8_BOM, /* BOM EF BB BF, either header */
	MP_REG_ENC_CODEPAGE, /* no BOM, REGEDIT4 header: 8-bit text in a code page */
};

/* Line terminator style (§1.2): the style of the first terminated line;
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

/* Root keys accepted by regedit (§1.4), long name or abbreviation. */
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
 * the terminator of the last line.  A writer replaces exactly these bytes. */
struct mp_reg_span {
	size_t line;
	size_t nlines;
	size_t off;
	size_t len;
};

/* How a value's data was written (a writer keeps the style where it can). */
enum mp_reg_syntax {
	MP_REG_SYN_DELETE, /* "name"=- */
	MP_REG_SYN_STRING, /* "name"="text" */
	MP_REG_SYN_DWORD,  /* "name"=dword:1234abcd */
	MP_REG_SYN_HEX,    /* "name"=hex:.. or hex(N):.. */
};

/* One value line (with its continuation lines). */
struct mp_reg_value {
	const char *name; /* UTF-8, escapes resolved; "" for @ (and for "") */
	int is_default;   /* written as @ */
	enum mp_reg_syntax syntax;
	uint32_t type;       /* REG_* (MP_REG_SZ for strings, MP_REG_DWORD, hex(N) N) */
	const uint8_t *data; /* bytes as the registry stores them (see mp_reg_parse_buf) */
	size_t len;
	size_t block; /* index of the key block it belongs to */
	struct mp_reg_span span;
};

/* One key line and the lines up to the next key line. */
struct mp_reg_block {
	const char *path; /* UTF-8 key path as written between the brackets (no '-') */
	int is_delete;    /* [-path] */
	enum mp_reg_root root;
	/* The key's place in a user hive (NTUSER.DAT): components below the hive
	 * root.  HKEY_CURRENT_USER\x, HKCU\x and HKEY_USERS\<one component>\x
	 * give "x..."; any other root R gives the full root name of R first
	 * ("HKEY_LOCAL_MACHINE", ...).  Empty components ("\\", trailing '\')
	 * are dropped, as the registry API does (§1.4). */
	const char *const *comp;
	size_t ncomp;
	struct mp_reg_span span; /* the key line */
	struct mp_reg_span body; /* the key line up to (not including) the next key line */
	size_t first_value;      /* values[first_value .. first_value + nvalues) */
	size_t nvalues;
};

/* A parsed .reg file.  Everything it points to lives until mp_reg_parse_free. */
struct mp_reg_file {
	const char *name; /* the path or name given to the parser */
	enum mp_reg_encoding encoding;
	enum mp_reg_header header;
	enum mp_reg_eol eol;
	const char *codepage; /* iconv name of 8-bit text (CODEPAGE encoding), else NULL */
	const uint8_t *raw;   /* the file as read, byte for byte */
	size_t rawlen;
	size_t bom_len;                 /* 0, 2 (UTF-16LE) or 3 (UTF-8) */
	struct mp_reg_span header_span; /* the header line (after the BOM) */
	size_t nlines;                  /* physical lines (a final unterminated line counts) */
	int final_newline;              /* the last line ends with a terminator */
	struct mp_reg_block *blocks;
	size_t nblocks;
	struct mp_reg_value *values;
	size_t nvalues;
};

/* Full name of a root ("HKEY_CURRENT_USER"). */
const char *mp_reg_parse_root_name(enum mp_reg_root root);

/*
 * Parses buf[0..len) (the whole file; name is used in errors) strictly: the
 * grammar of reg-and-regf.md §1.1-§1.8 as regedit reads it, with anything
 * regedit would silently skip reported as an error instead.  codepage is the
 * iconv name for REGEDIT4 8-bit files (NULL: windows-1252).
 *
 * Data: "text" gives REG_SZ UTF-16LE plus a U+0000 terminator; dword:
 * 4 bytes little-endian; hex(N) the bytes as written (no terminator added,
 * §5 "never add terminators to the model"), except that in a REGEDIT4 8-bit
 * file hex(1), hex(2) and hex(7) payloads are code-page text and are
 * converted to UTF-16LE (§1.7).
 *
 * Returns MAPIPROF_OK and *out (release with mp_reg_parse_free), or
 * MAPIPROF_FAILED with MAPIPROF_E_FORMAT and a message "line N: reason"
 * (MAPIPROF_E_LIMIT past a cap, MAPIPROF_E_CODEPAGE for an unknown code
 * page, MAPIPROF_E_NOMEM); the error's file is name.
 */
int mp_reg_parse_buf(struct mapiprof_ctx *ctx, const char *name, const void *buf, size_t len,
                     const char *codepage, struct mp_reg_file **out);
/* Reads path (at most MP_MAX_REG_FILE bytes) and parses it as
 * mp_reg_parse_buf.  I/O errors are MAPIPROF_E_NOENT/ISDIR/IO. */
int mp_reg_parse_file(struct mapiprof_ctx *ctx, const char *path, const char *codepage,
                      struct mp_reg_file **out);
void mp_reg_parse_free(struct mp_reg_file *f);

#endif

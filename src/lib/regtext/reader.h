/* reader.h - the insides of the .reg reader shared by its three files:
 * regtext/parse.c (the file: header, key lines, entry points), regtext/lines.c
 * (physical lines decoded to UTF-8, errors naming the line) and
 * regtext/value.c (value lines and their data); the grammar is regedit's,
 * as Wine's Windows-checked programs/reg/tests/import.c shows it. */
#ifndef MP_REG_READER_H
#define MP_REG_READER_H

#include <stddef.h>
#include <stdint.h>

#include "base/ctx.h"
#include "base/fingerprint.h"
#include "base/platform.h"
#include "store/reg_doc.h"

/* How a physical line's bytes become UTF-8.  MP_REG_DEC_RAW is used for the header
 * line of a file without BOM, before the header tells the encoding. */
enum mp_reg_decode { MP_REG_DEC_RAW, MP_REG_DEC_UTF8, MP_REG_DEC_CP, MP_REG_DEC_UTF16 };

/* The parsed file and the memory it owns. */
struct mp_reg_impl {
	struct mp_reg_file pub; /* first member: mp_reg_parse_free casts back */
	struct mp_arena arena;  /* names, paths, components, value data */
	uint8_t *raw;           /* malloc'd file bytes (NULL when map holds them) */
	struct mp_map map;      /* the file's bytes, mapped */
	size_t bcap, vcap;      /* capacity of pub.blocks, pub.values */
	/* How the text was read, for decoding a block's value lines later. */
	enum mp_reg_decode dec;
	const char *payload_cp;
};

struct mp_reg_reader {
	struct mapiprof_ctx *ctx;
	size_t pos; /* raw offset of the next line */
	enum mp_reg_decode dec;
	const char *cp;     /* MP_REG_DEC_CP: iconv name of the text */
	size_t lineno;      /* current line, 1-based (0 before the first) */
	size_t off, rawlen; /* current line: raw offset, length with terminator */
	char *text;         /* current line as UTF-8 without terminator, malloc'd */
	size_t textcap;
	int narrowed; /* the last narrow_utf16 copied the whole line (lines.c) */
};

/* A lazy parse lets go of the mapped file's pages behind it every this many
 * bytes, so reading a file holds a window of it, not all of it. */
#define MP_REG_DROP_STEP (8u * 1024u * 1024u)

struct mp_reg_parser {
	struct mp_reg_reader r;
	struct mp_reg_impl *f;
	const char *payload_cp; /* code page of hex(1|2|7) payloads; NULL: UTF-16LE */
	uint8_t *buf;           /* value data being collected (malloc'd) */
	size_t buflen, bufcap;
	/* 1 while a lazy parse reads the file through: value lines are checked
	 * as strictly as ever, but neither their names nor their data are kept
	 * (mp_reg_decode_block reads them again when asked). */
	int check_only;
	int count_only;  /* hex bytes are counted, not collected */
	size_t dropped;  /* the mapping's pages before this offset were let go */
	size_t mapped;   /* ... and those before this one mapped in ahead */
	struct mp_fp fp; /* of the lines read (mp_reg_file.fingerprint) ... */
	size_t fp_at;    /* ... up to this offset (they are added in runs) */
	/* Decoding the value lines of one block (mp_reg_decode_block): they go
	 * to out[0..nout) (nout at most b->nvalues), not to the file's list. */
	int decoding;
	uint32_t block;
	struct mp_reg_value *out;
	size_t nout;
	/* The components of the last key line, whose strings the next key line
	 * shares as far as they are the same: exports list a key's subkeys
	 * right after it. */
	const char *const *prev_comp;
	size_t prev_ncomp;
	/* Not 0: the reading stops at the first line that starts at or after
	 * this offset (another thread reads on from there, parse.c). */
	size_t split;
	/* A file read in two halves (parse.c): the memory budget both share,
	 * and the bytes this half has counted in it.  NULL: this parse's own. */
	struct mp_reg_budget *budget;
	size_t counted;
	/* Set on the first half while the second runs: called when the two
	 * together pass the budget, it stops the second half and frees what
	 * it holds (budget and split then NULL and 0: this half reads on
	 * alone, as a one-thread reading would). */
	void (*give_up_half)(struct mp_reg_parser *ps);
	struct mp_reg_half *half;
};

/* The memory budget two halves of one file share (MP_REG_MEM_SLACK). */
struct mp_reg_budget {
	_Atomic size_t held; /* bytes both halves hold besides the file */
	_Atomic int give_up; /* the second half is to stop */
};

static inline int
mp_reg_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The index of the first non-blank at or after s[i]. */
static inline size_t
mp_reg_skip_ws(const char *s, size_t i)
{
	while (mp_reg_is_blank(s[i]))
		i++;
	return i;
}

/* Records "line N: reason" for the current line; returns MAPIPROF_FAILED. */
int mp_reg_err(struct mp_reg_parser *ps, enum mapiprof_error code, const char *fmt, ...)
    MP_PRINTF(3, 4);
/* Prefixes the error a helper (utf16.c) recorded with the current line;
 * returns MAPIPROF_FAILED. */
int mp_reg_relabel(struct mp_reg_parser *ps);
/* Reads the next physical line (terminated by CRLF, LF or CR,
 * reg/tests/import.c) into ps->r.text.  *got = 0 at end of file. */
int mp_reg_next_line(struct mp_reg_parser *ps, int *got);
/* Adds the bytes read from ps->fp_at up to end to the fingerprint (the
 * lines read are contiguous: added in long runs, not line by line). */
void mp_reg_fp_upto(struct mp_reg_parser *ps, size_t end);
/* The span of the lines from (line, off) to the end of the current line. */
struct mp_reg_span mp_reg_span_to_here(const struct mp_reg_parser *ps, size_t line, size_t off);
/* Makes room for one more element in *arr (*cap elements of elem bytes,
 * *n used), doubling it or growing it as far as the memory budget lets it
 * (MP_REG_MEM_SLACK, base/limits.h): MAPIPROF_E_LIMIT past it. */
int mp_reg_grow(struct mp_reg_parser *ps, void **arr, size_t n, size_t *cap, size_t elem);
/* Fails with MAPIPROF_E_LIMIT when the parse holds more than the memory
 * budget (the arena grows behind the parser's back). */
int mp_reg_check_mem(struct mp_reg_parser *ps);
/* Bytes the parse holds besides the file (what the budget counts). */
size_t mp_reg_held(const struct mp_reg_parser *ps);
/* Parses the value line ps->r.text, whose name starts at s[i] ("name"=data or
 * @=data, reg/tests/import.c), into the last key block; may read continuation
 * lines. */
int mp_reg_value_line(struct mp_reg_parser *ps, const char *s, size_t i);
/* mp_reg_file.decode of a lazy parse (regtext/parse.c). */
int mp_reg_decode_block(struct mp_reg_file *f, struct mapiprof_ctx *ctx, size_t block);

#endif

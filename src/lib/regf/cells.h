/* cells.h - checked reads, from a file descriptor, of the regf
 * structures a key's values are made of: nk, value list, vk and data cells
 * (M. Suhanov, "Windows registry file format specification", sections
 * "Hive bin", "Cell", "Key node", "Key values list", "Key value"; the base
 * block is base_block.h's).  The one cell reader of the in-place patcher
 * (regf/patch.c) and of the writer's fast verification (write/commit.c). */
#ifndef MP_REGF_CELLS_H
#define MP_REGF_CELLS_H

#include <stddef.h>
#include <stdint.h>

#include "base/ctx.h"
#include "base/readcache.h"
#include "regf/base_block.h"

/* hbin header fields, header size and bin size unit ("Hive bin"). */
#define MP_HBIN_OFFSET    0x04u /* of this bin, from the first */
#define MP_HBIN_SIZE      0x08u
#define MP_HBIN_TIMESTAMP 0x14u /* meaningful in the first bin only */
#define MP_HBIN_HDR       32u
/* A cell offset meaning "none" (regf spec). */
#define MP_CELL_NONE 0xFFFFFFFFu
/* nk fields, counted from the cell start (4-byte size field, then "Key
 * node"). */
#define MP_NK_FLAGS     (4u + 2u)
#define MP_NK_TIME      (4u + 4u)
#define MP_NK_PARENT    (4u + 16u)
#define MP_NK_NSUB      (4u + 20u)
#define MP_NK_SUBLIST   (4u + 28u)
#define MP_NK_NVALUES   (4u + 36u)
#define MP_NK_VLIST     (4u + 40u)
#define MP_NK_MAXVNAME  (4u + 60u)
#define MP_NK_MAXDATA   (4u + 64u)
#define MP_NK_NAMELEN   (4u + 72u)
#define MP_NK_HDR       (4u + 76u)
#define MP_NK_COMP_NAME 0x0020u /* key name stored one byte per character */
/* vk fields, counted from the cell start ("Key value"). */
#define MP_VK_NAMELEN   (4u + 2u)
#define MP_VK_DLEN      (4u + 4u)
#define MP_VK_DOFF      (4u + 8u)
#define MP_VK_TYPE      (4u + 12u)
#define MP_VK_FLAGS     (4u + 16u)
#define MP_VK_HDR       (4u + 20u)
#define MP_VK_COMP_NAME 0x0001u
/* Data size with bit 31 set: up to 4 bytes inline in the offset field ("Data
 * size"). */
#define MP_DATA_INLINE 0x80000000u
#define MP_INLINE_MAX  4u

/* Returned besides MAPIPROF_OK and MAPIPROF_FAILED for a structure hivex
 * accepts but these readers leave alone: a cell 4- but not 8-aligned or
 * whose size is not a multiple of 8 (Windows writes neither), data held as
 * big data ('db', "Big data").  Nothing is recorded in the context. */
#define MP_CELLS_UNUSUAL 1

/* Where cells are read: the file and its hive bins size.  Messages name
 * the section uid (any label; "?" when NULL) and the file offset.  Reads go
 * through cache when it is not NULL (the lazy reader's; a cache drops what
 * it holds once this process writes into a file, base/readcache.h), else
 * straight to the file. */
struct mp_regf_cells {
	struct mapiprof_ctx *ctx;
	int fd;
	uint32_t bins;
	struct mp_readcache *cache;
};

/* Records MAPIPROF_E_FORMAT "section 'uid': what at file offset ..." for
 * the cell at rel.  Returns MAPIPROF_FAILED. */
int mp_regf_cells_bad(const struct mp_regf_cells *c, const char *uid, const char *what,
                      uint32_t rel);

/* Reads len bytes at file offset offset of c's file (every read of these
 * readers and of subkeys.c goes through it, and is counted), through c's
 * cache if it has one. */
int mp_regf_cells_pread(const struct mp_regf_cells *c, void *buf, size_t len, uint64_t offset);
/* Bytes asked of mp_regf_cells_pread by this process so far, whether
 * from the file or a cache (for tests: how much of a file a lazy read
 * touched). */
uint64_t mp_regf_cells_bytes(void);

/* Reads the first len bytes (len >= 4) of the cell at rel (offset from the
 * first hbin) into buf and its size into *cell.  The cell must start inside
 * the hive bins past the first bin header, be allocated (negative size,
 * "Cell"), hold len bytes and end inside the hive bins; what names it in
 * messages.  MP_CELLS_UNUSUAL for a 4-aligned cell or an odd size. */
int mp_regf_cells_read(const struct mp_regf_cells *c, const char *uid, const char *what,
                       uint32_t rel, uint8_t *buf, uint32_t len, uint32_t *cell);

/* An nk cell ("Key node"): its fixed part as read. */
struct mp_regf_nk {
	uint32_t rel, cell;
	uint8_t hdr[MP_NK_HDR];
	uint32_t nvalues;           /* checked against MP_MAX_VALUES_PER_KEY */
	uint32_t vlist;             /* value list cell; meaningful when nvalues > 0 */
	uint32_t maxvname, maxdata; /* largest value name (UTF-16 bytes) and data */
};

/* Reads the nk cell at file offset key (a hivex node handle): signature,
 * name inside the cell, value count within MP_MAX_VALUES_PER_KEY
 * (MAPIPROF_E_LIMIT beyond). */
int mp_regf_cells_nk(const struct mp_regf_cells *c, const char *uid, uint64_t key,
                     struct mp_regf_nk *nk);

/* Reads nk's value list ("Key values list"): *list gets nk->nvalues vk
 * offsets (allocated in a; NULL when there are none) and *list_cell the
 * list's cell size; the count is checked against the cell by division first. */
int mp_regf_cells_vlist(const struct mp_regf_cells *c, const char *uid, const struct mp_regf_nk *nk,
                        struct mp_arena *a, uint32_t **list, uint32_t *list_cell);

/* A vk cell ("Key value"): its fixed part as read, decoded. */
struct mp_regf_vk {
	uint32_t rel, cell;
	uint8_t hdr[MP_VK_HDR];
	uint32_t name_len; /* bytes */
	int comp;          /* name stored one byte per character (Latin-1) */
	uint32_t type;
	uint32_t len;       /* data length */
	int is_inline;      /* data in the offset field */
	uint32_t doff;      /* the offset field: the data cell when not inline */
	uint32_t data_rel;  /* data cell (mp_regf_cells_data); MP_CELL_NONE when inline or empty */
	uint32_t data_cell; /* its size */
};

/* Reads the vk cell at rel: signature, name inside the cell. */
int mp_regf_cells_vk(const struct mp_regf_cells *c, const char *uid, uint32_t rel,
                     struct mp_regf_vk *vk);
/* Reads vk's name_len name bytes into buf. */
int mp_regf_cells_vk_name(const struct mp_regf_cells *c, const struct mp_regf_vk *vk, uint8_t *buf);
/* Finds where vk's data lies and sets data_rel and data_cell: inline (at
 * most 4 bytes), nowhere (length 0) or in a data cell that must hold it.  A
 * data cell too small that is a big-data record is MP_CELLS_UNUSUAL. */
int mp_regf_cells_data(const struct mp_regf_cells *c, const char *uid, struct mp_regf_vk *vk);
/* Copies vk's vk->len data bytes (located by mp_regf_cells_data) into buf. */
int mp_regf_cells_data_read(const struct mp_regf_cells *c, const struct mp_regf_vk *vk,
                            uint8_t *buf);
/* vk's name as malloc'd UTF-8 (*out), decoded as hivex decodes it:
 * Latin-1 when comp, else UTF-16LE.  *undecodable = 1 (and *out = NULL)
 * when hivex could not decode it (an odd length, an unpaired surrogate). */
int mp_regf_cells_vk_name_utf8(const struct mp_regf_cells *c, const struct mp_regf_vk *vk,
                               char **out, int *undecodable);

/* The raw size field of the cell at rel, whatever its state (negative:
 * allocated, positive: free, "Cell"); rel must lie inside the hive bins. */
int mp_regf_cells_size(const struct mp_regf_cells *c, const char *uid, uint32_t rel, uint32_t *raw);
/* Checks the hbin at rel as hivex's open does (lib/handle.c): signature, its
 * own offset, a size of whole 4 KiB units inside the hive bins; and that its
 * cells, each of at least 8 bytes and a multiple of 8, tile it exactly.  Sets
 * *size to the bin's size.  MAPIPROF_E_FORMAT otherwise; messages name uid. */
int mp_regf_cells_bin(const struct mp_regf_cells *c, const char *uid, uint32_t rel, uint32_t *size);

#endif

/* patch_int.h - the state of the in-place patcher (regf/patch.c), shared
 * with its key creation (regf/newkeys.c) and its new-bin cells
 * (regf/patch_bin.c); nothing else includes it. */
#ifndef MP_REGF_PATCH_INT_H
#define MP_REGF_PATCH_INT_H

#include <stddef.h>
#include <stdint.h>

#include "base/ctx.h"
#include "regf/base_block.h"
#include "regf/cells.h"
#include "store/changes.h"

/* Cap on the one new bin: the plan's new cells (values <= ALLOC_MAX). */
#define NEW_BIN_MAX (64u * 1024u * 1024u)
/* Local result of the read and plan phases: the patcher cannot do this
 * plan (MAPIPROF_OK and MAPIPROF_FAILED keep their meaning); a structure
 * the cell reader leaves alone declines too. */
#define DECLINE MP_CELLS_UNUSUAL
#define NO_VK   ((size_t)-1)

enum act {
	ACT_NONE,    /* delete of an absent value */
	ACT_INPLACE, /* same length: overwrite where the data lies */
	ACT_RESIZE,  /* other length: same vk, data inline or in a new cell */
	ACT_DELETE,  /* drop from the list, free vk and data */
	ACT_NEW,     /* new vk (and data cell) appended to the list */
};

/* One op of a key. */
struct opst {
	const struct mp_value_change *op;
	uint16_t *units; /* name as UTF-16 code units (matching, UTF-16 storage) */
	size_t nunits;
	int latin1; /* every unit <= 0xFF: stored one byte each, COMP_NAME */
	size_t vk;  /* index of the vk of that name, NO_VK when none */
	enum act act;
	uint32_t new_vk, new_data; /* cells in the new bin, MP_CELL_NONE if none */
};

/* One vk of a touched key. */
struct vkst {
	struct mp_regf_vk c; /* as read; c.hdr is patched in memory */
	int dirty, deleted;
};

/* One key of the plan. */
struct keyst {
	const struct mp_key_change *pk;
	struct mp_regf_nk nk; /* as read; nk.hdr is patched in memory */
	uint32_t n;           /* values before */
	uint32_t list_cell;
	uint32_t *list; /* vk offsets before */
	struct vkst *vks;
	struct opst *ops;
	int relist; /* values added or deleted: a new list */
	uint32_t new_list, new_n;
	int created;   /* a key to create (regf/newkeys.c lays out its nk) */
	uint32_t node; /* created: its node in regf/newkeys.c, once resolved */
};

/* A cell the patch writes into or frees. */
struct span {
	uint32_t rel, len;
};

struct mp_regf_writes; /* regf/patch.h */

struct patch {
	struct mapiprof_ctx *ctx;
	int fd;
	struct mp_regf_cells cells; /* reads the hive as it was */
	struct mp_arena arena;
	struct mp_regf_base base;
	uint32_t bins; /* hive bins size before */
	uint32_t minor;
	struct keyst *keys;
	size_t nkeys;
	struct span *spans;
	size_t nspans;
	uint8_t *name;     /* scratch for one vk name (<= 0xFFFF bytes) */
	uint32_t bin_used; /* bytes of the new bin laid out, header included */
	uint32_t bin_size; /* its size; 0 when no bin is needed */
	uint8_t *bin;
	uint64_t now;               /* FILETIME of this write */
	struct mp_newkeys *newkeys; /* the keys to create (regf/newkeys.h) */
	struct mp_regf_writes *rec; /* record the writes here instead (mp_regf_patch_record) */
};

struct mp_newkeys;

/* A cell of size bytes in the new bin; *rel its offset.  DECLINE when the
 * bin would outgrow NEW_BIN_MAX. */
int mp_patch_bin_alloc(struct patch *p, uint32_t size, uint32_t *rel);
/* Records a cell the patch writes into or frees (checked for overlaps). */
void mp_patch_add_span(struct patch *p, uint32_t rel, uint32_t len);
/* The new bin's bytes for the cell at rel (inside the new bin). */
uint8_t *mp_patch_bin_cell(struct patch *p, uint32_t rel);
/* Writes len bytes at file offset off, or records them in p->rec. */
int mp_patch_pwrite(struct patch *p, const void *buf, size_t len, uint64_t off);
/* Marks the cell at rel (of size cell) free: a positive size ("Cell"). */
int mp_patch_write_free(struct patch *p, uint32_t rel, uint32_t cell);

#endif

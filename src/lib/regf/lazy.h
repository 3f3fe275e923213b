/* lazy.h - a read-only store (store/store.h) over a regf hive that reads
 * only the cells it is asked about, from the file descriptor, through the
 * checked cell readers (regf/cells.h, regf/subkeys.h): opening costs the
 * base block and the root key, not a walk of the whole hive as hivex_open's
 * (hivex lib/handle.c), so a command reading one subtree of a big hive reads
 * that subtree.  Its reads go through a bounded block cache of the file
 * (base/readcache.h): a few dozen preads for a profile, not one per field.
 *
 * It answers as hivex does (the hive back end, store/hive.c): the same key
 * handles (file offset of the nk cell), children in subkey-list order,
 * names decoded as hivex decodes them (Latin-1 or UTF-16LE; an undecodable
 * one as U+FFFD "#<offset hex>"), values in value-list order, the same caps
 * and error codes.  A structure the cell readers leave alone
 * (MP_CELLS_UNUSUAL: big data, 4-aligned cells, nested or inconsistent
 * subkey lists) is answered by hivex itself, opened on the same file the
 * first time one is met; handles being the same, the two mix freely.
 *
 * What it does not do is hivex_open's check of every bin and cell: it
 * checks the base block, the first bin (where the root key lies) and each
 * cell it reads, so a damaged bin the read never reaches goes unnoticed
 * (as with reglookup), and an offset into the middle of a cell that reads
 * as a well-formed cell is taken as one (hivex's bitmap of cell starts
 * would refuse it); damage on the path read fails with MAPIPROF_E_FORMAT
 * naming the key and the file offset.  Writers validate the whole hive
 * themselves (write/commit.c, with regf/binwalk.h). */
#ifndef MP_REGF_LAZY_H
#define MP_REGF_LAZY_H

#include "base/ctx.h"
#include "store/store.h"

/* Opens the hive at path read-only: the base block must be a regf 1.x one
 * with hivex's checksum (the plain XOR) and hive bins inside the file, its
 * root an allocated nk cell.  The file is never written. */
int mp_regf_lazy_open(struct mapiprof_ctx *ctx, const char *path, struct mp_store **out);

/* Times this process opened hivex for a structure the lazy store does not
 * read itself (for tests). */
unsigned long mp_regf_lazy_fallbacks(void);

#endif

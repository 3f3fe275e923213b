/* entryid.h - entry IDs found in profile values (MS-OXCDATA 2.2.4 and
 * 2.2.5, MS-PST 2.4.3.2): pure decoders over (bytes, len) into a bounded
 * field table.  Every length is checked; a malformed entry ID is decoded
 * as far as it is valid and carries an error. */
#ifndef MP_ENTRYID_H
#define MP_ENTRYID_H

#include <stddef.h>
#include <stdint.h>

#include "mapi/sfields.h"

/* Recognises an entry ID by its provider UID (bytes 4..19): a wrapped
 * store entry ID, a one-off, an Exchange or a contact address-book entry
 * ID.  With folder_hint (a value known to hold a folder or message entry
 * ID) also the layouts with no fixed UID: PST folder (24 bytes) and
 * Exchange folder (46) or message (70).  codepage is for 8-bit strings
 * (NULL: windows-1252).  Returns 1 and fills *sf when recognised, else 0. */
int mp_entryid_decode(const uint8_t *p, size_t len, int folder_hint, const char *codepage,
                      struct mp_sfields *sf);

#endif

/* entryid.c - entry IDs: every one starts with 4 flag bytes and the
 * 16-byte UID of the provider that made it; the UID says the layout
 * (MS-OXCDATA 2.2.4 "EntryID and Related Types"; MFCMAPI
 * core/smartview/EntryIdStruct.cpp reads them the same way). */
#include <string.h>

#include "base/le.h"
#include "mapi/entryid.h"

#define HDR 20u /* flags (4) + provider UID (16) */

/* MS-OXCDATA 2.2.4.3: the store object entry ID wrapper (MUID_STORE_WRAP). */
static const uint8_t uid_store_wrap[16] = {0x38, 0xA1, 0xBB, 0x10, 0x05, 0xE5, 0x10, 0x1A,
                                           0xA1, 0xBB, 0x08, 0x00, 0x2B, 0x2A, 0x56, 0xC2};
/* The PST provider's store UID inside the wrapper, the same for ANSI and
 * Unicode PSTs (MSPST.h; seen in the three public sample hives). */
static const uint8_t uid_pst_store[16] = {0x4E, 0x49, 0x54, 0x41, 0xF9, 0xBF, 0xB8, 0x01,
                                          0x00, 0xAA, 0x00, 0x37, 0xD9, 0x6E, 0x00, 0x00};
/* Exchange private and public stores (pbExchangeProviderPrimaryUserGuid,
 * pbExchangeProviderPublicGuid, EdkMdb.h; MS-OXCDATA 2.2.4.3). */
static const uint8_t uid_ex_private[16] = {0x1B, 0x55, 0xFA, 0x20, 0xAA, 0x66, 0x11, 0xCD,
                                           0x9B, 0xC8, 0x00, 0xAA, 0x00, 0x2F, 0xC4, 0x5A};
static const uint8_t uid_ex_public[16] = {0x1C, 0x83, 0x02, 0x10, 0xAA, 0x66, 0x11, 0xCD,
                                          0x9B, 0xC8, 0x00, 0xAA, 0x00, 0x2F, 0xC4, 0x5A};
/* MS-OXCDATA 2.2.5.1 one-off, 2.2.5.2 Exchange address book (MUIDEMSAB),
 * 2.2.5.3 contact address book (MUID of the Contact Address Book). */
static const uint8_t uid_oneoff[16] = {0x81, 0x2B, 0x1F, 0xA4, 0xBE, 0xA3, 0x10, 0x19,
                                       0x9D, 0x6E, 0x00, 0xDD, 0x01, 0x0F, 0x54, 0x02};
static const uint8_t uid_emsab[16] = {0xDC, 0xA7, 0x40, 0xC8, 0xC0, 0x42, 0x10, 0x1A,
                                      0xB4, 0xB9, 0x08, 0x00, 0x2B, 0x2F, 0xE1, 0x82};
static const uint8_t uid_contab[16] = {0xFE, 0x42, 0xAA, 0x0A, 0x18, 0xC7, 0x1A, 0x10,
                                       0xE8, 0x85, 0x0B, 0x65, 0x1C, 0x24, 0x00, 0x00};

/* Store entry ID V2/V3 tails (MFCMAPI extraPropTags.h
 * MDB_STORE_EID_V2_MAGIC / _V3_MAGIC; MS-OXCDATA 2.2.4.3). */
#define EID_V2_MAGIC 0xF32135D8u
#define EID_V3_MAGIC 0xF43246E9u

static int
uid_is(const uint8_t *p, const uint8_t uid[16])
{
	return memcmp(p + 4, uid, 16) == 0;
}

/* An ASCII/code-page string at p[*off..len) ended by a NUL; *off moves past
 * the NUL.  Returns 0 (and records an error) when it is not terminated. */
static int
take_str8(struct mp_sfields *sf, const char *name, const char *cp, const uint8_t *p, size_t len,
          size_t *off)
{
	size_t end = mp_sf_strend8(p, len, *off);
	if (end >= len) {
		mp_sf_error(sf, "%s at byte %zu is not terminated inside the value", name, *off);
		return 0;
	}
	mp_sf_cp(sf, name, cp, p + *off, end - *off);
	*off = end + 1;
	return 1;
}

/* A UTF-16LE string ended by a NUL unit, as take_str8. */
static int
take_str16(struct mp_sfields *sf, const char *name, const uint8_t *p, size_t len, size_t *off)
{
	size_t end = mp_sf_strend16(p, len, *off);
	if (end >= len) {
		mp_sf_error(sf, "%s at byte %zu is not terminated inside the value", name, *off);
		return 0;
	}
	mp_sf_utf16(sf, name, p + *off, end - *off);
	*off = end + 2;
	return 1;
}

/* PST store inside the wrapper: flags (4), UID (16), reserved (1), ANSI
 * path (NUL), then optionally a UTF-16LE path (NUL); no length field
 * (SwiftMAPI PSTPRXEntryIdData; MSPST.h). */
static void
store_pst(struct mp_sfields *sf, const char *cp, const uint8_t *w, size_t wl)
{
	mp_sf_str(sf, "provider", "pst", 3);
	if (wl < HDR + 1) {
		mp_sf_error(sf, "PST store entry ID of %zu bytes is shorter than %u", wl, HDR + 1);
		return;
	}
	size_t off = HDR + 1;
	if (!take_str8(sf, "path_ansi", cp, w, wl, &off))
		return;
	if (off < wl && take_str16(sf, "path_unicode", w, wl, &off) && off < wl)
		mp_sf_int(sf, "trailing_bytes", (int64_t)(wl - off));
	const char *u = mp_sf_get(sf, "path_unicode"), *a = mp_sf_get(sf, "path_ansi");
	const char *path = u != NULL && u[0] != '\0' ? u : a;
	if (path != NULL)
		mp_sf_str(sf, "path", path, strlen(path));
}

/* A V2 (server DN, FQDN) or V3 (SMTP address) block at w[off..wl);
 * offsets inside it are relative to its start.  Returns the offset past
 * it, or wl when malformed. */
static size_t
store_ex_tail(struct mp_sfields *sf, const uint8_t *w, size_t wl, size_t off)
{
	uint32_t magic = mp_le32(w + off);
	size_t hdr = magic == EID_V2_MAGIC ? 20u : 16u;
	const char *what = magic == EID_V2_MAGIC ? "V2" : "V3";
	if (wl - off < hdr) {
		mp_sf_error(sf, "%s block at byte %zu is truncated", what, off);
		return wl;
	}
	uint32_t size = mp_le32(w + off + 4);
	mp_sf_int(sf, magic == EID_V2_MAGIC ? "v2_version" : "v3_version",
	          (int64_t)mp_le32(w + off + 8));
	if (size < hdr || size > wl - off) {
		mp_sf_error(sf, "%s block size %u at byte %zu runs past the value (%zu bytes)",
		            what, (unsigned)size, off, wl);
		size = (uint32_t)(wl - off); /* still read what lies inside the value */
	}
	const uint8_t *b = w + off;
	if (magic == EID_V2_MAGIC) {
		uint32_t odn = mp_le32(b + 12), ofq = mp_le32(b + 16);
		size_t o = odn;
		if (odn < hdr || odn >= size)
			mp_sf_error(sf, "V2 DN offset %u is outside the block", (unsigned)odn);
		else
			(void)take_str8(sf, "v2_dn", NULL, b, size, &o);
		o = ofq;
		if (ofq < hdr || ofq >= size)
			mp_sf_error(sf, "V2 FQDN offset %u is outside the block", (unsigned)ofq);
		else
			(void)take_str16(sf, "v2_fqdn", b, size, &o);
	} else {
		uint32_t osmtp = mp_le32(b + 12);
		size_t o = osmtp;
		if (osmtp < hdr || osmtp >= size)
			mp_sf_error(sf, "V3 SMTP offset %u is outside the block", (unsigned)osmtp);
		else
			(void)take_str16(sf, "v3_smtp_address", b, size, &o);
	}
	return off + size;
}

/* Exchange store inside the wrapper: flags (4), provider UID (16), type
 * (4: 0x0C private, 0x06 public), server (ASCII, NUL), mailbox DN (ASCII,
 * NUL; absent for public folders with a V2/V3 tail), then the optional V2
 * and V3 tails (MS-OXCDATA 2.2.4.3; MFCMAPI EntryIdStruct.cpp). */
static void
store_exchange(struct mp_sfields *sf, int pub, const uint8_t *w, size_t wl)
{
	mp_sf_str(sf, "provider", pub ? "exchange_public" : "exchange_mailbox", pub ? 15u : 16u);
	if (wl < HDR + 4) {
		mp_sf_error(sf, "Exchange store entry ID of %zu bytes is shorter than %u", wl,
		            HDR + 4);
		return;
	}
	uint32_t type = mp_le32(w + HDR);
	mp_sf_int(sf, "wrapped_type", type);
	size_t off = HDR + 4;
	if (!take_str8(sf, "server", NULL, w, wl, &off))
		return;
	int magic_next =
	    wl - off >= 4 && (mp_le32(w + off) == EID_V2_MAGIC || mp_le32(w + off) == EID_V3_MAGIC);
	/* OPENSTORE_PUBLIC (0x02): a public store followed at once by a tail
	 * has no mailbox DN. */
	if (!((type & 0x02u) && magic_next) && !take_str8(sf, "mailbox_dn", NULL, w, wl, &off))
		return;
	for (int k = 0; k < 2 && wl - off >= 4; k++) {
		uint32_t m = mp_le32(w + off);
		if (m != EID_V2_MAGIC && m != EID_V3_MAGIC)
			break;
		off = store_ex_tail(sf, w, wl, off);
	}
	if (off < wl && sf->error[0] == '\0')
		mp_sf_int(sf, "trailing_bytes", (int64_t)(wl - off));
}

/* MS-OXCDATA 2.2.4.3 Store Object EntryID: flags, MUID_STORE_WRAP, version
 * (1), flag (1), the provider DLL name (ASCII, NUL, then NULs up to the
 * next multiple of 4 bytes from the start of the entry ID: "emsmdb.dll" is
 * a 14-byte DLLFileName in MS-OXCDATA, "mspst.dll" is followed at once by
 * the wrapped part in the three public sample hives), then the provider's
 * own store entry ID. */
static void
store_wrapped(struct mp_sfields *sf, const char *cp, const uint8_t *p, size_t len)
{
	mp_sf_begin(sf, "store_entryid");
	mp_sf_int(sf, "flags", mp_le32(p));
	if (len < HDR + 2) {
		mp_sf_error(sf, "store entry ID of %zu bytes is shorter than %u", len, HDR + 2);
		return;
	}
	mp_sf_int(sf, "version", p[HDR]);
	mp_sf_int(sf, "flag", p[HDR + 1]);
	size_t off = HDR + 2;
	if (!take_str8(sf, "provider_dll", NULL, p, len, &off))
		return;
	size_t aligned = (off + 3u) & ~(size_t)3u;
	if (aligned > len) {
		mp_sf_error(sf, "the DLL name's padding runs past the value (%zu bytes)", len);
		return;
	}
	off = aligned;
	const uint8_t *w = p + off;
	size_t wl = len - off;
	mp_sf_int(sf, "wrapped_size", (int64_t)wl);
	if (wl < HDR) {
		mp_sf_str(sf, "provider", "unknown", 7);
		mp_sf_error(sf, "the wrapped entry ID of %zu bytes has no provider UID", wl);
		return;
	}
	mp_sf_hex(sf, "wrapped_provider_uid", w + 4, 16);
	if (uid_is(w, uid_pst_store))
		store_pst(sf, cp, w, wl);
	else if (uid_is(w, uid_ex_private))
		store_exchange(sf, 0, w, wl);
	else if (uid_is(w, uid_ex_public))
		store_exchange(sf, 1, w, wl);
	else
		mp_sf_str(sf, "provider", "unknown", 7);
}

/* MS-OXCDATA 2.2.5.1 One-Off EntryID: version (2) = 0, flags (2: 0x8000
 * MAPI_ONE_OFF_UNICODE, 0x0001 MAPI_ONE_OFF_NO_RICH_INFO), display name,
 * address type, e-mail address, each NUL-terminated. */
static void
oneoff(struct mp_sfields *sf, const char *cp, const uint8_t *p, size_t len)
{
	mp_sf_begin(sf, "oneoff_entryid");
	if (len < HDR + 4) {
		mp_sf_error(sf, "one-off entry ID of %zu bytes is shorter than %u", len, HDR + 4);
		return;
	}
	uint16_t flags = mp_le16(p + HDR + 2);
	mp_sf_int(sf, "version", mp_le16(p + HDR));
	mp_sf_bool(sf, "unicode", (flags & 0x8000u) != 0);
	mp_sf_bool(sf, "no_rich_info", (flags & 0x0001u) != 0);
	static const char *const names[3] = {"display_name", "address_type", "email_address"};
	size_t off = HDR + 4;
	for (int i = 0; i < 3; i++)
		if (!((flags & 0x8000u) ? take_str16(sf, names[i], p, len, &off)
		                        : take_str8(sf, names[i], cp, p, len, &off)))
			return;
}

/* MS-OXCDATA 2.2.5.2 Address Book EntryID: version (4) = 1, type (4),
 * X500 DN (ASCII, NUL). */
static void
exchange_ab(struct mp_sfields *sf, const uint8_t *p, size_t len)
{
	mp_sf_begin(sf, "exchange_ab_entryid");
	if (len < HDR + 8) {
		mp_sf_error(sf, "address-book entry ID of %zu bytes is shorter than %u", len,
		            HDR + 8);
		return;
	}
	mp_sf_int(sf, "version", mp_le32(p + HDR));
	mp_sf_int(sf, "display_type", mp_le32(p + HDR + 4));
	size_t off = HDR + 8;
	(void)take_str8(sf, "x500_dn", NULL, p, len, &off);
}

/* The directory form (Microsoft Learn "DIR_ENTRYID"): type CONTAB_ROOT (1),
 * CONTAB_SUBROOT (2) or CONTAB_CONTAINER (3), then the logon object's
 * UID (16).  In the public samples' PR_AB_SEARCH_PATH the contacts
 * folder's own entry ID follows; it is named, not decoded. */
static void
contact_dir(struct mp_sfields *sf, const uint8_t *p, size_t len)
{
	static const char *const names[] = {"", "root", "subroot", "container"};
	uint32_t type = mp_le32(p + HDR + 4);
	mp_sf_str(sf, "type_name", names[type], strlen(names[type]));
	if (len - (HDR + 8) < 16) {
		mp_sf_error(sf, "directory entry ID of %zu bytes has no 16-byte logon UID", len);
		return;
	}
	mp_sf_hex(sf, "logon_uid", p + HDR + 8, 16);
	size_t rest = len - (HDR + 24);
	if (rest == 0)
		return;
	mp_sf_int(sf, "folder_entryid_size", (int64_t)rest);
	if (rest >= HDR)
		mp_sf_hex(sf, "folder_entryid_provider_uid", p + HDR + 24 + 4, 16);
}

/* MS-OXCDATA 2.2.5.3 Contact Address Book EntryID (Microsoft Learn
 * "CONTAB_ENTRYID"): version (4) = 3, type (4: CONTAB_USER, CONTAB_DISTLIST),
 * index (4), entry-ID count (4), the contact's own entry ID; types 1..3 are
 * the directory form. */
static void
contact_ab(struct mp_sfields *sf, const uint8_t *p, size_t len)
{
	mp_sf_begin(sf, "contact_ab_entryid");
	if (len < HDR + 8) {
		mp_sf_error(sf, "contact entry ID of %zu bytes is shorter than %u", len, HDR + 8);
		return;
	}
	uint32_t type = mp_le32(p + HDR + 4);
	mp_sf_int(sf, "version", mp_le32(p + HDR));
	mp_sf_int(sf, "type", type);
	if (type >= 1 && type <= 3) {
		contact_dir(sf, p, len);
		return;
	}
	if (len < HDR + 16) {
		mp_sf_error(sf, "contact entry ID of %zu bytes is shorter than %u", len, HDR + 16);
		return;
	}
	uint32_t cb = mp_le32(p + HDR + 12);
	mp_sf_int(sf, "index", mp_le32(p + HDR + 8));
	mp_sf_int(sf, "wrapped_size", cb);
	size_t room = len - (HDR + 16);
	if (cb > room) {
		mp_sf_error(sf, "wrapped entry ID of %u bytes runs past the value (%zu left)",
		            (unsigned)cb, room);
		cb = (uint32_t)room;
	}
	if (cb >= HDR)
		mp_sf_hex(sf, "wrapped_provider_uid", p + HDR + 16 + 4, 16);
}

/* MS-PST 2.4.3.2 EntryID: flags (4), the PST's record-key UID (16), NID
 * (4; its low 5 bits are the node type, 2.2.2.1). */
static void
pst_folder(struct mp_sfields *sf, const uint8_t *p)
{
	mp_sf_begin(sf, "pst_folder_entryid");
	mp_sf_int(sf, "flags", mp_le32(p));
	mp_sf_hex(sf, "store_uid", p + 4, 16);
	uint32_t nid = mp_le32(p + 20);
	mp_sf_int(sf, "nid", nid);
	mp_sf_int(sf, "nid_type", nid & 0x1Fu);
	mp_sf_int(sf, "nid_index", nid >> 5);
}

/* Global counter: 6 bytes, big-endian (MS-OXCDATA 2.2.4.1). */
static int64_t
counter48(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 6; i++)
		v = v << 8 | p[i];
	return (int64_t)v;
}

/* MS-OXCDATA 2.2.4.1 Folder EntryID (46 bytes) and 2.2.4.2 Message
 * EntryID (70): flags, store UID, type (2: 1 private, 3 public, 5 mapped
 * public; messages 7, 9, 11), database GUID and global counter of the
 * folder, then for a message of the message. */
static void
exchange_folder(struct mp_sfields *sf, const uint8_t *p, size_t len)
{
	int msg = len == 70;
	mp_sf_begin(sf, msg ? "exchange_message_entryid" : "exchange_folder_entryid");
	mp_sf_int(sf, "flags", mp_le32(p));
	mp_sf_hex(sf, "store_uid", p + 4, 16);
	mp_sf_int(sf, "type", mp_le16(p + 20));
	mp_sf_hex(sf, "folder_database_guid", p + 22, 16);
	mp_sf_int(sf, "folder_global_counter", counter48(p + 38));
	if (msg) {
		mp_sf_hex(sf, "message_database_guid", p + 46, 16);
		mp_sf_int(sf, "message_global_counter", counter48(p + 62));
	}
}

static int
exchange_folder_type(uint16_t t, int msg)
{
	return msg ? (t == 7 || t == 9 || t == 11) : (t == 1 || t == 3 || t == 5);
}

int
mp_entryid_decode(const uint8_t *p, size_t len, int folder_hint, const char *codepage,
                  struct mp_sfields *sf)
{
	mp_sf_begin(sf, NULL);
	if (p == NULL || len < HDR)
		return 0;
	if (uid_is(p, uid_store_wrap))
		store_wrapped(sf, codepage, p, len);
	else if (uid_is(p, uid_oneoff))
		oneoff(sf, codepage, p, len);
	else if (uid_is(p, uid_emsab))
		exchange_ab(sf, p, len);
	else if (uid_is(p, uid_contab))
		contact_ab(sf, p, len);
	else if (folder_hint && len == 24)
		pst_folder(sf, p);
	else if (folder_hint && (len == 46 || len == 70) &&
	         exchange_folder_type(mp_le16(p + 20), len == 70))
		exchange_folder(sf, p, len);
	else
		return 0;
	return 1;
}

/* empty.c - writes a minimal valid empty hive from scratch, which hivex
 * cannot do (hivex(3) leaves it unsupported); laid out like hivex's
 * images/minimal.
 *
 * On-disk layout (8192 bytes; cell offsets are relative to 0x1000; record
 * names as in the regf spec):
 *
 *   file    rel    size  what
 *   0x0000  -      4096  base block: "regf", seq 1/1, FILETIME, 1.minor,
 *                        type 0, format 1, root 0x20, bins 0x1000, cluster 1,
 *                        checksum at 0x1FC
 *   0x1000  0x000    32  hive bin header: "hbin", offset 0, size 0x1000,
 *                        timestamp = base block timestamp
 *   0x1020  0x020     n  root key node (nk): flags 0x2C, no subkeys, no
 *                        values, parent/class 0xFFFFFFFF, sk -> next cell
 *   ...     sk_rel    m  key security (sk): flink = blink = itself, refcount 1,
 *                        self-relative security descriptor (below)
 *   ...     free   rest  one free cell (positive size) to the end of the bin
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/le.h"
#include "base/platform.h"
#include "regf/empty.h"
#include "regf/hiveinfo.h"

#define FILE_SIZE 8192u
#define BIN_SIZE  0x1000u
#define HBIN_HDR  32u
#define ROOT_REL  0x20u
#define NONE      0xFFFFFFFFu
/* nk record bytes before the name (regf spec "Key node"), sk record before
 * the SD ("Key security"). */
#define NK_FIXED 76u
#define SK_FIXED 20u
/* Key names are at most 255 characters (Microsoft Learn, "Registry element
 * size limits"). */
#define KEY_NAME_MAX 255u
/* Seconds from 1601-01-01 to 1970-01-01: FILETIME epoch. */
#define FILETIME_UNIX_EPOCH 11644473600LL

/* Writes a SID (revision 1, authority 0-0-0-0-0-auth, n sub-authorities)
 * at p; returns its size, 8 + 4n. */
static uint32_t
put_sid(uint8_t *p, uint8_t auth, const uint32_t *sub, uint8_t n)
{
	p[0] = 1; /* Revision */
	p[1] = n; /* SubAuthorityCount */
	memset(p + 2, 0, 5);
	p[7] = auth; /* IdentifierAuthority, big-endian 48-bit */
	for (uint8_t i = 0; i < n; i++)
		mp_put_le32(p + 8 + 4u * i, sub[i]);
	return 8u + 4u * n;
}

/* Writes an ACCESS_ALLOWED_ACE for the SID at sid (sid_len bytes); returns
 * its size. */
static uint32_t
put_ace(uint8_t *p, uint32_t mask, const uint8_t *sid, uint32_t sid_len)
{
	p[0] = 0x00;                      /* AceType: ACCESS_ALLOWED_ACE_TYPE */
	p[1] = 0x02;                      /* AceFlags: CONTAINER_INHERIT_ACE (subkeys inherit it) */
	mp_put_le16(p + 2, 8u + sid_len); /* AceSize */
	mp_put_le32(p + 4, mask);         /* ACCESS_MASK */
	memcpy(p + 8, sid, sid_len);
	return 8u + sid_len;
}

/* Builds a self-relative SECURITY_DESCRIPTOR at p (124 bytes):
 * owner BUILTIN\Administrators, group SYSTEM, a DACL granting
 * Administrators and SYSTEM KEY_ALL_ACCESS and Users KEY_READ, no SACL.
 * Returns its size. */
static uint32_t
build_sd(uint8_t *p)
{
	static const uint32_t admins[] = {32, 544}, users[] = {32, 545}, system[] = {18};
	uint8_t a[16], u[16], s[12];
	uint32_t al = put_sid(a, 5, admins, 2); /* S-1-5-32-544 */
	uint32_t ul = put_sid(u, 5, users, 2);  /* S-1-5-32-545 */
	uint32_t sl = put_sid(s, 5, system, 1); /* S-1-5-18 */
	const uint32_t owner = 20, group = owner + al, dacl = group + sl;
	p[0] = 1;                   /* Revision */
	p[1] = 0;                   /* Sbz1 */
	mp_put_le16(p + 2, 0x8004); /* Control: SELF_RELATIVE | DACL_PRESENT */
	mp_put_le32(p + 4, owner);  /* OffsetOwner */
	mp_put_le32(p + 8, group);  /* OffsetGroup */
	mp_put_le32(p + 12, 0);     /* OffsetSacl: none */
	mp_put_le32(p + 16, dacl);  /* OffsetDacl */
	memcpy(p + owner, a, al);
	memcpy(p + group, s, sl);
	uint8_t *acl = p + dacl;
	uint32_t off = 8; /* ACL header: AclRevision, Sbz1, AclSize, AceCount, Sbz2 */
	off += put_ace(acl + off, 0x000F003Fu, a, al); /* KEY_ALL_ACCESS */
	off += put_ace(acl + off, 0x000F003Fu, s, sl); /* KEY_ALL_ACCESS */
	off += put_ace(acl + off, 0x00020019u, u, ul); /* KEY_READ */
	acl[0] = 2;                                    /* ACL_REVISION */
	acl[1] = 0;
	mp_put_le16(acl + 2, off); /* AclSize */
	mp_put_le16(acl + 4, 3);   /* AceCount */
	mp_put_le16(acl + 6, 0);
	return dacl + off;
}

/* Writes the root nk cell at bin offset rel (file offset 0x1000 + rel);
 * returns the cell size. */
static uint32_t
put_root_nk(uint8_t *bin, uint32_t rel, const char *name, uint64_t ts, uint32_t sk_rel)
{
	uint32_t nl = (uint32_t)strlen(name);
	uint32_t size = mp_round8(4u + NK_FIXED + nl);
	uint8_t *c = bin + rel;
	mp_put_le32(c, (uint32_t) - (int32_t)size); /* allocated: negative size */
	uint8_t *nk = c + 4;
	memcpy(nk, "nk", 2);
	mp_put_le16(nk + 2, 0x2C);  /* HIVE_ENTRY | NO_DELETE | COMP_NAME */
	mp_put_le64(nk + 4, ts);    /* last written */
	mp_put_le32(nk + 16, NONE); /* parent: none for the root */
	mp_put_le32(nk + 28, NONE); /* subkey list */
	mp_put_le32(nk + 32, NONE); /* volatile subkey list */
	mp_put_le32(nk + 40, NONE); /* value list */
	mp_put_le32(nk + 44, sk_rel);
	mp_put_le32(nk + 48, NONE); /* class name */
	mp_put_le16(nk + 72, nl);   /* name length; class length 0 at 74 */
	memcpy(nk + NK_FIXED, name, nl);
	return size;
}

/* Writes the sk cell at rel: a lone sk links to itself (regf spec "Key
 * security"). */
static uint32_t
put_sk(uint8_t *bin, uint32_t rel)
{
	uint8_t *c = bin + rel;
	uint8_t *sk = c + 4;
	uint32_t sd_len = build_sd(sk + SK_FIXED);
	uint32_t size = mp_round8(4u + SK_FIXED + sd_len);
	mp_put_le32(c, (uint32_t) - (int32_t)size);
	memcpy(sk, "sk", 2);
	mp_put_le32(sk + 4, rel); /* flink */
	mp_put_le32(sk + 8, rel); /* blink */
	mp_put_le32(sk + 12, 1);  /* reference count: the root nk */
	mp_put_le32(sk + 16, sd_len);
	return size;
}

/* Fills the base block (regf spec "Base block") with timestamp ts and its
 * checksum; returns the plain XOR so the caller can avoid 0 and 0xFFFFFFFF. */
static uint32_t
put_base_block(uint8_t *bb, unsigned minor, uint64_t ts)
{
	memcpy(bb, "regf", 4);
	mp_put_le32(bb + 0x04, 1);        /* primary sequence number */
	mp_put_le32(bb + 0x08, 1);        /* secondary: equal, so clean */
	mp_put_le64(bb + 0x0C, ts);       /* last written */
	mp_put_le32(bb + 0x14, 1);        /* major version */
	mp_put_le32(bb + 0x18, minor);    /* minor version: 3 or 5 */
	mp_put_le32(bb + 0x1C, 0);        /* file type: primary */
	mp_put_le32(bb + 0x20, 1);        /* file format: direct memory load */
	mp_put_le32(bb + 0x24, ROOT_REL); /* root cell offset */
	mp_put_le32(bb + 0x28, BIN_SIZE); /* hive bins data size */
	mp_put_le32(bb + 0x2C, 1);        /* clustering factor */
	uint32_t plain = 0, windows = 0;
	mp_regf_checksum(bb, &plain, &windows);
	mp_put_le32(bb + 0x1FC, windows);
	return plain;
}

/* Current time as FILETIME (100 ns ticks since 1601). */
static uint64_t
filetime_now(void)
{
	time_t t = time(NULL);
	int64_t secs = (t == (time_t)-1 ? 0 : (int64_t)t) + FILETIME_UNIX_EPOCH;
	return (uint64_t)secs * 10000000u;
}

/* Lays out the whole 8192-byte file in img (zeroed by the caller), stamped
 * with FILETIME ts. */
static void
build_image(uint8_t *img, unsigned minor, const char *root_name, uint64_t ts)
{
	/* Windows stores XOR 0 as 1 and 0xFFFFFFFF as 0xFFFFFFFE; hivex
	 * checks the plain XOR (ReactOS hivesum.c; hivex lib/handle.c).  Nudge
	 * the timestamp by one tick until the plain XOR is neither, so both
	 * agree.  Each nudge changes the XOR (t ^ (t + 1) != 0) and two bad
	 * values in a row force the next one to be good, so three passes always
	 * suffice. */
	for (int pass = 0; pass < 4; pass++) {
		uint32_t plain = put_base_block(img, minor, ts);
		if (plain != 0 && plain != 0xFFFFFFFFu)
			break;
		ts++;
	}
	uint8_t *bin = img + MP_REGF_BASE_BLOCK;
	memcpy(bin, "hbin", 4);
	mp_put_le32(bin + 4, 0);        /* offset of this bin */
	mp_put_le32(bin + 8, BIN_SIZE); /* size of this bin */
	mp_put_le64(bin + 20, ts);      /* first bin: copy of the base block timestamp */
	uint32_t nk_size = mp_round8(4u + NK_FIXED + (uint32_t)strlen(root_name));
	uint32_t sk_rel = ROOT_REL + nk_size;
	put_root_nk(bin, ROOT_REL, root_name, ts, sk_rel);
	uint32_t free_rel = sk_rel + put_sk(bin, sk_rel);
	mp_put_le32(bin + free_rel, BIN_SIZE - free_rel); /* free: positive size */
}

/* Root names: 1..255 printable ASCII characters without '\' (stored one
 * byte per character with COMP_NAME, regf spec "Key node"). */
static int
check_args(struct mapiprof_ctx *ctx, unsigned minor, const char *root_name, int64_t filetime)
{
	if (filetime < 0) {
		mp_seterr(ctx, MAPIPROF_E_INVALID, "negative FILETIME %lld", (long long)filetime);
		return MAPIPROF_FAILED;
	}
	if (minor != 3 && minor != 5) {
		mp_seterr(ctx, MAPIPROF_E_INVALID, "regf minor version %u: only 3 and 5", minor);
		return MAPIPROF_FAILED;
	}
	size_t len = root_name != NULL ? strlen(root_name) : 0;
	int ok = len > 0 && len <= KEY_NAME_MAX;
	for (size_t i = 0; ok && i < len; i++)
		ok = root_name[i] >= 0x20 && root_name[i] < 0x7F && root_name[i] != '\\';
	if (!ok) {
		mp_seterr(ctx, MAPIPROF_E_INVALID,
		          "root key name must be 1 to %u printable ASCII characters without '\\'",
		          KEY_NAME_MAX);
		return MAPIPROF_FAILED;
	}
	return MAPIPROF_OK;
}

int
mp_regf_create_empty(struct mapiprof_ctx *ctx, const char *path, unsigned minor,
                     const char *root_name, int64_t filetime)
{
	if (check_args(ctx, minor, root_name, filetime) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	static const size_t img_size = FILE_SIZE;
	uint8_t img[FILE_SIZE];
	memset(img, 0, img_size);
	build_image(img, minor, root_name, filetime != 0 ? (uint64_t)filetime : filetime_now());
	int fd = -1;
	if (mp_create_excl(ctx, path, &fd) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	int rc = MAPIPROF_FAILED;
	if (mp_write_full(ctx, fd, img, img_size) != MAPIPROF_OK ||
	    mp_fsync(ctx, fd) != MAPIPROF_OK)
		goto out;
	rc = MAPIPROF_OK;
out:
	if (mp_close(fd) != 0 && rc == MAPIPROF_OK) {
		mp_seterr_errno(ctx, errno, "cannot close");
		rc = MAPIPROF_FAILED;
	}
	if (rc != MAPIPROF_OK) {
		mp_seterr_file(ctx, path);
		remove(path); /* ours: created exclusively above */
	}
	return rc;
}

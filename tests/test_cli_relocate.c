/* test_cli_relocate.c - `mapiprof relocate` on a synthetic profile (hive
 * and .reg) and on the three public sample hives (NTUSER_BAGMRU.DAT of
 * regipy, win7_ntuser.dat of notatin, NTUSER-WIN7.DAT of plaso): every
 * rewritten value read back by reglookup and compared with bytes put
 * together here, the way back giving every original byte, --check, whole
 * components, case, trailing backslashes, too long and unrepresentable
 * paths. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mapiprof/mapiprof.h>

#include "testutil.h"

TestSuite(cli_relocate, .init = tu_setup, .fini = tu_teardown);

/* ---- bytes ---------------------------------------------------------------- */

struct bytes {
	uint8_t b[2048];
	size_t n;
};

static void
add(struct bytes *x, const void *p, size_t n)
{
	cr_assert_leq(x->n + n, sizeof(x->b));
	memcpy(x->b + x->n, p, n);
	x->n += n;
}

static void
add_le32(struct bytes *x, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
	add(x, b, 4);
}

/* ASCII text as UTF-16LE, with its NUL when nul. */
static void
add_utf16(struct bytes *x, const char *s, int nul)
{
	for (; *s != '\0'; s++)
		add(x, (const uint8_t[]){(uint8_t)*s, 0}, 2);
	if (nul)
		add(x, (const uint8_t[]){0, 0}, 2);
}

/* A PST store entry ID as the samples hold it (MS-OXCDATA 2.2.4.3 wrapper,
 * "mspst.dll", the MSPST UID, reserved byte): ANSI bytes, then the
 * Unicode path (NULL: none). */
static struct bytes
entryid(const char *ansi, const char *unicode)
{
	static const uint8_t head[] = {
	    0x00, 0x00, 0x00, 0x00, 0x38, 0xA1, 0xBB, 0x10, 0x05, 0xE5, 0x10, 0x1A, 0xA1, 0xBB,
	    0x08, 0x00, 0x2B, 0x2A, 0x56, 0xC2, 0x00, 0x00, 'm',  's',  'p',  's',  't',  '.',
	    'd',  'l',  'l',  0x00, 0x00, 0x00, 0x00, 0x00, 0x4E, 0x49, 0x54, 0x41, 0xF9, 0xBF,
	    0xB8, 0x01, 0x00, 0xAA, 0x00, 0x37, 0xD9, 0x6E, 0x00, 0x00, 0x00};
	struct bytes x = {0};
	add(&x, head, sizeof(head));
	add(&x, ansi, strlen(ansi) + 1);
	if (unicode != NULL)
		add_utf16(&x, unicode, 1);
	return x;
}

/* A PT_MV_BINARY in the 32-bit layout (MFCMAPI registryProperty.cpp) of
 * a and then 4 other bytes. */
static struct bytes
mv_of(const struct bytes *a)
{
	struct bytes x = {0};
	add_le32(&x, 2);
	add_le32(&x, (uint32_t)a->n);
	add_le32(&x, 20);
	add_le32(&x, 4);
	add_le32(&x, (uint32_t)(20 + a->n));
	add(&x, a->b, a->n);
	add(&x, "\x01\x02\x03\x04", 4);
	return x;
}

/* A PT_MV_BINARY of one element in the 64-bit layout (u32 count, u64
 * length, u64 offset: NTUSER_BAGMRU.DAT's 1102039b) or the 32-bit one
 * (u32 count, u32 length, u32 offset), then the bytes of tail. */
static struct bytes
mv1_of(const struct bytes *a, int width, const uint8_t *tail, size_t ntail)
{
	struct bytes x = {0};
	add_le32(&x, 1);
	add_le32(&x, (uint32_t)a->n);
	if (width == 8)
		add_le32(&x, 0);
	add_le32(&x, width == 8 ? 20 : 12);
	if (width == 8)
		add_le32(&x, 0);
	add(&x, a->b, a->n);
	add(&x, tail, ntail);
	return x;
}

static struct bytes
utf16z(const char *s)
{
	struct bytes x = {0};
	add_utf16(&x, s, 1);
	return x;
}

/* "hex:xx,xx,..." of x, malloc'd. */
static char *
reg_hex(const struct bytes *x)
{
	char *s = malloc(4 + 3 * x->n + 1), *p = s;
	p += sprintf(p, "hex:");
	for (size_t i = 0; i < x->n; i++)
		p += sprintf(p, i ? ",%02x" : "%02x", x->b[i]);
	return s;
}

/* ---- the synthetic profile ------------------------------------------------- */

#define ROOT                                                                                       \
	"HKEY_CURRENT_USER\\Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows Messaging "   \
	"Subsystem\\Profiles"
#define PST_SECTION   "11111111111111111111111111111111"
#define OTHER_SECTION "22222222222222222222222222222222"
#define GLOBAL        "13dbb0c8aa05101a9bb000aa002fc45a"
#define OUTLOOK       "0a0d020000000000c000000000000046"
#define ACCOUNT       "9375CFF0413111d3B88A00104B2A6676\\00000001"
/* reglookup's path of the profile key. */
#define RL_PROFILE                                                                                 \
	"/Software/Microsoft/Windows NT/CurrentVersion/Windows Messaging Subsystem/Profiles/Synth"

/* The .reg text of profile Synth whose PST is at pst (ASCII), its OST at
 * ost, and another PST at C:\Database\x.pst; malloc'd. */
static char *
synth_reg(const char *pst, const char *pst_lower, const char *ost)
{
	struct bytes e = entryid(pst, pst), other = entryid("", "C:\\Database\\x.pst");
	struct bytes mv = mv_of(&e), w = utf16z(pst), ow = utf16z(ost);
	struct bytes oa = {0}, dw = utf16z("C:\\Database\\x.pst");
	add(&oa, ost, strlen(ost) + 1);
	char *he = reg_hex(&e), *hother = reg_hex(&other), *hmv = reg_hex(&mv), *hw = reg_hex(&w);
	char *how = reg_hex(&ow), *hoa = reg_hex(&oa), *hdw = reg_hex(&dw);
	/* A .reg string doubles its backslashes. */
	char lower[256], *q = lower;
	for (const char *c = pst_lower; *c != '\0' && q < lower + sizeof(lower) - 2; c++) {
		if (*c == '\\')
			*q++ = '\\';
		*q++ = *c;
	}
	*q = '\0';
	size_t cap = 64 * 1024;
	char *s = malloc(cap);
	snprintf(s, cap,
	         TU_REG_HEADER "[" ROOT "]\n\"DefaultProfile\"=\"Synth\"\n\n"
	                       "[" ROOT "\\Synth]\n\n"
	                       "[" ROOT "\\Synth\\" PST_SECTION "]\n"
	                       "\"001f6700\"=%s\n\"001e6700\"=\"%s\"\n\"01020fff\"=%s\n\n"
	                       "[" ROOT "\\Synth\\" OTHER_SECTION "]\n"
	                       "\"001f6700\"=%s\n\"01020fff\"=%s\n\n"
	                       "[" ROOT "\\Synth\\" GLOBAL "]\n"
	                       "\"001f6610\"=%s\n\"001e6610\"=%s\n\n"
	                       "[" ROOT "\\Synth\\" OUTLOOK "]\n\"1102039b\"=%s\n\n"
	                       "[" ROOT "\\Synth\\9375CFF0413111d3B88A00104B2A6676]\n\n"
	                       "[" ROOT "\\Synth\\" ACCOUNT "]\n\"Delivery Store EntryID\"=%s\n",
	         hw, lower, he, hdw, hother, how, hoa, hmv, he);
	free(he);
	free(hother);
	free(hmv);
	free(hw);
	free(how);
	free(hoa);
	free(hdw);
	return s;
}

/* The .reg as tu_tmp/name; with hive, built into a hive by mkhive
 * instead.  Returns the path, malloc'd. */
static char *
synth_file(const char *name, int hive, const char *pst, const char *pst_lower, const char *ost)
{
	char *text = synth_reg(pst, pst_lower, ost);
	char *reg = tu_tmp_write(hive ? "synth.reg.in" : name, text, strlen(text));
	free(text);
	if (!hive)
		return reg;
	char *dat = tu_tmp_path(name);
	char *argv[] = {(char *)MP_MKHIVE, reg, dat, NULL};
	struct tu_run r;
	cr_assert_eq(tu_run(argv, &r), 0, "cannot run mkhive");
	cr_assert_eq(r.status, 0, "mkhive: %s", r.err);
	tu_run_free(&r);
	free(reg);
	return dat;
}

/* ---- reading back with reglookup ------------------------------------------- */

/* reglookup's records of hive without their last field (the key time),
 * one per line, malloc'd. */
static char *
values_of(const char *hive)
{
	char *argv[] = {"/usr/bin/reglookup", "-H", (char *)hive, NULL};
	struct tu_run r;
	cr_assert_eq(tu_run(argv, &r), 0);
	cr_assert_eq(r.status, 0, "reglookup: %s", r.err);
	char *out = calloc(1, r.outlen + 1);
	size_t len = 0;
	for (char *line = strtok(r.out, "\n"); line != NULL; line = strtok(NULL, "\n")) {
		char *last = strrchr(line, ',');
		if (last != NULL)
			*last = '\0';
		len += (size_t)sprintf(out + len, "%s\n", line);
	}
	tu_run_free(&r);
	return out;
}

/* The data of the value whose path ends in "/" path_end in all (what
 * values_of returned), as bytes: reglookup writes them as text with %XX
 * for other bytes. */
static struct bytes
value_bytes_in(const char *all, const char *path_end, const char *type)
{
	char want[512];
	snprintf(want, sizeof(want), "/%s,%s,", path_end, type);
	char *at = strstr(all, want);
	cr_assert_not_null(at, "reglookup finds no %s", want);
	at += strlen(want);
	struct bytes x = {0};
	for (; *at != '\n'; at++) {
		if (*at == '%') {
			unsigned v = 0;
			cr_assert_eq(sscanf(at + 1, "%2x", &v), 1);
			add(&x, (uint8_t[]){(uint8_t)v}, 1);
			at += 2;
		} else {
			add(&x, at, 1);
		}
	}
	return x;
}

/* value_bytes_in of hive's reglookup dump. */
static struct bytes
value_bytes(const char *hive, const char *path_end, const char *type)
{
	char *all = values_of(hive);
	struct bytes x = value_bytes_in(all, path_end, type);
	free(all);
	return x;
}

static void
assert_bytes(const struct bytes *got, const struct bytes *want, const char *what)
{
	cr_assert_eq(got->n, want->n, "%s: %zu bytes, want %zu", what, got->n, want->n);
	cr_assert_arr_eq(got->b, want->b, want->n, "%s: other bytes", what);
}

/* ---- the synthetic profile --------------------------------------------------- */

#define OLD_PST "C:\\Data\\Mail\\a.pst"
#define NEW_PST "E:\\Store\\Mail\\a.pst"

Test(cli_relocate, every_place_rewritten_in_its_layout_and_back_gives_every_byte)
{
	char *f = synth_file("NTUSER.DAT", 1, OLD_PST, OLD_PST, "C:\\Data\\x.ost");
	char *before = values_of(f);
	TU_CLI_EXPECT(3, "relocate", "--check", "C:\\Data", "E:\\Store", f);
	cr_assert(strstr(tu_last.out, "would change 7 values") != NULL, "%s", tu_last.out);
	TU_CLI_EXPECT(0, "relocate", "C:\\Data", "E:\\Store", f);
	cr_assert(strstr(tu_last.out, "7 changes written") != NULL, "%s", tu_last.out);
	/* The plan names every value it touches. */
	const char *touched[] = {"(001f6700)",
	                         "(001e6700)",
	                         "(01020fff)",
	                         "(001f6610)",
	                         "(001e6610)",
	                         ": 1102039b:",
	                         ": Delivery Store EntryID:"};
	for (size_t i = 0; i < sizeof(touched) / sizeof(touched[0]); i++)
		cr_assert(strstr(tu_last.out, touched[i]) != NULL, "%s not in %s", touched[i],
		          tu_last.out);

	struct bytes e = entryid(NEW_PST, NEW_PST), got, want;
	got = value_bytes(f, "Synth/" PST_SECTION "/001f6700", "BINARY");
	want = utf16z(NEW_PST);
	assert_bytes(&got, &want, "001f6700");
	/* REG_SZ: reglookup prints the text. */
	char *all = values_of(f);
	cr_assert(strstr(all, "/" PST_SECTION "/001e6700,SZ,E:\\Store\\Mail\\a.pst\n") != NULL,
	          "%s", all);
	got = value_bytes(f, "Synth/" PST_SECTION "/01020fff", "BINARY");
	assert_bytes(&got, &e, "01020fff");
	got = value_bytes(f, "Synth/" GLOBAL "/001f6610", "BINARY");
	want = utf16z("E:\\Store\\x.ost");
	assert_bytes(&got, &want, "001f6610");
	got = value_bytes(f, "Synth/" GLOBAL "/001e6610", "BINARY");
	want = (struct bytes){0};
	add(&want, "E:\\Store\\x.ost", sizeof("E:\\Store\\x.ost"));
	assert_bytes(&got, &want, "001e6610");
	got = value_bytes(f, "Synth/" OUTLOOK "/1102039b", "BINARY");
	want = mv_of(&e);
	assert_bytes(&got, &want, "1102039b");
	got = value_bytes(f, "00000001/Delivery Store EntryID", "BINARY");
	assert_bytes(&got, &e, "Delivery Store EntryID");
	/* Whole components: C:\Database is not below C:\Data. */
	got = value_bytes(f, "Synth/" OTHER_SECTION "/01020fff", "BINARY");
	want = entryid("", "C:\\Database\\x.pst");
	assert_bytes(&got, &want, "the other 01020fff");
	got = value_bytes(f, "Synth/" OTHER_SECTION "/001f6700", "BINARY");
	want = utf16z("C:\\Database\\x.pst");
	assert_bytes(&got, &want, "the other 001f6700");
	/* hivexregedit reads the written hive too. */
	char *hx[] = {"/usr/bin/hivexregedit", "--export", f, "\\", NULL};
	struct tu_run r;
	cr_assert_eq(tu_run(hx, &r), 0);
	cr_assert_eq(r.status, 0, "hivexregedit: %s", r.err);
	cr_assert(strstr(r.out, "\"001f6610\"=hex(3):45,00,3a,00,5c,00,53,00,74,00") != NULL, "%s",
	          r.out);
	tu_run_free(&r);

	TU_CLI_EXPECT(0, "relocate", "E:\\Store", "C:\\Data", f);
	char *after = values_of(f);
	cr_assert_str_eq(after, before);
	TU_CLI_EXPECT(0, "relocate", "--check", "E:\\Store", "C:\\Data", f);
	cr_assert(strstr(tu_last.out, "unchanged") != NULL, "%s", tu_last.out);
	free(all);
	free(before);
	free(after);
	free(f);
}

Test(cli_relocate, check_exits_3_and_changes_nothing_and_0_when_nothing_lies_below)
{
	char *f = synth_file("NTUSER.DAT", 1, OLD_PST, OLD_PST, "C:\\Data\\x.ost");
	struct tu_snap s = tu_snap_take(f);
	TU_CLI_EXPECT(3, "relocate", "--check", "C:\\Data\\Mail", "E:\\Store", f);
	cr_assert(strstr(tu_last.out, "would change 5 values") != NULL, "%s", tu_last.out);
	/* Not whole components: nothing. */
	TU_CLI_EXPECT(0, "relocate", "--check", "C:\\Datab", "E:\\Store", f);
	TU_CLI_EXPECT(0, "relocate", "--check", "C:\\Data\\Mai", "E:\\Store", f);
	TU_CLI_EXPECT(0, "relocate", "C:\\Nothing", "E:\\Store", f);
	cr_assert(strstr(tu_last.out, "unchanged") != NULL, "%s", tu_last.out);
	tu_snap_assert_same(&s, f);
	free(f);
}

/* The same result from FROM and TO spelled with another case or trailing
 * backslashes; a path stored in another case than FROM moves too, and
 * takes TO's spelling for the part that moved (the rest keeps its own). */
Test(cli_relocate, case_and_trailing_backslashes_do_not_matter)
{
	const char *lower = "c:\\data\\Mail\\a.pst";
	char *a = synth_file("a.dat", 1, OLD_PST, lower, "C:\\Data\\x.ost");
	char *b = synth_file("b.dat", 1, OLD_PST, lower, "C:\\Data\\x.ost");
	char *c = synth_file("c.dat", 1, OLD_PST, lower, "C:\\Data\\x.ost");
	TU_CLI_EXPECT(0, "relocate", "C:\\Data", "E:\\Store", a);
	cr_assert(strstr(tu_last.out, "7 changes written") != NULL, "%s", tu_last.out);
	TU_CLI_EXPECT(0, "relocate", "c:\\DATA\\", "E:\\Store\\", b);
	TU_CLI_EXPECT(0, "relocate", "C:\\data\\\\", "E:\\Store", c);
	char *va = values_of(a), *vb = values_of(b), *vc = values_of(c);
	cr_assert(strstr(va, "/" PST_SECTION "/001e6700,SZ,E:\\Store\\Mail\\a.pst\n") != NULL, "%s",
	          va);
	cr_assert_str_eq(va, vb);
	cr_assert_str_eq(va, vc);
	free(va);
	free(vb);
	free(vc);
	free(a);
	free(b);
	free(c);
}

Test(cli_relocate, too_long_for_the_ansi_form_is_exit_1_naming_the_value)
{
	char *f = synth_file("NTUSER.DAT", 1, OLD_PST, OLD_PST, "C:\\Data\\x.ost");
	struct tu_snap s = tu_snap_take(f);
	char to[300] = "E:\\";
	memset(to + 3, 'x', 250);
	to[253] = '\0';
	TU_CLI_EXPECT(1, "relocate", "C:\\Data", to, f);
	cr_assert(strstr(tu_last.err, "is too long") != NULL, "%s", tu_last.err);
	cr_assert(strstr(tu_last.err, "more than 259") != NULL, "%s", tu_last.err);
	cr_assert(strstr(tu_last.err, "profile 'Synth', section ") != NULL, "%s", tu_last.err);
	cr_assert(strstr(tu_last.err, ", value ") != NULL, "%s", tu_last.err);
	tu_snap_assert_same(&s, f);
	free(f);
}

Test(cli_relocate, a_path_the_code_page_cannot_hold_is_exit_1_and_another_code_page_takes_it)
{
	char *f = synth_file("NTUSER.DAT", 1, OLD_PST, OLD_PST, "C:\\Data\\x.ost");
	struct tu_snap s = tu_snap_take(f);
	/* U+65E5 U+672C: no windows-1252 bytes; 93 FA 96 7B in CP932. */
	TU_CLI_EXPECT(1, "relocate", "C:\\Data", "E:\\\xE6\x97\xA5\xE6\x9C\xAC", f);
	cr_assert(strstr(tu_last.err, "cannot be written in code page WINDOWS-1252") != NULL, "%s",
	          tu_last.err);
	cr_assert(strstr(tu_last.err, "profile 'Synth', section ") != NULL, "%s", tu_last.err);
	tu_snap_assert_same(&s, f);
	TU_CLI_EXPECT(0, "relocate", "--codepage", "CP932", "C:\\Data",
	              "E:\\\xE6\x97\xA5\xE6\x9C\xAC", f);
	struct bytes got = value_bytes(f, "Synth/" GLOBAL "/001e6610", "BINARY"), want = {0};
	add(&want, "E:\\\x93\xFA\x96\x7B\\x.ost", sizeof("E:\\\x93\xFA\x96\x7B\\x.ost"));
	assert_bytes(&got, &want, "001e6610 in CP932");
	free(f);
}

/* A .reg file: the moved values are in its text; the way back gives the
 * same values (a hive built from each by the fixture builder, read by
 * reglookup), and the file itself byte for byte when it was in regedit's
 * layout (an export) to begin with. */
Test(cli_relocate, reg_file_moves_and_comes_back)
{
	char *f = synth_file("synth.reg", 0, OLD_PST, OLD_PST, "C:\\Data\\x.ost");
	char *orig_hive = synth_file("orig.dat", 1, OLD_PST, OLD_PST, "C:\\Data\\x.ost");
	TU_CLI_EXPECT(3, "relocate", "--check", "C:\\Data", "E:\\Store", f);
	TU_CLI_EXPECT(0, "relocate", "C:\\Data", "E:\\Store", f);
	cr_assert(strstr(tu_last.out, "7 changes written") != NULL, "%s", tu_last.out);
	size_t n1 = 0;
	char *moved = tu_read(f, &n1);
	/* The new entry ID is in the text, in regedit's hex form. */
	struct bytes e = entryid(NEW_PST, NEW_PST);
	char *he = reg_hex(&e);
	char *flat = calloc(1, n1 + 1);
	size_t k = 0;
	for (size_t i = 0; i < n1; i++) /* undo regedit's line wrapping */
		if (moved[i] != '\\' || i + 1 >= n1 ||
		    (moved[i + 1] != '\r' && moved[i + 1] != '\n'))
			if (moved[i] != ' ' && moved[i] != '\r' && moved[i] != '\n')
				flat[k++] = moved[i];
	cr_assert(strstr(flat, he + 4) != NULL, "the new entry ID is not in %s", moved);
	TU_CLI_EXPECT(0, "relocate", "--check", "C:\\Data", "E:\\Store", f);
	TU_CLI_EXPECT(0, "relocate", "E:\\Store", "C:\\Data", f);
	/* Same values as the original. */
	char *back = tu_tmp_path("back.dat");
	char *argv[] = {(char *)MP_MKHIVE, f, back, NULL};
	struct tu_run r;
	cr_assert_eq(tu_run(argv, &r), 0);
	cr_assert_eq(r.status, 0, "mkhive: %s", r.err);
	tu_run_free(&r);
	char *v0 = values_of(orig_hive), *v1 = values_of(back);
	cr_assert_str_eq(v1, v0);
	/* An export (regedit's layout) comes back byte for byte. */
	char *exp = tu_tmp_path("export.reg");
	TU_CLI_EXPECT(0, "export", "--all-profiles", "-o", exp, orig_hive);
	size_t n0 = 0;
	char *orig = tu_read(exp, &n0);
	TU_CLI_EXPECT(0, "relocate", "--all-profiles", "C:\\Data", "E:\\Store", exp);
	cr_assert(strstr(tu_last.out, "7 changes written") != NULL, "%s", tu_last.out);
	TU_CLI_EXPECT(0, "relocate", "--all-profiles", "E:\\Store", "C:\\Data", exp);
	tu_assert_file_is(exp, orig, n0);
	free(v0);
	free(v1);
	free(back);
	free(exp);
	free(flat);
	free(he);
	free(orig);
	free(moved);
	free(orig_hive);
	free(f);
}

/* ---- the public samples ------------------------------------------------------ */

/* x with the UTF-16LE of old replaced by that of new (once). */
static struct bytes
splice(const struct bytes *x, const char *old, const char *new_prefix)
{
	struct bytes o = {0}, out = {0};
	add_utf16(&o, old, 0);
	for (size_t i = 0; i + o.n <= x->n; i++) {
		if (memcmp(x->b + i, o.b, o.n) == 0) {
			add(&out, x->b, i);
			add_utf16(&out, new_prefix, 0);
			add(&out, x->b + i + o.n, x->n - i - o.n);
			return out;
		}
	}
	cr_assert_fail("%s is not in the value", old);
	return out;
}

/* Moves the sample's user folder and back; checks the PST path, the PST's
 * entry ID, (when delivery) the Delivery Store EntryID and the store list
 * 1102039b when it holds only that entry ID after the move, and every
 * value after the way back.  Returns the list's layout width when it was
 * checked, else 0. */
static int
sample_round_trip(const char *hive, const char *pst_key, const char *user, const char *delivery,
                  int force, const char *left_alone)
{
	char from[128], to[128];
	snprintf(from, sizeof(from), "C:\\Users\\%s", user);
	snprintf(to, sizeof(to), "D:\\Relocated\\%s", user);
	char *before = values_of(hive);
	char pst_path[256], eid_path[256];
	snprintf(pst_path, sizeof(pst_path), "%s/001f6700", pst_key);
	snprintf(eid_path, sizeof(eid_path), "%s/01020fff", pst_key);
	struct bytes pst0 = value_bytes_in(before, pst_path, "BINARY");
	struct bytes eid0 = value_bytes_in(before, eid_path, "BINARY");
	struct bytes del0 = {0}, mv0 = {0};
	const char *mv_path = "Profiles/Outlook/0a0d020000000000c000000000000046/1102039b";
	mv0 = value_bytes_in(before, mv_path, "BINARY");
	/* A list of one entry ID, the PST's own, in one of the two layouts,
	 * maybe with bytes after it. */
	int width = 0;
	size_t tail = 0;
	for (int w = 4; w <= 8 && mv0.n >= 4 && mv0.b[0] == 1 && mv0.b[1] == 0; w += 4) {
		size_t hdr = w == 8 ? 20 : 12;
		if (mv0.n < hdr + eid0.n)
			continue;
		struct bytes one = mv1_of(&eid0, w, mv0.b + hdr + eid0.n, mv0.n - hdr - eid0.n);
		if (one.n == mv0.n && memcmp(one.b, mv0.b, one.n) == 0) {
			width = w;
			tail = mv0.n - hdr - eid0.n;
		}
	}
	if (delivery != NULL)
		del0 = value_bytes_in(before, delivery, "BINARY");
	if (force)
		TU_CLI_EXPECT(0, "relocate", "--force", from, to, hive);
	else
		TU_CLI_EXPECT(0, "relocate", from, to, hive);
	/* A store entry ID inside an undocumented structure: named, kept. */
	if (left_alone != NULL) {
		char want_note[128];
		snprintf(want_note, sizeof(want_note), "value %s holds a PST store entry ID",
		         left_alone);
		cr_assert(strstr(tu_last.err, want_note) != NULL, "%s", tu_last.err);
	}
	/* One reglookup dump of the relocated hive for every value read. */
	char *moved = values_of(hive);
	struct bytes got = value_bytes_in(moved, pst_path, "BINARY"),
	             want = splice(&pst0, from, to);
	assert_bytes(&got, &want, "001f6700");
	got = value_bytes_in(moved, eid_path, "BINARY");
	want = splice(&eid0, from, to);
	assert_bytes(&got, &want, "01020fff");
	/* The store list: its element rebuilt, its descriptor with it. */
	if (width != 0) {
		got = value_bytes_in(moved, mv_path, "BINARY");
		struct bytes eid1 = splice(&eid0, from, to);
		want = mv1_of(&eid1, width, mv0.b + mv0.n - tail, tail);
		assert_bytes(&got, &want, "1102039b");
	}
	if (delivery != NULL) {
		got = value_bytes_in(moved, delivery, "BINARY");
		want = splice(&del0, from, to);
		assert_bytes(&got, &want, "Delivery Store EntryID");
	}
	free(moved);
	if (force)
		TU_CLI_EXPECT(0, "relocate", "--force", to, from, hive);
	else
		TU_CLI_EXPECT(0, "relocate", to, from, hive);
	char *after = values_of(hive);
	cr_assert_str_eq(after, before);
	free(before);
	free(after);
	return width;
}

Test(cli_relocate, sample_regipy_office16)
{
	char *hive = tu_stage_src("real/regipy/NTUSER_BAGMRU.DAT");
	/* Dirty, without logs: written only with --force.  Its store list
	 * is in the 64-bit layout. */
	int width = sample_round_trip(hive, "Profiles/Outlook/6876da12b533bc47a32ce78191722d01",
	                              "tony", NULL, 1, "11020434");
	cr_assert_eq(width, 8);
	free(hive);
}

Test(cli_relocate, sample_notatin_win7)
{
	char *hive = tu_stage_src("real/notatin/win7_ntuser.dat");
	sample_round_trip(hive, "Profiles/Outlook/847a94f3c7daf447aeec5a9d4fa02acb", "jmroberts",
	                  NULL, 0, NULL);
	free(hive);
}

Test(cli_relocate, sample_plaso_pop3_delivery_store)
{
	char *hive = tu_stage_src("real/plaso/NTUSER-WIN7.DAT");
	sample_round_trip(hive, "Profiles/Outlook/93f9ea29aea81047b2e824b6a8583e48", "nfury",
	                  "9375CFF0413111d3B88A00104B2A6676/00000003/Delivery Store EntryID", 0,
	                  "1102022a");
	free(hive);
}

Test(cli_relocate, usage_errors_exit_2)
{
	TU_CLI_EXPECT(2, "relocate", "C:\\Data");
	TU_CLI_EXPECT(2, "relocate", "", "E:\\", "x.dat");
	TU_CLI_EXPECT(2, "relocate", "\\\\", "E:\\", "x.dat");
	TU_CLI_EXPECT(2, "relocate", "C:\\Data", "E:\\\t", "x.dat");
	TU_CLI_EXPECT(2, "relocate", "C:\\Data", "E:\\");
}

Test(cli_relocate, profile_selection_and_a_hive_without_profiles)
{
	char *f = synth_file("NTUSER.DAT", 1, OLD_PST, OLD_PST, "C:\\Data\\x.ost");
	TU_CLI_EXPECT(1, "relocate", "--profile", "Nope", "C:\\Data", "E:\\Store", f);
	cr_assert(strstr(tu_last.err, "Nope") != NULL, "%s", tu_last.err);
	TU_CLI_EXPECT(3, "relocate", "--check", "--profile", "synth", "C:\\Data", "E:\\Store", f);
	char *none = tu_stage_built("no-profiles.dat");
	struct tu_snap s = tu_snap_take(none);
	TU_CLI_EXPECT(0, "relocate", "C:\\Data", "E:\\Store", none);
	cr_assert(strstr(tu_last.out, "unchanged") != NULL, "%s", tu_last.out);
	tu_snap_assert_same(&s, none);
	free(none);
	free(f);
}

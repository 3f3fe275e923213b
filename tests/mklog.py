#!/usr/bin/env python3
"""mklog.py - a dirty hive and its new-format transaction log, made without
mapiprof's code, so that its replay is checked against a log it did not seal.

    mklog.py make CLEAN CHANGED OUT [ENTRIES]
        CLEAN and CHANGED are the same hive before and after some edits (the
        root cell where it was; CHANGED's hive bins may have grown).  Writes
        OUT, CLEAN's bytes with a base block that says "dirty", and OUT.LOG1,
        a new-format log whose ENTRIES (default 2) HvLE entries hold every
        4 KiB page of CHANGED's hive bins that differs from CLEAN's.
        Replaying OUT.LOG1 onto OUT gives CHANGED's hive bins.
    mklog.py check LOG
        Verifies Hash-1 and Hash-2 of every HvLE entry of LOG (e.g. a log
        Windows wrote) with this script's Marvin32; exit 1 on a mismatch.

Written from the public descriptions of the format:
  [S] Maxim Suhanov, "Windows registry file format specification"
      (github.com/msuhanov/regf): "Base block", "Format of transaction log
      files" / "New format" / "Log entries" and its notes, "Dirty state of a
      hive";
  [S2] the same repository, "Missing log entries for a dirty primary file":
      the first entry to apply carries the primary's secondary sequence
      number, each later one the next number;
  [M] Joachim Metz, "Windows NT Registry File (REGF) format specification"
      (libyal/libregf documentation): file header fields, sequence numbers
      that differ when a hive was not synchronised, the XOR-32 checksum;
  [H] Marvin32 as Microsoft published it (SymCrypt's Marvin32 and .NET's
      Marvin, MIT licence): two 32-bit state words seeded from the 64-bit
      seed's halves, each little-endian 32-bit word of the input added to
      the first word and mixed by the block function, the last 0-3 bytes
      padded with 0x80, then one more mix with nothing added; the result is
      both words.
The seed: [S] gives 14219357686671994754 "(little-endian)", whose bytes in
that order are 82 EF 4D 88 7A 4E 55 C5.  Read as state words, the first is
0x7A4E55C5 and the second 0x82EF4D88: with these (not with the halves of
the decimal number) `check` accepts the hashes of every entry of a log
Windows 10 wrote (yarp's test hive NewDirtyHive1, NewDirtyHive.LOG1).  The
8-byte hash fields hold the first state word then the second, little-endian.
"""
import struct
import sys

MASK = 0xFFFFFFFF
BASE_BLOCK = 4096  # primary base block [S "Base block"]
LOG_BASE = 512  # a log keeps the first 512 bytes of it [S "Old format"]
PAGE = 4096  # dirty pages are whole 4 KiB pages of the hive bins
SECTOR = 512  # entries start at and are sized in multiples of 512 [S]
ENTRY_HEADER = 40
SEED = (0x7A4E55C5, 0x82EF4D88)

# Base block fields [S "Base block"], [M "File header"].
OFF_SEQ1, OFF_SEQ2, OFF_TYPE, OFF_ROOT, OFF_BINS, OFF_CHECKSUM = 4, 8, 28, 36, 40, 508
TYPE_LOG_NEW = 6  # [S "New format", "Base block"]


def rotl(x, n):
    return ((x << n) | (x >> (32 - n))) & MASK


def mix(a, b):
    """The Marvin32 block function [H]."""
    b ^= a
    a = rotl(a, 20)
    a = (a + b) & MASK
    b = rotl(b, 9)
    b ^= a
    a = rotl(a, 27)
    a = (a + b) & MASK
    b = rotl(b, 19)
    return a, b


def marvin32(data):
    """The 8 bytes of the Marvin32 hash of data with the HvLE seed."""
    a, b = SEED
    whole = len(data) // 4 * 4
    for (word,) in struct.iter_unpack("<I", data[:whole]):
        a, b = mix((a + word) & MASK, b)
    last = 0x80
    for byte in reversed(data[whole:]):
        last = (last << 8) | byte
    a, b = mix((a + last) & MASK, b)
    a, b = mix(a, b)
    return struct.pack("<II", a, b)


def u32(buf, off):
    return struct.unpack_from("<I", buf, off)[0]


def seal(base):
    """Stores the XOR-32 of the first 508 bytes at 508 [S note 2], [M]."""
    x = 0
    for (word,) in struct.iter_unpack("<I", bytes(base[:OFF_CHECKSUM])):
        x ^= word
    struct.pack_into("<I", base, OFF_CHECKSUM, x)


def read_hive(path):
    with open(path, "rb") as f:
        data = bytearray(f.read())
    if len(data) < BASE_BLOCK or data[:4] != b"regf":
        sys.exit(f"mklog.py: {path}: not a regf hive")
    return data


def entry(changed, pages, seq, bins):
    """One HvLE entry [S "Log entries"]: header, page references, pages."""
    refs = b"".join(struct.pack("<II", p * PAGE, PAGE) for p in pages)
    body = refs + b"".join(
        changed[BASE_BLOCK + p * PAGE:BASE_BLOCK + (p + 1) * PAGE] for p in pages
    )
    size = -(-(ENTRY_HEADER + len(body)) // SECTOR) * SECTOR
    body += bytes(size - ENTRY_HEADER - len(body))
    head = bytearray(b"HvLE" + struct.pack("<IIIII", size, 0, seq, bins, len(pages)))
    head += marvin32(body)  # Hash-1: from the first reference, Size - 40 bytes
    head += marvin32(bytes(head))  # Hash-2: the first 32 bytes, Hash-1 included
    return bytes(head) + body


def make(clean_path, changed_path, out, entries):
    clean, changed = read_hive(clean_path), read_hive(changed_path)
    if u32(clean, OFF_ROOT) != u32(changed, OFF_ROOT):
        sys.exit("mklog.py: the root cell moved")
    bins, clean_bins = u32(changed, OFF_BINS), u32(clean, OFF_BINS)
    if bins % PAGE or len(changed) < BASE_BLOCK + bins:
        sys.exit("mklog.py: the hive-bins size does not fit the changed hive")

    def page(buf, k):
        return buf[BASE_BLOCK + k * PAGE:BASE_BLOCK + (k + 1) * PAGE]

    pages = [
        k
        for k in range(bins // PAGE)
        if (k + 1) * PAGE > clean_bins or page(clean, k) != page(changed, k)
    ]
    if not 1 <= entries <= len(pages):
        sys.exit(f"mklog.py: {len(pages)} pages changed, {entries} entries asked")
    seq = u32(clean, OFF_SEQ2)

    # The log's base block: the primary's first sector, file type 6, both
    # sequence numbers equal [S "Old format" / "Base block" notes 1-2].
    log = bytearray(clean[:LOG_BASE])
    struct.pack_into("<II", log, OFF_SEQ1, seq, seq)
    struct.pack_into("<I", log, OFF_TYPE, TYPE_LOG_NEW)
    seal(log)
    done = 0
    for i in range(entries):
        n = (len(pages) - done) // (entries - i)
        log += entry(changed, pages[done:done + n], seq + i, bins)  # [S2]
        done += n

    # The primary as a writer leaves it before the log is applied: primary
    # sequence number one ahead of the secondary [S "Dirty state of a hive"].
    struct.pack_into("<I", clean, OFF_SEQ1, seq + 1)
    seal(clean)
    with open(out, "wb") as f:
        f.write(clean)
    with open(out + ".LOG1", "wb") as f:
        f.write(log)


def check(path):
    with open(path, "rb") as f:
        log = f.read()
    pos, n = LOG_BASE, 0
    while pos + ENTRY_HEADER <= len(log) and log[pos:pos + 4] == b"HvLE":
        size = u32(log, pos + 4)
        e = log[pos:pos + size]
        if e[24:32] != marvin32(e[ENTRY_HEADER:]) or e[32:40] != marvin32(e[:32]):
            sys.exit(f"mklog.py: {path}: entry at {pos}: hashes differ")
        pos, n = pos + size, n + 1
    if n == 0:
        sys.exit(f"mklog.py: {path}: no HvLE entry")
    print(f"{n} entries verified")


def main(argv):
    if len(argv) in (5, 6) and argv[1] == "make":
        make(argv[2], argv[3], argv[4], int(argv[5]) if len(argv) == 6 else 2)
    elif len(argv) == 3 and argv[1] == "check":
        check(argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)

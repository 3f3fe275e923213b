#!/usr/bin/env python3
"""hvle_check.py - checks a new-format (HvLE) transaction log and replays it
onto its hive without mapiprof's code, so that the logs `--in-place` writes
are read by a reader that did not write them.

    hvle_check.py check LOG
        Checks LOG's base block (signature "regf", file type 6, equal
        sequence numbers, XOR-32 checksum) and every HvLE entry from offset
        512 on (size a multiple of 512, Hash-1 and Hash-2, sequence numbers
        counting up from the base block's, hive-bins size a multiple of 4096,
        page references whole 4 KiB pages inside it).  Prints one line
        "entry SEQ BINS NPAGES" per entry and "page OFFSET SIZE" per page
        reference (OFFSET from the start of the hive bins); exit 1 on the
        first fault, or when LOG is empty or holds no entry.
    hvle_check.py replay HIVE LOG OUT
        Writes OUT: HIVE as Windows loads it.  A clean HIVE (sequence numbers
        equal) is copied; a dirty one gets, from the entry numbered with its
        secondary sequence number on, each entry's pages, its hive-bins size
        and, last, a clean base block with the last sequence applied.  Exit 1
        when HIVE is dirty and LOG has no entry that continues it.

Written from M. Suhanov's "Windows registry file format specification"
(github.com/msuhanov/regf): "Base block", "New format: Log entries" and its
notes, "Dirty state of a hive"; Marvin32, the seed and the field offsets
are mklog.py's (an independent writer of such logs, documented there).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mklog import (BASE_BLOCK, ENTRY_HEADER, LOG_BASE, OFF_BINS, OFF_CHECKSUM,  # noqa: E402
                   OFF_SEQ1, OFF_SEQ2, OFF_TYPE, PAGE, SECTOR, TYPE_LOG_NEW, marvin32,
                   seal, u32)


def fail(msg):
    sys.exit(f"hvle_check.py: {msg}")


def xor32(base):
    x = 0
    for off in range(0, OFF_CHECKSUM, 4):
        x ^= u32(base, off)
    return x


def entries(path):
    """The checked entries of the log at path: (seq, bins, [(off, page bytes)])."""
    with open(path, "rb") as f:
        log = f.read()
    if len(log) < LOG_BASE or log[:4] != b"regf":
        fail(f"{path}: no regf base block ({len(log)} bytes)")
    if u32(log, OFF_TYPE) != TYPE_LOG_NEW:
        fail(f"{path}: file type {u32(log, OFF_TYPE)}, not a new-format log")
    if u32(log, OFF_SEQ1) != u32(log, OFF_SEQ2):
        fail(f"{path}: sequence numbers differ")
    if xor32(log) != u32(log, OFF_CHECKSUM):
        fail(f"{path}: bad base block checksum")
    seq, pos, out = u32(log, OFF_SEQ1), LOG_BASE, []
    while pos + ENTRY_HEADER <= len(log) and log[pos:pos + 4] == b"HvLE":
        size = u32(log, pos + 4)
        if size < SECTOR or size % SECTOR or pos + size > len(log):
            fail(f"{path}: entry at {pos}: size {size}")
        e = log[pos:pos + size]
        if e[24:32] != marvin32(e[ENTRY_HEADER:]) or e[32:40] != marvin32(e[:32]):
            fail(f"{path}: entry at {pos}: hashes differ")
        eseq, bins, npages = u32(e, 12), u32(e, 16), u32(e, 20)
        if eseq != seq:
            fail(f"{path}: entry at {pos}: sequence {eseq}, expected {seq}")
        if bins == 0 or bins % PAGE:
            fail(f"{path}: entry at {pos}: hive-bins size {bins}")
        at, pages = ENTRY_HEADER + 8 * npages, []
        for i in range(npages):
            off, psize = u32(e, ENTRY_HEADER + 8 * i), u32(e, ENTRY_HEADER + 8 * i + 4)
            if off % PAGE or psize == 0 or psize % PAGE or off + psize > bins:
                fail(f"{path}: entry at {pos}: page {off} of {psize} bytes")
            if at + psize > size:
                fail(f"{path}: entry at {pos}: pages overrun it")
            pages.append((off, e[at:at + psize]))
            at += psize
        out.append((eseq, bins, pages))
        pos, seq = pos + size, seq + 1
    if not out:
        fail(f"{path}: no HvLE entry")
    return out


def check(path):
    for seq, bins, pages in entries(path):
        print(f"entry {seq} {bins} {len(pages)}")
        for off, data in pages:
            print(f"page {off} {len(data)}")


def replay(hive, log, out):
    with open(hive, "rb") as f:
        img = bytearray(f.read())
    seq1, seq2 = u32(img, OFF_SEQ1), u32(img, OFF_SEQ2)
    if seq1 != seq2 or xor32(img) != u32(img, OFF_CHECKSUM):
        todo = [e for e in entries(log) if e[0] >= seq2]
        if not todo or todo[0][0] != seq2:
            fail(f"{hive}: dirty (sequence {seq1}/{seq2}) and {log} does not continue it")
        for seq, bins, pages in todo:
            img = img[:BASE_BLOCK + bins] + bytes(max(0, BASE_BLOCK + bins - len(img)))
            for off, data in pages:
                img[BASE_BLOCK + off:BASE_BLOCK + off + len(data)] = data
            img[OFF_SEQ1:OFF_SEQ1 + 4] = seq.to_bytes(4, "little")
            img[OFF_SEQ2:OFF_SEQ2 + 4] = seq.to_bytes(4, "little")
            img[OFF_BINS:OFF_BINS + 4] = bins.to_bytes(4, "little")
        seal(img)
    with open(out, "wb") as f:
        f.write(img)


def main(argv):
    if len(argv) == 3 and argv[1] == "check":
        check(argv[2])
    elif len(argv) == 5 and argv[1] == "replay":
        replay(argv[2], argv[3], argv[4])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)

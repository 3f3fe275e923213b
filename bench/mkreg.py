#!/usr/bin/env python3
"""mkreg.py - write a large .reg file of one shape, for measuring the .reg
reader's peak memory (see bench/README.md, "Memory on large .reg files").

usage: mkreg.py KIND SIZE_MIB OUT [--utf16] [--fail-at LINE]

KIND:
  keys    key lines only: "[HKCU\\Bench<n/4096>\\k<n%4096>]", 21-25 bytes a
          line with its LF: many items per byte
  flat    key lines "[HKCU\\Bench\\k<n>]": one key with ever more subkeys,
          refused after 70,000 of them (MP_MAX_SUBKEYS_PER_KEY)
  values  one key line per 64 value lines "\"v<n>\"=dword:<n>"
  hex     one key line per value; each value a REG_BINARY of 4 KiB written
          as hex with ",\\" continuation lines of 25 bytes (as regedit)
  mixed   a regedit-like export: keys with 1-6 values (strings, dwords,
          short and long binaries)

The header comes first ("Windows Registry Editor Version 5.00"); the profile
tree of fixtures/exchange-mapi.reg is not included, so `mapiprof list`
finds no profile and exits 0 after reading the whole file.  --utf16 writes
UTF-16LE with a BOM and CRLF, as regedit exports; otherwise UTF-8 with LF.
The file is cut at the first line ending past SIZE_MIB MiB (UTF-8 bytes;
about twice as many with --utf16).  --fail-at LINE replaces line LINE with
a line the reader refuses ("bad line"), so the read fails there.
Deterministic: the same arguments give the same bytes.
"""
import sys


def lines(kind):
    n = 0
    while True:
        if kind == "keys":
            yield "[HKCU\\Bench%d\\k%d]" % (n >> 12, n & 4095)
        elif kind == "flat":
            yield "[HKCU\\Bench\\k%d]" % n
        elif kind == "values":
            if n % 64 == 0:
                yield "[HKEY_CURRENT_USER\\Software\\Bench\\k%d]" % (n // 64)
            yield '"v%d"=dword:%08x' % (n, n & 0xFFFFFFFF)
        elif kind == "hex":
            yield "[HKEY_CURRENT_USER\\Software\\Bench\\k%d]" % n
            data = bytes((n + i) & 0xFF for i in range(4096))
            first = '"blob"=hex:'
            hexes = ["%02x" % b for b in data]
            # regedit: about 80 columns, 25 bytes a continuation line.
            yield first + ",".join(hexes[:20]) + ",\\"
            for i in range(20, len(hexes), 25):
                chunk = ",".join(hexes[i:i + 25])
                yield "  " + chunk + (",\\" if i + 25 < len(hexes) else "")
        elif kind == "mixed":
            yield ""
            yield "[HKEY_CURRENT_USER\\Software\\Vendor%d\\Product\\Area%d\\Item%d]" % (
                n % 37, n % 11, n)
            for j in range(1 + n % 6):
                m = (n * 7 + j) % 5
                if m == 0:
                    yield '"Path%d"="C:\\\\Program Files\\\\Vendor\\\\file%d.dll"' % (j, n)
                elif m == 1:
                    yield '"Flags%d"=dword:%08x' % (j, (n * 2654435761) & 0xFFFFFFFF)
                elif m == 2:
                    yield '"Bin%d"=hex:' % j + ",".join(
                        "%02x" % ((n + i) & 0xFF) for i in range(16))
                elif m == 3:
                    hexes = ["%02x" % ((n * 3 + i) & 0xFF) for i in range(300)]
                    yield '"Blob%d"=hex:' % j + ",".join(hexes[:20]) + ",\\"
                    for i in range(20, len(hexes), 25):
                        yield "  " + ",".join(hexes[i:i + 25]) + (
                            ",\\" if i + 25 < len(hexes) else "")
                else:
                    yield '"Name%d"="word %d"' % (j, n)
        else:
            raise SystemExit("mkreg.py: unknown kind %r" % kind)
        n += 1


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    utf16 = "--utf16" in argv
    fail_at = 0
    if "--fail-at" in argv:
        fail_at = int(argv[argv.index("--fail-at") + 1])
        args.remove(str(fail_at))
    if len(args) != 3:
        raise SystemExit(__doc__)
    kind, size, out = args[0], int(args[1]) * 1024 * 1024, args[2]
    eol = "\r\n" if utf16 else "\n"
    enc = "utf-16-le" if utf16 else "utf-8"
    written = 0
    lineno = 2
    buf = []
    with open(out, "wb") as f:
        if utf16:
            f.write(b"\xff\xfe")
        f.write(("Windows Registry Editor Version 5.00" + eol + eol).encode(enc))
        lineno = 3
        for line in lines(kind):
            if lineno == fail_at:
                line = "bad line"
            buf.append(line)
            written += len(line) + 1
            lineno += 1
            if len(buf) >= 4096 or written >= size:
                f.write((eol.join(buf) + eol).encode(enc))
                buf = []
            if written >= size:
                break


if __name__ == "__main__":
    main(sys.argv)

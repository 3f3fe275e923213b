#!/usr/bin/env python3
"""toregedit.py IN OUT - turns `hivexregedit --export` output (UTF-8, LF, every
value as hex(N)) into what regedit exports for the same keys: UTF-16LE with a
BOM, CRLF, REG_SZ as "text" where it round-trips, REG_DWORD as dword:, REG_BINARY
as hex:, hex wrapped at column 77 (Wine regproc.c export_hex_data).
Deterministic: the same input gives the same bytes.  A whole-HKCU export of
bench/mkbig.py's 64 MiB hive (306 MiB):

  python3 bench/mkbig.py 64 big64.dat
  hivexregedit --export --prefix HKEY_CURRENT_USER big64.dat '\\' > big64.utf8.reg
  python3 bench/toregedit.py big64.utf8.reg hkcu64.reg
"""
import re, sys

MAX_HEX_CHARS = 77
val_re = re.compile(r'^(@|"((?:[^"\\]|\\.)*)")=(.*)$')


def hexdata(line_len, type_tag, data):
    out = [type_tag]
    line_len += len(type_tag)
    n = len(data)
    for i, b in enumerate(data):
        out.append("%02x" % b)
        line_len += 2
        if i < n - 1:
            out.append(",")
            line_len += 1
            if line_len >= MAX_HEX_CHARS:
                out.append("\\\r\n  ")
                line_len = 2
    return "".join(out)


def as_text(data):
    if len(data) < 2 or len(data) % 2 or data[-2:] != b"\0\0":
        return None
    try:
        s = data[:-2].decode("utf-16-le")
    except UnicodeDecodeError:
        return None
    if "\0" in s or any(ord(c) < 0x20 or ord(c) == 0x7f for c in s):
        return None
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def value(name_part, rhs):
    line_len = len(name_part.encode("utf-16-le")) // 2 + 1
    if rhs.startswith("dword:"):
        return name_part + "=" + rhs
    m = re.match(r"^hex(?:\(([0-9a-f]+)\))?:(.*)$", rhs)
    if not m:
        raise SystemExit("unexpected value: %r" % rhs[:80])
    t = int(m.group(1), 16) if m.group(1) else 3
    data = bytes(int(x, 16) for x in m.group(2).split(",") if x)
    if t == 1:
        s = as_text(data)
        if s is not None:
            return name_part + "=" + s
    if t == 4 and len(data) == 4:
        return name_part + "=dword:%08x" % int.from_bytes(data, "little")
    tag = "hex:" if t == 3 else "hex(%x):" % t
    return name_part + "=" + hexdata(line_len, tag, data)


def main():
    src, dst = sys.argv[1], sys.argv[2]
    with open(src, encoding="utf-8", newline="\n") as f, open(dst, "wb") as o:
        o.write(b"\xff\xfe")
        buf = []
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("["):
                if line.endswith("\\]"):
                    line = line[:-2] + "]"
                buf.append(line)
            elif line.startswith('"') or line.startswith("@"):
                m = val_re.match(line)
                if not m:
                    raise SystemExit("unexpected line: %r" % line[:80])
                buf.append(value(m.group(1), m.group(3)))
            else:
                buf.append(line)
            if len(buf) >= 4096:
                o.write(("\r\n".join(buf) + "\r\n").encode("utf-16-le"))
                buf = []
        if buf:
            o.write(("\r\n".join(buf) + "\r\n").encode("utf-16-le"))


main()

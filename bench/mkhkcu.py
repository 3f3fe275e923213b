#!/usr/bin/env python3
"""Write a whole-HKCU export of a hive as regedit writes one: UTF-16LE with a
byte order mark, CRLF line ends, "Windows Registry Editor Version 5.00",
strings as quoted text, REG_DWORD as dword:, other data as hex: / hex(N):
wrapped at regedit's width with "\\" continuation lines.  Deterministic:
the same hive gives the same bytes.

usage: mkhkcu.py HIVE OUT

The hive is read by hivexregedit --export (libwin-hivex-perl), an
independent reader; its one-line hex values are rewritten in regedit's form
(Wine programs/regedit/regproc.c, export_hex_data: 76 columns, then ",\\"
and a continuation line indented by two spaces).
"""

import os
import subprocess
import sys

ROOT = "HKEY_CURRENT_USER"
# Wine regproc.c: a hex line is broken once it reaches this many columns.
MAX_HEX_CHARS = 77


def hex_value(prefix, data):
    """'"name"=hex:..' with regedit's continuation lines."""
    out = [prefix]
    col = len(prefix)
    for i, b in enumerate(data):
        out.append("%02x" % b)
        if i + 1 < len(data):
            out.append(",")
            col += 3
            if col >= MAX_HEX_CHARS:
                out.append("\\\r\n  ")
                col = 2
    return "".join(out)


def quoted(s):
    return s.replace("\\", "\\\\").replace('"', '\\"')


def value_line(line):
    """One value line of hivexregedit's export in regedit's form."""
    # '"name"=...' or '@=...'; names never hold '"=' unescaped, and the
    # data part holds no '"' except for a plain string.
    if line.startswith("@="):
        name, rest = "@", line[2:]
    else:
        end = 1
        while True:
            end = line.index('"=', end)
            # an escaped quote is preceded by an odd run of backslashes
            run = 0
            while line[end - 1 - run] == "\\":
                run += 1
            if run % 2 == 0:
                break
            end += 1
        name, rest = line[: end + 1], line[end + 2 :]
    if rest.startswith("dword:") or rest.startswith('"'):
        return name + "=" + rest
    kind, _, hexdata = rest.partition(":")
    data = bytes.fromhex(hexdata.replace(",", ""))
    if kind == "hex(1)" and len(data) % 2 == 0:
        text = data.decode("utf-16-le", "strict")
        if text.endswith("\0"):
            text = text[:-1]
        if "\0" not in text:
            return "%s=\"%s\"" % (name, quoted(text))
    if kind == "hex(3)":
        kind = "hex"
    return hex_value(name + "=" + kind + ":", data)


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    hive, out = argv[1], argv[2]
    p = subprocess.Popen(
        ["hivexregedit", "--export", "--prefix", ROOT, hive, "\\"],
        stdout=subprocess.PIPE, text=True, encoding="utf-8", errors="strict")
    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(b"\xff\xfe")
        buf = []
        for line in p.stdout:
            line = line.rstrip("\n")
            if line.startswith("[") and line.endswith("]"):
                if line == "[%s\\]" % ROOT:
                    line = "[%s]" % ROOT
            elif line and not line.startswith("Windows Registry Editor"):
                line = value_line(line)
            buf.append(line)
            if len(buf) >= 4096:
                f.write(("\r\n".join(buf) + "\r\n").encode("utf-16-le"))
                buf = []
        if buf:
            f.write(("\r\n".join(buf) + "\r\n").encode("utf-16-le"))
    if p.wait() != 0:
        print("mkhkcu.py: hivexregedit --export failed", file=sys.stderr)
        return 1
    os.replace(tmp, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

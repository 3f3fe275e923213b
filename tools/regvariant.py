#!/usr/bin/env python3
"""regvariant.py - writes a fixture .reg source (UTF-8, any line ends) in
another encoding and line-end style, for the byte-exact round-trip and
patch tests of .reg files (encodings and line ends as Wine's
programs/reg/tests/import.c checks them; fixtures/README.md).

Usage: python3 regvariant.py SRC OUT ENCODING EOL [--no-final-newline]

ENCODING  utf-16le   BOM FF FE, UTF-16LE (what regedit writes)
          utf-8      no BOM
          utf-8-bom  BOM EF BB BF
          cp1252     8-bit windows-1252 text; the header line becomes
                     "REGEDIT4" (a REGEDIT4 file has no BOM, section 1.1)
EOL       crlf, lf, cr, or mixed: CRLF, LF, CR in turn line after line (an
          empty line after a CR line never ends in LF, which would make the
          two one CRLF)
--no-final-newline  drops the blank lines at the end and the last line's
          line end.

The text is otherwise kept character for character.  Python 3 stdlib only;
a problem is printed as "SRC: message" on stderr and exits 1 without
writing OUT.
"""

import sys

HEADER_V5 = "Windows Registry Editor Version 5.00"
EOLS = {"crlf": "\r\n", "lf": "\n", "cr": "\r"}
CYCLE = ["\r\n", "\n", "\r"]


def fail(src, msg):
    sys.stderr.write("%s: %s\n" % (src, msg))
    sys.exit(1)


def terminators(lines, eol):
    """The line end of each line."""
    if eol in EOLS:
        return [EOLS[eol]] * len(lines)
    out = []
    for i, line in enumerate(lines):
        t = CYCLE[i % 3]
        if t == "\n" and line == "" and out and out[-1] == "\r":
            t = "\r\n"
        out.append(t)
    return out


def main(argv):
    if len(argv) not in (5, 6) or (len(argv) == 6 and argv[5] != "--no-final-newline"):
        sys.stderr.write(__doc__)
        return 2
    src, out, enc, eol = argv[1:5]
    if enc not in ("utf-16le", "utf-8", "utf-8-bom", "cp1252"):
        fail(src, "unknown encoding %s" % enc)
    if eol not in ("crlf", "lf", "cr", "mixed"):
        fail(src, "unknown line-end style %s" % eol)
    with open(src, "rb") as f:
        text = f.read().decode("utf-8")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the source's final line end
    if not lines or lines[0] != HEADER_V5:
        fail(src, "the first line is not '%s'" % HEADER_V5)
    if enc == "cp1252":
        lines[0] = "REGEDIT4"
    ends = terminators(lines, eol)
    if len(argv) == 6:
        while lines and lines[-1].strip() == "":
            lines.pop()
            ends.pop()
        ends[-1] = ""
    body = "".join(l + e for l, e in zip(lines, ends))
    try:
        if enc == "utf-16le":
            data = b"\xff\xfe" + body.encode("utf-16-le")
        elif enc == "utf-8-bom":
            data = b"\xef\xbb\xbf" + body.encode("utf-8")
        else:
            data = body.encode("cp1252" if enc == "cp1252" else "utf-8")
    except UnicodeEncodeError as e:
        fail(src, "cannot write in %s: %s" % (enc, e))
    with open(out, "wb") as f:
        f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

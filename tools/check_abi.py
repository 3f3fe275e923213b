#!/usr/bin/env python3
"""check_abi.py - the symbols libmapiprof.so exports are exactly the ones
abi/libmapiprof.symbols lists, each versioned by a MAPIPROF_ node of the
version script, and the list agrees with the version script and with the
MAPIPROF_API declarations of the public header.

    check_abi.py LIBRARY SYMBOLS MAP HEADER

Exits 0 when all four agree; else prints one line per difference, saying
which file to update and what the change means for the ABI (README.md,
"ABI"), and exits 1.  Exit 2: usage, or a file or nm cannot be read.
The exported symbols are read with `nm -D --defined-only` (binutils), which
prints NAME@@VERSION for a versioned default symbol.
"""
import re
import subprocess
import sys

POLICY = 'README.md, "ABI"'


def listed(path):
    with open(path, encoding='utf-8') as f:
        names = [ln.strip() for ln in f]
    return {n for n in names if n and not n.startswith('#')}


def exported(lib):
    """{name: version} of the defined dynamic symbols, version '' when the
    symbol has none; the version nodes themselves (absolute symbols, named
    like the node) are left out."""
    out = subprocess.run(['nm', '-D', '--defined-only', lib], check=True,
                         capture_output=True, text=True).stdout
    syms = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        kind, sym = parts[-2], parts[-1]
        name, _, version = sym.partition('@')
        version = version.lstrip('@')
        if kind == 'A' and version in ('', name):
            continue
        syms[name] = version
    return syms


def map_globals(path):
    """The names in the global: parts of the version script's nodes."""
    with open(path, encoding='utf-8') as f:
        text = re.sub(r'/\*.*?\*/', '', f.read(), flags=re.S)
    names = set()
    for body in re.findall(r'global:(.*?)(?:local:|})', text, flags=re.S):
        names.update(n.strip() for n in body.split(';') if n.strip())
    return names


def header_api(path):
    with open(path, encoding='utf-8') as f:
        text = re.sub(r'/\*.*?\*/', '', f.read(), flags=re.S)
    return set(re.findall(r'MAPIPROF_API\b[^;(]*?\b(mapiprof_\w+)\s*\(', text))


def main(argv):
    if len(argv) != 5:
        print('usage: check_abi.py LIBRARY SYMBOLS MAP HEADER', file=sys.stderr)
        return 2
    lib, sympath, mappath, hdrpath = argv[1:]
    try:
        want = listed(sympath)
        have = exported(lib)
        mapped = map_globals(mappath)
        declared = header_api(hdrpath)
    except (OSError, subprocess.CalledProcessError) as e:
        print('check_abi.py: %s' % e, file=sys.stderr)
        return 2
    errs = []
    for n in sorted(set(have) - want):
        errs.append('%s exports %s, which %s does not list: a new public function is '
                    'an ABI addition; list it there and in %s (a new version node, %s)'
                    % (lib, n, sympath, mappath, POLICY))
    for n in sorted(want - set(have)):
        errs.append('%s lists %s, which %s does not export: removing a public function '
                    'breaks the ABI (a new soname, %s)' % (sympath, n, lib, POLICY))
    for n in sorted(set(have) & want):
        if not have[n].startswith('MAPIPROF_'):
            errs.append('%s exports %s without a MAPIPROF_ version (version "%s"): '
                        'the library was not linked with %s' % (lib, n, have[n], mappath))
    for n in sorted(mapped ^ want):
        errs.append('%s and %s disagree on %s: %s' %
                    (mappath, sympath, n, 'only the version script has it' if n in mapped
                     else 'only the symbol list has it'))
    for n in sorted(declared ^ want):
        errs.append('%s and %s disagree on %s: %s' %
                    (hdrpath, sympath, n, 'declared MAPIPROF_API but not listed'
                     if n in declared else 'listed but not declared MAPIPROF_API'))
    for e in errs:
        print(e, file=sys.stderr)
    return 1 if errs else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))

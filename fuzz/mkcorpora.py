#!/usr/bin/env python3
"""mkcorpora.py - writes the seed corpora of the fuzz harnesses (fuzz/*.c)
from the project's fixtures, in OUT_DIR/{hive,reg,decode,recipe,prf}:

  hive    the fixture hives built by mkhive (given as arguments) and the
          hives of fixtures/bad
  carve   the fixture hives with some of their keys freed, as a delete
          leaves them (carve_seeds)
  reg     fixtures/*.reg and the .reg files of fixtures/bad
  decode  every value of the fixture .reg sources in fuzz_decode.c's layout
  recipe  the shipped recipes and fixtures/bad recipes (byte 0 = 1), and
          their edit lines (byte 0 = 0)
  prf     fixtures/prf/*.prf
  structs every binary and DWORD value of the fixture .reg sources and of
          the sample hives in fixtures/real (exported with hivexregedit
          when it is installed) in fuzz_structs.c's layout: binary values
          as entry IDs (with and without the folder hint) and secrets,
          DWORDs under each account value name

Nothing is committed: the corpora are made in the build tree.

usage: mkcorpora.py SOURCE_ROOT OUT_DIR HIVE...
"""
import glob
import hashlib
import os
import re
import struct
import sys

# fuzz_decode.c: byte 0 bits 0-2 index this table of registry types.
REG_TYPES = {'binary': 0, 'sz': 1, 'dword': 2, 'qword': 3, 'multi_sz': 4, 'expand_sz': 5}
# fuzz_decode.c: byte 1 indexes this table of PT_ types; 15 = raw.
PT_TYPES = [0x0002, 0x0003, 0x000B, 0x0014, 0x001E, 0x001F, 0x0040, 0x0048, 0x0102,
            0x1003, 0x101E, 0x101F, 0x1102, 0x0045, 0x1048]


def put(out, kind, data):
    d = os.path.join(out, kind)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


def read(path):
    with open(path, 'rb') as f:
        return f.read()


def reg_values(text):
    """(name, reg type, bytes) of every value line of a UTF-8 .reg source
    (continuations joined; hex:, hex(N):, dword: and strings)."""
    text = re.sub(r'\\\r?\n\s*', '', text)
    for line in text.splitlines():
        m = re.match(r'^"((?:[^"\\]|\\.)*)"=(.*)$', line.strip())
        if not m:
            continue
        name, rhs = m.group(1), m.group(2)
        if rhs.startswith('"'):
            s = rhs[1:rhs.rfind('"')].replace('\\"', '"').replace('\\\\', '\\')
            yield name, 'sz', (s + '\0').encode('utf-16-le')
        elif rhs.startswith('dword:'):
            yield name, 'dword', struct.pack('<I', int(rhs[6:14], 16))
        else:
            m2 = re.match(r'^hex(?:\((\w+)\))?:([0-9a-fA-F, ]*)', rhs)
            if not m2:
                continue
            t = {None: 'binary', '2': 'expand_sz', '7': 'multi_sz', 'b': 'qword'}.get(
                m2.group(1), 'binary')
            data = bytes(int(x, 16) for x in m2.group(2).replace(' ', '').split(',') if x)
            yield name, t, data


def decode_seed(name, rtype, data):
    m = re.match(r'^(S?)([0-9a-fA-F]{4})([0-9a-fA-F]{4})$', name)
    flags = REG_TYPES.get(rtype, 0)
    if m is None:
        return bytes([flags | 0x40, 15, 0, 0, 0]) + data
    pt, pid = int(m.group(2), 16), int(m.group(3), 16)
    if m.group(1):
        flags |= 8
    head = bytes([flags | 0x10]) + (bytes([PT_TYPES.index(pt), 0]) if pt in PT_TYPES
                                    else struct.pack('<H', pt | 0x0F))
    return head + struct.pack('<H', pid) + data


# fuzz_structs.c: byte 1 indexes this many account value names.
STRUCT_NAMES = 12


def structs_seeds(out, values):
    for _name, t, data in values:
        if t == 'binary':
            put(out, 'structs', bytes([0, 0]) + data)
            put(out, 'structs', bytes([1, 0]) + data)
            if len(data) > 16:
                put(out, 'structs', bytes([3, 0]) + data)
        if len(data) == 4:
            for i in range(STRUCT_NAMES):
                put(out, 'structs', bytes([2, i]) + data)


def hive_values(path):
    """The values of a hive's MAPI profiles (keys below a Profiles key)
    through hivexregedit --export, or none."""
    import shutil
    import subprocess
    if shutil.which('hivexregedit') is None:
        return []
    r = subprocess.run(['hivexregedit', '--export', path, '\\'], capture_output=True)
    if r.returncode != 0:
        return []
    keep, lines = False, []
    for line in r.stdout.decode('utf-8', 'replace').splitlines():
        if line.startswith('['):
            keep = '\\profiles\\' in line.lower()
        elif keep:
            lines.append(line)
    return list(reg_values('\n'.join(lines)))


def cells(img):
    """(offset, raw size) of every cell of a hive image, walking its bins
    as hivex does; stops at anything that is not valid."""
    at, end = 4096, 4096 + struct.unpack_from('<I', img, 0x28)[0]
    while at + 32 <= min(end, len(img)) and img[at:at + 4] == b'hbin':
        size = struct.unpack_from('<I', img, at + 8)[0]
        if size < 4096 or size % 4096 or at + size > len(img):
            return
        p = at + 32
        while p + 8 <= at + size:
            raw = struct.unpack_from('<i', img, p)[0]
            n = abs(raw)
            if n < 8 or n % 4 or p + n > at + size:
                break
            yield p, raw
            p += n
        at += size


def carve_seeds(img):
    """Variants of a hive with allocated cells marked free (their sizes made
    positive, their bytes kept, as hivex and Windows free them): every nk
    past the first few with every cell after it, every other cell, and the
    last third of the cells."""
    all_cells = [(p, raw) for p, raw in cells(img) if raw < 0]
    nks = [p for p, raw in all_cells if img[p + 4:p + 6] == b'nk']
    picks = []
    if len(nks) > 4:
        picks.append([c for c in all_cells if c[0] >= nks[len(nks) // 2]])
    picks.append(all_cells[1::2])
    picks.append(all_cells[2 * len(all_cells) // 3:])
    for pick in picks:
        out = bytearray(img)
        for p, raw in pick:
            struct.pack_into('<i', out, p, -raw)
        yield bytes(out)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    src, out = sys.argv[1], sys.argv[2]
    fx = os.path.join(src, 'fixtures')
    bad = os.path.join(fx, 'bad')
    for h in sys.argv[3:] + sorted(glob.glob(os.path.join(bad, '*.dat'))):
        put(out, 'hive', read(h))
    for h in sys.argv[3:]:
        put(out, 'carve', read(h))
        for v in carve_seeds(read(h)):
            put(out, 'carve', v)
    regs = sorted(glob.glob(os.path.join(fx, '*.reg')))
    for r in regs + sorted(glob.glob(os.path.join(bad, '*.reg'))):
        put(out, 'reg', read(r))
    for r in regs:
        for name, t, data in reg_values(read(r).decode('utf-8', 'replace')):
            put(out, 'decode', decode_seed(name, t, data))
        structs_seeds(out, reg_values(read(r).decode('utf-8', 'replace')))
    for h in sorted(glob.glob(os.path.join(fx, 'real', '*', '*'))):
        if not os.path.basename(h).startswith('LICENSE'):
            structs_seeds(out, hive_values(h))
    recipes = sorted(glob.glob(os.path.join(src, 'recipes', '*.recipe')))
    for r in recipes + sorted(glob.glob(os.path.join(bad, '*.recipe'))):
        text = read(r)
        put(out, 'recipe', b'\x01' + text)
        edits = [l for l in text.split(b'\n')
                 if l.strip() and not l.startswith(b'#') and b':' not in l.split(b' ')[0]]
        if edits:
            put(out, 'recipe', b'\x00' + b'\n'.join(edits))
    for p in sorted(glob.glob(os.path.join(fx, 'prf', '*.prf'))):
        put(out, 'prf', read(p))
    for kind in ('hive', 'carve', 'reg', 'decode', 'recipe', 'prf', 'structs'):
        d = os.path.join(out, kind)
        n = len(os.listdir(d)) if os.path.isdir(d) else 0
        print('%s: %d seeds' % (d, n))


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""mkbad.py - writes the hostile corpus fixtures/bad/ and its MANIFEST.

Every hostile hive is made from one small, well-formed hive that mkhive (the
project's fixture builder) builds from BASE_REG below; every hostile .reg
file and recipe is written here as text.  Each file gets a MANIFEST line
with the exit status each reading command must give on it (tests/
test_bad_corpus.c runs them):

    NAME  LIST SHOW INFO EXPORT GET APPLY  what it is

  LIST..EXPORT  `mapiprof list|show|info|export FILE`
  GET           `mapiprof get --section global PR_PROFILE_CONFIG_FLAGS FILE`
  APPLY         `mapiprof apply --check cached-mode-on FILE`; for a recipe,
                `mapiprof apply --check RECIPE` on a copy of the base hive
  -             not run (a recipe is not read by the other commands)

A status of 1 also requires a diagnostic that names the file; SHOW's 0 on a
file marked `raw` in its description requires a value shown as ERROR with
its raw bytes.  The regf structures changed are those of M. Suhanov's
"Windows registry file format specification" (base block, hive bin, cell,
key node, subkey lists, key values list, key value).

usage: mkbad.py MKHIVE OUT_DIR
"""
import os
import shutil
import struct
import subprocess
import sys
import tempfile

BASE = 4096
PROFILES = ('Software\\Microsoft\\Windows NT\\CurrentVersion\\'
            'Windows Messaging Subsystem\\Profiles')
HKCU = 'HKEY_CURRENT_USER\\' + PROFILES
GLOBAL = '13dbb0c8aa05101a9bb000aa002fc45a'
SERVICES = '9207f3e0a3b11019908b08002b2a56c2'
SERVICE = '570e782c6d99b09e2912e61a460c0425'


def hexs(b):
    return ','.join('%02x' % x for x in b)


def mv32(strings):
    """PT_MV_STRING8 in the 32-bit layout: count, offsets, NUL-ended strings."""
    body, offs = b'', []
    start = 4 + 4 * len(strings)
    for s in strings:
        offs.append(start + len(body))
        body += s + b'\0'
    return struct.pack('<I', len(strings)) + b''.join(struct.pack('<I', o) for o in offs) + body


SERVICE_UID = bytes.fromhex(SERVICE)
BASE_REG = '\n'.join([
    'Windows Registry Editor Version 5.00', '',
    '[%s]' % HKCU, '"DefaultProfile"="Bad"', '',
    '[%s\\Bad\\%s]' % (HKCU, GLOBAL),
    '"00036601"=hex:04,00,00,00',
    '"001e6602"="EXCH01"',
    '"101e6613"=hex:%s' % hexs(mv32([b'ncalrpc:EXCH01', b'ncacn_ip_tcp:exch01'])),
    '"01026700"=hex:%s' % hexs(bytes(range(40))), '',
    '[%s\\Bad\\%s]' % (HKCU, SERVICES),
    '"01023d0e"=hex:%s' % hexs(SERVICE_UID), '',
    '[%s\\Bad\\%s]' % (HKCU, SERVICE),
    '"001e3d09"="MSEMS"',
    '"00033009"=hex:02,00,00,00', '',
])


# ---- reading the base hive ------------------------------------------------

class Hive:
    def __init__(self, data):
        self.b = bytearray(data)

    def u16(self, off):
        return struct.unpack_from('<H', self.b, off)[0]

    def u32(self, off):
        return struct.unpack_from('<I', self.b, off)[0]

    def put32(self, off, v):
        struct.pack_into('<I', self.b, off, v & 0xFFFFFFFF)

    def put16(self, off, v):
        struct.pack_into('<H', self.b, off, v & 0xFFFF)

    def cell(self, rel):
        """File offset of the cell data at rel (after the size field)."""
        return BASE + rel + 4

    def root(self):
        return self.u32(36)

    def subkeys(self, nk):
        """(name, rel) of each subkey of the nk at rel."""
        p = self.cell(nk)
        n, lst = self.u32(p + 20), self.u32(p + 28)
        if n == 0:
            return []
        out = []
        for r in self.list_offsets(lst):
            q = self.cell(r)
            ln = self.u16(q + 72)
            out.append((self.b[q + 76:q + 76 + ln].decode('latin-1'), r))
        return out

    def list_offsets(self, lst):
        q = self.cell(lst)
        sig, n = bytes(self.b[q:q + 2]), self.u16(q + 2)
        step = 8 if sig in (b'lf', b'lh') else 4
        if sig == b'ri':
            return [o for i in range(n) for o in self.list_offsets(self.u32(q + 4 + 4 * i))]
        return [self.u32(q + 4 + step * i) for i in range(n)]

    def key(self, path):
        nk = self.root()
        for part in path.split('\\'):
            nk = dict((k.lower(), r) for k, r in self.subkeys(nk))[part.lower()]
        return nk

    def values(self, nk):
        p = self.cell(nk)
        n, lst = self.u32(p + 36), self.u32(p + 40)
        out = {}
        for i in range(n):
            vk = self.u32(self.cell(lst) + 4 * i)
            q = self.cell(vk)
            ln = self.u16(q + 2)
            out[self.b[q + 20:q + 20 + ln].decode('latin-1')] = vk
        return out

    def checksum(self):
        x = 0
        for i in range(0, 508, 4):
            x ^= self.u32(i)
        if x == 0xFFFFFFFF:
            x = 0xFFFFFFFE
        elif x == 0:
            x = 1
        self.put32(508, x)


# ---- the corpus ------------------------------------------------------------

class Corpus:
    def __init__(self, out):
        self.out = out
        self.lines = []

    def add(self, name, data, codes, what):
        with open(os.path.join(self.out, name), 'wb') as f:
            f.write(data)
        self.lines.append('%s\t%s\t%s' % (name, ' '.join(str(c) for c in codes), what))


# Expected statuses (LIST SHOW INFO EXPORT GET APPLY).
ERR = (1, 1, 1, 1, 1, 1)       # not a hive at all: every command fails
ERR_BODY = (1, 1, 0, 1, 1, 1)  # the base block is fine, the body is not
OK = (0, 0, 0, 0, 0, 3)        # opens; cached-mode-on would change the flags
NO_DEFAULT = (0, 0, 0, 0, 1, 1)  # opens, but the default profile is gone
NO_EXPORT = (0, 0, 0, 1, 0, 3)  # opens; a name a .reg file cannot hold
BAD_VALUE = (1, 1, 0, 1, 1, 1)  # a value's data cannot be read: key and value named
RECIPE = ('-', '-', '-', '-', '-', 2)  # an invalid recipe is a usage error


def hives(c, base):
    h0 = Hive(base)
    bins = h0.u32(40)
    prof = h0.key(PROFILES + '\\Bad')
    glob = h0.key(PROFILES + '\\Bad\\' + GLOBAL)
    vals = h0.values(glob)

    def variant(name, codes, what, edit):
        h = Hive(base)
        edit(h)
        h.checksum()
        c.add(name, bytes(h.b), codes, what)

    # Truncations: inside the base block, at the first hbin, inside cells.
    for n in (0, 1, 4, 48, 508, 511, 4095):
        c.add('trunc-%05d.dat' % n, base[:n], ERR, 'truncated to %d bytes (base block)' % n)
    for n in (4096, 4097, 4128, 4200, 5000, 6144, len(base) - 1):
        c.add('trunc-%05d.dat' % n, base[:n], ERR,
              'truncated to %d bytes (hive bins cut, base block claims %d)' % (n, bins))

    # Base block lies.
    variant('bins-size-2gib.dat', ERR, 'hive bins size claims 2 GiB',
            lambda h: h.put32(40, 0x80000000))
    variant('bins-size-zero.dat', ERR_BODY, 'hive bins size 0',
            lambda h: h.put32(40, 0))
    variant('root-offset-past-end.dat', ERR_BODY, 'root cell offset past the hive bins',
            lambda h: h.put32(36, 0x7FFFFFF0))
    variant('root-offset-unaligned.dat', ERR_BODY, 'root cell offset in the middle of a cell',
            lambda h: h.put32(36, h.root() + 2))

    # hbin header lies.
    variant('hbin-size-zero.dat', ERR_BODY, 'first hbin size 0',
            lambda h: h.put32(BASE + 8, 0))
    variant('hbin-size-2gib.dat', ERR_BODY, 'first hbin size claims 2 GiB',
            lambda h: h.put32(BASE + 8, 0x80000000))
    variant('hbin-size-odd.dat', ERR_BODY, 'first hbin size not a multiple of 4096',
            lambda h: h.put32(BASE + 8, 4100))
    variant('hbin-signature.dat', ERR_BODY, 'first hbin signature broken',
            lambda h: h.b.__setitem__(slice(BASE, BASE + 4), b'hbiX'))

    # Cell size lies.
    variant('cell-root-free.dat', ERR_BODY, "root nk cell marked free (positive size)",
            lambda h: h.put32(BASE + h.root(), -h.u32(BASE + h.root()) & 0xFFFFFFFF))
    variant('cell-root-2gib.dat', ERR_BODY, 'root nk cell size claims 2 GiB',
            lambda h: h.put32(BASE + h.root(), 0x80000008))
    variant('cell-root-zero.dat', ERR_BODY, 'root nk cell size 0',
            lambda h: h.put32(BASE + h.root(), 0))

    # Subkey lists: cycles and offsets out of range.
    def cycle(h):
        # The global section's subkey list names the profile key itself.
        p = h.cell(glob)
        lst = h.u32(h.cell(prof) + 28)
        h.put32(p + 20, 1)
        h.put32(p + 28, lst)
    variant('cyclic-subkeys.dat', ERR_BODY,
            'a section key lists its own parent key among its subkeys (a cycle)', cycle)

    def self_loop(h):
        p = h.cell(prof)
        lst = h.u32(p + 28)
        q = h.cell(lst)
        h.put32(q + 4, prof)  # first entry of the profile's list: the profile itself
    variant('subkey-self.dat', (0, 0, 0, 1, 1, 1),
            "a profile key's subkey list names the key itself in place of the global "
            "section: walks stop at their depth caps, export at its 512 levels",
            self_loop)
    variant('subkey-count-2gib.dat', ERR_BODY, 'profile key claims 2^31 subkeys',
            lambda h: h.put32(h.cell(prof) + 20, 0x80000000))
    variant('subkey-list-past-end.dat', ERR_BODY, 'profile subkey list offset past the end',
            lambda h: h.put32(h.cell(prof) + 28, 0x7FFFFFF0))

    # Value lists and value data.
    big = vals['01026700']
    variant('value-len-past-end.dat', BAD_VALUE,
            'a 40-byte value claims 4000 bytes, past its cell and the hive bins',
            lambda h: h.put32(h.cell(big) + 4, 4000))
    variant('value-len-2gib.dat', BAD_VALUE, 'a value data length claims 2 GiB - 1',
            lambda h: h.put32(h.cell(big) + 4, 0x7FFFFFFF))
    variant('value-offset-past-end.dat', BAD_VALUE, 'a value data offset past the hive bins',
            lambda h: h.put32(h.cell(big) + 8, 0x7FFFFFF0))
    variant('value-offset-into-cell.dat', BAD_VALUE,
            'a value data offset in the middle of another cell',
            lambda h: h.put32(h.cell(big) + 8, glob + 8))
    variant('value-count-2gib.dat', ERR_BODY, 'the global section claims 2^31 values',
            lambda h: h.put32(h.cell(glob) + 36, 0x80000000))
    variant('value-list-past-end.dat', ERR_BODY, 'the value list offset past the hive bins',
            lambda h: h.put32(h.cell(glob) + 40, 0x7FFFFFF0))
    variant('value-name-len-past-cell.dat', NO_EXPORT,
            'a value name length past its cell: shown as U+FFFD and its offset',
            lambda h: h.put16(h.cell(big) + 2, 0xFFFF))

    # MV counts and offsets (the decoder marks the value raw).
    mv = vals['101e6613']

    def mv_data(h):
        q = h.cell(mv)
        return h.cell(h.u32(q + 8))
    variant('mv-count-huge.dat', OK, 'raw: MV_STRING8 count 0xFFFFFFFF',
            lambda h: h.put32(mv_data(h), 0xFFFFFFFF))
    variant('mv-offset-past-end.dat', OK, 'raw: MV_STRING8 second offset past the value',
            lambda h: h.put32(mv_data(h) + 8, 0x00FFFFFF))
    variant('mv-offset-into-header.dat', OK, 'raw: MV_STRING8 first offset into its header',
            lambda h: h.put32(mv_data(h) + 4, 2))
    flags = vals['00036601']
    variant('flags-short.dat', (0, 0, 0, 0, 1, 1), 'raw: PR_PROFILE_CONFIG_FLAGS of 2 bytes',
            lambda h: h.put32(h.cell(flags) + 4, 0x80000002))

    # Names: control characters, invalid UTF-16.
    def name_ctl(h):
        q = h.cell(prof)
        h.b[q + 76:q + 79] = b'\x1b[\x07'  # "Bad" -> ESC [ BEL
    variant('name-control-chars.dat', NO_DEFAULT,
            'the profile key name is ESC [ BEL (the default names "Bad", now absent)',
            name_ctl)

    def name_utf16(h):
        # The service key's name stored as UTF-16LE (compressed-name flag
        # cleared): 32 hex digits in 64 bytes do not fit its 32-byte name,
        # so the first 16 characters are kept, the first a lone surrogate.
        svc = h.key(PROFILES + '\\Bad\\' + SERVICE)
        q = h.cell(svc)
        h.put16(q + 2, h.u16(q + 2) & ~0x20)
        name = bytes(h.b[q + 76:q + 76 + 16]).decode('latin-1').encode('utf-16-le')
        h.b[q + 76:q + 76 + 32] = b'\x00\xd8' + name[2:]
    variant('name-lone-surrogate.dat', NO_EXPORT,
            'a section key name in UTF-16LE starting with a lone surrogate U+D800', name_utf16)

    def vname_ctl(h):
        q = h.cell(vals['001e6602'])
        h.b[q + 20:q + 28] = b'\x1b]0;x\x07\r\n'
    variant('value-name-control-chars.dat', NO_EXPORT,
            'a value name of ESC ] 0 ; x BEL CR LF (a terminal title sequence)', vname_ctl)


def deep(depth):
    keys = ['[%s\\Deep\\%s]' % (HKCU, GLOBAL), '"00036601"=hex:04,00,00,00', '']
    path = '%s\\Deep\\%s' % (HKCU, SERVICE)
    for i in range(depth):
        path += '\\k%d' % i
    keys += ['[%s]' % path, '"x"=dword:00000001', '']
    return keys


def regs(c):
    def head(profile):
        return ('Windows Registry Editor Version 5.00\r\n\r\n[%s]\r\n"DefaultProfile"="%s"\r\n\r\n'
                % (HKCU, profile))
    key = '[%s\\Bad\\%s]\r\n' % (HKCU, GLOBAL)
    flags = '"00036601"=hex:04,00,00,00\r\n'

    def reg(name, codes, what, body, enc='utf-8', profile='Bad'):
        text = head(profile) + body
        data = b'\xff\xfe' + text.encode('utf-16-le', 'surrogatepass') if enc == 'utf-16' \
            else text.encode('utf-8', 'surrogateescape')
        c.add(name, data, codes, what)

    reg('reg-base.reg', OK, 'a well-formed .reg file: the control', key + flags)
    reg('reg-key-unterminated.reg', ERR, 'a key line without its closing bracket',
        key.replace(']', '') + flags)
    reg('reg-bad-hex.reg', ERR, 'hex data with a non-hex byte',
        key + '"00036601"=hex:04,zz,00,00\r\n')
    reg('reg-dword-9-digits.reg', ERR, 'a dword of 9 digits', key + '"x"=dword:000000001\r\n')
    reg('reg-string-unterminated.reg', ERR, 'a string without its closing quote',
        key + '"001e6602"="EXCH01\r\n')
    c.add('reg-value-before-key.reg',
          ('Windows Registry Editor Version 5.00\r\n\r\n' + flags + key + flags).encode(), ERR,
          'a value line before any key line')
    reg('reg-continuation-at-eof.reg', OK,
        'a hex continuation at the end of the file: the value ends there',
        key + flags + '"01026700"=hex:01,02,\\\r\n')
    reg('reg-hex-type-huge.reg', ERR, 'hex(100000000): a type past 32 bits',
        key + '"x"=hex(100000000):01\r\n')
    reg('reg-nul-byte.reg', ERR, 'a NUL byte in a UTF-8 value line',
        key + '"001e6602"="EX\0CH"\r\n')
    reg('reg-invalid-utf8.reg', ERR, 'invalid UTF-8 (a lone continuation byte) in a key name',
        key.replace('Bad', 'B\udc80d') + flags)
    reg('reg-utf16-lone-surrogate.reg', ERR,
        'UTF-16LE with BOM, a lone surrogate U+D800 in a key name',
        key.replace('Bad', 'B\ud800d') + flags, enc='utf-16')
    reg('reg-deep-600.reg', ERR, 'a key path 600 levels deep (the registry allows 512)',
        '\r\n'.join(deep(600)) + '\r\n', profile='Deep')
    reg('reg-deep-100.reg', OK, 'a key path 100 levels deep below a service section '
        '(the section walk stops at its depth cap)', '\r\n'.join(deep(100)) + '\r\n',
        profile='Deep')
    evil = 'B\x1b[31m\x07\u009bd'
    reg('reg-control-chars.reg', OK,
        'profile and value names with ESC, BEL and a C1 control (escaped on output)',
        key.replace('Bad', evil) + flags + '"\x1b]0;t\x07"="v\x1b[2J"\r\n', profile=evil)
    reg('reg-mv-count-huge.reg', OK, 'raw: MV_STRING8 count 0xFFFFFFFF in a .reg value',
        key + flags + '"101e6613"=hex:ff,ff,ff,ff,08,00,00,00,61,00\r\n')
    reg('reg-no-profile.reg', (0, 0, 0, 1, 1, 0), 'the Profiles key and nothing below it', '')
    c.add('reg-no-values.reg',
          ('Windows Registry Editor Version 5.00\r\n\r\n' + key).encode(), NO_DEFAULT,
          'key lines only, not one value in the file (no DefaultProfile either)')
    c.add('reg-header-misspelt.reg', b'REGEDIT5\r\n\r\n' + (key + flags).encode(), ERR,
          'REGEDIT5: neither a .reg header nor a hive')


def recipes(c):
    def rec(name, what, text):
        c.add(name, text, RECIPE, what)
    rec('recipe-unknown-prop.recipe', 'an unknown property name',
        b'global PR_NO_SUCH_PROPERTY = 1\n')
    rec('recipe-bad-op.recipe', 'an unknown operator', b'global PR_PROFILE_CONFIG_FLAGS ^= 1\n')
    rec('recipe-wrong-type.recipe', 'a string for a PT_LONG',
        b'global PR_PROFILE_CONFIG_FLAGS = "many"\n')
    rec('recipe-number-overflow.recipe', 'a number past 32 bits for a PT_LONG',
        b'global PR_PROFILE_CONFIG_FLAGS = 0x100000000\n')
    rec('recipe-bad-selector.recipe', 'an invalid section selector',
        b'service: PR_PROFILE_CONFIG_FLAGS = 1\n')
    rec('recipe-invalid-utf8.recipe', 'invalid UTF-8', b'# caf\xe9\nglobal 00036601 = 1\n')
    rec('recipe-nul-byte.recipe', 'a NUL byte', b'global 00036601 = 1\n\0\n')
    rec('recipe-bad-header.recipe', 'an unknown applies-to value',
        b'applies-to: nothing\nglobal 00036601 = 1\n')
    rec('recipe-no-edits.recipe', 'comments only', b'# nothing to do\n\n')
    rec('recipe-unset-with-value.recipe', 'unset with a value', b'global 00036601 unset 4\n')
    rec('recipe-bad-hex.recipe', 'odd hex digits for a PT_BINARY', b'global 01026700 = 0a0\n')
    rec('recipe-long-line.recipe', 'a 64 KiB line of one token',
        b'global 00036601 = ' + b'9' * 65536 + b'\n')


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    mkhive, out = sys.argv[1], sys.argv[2]
    tmp = tempfile.mkdtemp()
    try:
        src = os.path.join(tmp, 'base.reg')
        with open(src, 'w', encoding='utf-8', newline='\n') as f:
            f.write(BASE_REG)
        dat = os.path.join(tmp, 'base.dat')
        env = dict(os.environ, SOURCE_DATE_EPOCH='1704067200')
        subprocess.run([mkhive, src, dat], check=True, env=env)
        with open(dat, 'rb') as f:
            base = f.read()
    finally:
        shutil.rmtree(tmp)
    os.makedirs(out, exist_ok=True)
    for f in os.listdir(out):
        os.remove(os.path.join(out, f))
    c = Corpus(out)
    c.add('base.dat', base, OK, 'the well-formed hive every hostile hive is made from')
    hives(c, base)
    regs(c)
    recipes(c)
    with open(os.path.join(out, 'MANIFEST'), 'w') as f:
        f.write('# fixtures/bad: written by tools/mkbad.py (see it for the columns)\n')
        f.write('# name\tlist show info export get apply\twhat\n')
        f.write('\n'.join(c.lines) + '\n')


if __name__ == '__main__':
    main()

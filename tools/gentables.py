#!/usr/bin/env python3
"""gentables.py - compiles data/proptags.tsv and data/flags.tsv into the C
tables behind src/lib/tables.h (tables_gen.c).

Usage: python3 gentables.py proptags.tsv flags.tsv OUT.c

The format of both files is documented in their '#' header lines.  Every row
is validated (column count, identifiers, hex numbers, PT_ type against the
tag, tag+scope unique, flag rows naming an existing property, bit/mask
rules); each problem is printed as "file:line: message" on stderr and the
program exits 1 without writing OUT.c.  On success OUT.c holds
mp_tables_tags[] sorted by (tag, scope), mp_tables_flags[] sorted by tag
(file order kept within a tag) and their counts.  Python 3 stdlib only.
"""

import os
import re
import sys

# PT_ names and codes (MAPIDefS.h).
PT_TYPES = {
    'PT_I2': 0x0002, 'PT_LONG': 0x0003, 'PT_BOOLEAN': 0x000B, 'PT_I8': 0x0014,
    'PT_STRING8': 0x001E, 'PT_UNICODE': 0x001F, 'PT_SYSTIME': 0x0040,
    'PT_CLSID': 0x0048, 'PT_BINARY': 0x0102, 'PT_MV_LONG': 0x1003,
    'PT_MV_STRING8': 0x101E, 'PT_MV_UNICODE': 0x101F, 'PT_MV_BINARY': 0x1102,
}
TAG_HEADER = ['name', 'tag', 'type', 'scope', 'meaning', 'source']
FLAG_HEADER = ['tag', 'prop', 'name', 'value', 'mask', 'kind', 'scope', 'meaning', 'source']
FLAG_SCOPES = ('', 'service', 'provider')
IDENT = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*$')
SCOPE = re.compile(r'^[a-z][a-z0-9_]*$')
TAG_HEX = re.compile(r'^0x[0-9A-Fa-f]{8}$')
NUM_HEX = re.compile(r'^0x[0-9A-Fa-f]{1,8}$')
# C11 5.2.4.1: at least 4095 characters in a string literal.
MAX_TEXT = 4000


class Errors:
    """Collects "file:line: message" lines."""

    def __init__(self):
        self.lines = []

    def add(self, path, lineno, msg):
        self.lines.append('%s:%d: %s' % (path, lineno, msg))


def provider_range(tag):
    """IDs 0x6600..0x67FF are provider-defined (EdkMdb.h pidProfileMin)."""
    return 0x6600 <= (tag >> 16) <= 0x67FF


def read_rows(path, header, errs):
    """Yields (lineno, fields) of the data rows of a TSV file."""
    try:
        with open(path, encoding='utf-8') as f:
            lines = f.read().split('\n')
    except (OSError, UnicodeDecodeError) as e:
        errs.add(path, 0, 'cannot read: %s' % e)
        return []
    if lines and lines[-1] == '':
        lines.pop()
    rows = []
    seen_header = False
    for i, line in enumerate(lines, 1):
        if line == '' or line.startswith('#'):
            continue
        fields = line.split('\t')
        if not seen_header:
            seen_header = True
            if fields != header:
                errs.add(path, i, 'header must be: %s' % ' TAB '.join(header))
            continue
        if len(fields) != len(header):
            errs.add(path, i, 'has %d columns, expected %d' % (len(fields), len(header)))
            continue
        bad = [c for c in line if ord(c) < 0x20 and c != '\t']
        if bad:
            errs.add(path, i, 'contains a control character')
            continue
        rows.append((i, fields))
    if not seen_header:
        errs.add(path, len(lines), 'no header line')
    return rows


def check_text(path, i, what, text, errs, required=True):
    if required and text.strip() == '':
        errs.add(path, i, '%s is empty' % what)
    elif len(text) > MAX_TEXT:
        errs.add(path, i, '%s is longer than %d characters' % (what, MAX_TEXT))


def parse_tags(path, errs):
    """Returns the validated tag rows as dicts."""
    out = []
    names = {}
    keys = {}
    for i, (name, tag_s, typ, scope, meaning, source) in read_rows(path, TAG_HEADER, errs):
        ok = True
        if not IDENT.match(name):
            errs.add(path, i, "name '%s' is not an identifier" % name)
            ok = False
        elif name.lower() in names:
            errs.add(path, i, "name '%s' duplicates line %d" % (name, names[name.lower()]))
            ok = False
        if not TAG_HEX.match(tag_s):
            errs.add(path, i, "tag '%s' is not 0x followed by 8 hex digits" % tag_s)
            continue
        tag = int(tag_s, 16)
        if typ not in PT_TYPES:
            errs.add(path, i, "type '%s' is not a known PT_ type" % typ)
            ok = False
        elif PT_TYPES[typ] != tag & 0xFFFF:
            errs.add(path, i, 'type %s (0x%04X) does not match tag %s' % (typ, PT_TYPES[typ], tag_s))
            ok = False
        if provider_range(tag):
            if not SCOPE.match(scope):
                errs.add(path, i, 'ID 0x%04X is provider-defined: scope must be a lower-case '
                         'provider name, not \'%s\'' % (tag >> 16, scope))
                ok = False
        elif scope != '':
            errs.add(path, i, 'scope must be empty outside IDs 0x6600-0x67FF')
            ok = False
        key = (tag, scope)
        if key in keys:
            errs.add(path, i, 'tag %s with scope \'%s\' duplicates line %d' % (tag_s, scope, keys[key]))
            ok = False
        check_text(path, i, 'meaning', meaning, errs)
        check_text(path, i, 'source', source, errs)
        if not ok:
            continue
        names[name.lower()] = i
        keys[key] = i
        out.append({'name': name, 'tag': tag, 'type': typ, 'scope': scope,
                    'meaning': meaning, 'source': source})
    return out


def parse_flags(path, tags, errs):
    """Returns the validated flag rows; each must name a row of tags."""
    props = {(t['tag'], t['name']): t for t in tags}
    out = []
    keys = {}
    for i, f in read_rows(path, FLAG_HEADER, errs):
        tag_s, prop, name, value_s, mask_s, kind, scope, meaning, source = f
        if not TAG_HEX.match(tag_s):
            errs.add(path, i, "tag '%s' is not 0x followed by 8 hex digits" % tag_s)
            continue
        tag = int(tag_s, 16)
        row = props.get((tag, prop))
        if row is None:
            errs.add(path, i, "no property '%s' with tag %s in the tag table" % (prop, tag_s))
            continue
        if row['type'] not in ('PT_LONG', 'PT_MV_LONG'):
            errs.add(path, i, '%s is %s; flags need PT_LONG or PT_MV_LONG' % (prop, row['type']))
            continue
        if not IDENT.match(name):
            errs.add(path, i, "flag name '%s' is not an identifier" % name)
            continue
        if not NUM_HEX.match(value_s) or not NUM_HEX.match(mask_s):
            errs.add(path, i, 'value and mask must be 0x followed by 1 to 8 hex digits')
            continue
        value, mask = int(value_s, 16), int(mask_s, 16)
        if kind == 'bits':
            if value == 0 or mask != value:
                errs.add(path, i, 'a bits row needs a non-zero value and mask equal to it')
                continue
        elif kind == 'enum':
            if mask == 0 or value & ~mask:
                errs.add(path, i, 'an enum value must lie inside its non-zero mask')
                continue
        else:
            errs.add(path, i, "kind '%s' must be bits or enum" % kind)
            continue
        if scope not in FLAG_SCOPES:
            errs.add(path, i, "scope '%s' must be empty, service or provider" % scope)
            continue
        key = (tag, prop, name, scope)
        if key in keys:
            errs.add(path, i, 'flag %s of %s duplicates line %d' % (name, prop, keys[key]))
            continue
        check_text(path, i, 'meaning', meaning, errs)
        check_text(path, i, 'source', source, errs)
        keys[key] = i
        out.append({'tag': tag, 'prop': prop, 'name': name, 'value': value, 'mask': mask,
                    'enum': 1 if kind == 'enum' else 0, 'scope': scope,
                    'meaning': meaning, 'source': source})
    return out


def cstr(s):
    """A C string literal: printable ASCII as is, every other byte as an
    octal escape (never ambiguous), '?' escaped against trigraphs."""
    out = ['"']
    for b in s.encode('utf-8'):
        c = chr(b)
        if c in '\\"?':
            out.append('\\' + c)
        elif 0x20 <= b < 0x7F:
            out.append(c)
        else:
            out.append('\\%03o' % b)
    out.append('"')
    return ''.join(out)


def render(tags, flags):
    lines = [
        '/* tables_gen.c - generated by tools/gentables.py from data/proptags.tsv and',
        ' * data/flags.tsv; do not edit.  Tags sorted by (tag, scope), flags by tag. */',
        '#include <stddef.h>',
        '',
        '#include "mapiprof/mapiprof.h"',
        '',
        'extern const struct mapiprof_tagdef mp_tables_tags[];',
        'extern const size_t mp_tables_ntags;',
        'extern const struct mapiprof_flagdef mp_tables_flags[];',
        'extern const size_t mp_tables_nflags;',
        '',
        'const struct mapiprof_tagdef mp_tables_tags[] = {',
    ]
    for t in tags:
        lines.append('\t{%s, 0x%08Xu, %s, %s,\n\t %s,\n\t %s},' % (
            cstr(t['name']), t['tag'], cstr(t['type']), cstr(t['scope']),
            cstr(t['meaning']), cstr(t['source'])))
    lines += ['};', 'const size_t mp_tables_ntags = %d;' % len(tags), '',
              'const struct mapiprof_flagdef mp_tables_flags[] = {']
    for f in flags:
        lines.append('\t{0x%08Xu, %s, %s, 0x%08Xu, 0x%08Xu, %d, %s,\n\t %s,\n\t %s},' % (
            f['tag'], cstr(f['prop']), cstr(f['name']), f['value'], f['mask'], f['enum'],
            cstr(f['scope']), cstr(f['meaning']), cstr(f['source'])))
    lines += ['};', 'const size_t mp_tables_nflags = %d;' % len(flags), '']
    return '\n'.join(lines)


def main(argv):
    if len(argv) != 4:
        sys.stderr.write('usage: gentables.py proptags.tsv flags.tsv OUT.c\n')
        return 2
    errs = Errors()
    tags = parse_tags(argv[1], errs)
    flags = parse_flags(argv[2], tags, errs)
    if not tags and not errs.lines:
        errs.add(argv[1], 0, 'no rows')
    if errs.lines:
        for line in errs.lines:
            sys.stderr.write('gentables: %s\n' % line)
        return 1
    tags.sort(key=lambda t: (t['tag'], t['scope']))
    flags.sort(key=lambda f: f['tag'])  # stable: file order within a tag
    tmp = argv[3] + '.tmp'
    with open(tmp, 'w', encoding='ascii') as f:
        f.write(render(tags, flags))
    os.replace(tmp, argv[3])
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))

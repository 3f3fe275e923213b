#!/usr/bin/env python3
"""man_example.py - writes the C program of a manual page's EXAMPLES section
(its first literal display, .Bd -literal ... .Ed) to a file, so that the
build compiles exactly the program the manual shows.

    man_example.py PAGE OUT

The roff escapes the example may use are undone (\\e backslash, \\& nothing,
\\- minus); any other escape is an error, so the page and the compiled
program cannot silently differ.
"""
import re
import sys

ESCAPES = {'e': '\\', '&': '', '-': '-'}


def example(text):
    lines = text.split('\n')
    try:
        start = lines.index('.Sh EXAMPLES')
        begin = next(i for i in range(start, len(lines)) if lines[i].startswith('.Bd -literal'))
        end = lines.index('.Ed', begin)
    except (ValueError, StopIteration):
        raise SystemExit('man_example.py: no literal display under .Sh EXAMPLES')
    out = []
    for n, line in enumerate(lines[begin + 1:end], begin + 2):
        if line.startswith('.') or line.startswith("'"):
            raise SystemExit('man_example.py: line %d: a request inside the example' % n)

        def undo(m):
            if m.group(1) not in ESCAPES:
                raise SystemExit('man_example.py: line %d: unsupported escape \\%s'
                                 % (n, m.group(1)))
            return ESCAPES[m.group(1)]
        out.append(re.sub(r'\\(.)', undo, line))
    return '\n'.join(out) + '\n'


def main(argv):
    if len(argv) != 3:
        print('usage: man_example.py PAGE OUT', file=sys.stderr)
        return 2
    with open(argv[1], encoding='utf-8') as f:
        code = example(f.read())
    with open(argv[2], 'w', encoding='utf-8') as f:
        f.write(code)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
"""Checks the layering of the library's sources (src/lib).

Each folder of src/lib is a layer; a layer may use itself and the layers
below it, in this order (lowest first):

    base  store  regf  regtext  mapi  plan  write  image

and the public facade (the files directly in src/lib) may use all of them.
A unit is a .c file and the .h file of the same name (regf/log.c and
regf/log.h); a header alone is a unit too.  The check fails when

  * a file includes a header of a higher layer, or of the facade;
  * a file includes a library header without its folder ("ctx.h" instead
    of "base/ctx.h"), or one that does not exist;
  * with --archive: an object uses a symbol defined by a unit of a higher
    layer or of the facade (nm -A on the static library, so calls that
    pass through the public header mapiprof.h are seen too);
  * the units, linked by includes and (with --archive) by symbols, form a
    cycle.

With --flat DIR (the command-line tool, src/cli), the files of DIR are
checked too, as one layer above the library: each may include only the
public API and DIR's own headers, and DIR's units may not form a cycle.

Usage: check_layers.py [--archive LIB.a] [--nm NM] [--flat DIR] SRC_LIB_DIR
Prints every violation to standard error and exits 1 when there is one,
else prints one summary line and exits 0; 2 on a usage error.
"""

import os
import re
import subprocess
import sys

LAYERS = ["base", "store", "regf", "regtext", "mapi", "plan", "write", "image"]
FACADE = len(LAYERS)
# Headers every layer may include: the public API.
PUBLIC_PREFIX = "mapiprof/"
# Generated sources (meson custom targets) and the unit whose data they are.
GENERATED = {"tables_gen": "mapi/tables", "recipes_gen": "plan/recipe"}

INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def layer_of(unit):
    """The layer index of a unit name ("regf/log", or "file" for the facade)."""
    if "/" not in unit:
        return FACADE
    return LAYERS.index(unit.split("/", 1)[0])


def layer_name(index):
    return "the facade" if index == FACADE else LAYERS[index] + "/"


def collect(root):
    """Every .c and .h file below root, as paths relative to root."""
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel = os.path.relpath(dirpath, root)
        top = rel.split(os.sep)[0]
        if rel != "." and top not in LAYERS:
            continue
        if rel != "." and os.sep in rel:
            continue  # layers are one level deep
        for name in sorted(filenames):
            if name.endswith((".c", ".h")):
                files.append(name if rel == "." else rel + "/" + name)
    return files


def include_edges(root, files, errors):
    """(unit, unit, why) for every include between library files."""
    known = set(files)
    edges = []
    for f in files:
        unit = f[:-2]
        with open(os.path.join(root, f), encoding="utf-8", errors="replace") as fh:
            text = fh.read()
        for m in INCLUDE_RE.finditer(text):
            inc = m.group(1)
            line = text.count("\n", 0, m.start()) + 1
            where = "%s:%d" % (f, line)
            if inc.startswith(PUBLIC_PREFIX):
                continue
            if inc not in known:
                if "/" not in inc and any(k.endswith("/" + inc) for k in known):
                    errors.append('%s: includes "%s" without its layer folder' % (where, inc))
                else:
                    errors.append('%s: includes "%s", which is not a library header' % (where, inc))
                continue
            target = inc[:-2]
            if target == unit:
                continue
            if layer_of(target) > layer_of(unit):
                errors.append('%s: %s includes "%s" of %s, a higher layer'
                              % (where, layer_name(layer_of(unit)), inc,
                                 layer_name(layer_of(target))))
            edges.append((unit, target, 'includes "%s" (%s)' % (inc, where)))
    return edges


def flat_edges(root, errors):
    """(unit, unit, why) for the includes among the files of one folder."""
    names = sorted(n for n in os.listdir(root) if n.endswith((".c", ".h")))
    known = set(names)
    label = os.path.basename(os.path.normpath(root))
    edges = []
    for f in names:
        with open(os.path.join(root, f), encoding="utf-8", errors="replace") as fh:
            text = fh.read()
        for m in INCLUDE_RE.finditer(text):
            inc = m.group(1)
            where = "%s/%s:%d" % (label, f, text.count("\n", 0, m.start()) + 1)
            if inc.startswith(PUBLIC_PREFIX):
                continue
            if inc not in known:
                errors.append('%s: includes "%s": only the public API and %s/ headers'
                              % (where, inc, label))
                continue
            if inc[:-2] != f[:-2]:
                edges.append((label + "/" + f[:-2], label + "/" + inc[:-2],
                              'includes "%s" (%s)' % (inc, where)))
    return names, edges


def object_unit(member, units):
    """The unit of an archive member named by meson ("regf_log.c.o")."""
    name = os.path.basename(member)
    if name.endswith(".o"):
        name = name[:-2]
    if name.endswith(".c"):
        name = name[:-2]
    for gen, unit in GENERATED.items():
        if name.endswith(gen):
            return unit
    if name in units:
        return name
    head, sep, tail = name.partition("_")
    if sep and head in LAYERS and head + "/" + tail in units:
        return head + "/" + tail
    return None


def symbol_edges(archive, nm, units, errors):
    """(unit, unit, why) for every symbol one object takes from another."""
    try:
        out = subprocess.run([nm, "-A", archive], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        errors.append("%s: nm failed: %s" % (archive, e))
        return []
    defs, uses = {}, {}
    for line in out.splitlines():
        m = re.match(r"^(.*?):\s*(?:[0-9a-fA-F]+)?\s+([A-Za-z])\s+(\S+)$", line)
        if m is None:
            continue
        member = m.group(1).rsplit(":", 1)[-1]
        unit = object_unit(member, units)
        if unit is None:
            errors.append("%s: member %s matches no source file" % (archive, member))
            continue
        kind, sym = m.group(2), m.group(3)
        if kind == "U":
            uses.setdefault(unit, set()).add(sym)
        elif kind.isupper():
            defs[sym] = unit
    edges = []
    for unit in sorted(uses):
        for sym in sorted(uses[unit]):
            target = defs.get(sym)
            if target is None or target == unit:
                continue
            if layer_of(target) > layer_of(unit):
                errors.append("%s (%s) uses %s of %s (%s), a higher layer"
                              % (unit, layer_name(layer_of(unit)), sym, target,
                                 layer_name(layer_of(target))))
            edges.append((unit, target, "uses %s" % sym))
    return edges


def cycles(edges):
    """The strongly connected components of more than one unit (Tarjan)."""
    graph = {}
    for a, b, _ in edges:
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set())
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        # Iterative DFS: deep include chains must not hit Python's recursion limit.
        work = [(v, iter(sorted(graph[v])))]
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        while work:
            node, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                    advanced = True
                    break
                if w in on:
                    low[node] = min(low[node], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def main(argv):
    args = argv[1:]
    archive, nm, flat = None, "nm", None
    while args and args[0].startswith("--"):
        opt = args.pop(0)
        if opt in ("--archive", "--nm", "--flat") and args:
            value = args.pop(0)
            if opt == "--archive":
                archive = value
            elif opt == "--nm":
                nm = value
            else:
                flat = value
        else:
            print("check_layers: unknown option %s" % opt, file=sys.stderr)
            return 2
    if len(args) != 1 or not os.path.isdir(args[0]) or (flat is not None and not os.path.isdir(flat)):
        print("usage: check_layers.py [--archive LIB.a] [--nm NM] [--flat DIR] SRC_LIB_DIR",
              file=sys.stderr)
        return 2
    root = args[0]
    errors = []
    files = collect(root)
    units = sorted(set(f[:-2] for f in files))
    edges = include_edges(root, files, errors)
    nsym = 0
    if archive is not None:
        sym = symbol_edges(archive, nm, set(units), errors)
        nsym = len(set((a, b) for a, b, _ in sym))
        edges += sym
    if flat is not None:
        flat_files, fedges = flat_edges(flat, errors)
        files += flat_files
        label = os.path.basename(os.path.normpath(flat))
        units += sorted(set(label + "/" + f[:-2] for f in flat_files))
        edges += fedges
    for comp in cycles(edges):
        inside = set(comp)
        why = ["  %s -> %s: %s" % (a, b, w) for a, b, w in edges if a in inside and b in inside]
        errors.append("cycle between %s:\n%s" % (", ".join(comp), "\n".join(sorted(set(why)))))
    for e in errors:
        print("check_layers: " + e, file=sys.stderr)
    if errors:
        return 1
    ninc = len(set((a, b) for a, b, w in edges if w.startswith("includes")))
    print("layers: %d files, %d units, %d include and %d symbol dependencies; "
          "no upward dependency, no cycle" % (len(files), len(units), ninc, nsym))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

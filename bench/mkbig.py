#!/usr/bin/env python3
"""Generate a large, densely packed NTUSER.DAT-like regf hive holding an
Exchange 2007-era MAPI profile, for bench/run.sh.

The hive is written directly, following M. Suhanov's "Windows registry file
format specification" (quoted names below are its sections: "Base block",
"Hive bin", "Cell", "Key node", "Hash leaf" and "Index root" lists, "Key
values list" and "Key value", "Key security").  No `db` cells are produced:
every value is at most MAX_DATA bytes (< 16344, "Big data").

Content: about 1 KiB per key (nk + 2..6 values mixing REG_SZ, REG_EXPAND_SZ,
REG_DWORD, REG_BINARY, now and then a 1..12 KiB REG_BINARY), a realistic tree
(top-level NTUSER keys, Software\\Classes with thousands of siblings under
CLSID and file extensions, Software\\<Vendor>\\<Product>\\<Version>\\... several
levels deep, item caches with thousands of siblings, Software\\Microsoft with
Office/Windows areas) and, under Software\\Microsoft\\Windows NT\\CurrentVersion\\
Windows Messaging Subsystem\\Profiles, the profiles of fixtures/exchange-mapi.reg
plus PR_PROFILE_ABP_ALLOW_RECONNECT (00036639) = 0 in the MUIDEMSAB section, so
that `mapiprof apply exchange2007-gc-referral` changes exactly five existing
4-byte REG_BINARY values.  The profiles sit in the middle of the file.

Output is deterministic for a given size and seed; the file is exactly SIZE.

usage: mkbig.py [--seed N] [--fixture PATH] SIZE_MIB OUTPUT
"""

import argparse
import os
import random
import struct
import sys
import time

BIN = 4096
HDR = 32                      # hbin header ("Hive bin")
NONE = 0xFFFFFFFF
LEAF_MAX = 500                # entries per lh leaf before an ri is used ("Index root")
MAX_DATA = 12 * 1024          # largest value data; stays below 16344 ("Big data")
FILETIME0 = 133_000_000_000_000_000   # 2022-06 in 100 ns ticks since 1601

REG_SZ, REG_EXPAND_SZ, REG_BINARY, REG_DWORD = 1, 2, 3, 4

PROFILES_PATH = ("Software", "Microsoft", "Windows NT", "CurrentVersion",
                 "Windows Messaging Subsystem", "Profiles")
EMSAB = "dca740c8c042101ab4b908002b2fe182"

S_NK = struct.Struct("<i2sHQIIIIIIIIIIIIIIIHH")   # nk header, name follows
S_VK = struct.Struct("<i2sHIIIHH")                # vk header, name follows
S_I32 = struct.Struct("<i")
S_U32 = struct.Struct("<I")
S_LHENT = struct.Struct("<II")


def lh_hash(name):
	""""Hash leaf": H = 37*H + unit over the upper-cased UTF-16 units."""
	h = 0
	for ch in name.upper():
		h = (h * 37 + ord(ch)) & 0xFFFFFFFF
	return h


def sortkey(name):
	"""Siblings sorted by upper-cased name, as the regf spec requires (ASCII names only)."""
	return name.upper()


class Hive:
	"""Cell allocator over 4 KiB hbins (bigger bins for large cells, "Hive bin") in
	one buffer.  Like the Windows allocator it fills the gaps it leaves: up to
	OPEN_REGIONS partly filled bins stay open for later small cells, so the
	hive is densely packed; free space ends up as one free cell per gap."""

	OPEN_REGIONS = 8

	def __init__(self, size):
		self.size = size
		self.buf = bytearray(size)
		self.bin_end = BIN        # file offset where the next bin starts
		self.regions = []         # [pos, end] free tails of open bins
		self.nk_count = 0

	def used(self):
		return self.bin_end

	def _free(self, region):
		rest = region[1] - region[0]
		if rest > 0:
			S_I32.pack_into(self.buf, region[0], rest)    # free cell ("Cell")

	def _open_bin(self, need):
		size = max(BIN, (HDR + need + BIN - 1) // BIN * BIN)
		if self.bin_end + size > self.size:
			raise OverflowError("hive full")
		start = self.bin_end
		ts = FILETIME0 if start == BIN else 0
		struct.pack_into("<4sIIQQI", self.buf, start, b"hbin",
				 start - BIN, size, 0, ts, 0)
		self.bin_end = start + size
		region = [start + HDR, start + size]
		self.regions.append(region)
		if len(self.regions) > self.OPEN_REGIONS:
			fullest = min(self.regions[:-1], key=lambda r: r[1] - r[0])
			self.regions.remove(fullest)
			self._free(fullest)
		return region

	def alloc(self, datalen):
		"""Allocate a used cell for datalen bytes; return its relative offset."""
		need = (datalen + 4 + 7) & ~7
		regions = self.regions
		region = None
		if regions and regions[-1][1] - regions[-1][0] >= need:
			region = regions[-1]
		else:
			for r in regions:
				if r[1] - r[0] >= need:
					region = r
					break
			else:
				region = self._open_bin(need)
		off = region[0]
		S_I32.pack_into(self.buf, off, -need)
		region[0] = off + need
		return off - BIN

	def finish(self):
		"""Free the open gaps and pad the file with free 4 KiB bins."""
		while self.bin_end < self.size:
			self._open_bin(BIN - HDR)
		for r in self.regions:
			self._free(r)
		self.regions = []
		return self.bin_end - BIN


class Node:
	"""A key to write: name, values [(name, type, bytes)], iterable of Nodes."""
	__slots__ = ("name", "values", "children")

	def __init__(self, name, values=(), children=()):
		self.name = name
		self.values = values
		self.children = children


class Writer:
	def __init__(self, hive):
		self.h = hive
		self.sk = 0
		self.ts = FILETIME0

	def write_sk(self):
		sd = security_descriptor()
		off = self.h.alloc(20 + len(sd))
		self.sk = off
		struct.pack_into("<2sHIIII", self.h.buf, off + BIN + 4, b"sk", 0,
				 off, off, 0, len(sd))
		self.h.buf[off + BIN + 24:off + BIN + 24 + len(sd)] = sd
		return off

	def set_sk_refcount(self, n):
		S_U32.pack_into(self.h.buf, self.sk + BIN + 16, n)

	def write_values(self, values):
		"""Write vk (+ data) cells and the value list; return (list, maxname, maxdata)."""
		h = self.h
		buf = h.buf
		offs = []
		maxname = maxdata = 0
		for name, typ, data in values:
			nb = name.encode("latin-1")
			off = h.alloc(20 + len(nb))
			n = len(data)
			if n <= 4:       # inline data ("Key value")
				doff = S_U32.unpack(data.ljust(4, b"\0"))[0]
				dsize = n | 0x80000000
			else:
				doff = h.alloc(n)
				buf[doff + BIN + 4:doff + BIN + 4 + n] = data
				dsize = n
			S_VK.pack_into(buf, off + BIN, S_I32.unpack_from(buf, off + BIN)[0],
				       b"vk", len(nb), dsize, doff, typ, 1 if nb else 0, 0)
			buf[off + BIN + 24:off + BIN + 24 + len(nb)] = nb
			offs.append(off)
			maxname = max(maxname, 2 * len(nb))
			maxdata = max(maxdata, n)
		lst = h.alloc(4 * len(offs))
		struct.pack_into("<%dI" % len(offs), buf, lst + BIN + 4, *offs)
		return lst, maxname, maxdata

	def write_subkey_list(self, kids):
		"""kids: [(name, nk_off)]; one lh, or an ri of lh leaves ("Index root")."""
		kids.sort(key=lambda k: sortkey(k[0]))
		leaves = [kids[i:i + LEAF_MAX] for i in range(0, len(kids), LEAF_MAX)]
		offs = []
		for leaf in leaves:
			off = self.h.alloc(4 + 8 * len(leaf))
			p = off + BIN + 4
			struct.pack_into("<2sH", self.h.buf, p, b"lh", len(leaf))
			p += 4
			for name, nk in leaf:
				S_LHENT.pack_into(self.h.buf, p, nk, lh_hash(name))
				p += 8
			offs.append(off)
		if len(offs) == 1:
			return offs[0]
		off = self.h.alloc(4 + 4 * len(offs))
		struct.pack_into("<2sH%dI" % len(offs), self.h.buf, off + BIN + 4,
				 b"ri", len(offs), *offs)
		return off

	def write_key(self, node, parent):
		"""Write node and its subtree depth first; return the nk offset."""
		h = self.h
		buf = h.buf
		nb = node.name.encode("latin-1")
		nk = h.alloc(76 + len(nb))
		h.nk_count += 1
		self.ts += 10_000_019
		p = nk + BIN
		if node.values:
			vlist, maxname, maxdata = self.write_values(node.values)
		else:
			vlist, maxname, maxdata = NONE, 0, 0
		kids = []
		maxsub = 0
		for child in node.children:
			kids.append((child.name, self.write_key(child, nk)))
			maxsub = max(maxsub, 2 * len(child.name))
		slist = self.write_subkey_list(kids) if kids else NONE
		S_NK.pack_into(buf, p, S_I32.unpack_from(buf, p)[0], b"nk",
			       0x20, self.ts, 0, parent,
			       len(kids), 0, slist, NONE, len(node.values), vlist,
			       self.sk, NONE, maxsub, 0, maxname, maxdata, 0, len(nb), 0)
		buf[p + 80:p + 80 + len(nb)] = nb
		return nk


def security_descriptor():
	"""Self-relative SD: owner Administrators, group SYSTEM, DACL granting
	full control to SYSTEM, Administrators and the (made-up) user ("Key security")."""
	def sid(auth, *subs):
		return struct.pack("<BB", 1, len(subs)) + auth.to_bytes(6, "big") + \
			struct.pack("<%dI" % len(subs), *subs)
	system = sid(5, 18)
	admins = sid(5, 32, 544)
	user = sid(5, 21, 1004336348, 1177238915, 682003330, 1001)
	aces = b""
	for s in (system, admins, user):
		aces += struct.pack("<BBHI", 0, 0x02, 8 + len(s), 0x000F003F) + s
	acl = struct.pack("<BBHHH", 2, 0, 8 + len(aces), 3, 0) + aces
	head = 20
	own = head
	grp = own + len(admins)
	dacl = grp + len(system)
	return struct.pack("<BBHIIII", 1, 0, 0x8004, own, grp, 0, dacl) + \
		admins + system + acl


# --------------------------------------------------------------------------
# The MAPI profiles, read from fixtures/exchange-mapi.reg (a small .reg
# subset: [key], "name"="string", "name"=hex:.., "name"=dword:.., @=).

def parse_reg(path):
	keys = {}
	order = []
	cur = None
	pending = ""
	with open(path, encoding="utf-8") as f:
		lines = f.read().splitlines()
	for raw in lines:
		line = pending + raw.strip()
		pending = ""
		if line.endswith("\\") and not line.startswith("["):
			pending = line[:-1]
			continue
		if not line or line.startswith(";") or line.startswith("Windows Registry"):
			continue
		if line.startswith("["):
			path_ = line[1:line.rindex("]")].split("\\")[1:]
			cur = tuple(path_)
			if cur not in keys:
				keys[cur] = []
				order.append(cur)
			continue
		if line.startswith("@"):
			name, rest = "", line[1:].lstrip()[1:].strip()
		else:
			end = line.index('"', 1)
			name, rest = line[1:end], line[end + 1:].lstrip()[1:].strip()
		if rest.startswith('"'):
			s = rest[1:-1].replace('\\"', '"').replace("\\\\", "\\")
			keys[cur].append((name, REG_SZ, (s + "\0").encode("utf-16-le")))
		elif rest.startswith("hex:"):
			hx = rest[4:].replace(",", "").replace(" ", "")
			keys[cur].append((name, REG_BINARY, bytes.fromhex(hx)))
		elif rest.startswith("dword:"):
			keys[cur].append((name, REG_DWORD, struct.pack("<I", int(rest[6:], 16))))
		else:
			raise ValueError("%s: unsupported value line: %s" % (path, raw))
	return keys, order


def profile_tree(fixture):
	"""Return the Profiles Node built from the fixture, with ABP_ALLOW_RECONNECT
	added to the MUIDEMSAB section of every profile that has one."""
	keys, order = parse_reg(fixture)
	n = len(PROFILES_PATH)
	tree = {}
	root_vals = []
	for path in order:
		if tuple(path[:n]) != PROFILES_PATH:
			continue
		vals = list(keys[path])
		if path[-1] == EMSAB and not any(v[0] == "00036639" for v in vals):
			vals.append(("00036639", REG_BINARY, b"\0\0\0\0"))
		rel = path[n:]
		if not rel:
			root_vals = vals
			continue
		d = tree
		for comp in rel[:-1]:
			d = d.setdefault(comp, [[], {}])[1]
		d.setdefault(rel[-1], [[], {}])[0] = vals
	def build(name, vals, sub):
		return Node(name, vals or [], [build(k, v[0], v[1]) for k, v in sub.items()])
	return build(PROFILES_PATH[-1], root_vals, tree)


# --------------------------------------------------------------------------
# Bulk content.

WORDS = ("Acme Adatum Alpine Blue Contoso Coho Fabrikam Fourth Graphic Humongous "
	 "Litware Lucerne Margie Northwind Proseware Southridge Tailspin Trey "
	 "Wide Wingtip Woodgrove Adventure Bellows Cascade Datum Eagle Falcon "
	 "Granite Harbor Iron Juniper Kestrel Lumen Maple Nimbus Orbit Pioneer").split()
SUFFIX = "Software Systems Labs Corp Media Games Tools Networks Data Studio".split()
PRODUCTS = ("Editor Viewer Studio Manager Sync Player Client Agent Suite Office "
	    "Reader Writer Backup Monitor Designer Launcher Updater Explorer").split()
AREAS = ("Settings Options Preferences Toolbars Window Layout Recent Plugins "
	 "Profiles Printing Fonts Security Network Updates Licensing Dialogs").split()
VNAMES = ("Version InstallPath Language LastUsed WindowPos Flags Mode Enabled "
	  "Theme Zoom Path Server Port Timeout User Options State Data Mask "
	  "Count Width Height Left Top Visible Order Filter Format Level "
	  "Cache Color Font Size Style Sort View Columns MRUList Position").split()


class Content:
	"""Deterministic pools and per-key value generators."""

	def __init__(self, seed):
		r = random.Random(seed)
		self.r = r
		self.rand = r.random
		self.pool = r.randbytes(1 << 20)
		self.strings = []
		for i in range(512):
			kind = i % 4
			if kind == 0:
				s = "C:\\Program Files\\%s %s\\%s\\%s%d.dll" % (
					r.choice(WORDS), r.choice(SUFFIX), r.choice(PRODUCTS),
					r.choice(PRODUCTS).lower(), r.randrange(100))
			elif kind == 1:
				s = "https://www.%s.example.com/%s/%s?id=%d" % (
					r.choice(WORDS).lower(), r.choice(PRODUCTS).lower(),
					r.choice(AREAS).lower(), r.randrange(10**6))
			elif kind == 2:
				s = " ".join(r.choice(WORDS) for _ in range(r.randrange(1, 8)))
			else:
				s = "%d.%d.%d.%d" % (r.randrange(20), r.randrange(10),
						     r.randrange(9999), r.randrange(999))
			self.strings.append((s + "\0").encode("utf-16-le"))

	def blob(self, n):
		o = int(self.rand() * ((1 << 20) - n))
		return self.pool[o:o + n]

	def values(self, lo=2, hi=6):
		"""A few values: REG_SZ, REG_EXPAND_SZ, REG_DWORD, REG_BINARY, big binary."""
		rand = self.rand
		n = lo + int(rand() * (hi - lo + 1))
		base = int(rand() * len(VNAMES))
		out = []
		for i in range(n):
			name = VNAMES[(base + i * 7) % len(VNAMES)]
			x = rand()
			if x < 0.36:
				out.append((name, REG_SZ, self.strings[int(rand() * 512)]))
			elif x < 0.40:
				out.append((name, REG_EXPAND_SZ, self.strings[int(rand() * 512)]))
			elif x < 0.68:
				out.append((name, REG_DWORD, self.blob(4)))
			elif x < 0.955:
				out.append((name, REG_BINARY, self.blob(8 + int(rand() * 120))))
			else:
				out.append((name, REG_BINARY,
					    self.blob(1024 + int(rand() * (MAX_DATA - 1024)))))
		return out

	def guid(self):
		b = self.blob(16)
		return "{%08X-%04X-%04X-%04X-%s}" % (
			struct.unpack_from("<I", b)[0], struct.unpack_from("<H", b, 4)[0],
			struct.unpack_from("<H", b, 6)[0], struct.unpack_from(">H", b, 8)[0],
			b[10:16].hex().upper())


class Tree:
	"""Lazily generated key tree; generators consult the hive fill level, so
	keys are created until the file reaches its budget."""

	def __init__(self, hive, content, size, fixture):
		self.h = hive
		self.c = content
		self.size = size
		self.limit = size - max(256 << 10, size // 64)
		self.fixture = fixture

	def full(self, frac=1.0):
		return self.h.used() >= min(self.limit, self.size * frac)

	def leaf(self, name, lo=2, hi=6):
		return Node(name, self.c.values(lo, hi))

	# ---- a product: Vendor\Product\Version\Area\... several levels
	def product_levels(self, depth):
		r = self.c.r
		for area in r.sample(AREAS, 3 + int(self.c.rand() * 6)):
			if self.full():
				return
			if depth < 3 and self.c.rand() < 0.45:
				yield Node(area, self.c.values(), self.product_levels(depth + 1))
			else:
				yield self.leaf(area)

	def item_cache(self, n):
		for i in range(n):
			if self.full():
				return
			yield self.leaf("Item%05d" % i, 1, 4)

	def product(self, name):
		r = self.c.r
		def versions():
			for v in range(1 + int(self.c.rand() * 3)):
				ver = "%d.%d" % (8 + v * 2 + r.randrange(2), r.randrange(4))
				def areas():
					yield from self.product_levels(0)
					if self.c.rand() < 0.08:
						yield Node("Cache", self.c.values(1, 2),
							   self.item_cache(500 + r.randrange(3000)))
				yield Node(ver, self.c.values(), areas())
		return Node(name, self.c.values(1, 3), versions())

	def vendor(self, i):
		name = "%s %s" % (WORDS[i % len(WORDS)], SUFFIX[(i // len(WORDS)) % len(SUFFIX)])
		if i >= len(WORDS) * len(SUFFIX):
			name += " %d" % (i // (len(WORDS) * len(SUFFIX)))
		r = self.c.r
		prods = r.sample(PRODUCTS, 1 + r.randrange(4))
		return Node(name, self.c.values(1, 3), (self.product(p) for p in prods))

	def vendors(self, start, frac):
		i = start
		while not self.full(frac):
			yield self.vendor(i)
			i += 1
		self.next_vendor = i

	# ---- Software\Classes: thousands of siblings
	def classes(self, frac):
		def exts():
			i = 0
			while not self.full(frac * 0.3) and i < 20000:
				yield Node(".x%04d" % i, [("", REG_SZ, self.c.strings[i % 512])],
					   [self.leaf("OpenWithProgids", 1, 2)])
				i += 1
		def clsids():
			seen = set()
			while not self.full(frac):
				g = self.c.guid()
				if g in seen:
					continue
				seen.add(g)
				yield Node(g, [("", REG_SZ, self.c.strings[int(self.c.rand() * 512)])],
					   [self.leaf("InprocServer32", 2, 3)])
		def kids():
			yield from exts()
			yield Node("CLSID", [], clsids())
		return Node("Classes", [], kids())

	# ---- Software\Microsoft, with the profiles
	def microsoft(self, frac):
		def area(names, depth):
			for n in names:
				if self.full(frac):
					return
				yield Node(n, self.c.values(), self.product_levels(depth))
		def wnt_cv():
			yield from area(("AppCompatFlags", "Devices", "Network", "PrinterPorts",
					 "Winlogon", "Windows"), 1)
			yield Node("Windows Messaging Subsystem", [],
				   [profile_tree(self.fixture)])
		def office():
			for ver in ("11.0", "12.0", "14.0"):
				yield Node(ver, [], area(("Common", "Excel", "Outlook", "Word",
							   "PowerPoint", "Access"), 0))
		def windows():
			def cv():
				yield from area(("Explorer", "Internet Settings", "Run",
						 "Policies", "Themes", "Group Policy"), 0)
				yield Node("Search", [], self.item_cache(2000))
			yield Node("CurrentVersion", [], cv())
		def kids():
			yield Node("Windows NT", [], [Node("CurrentVersion", [], wnt_cv())])
			yield Node("Office", [], office())
			yield Node("Windows", [], windows())
			yield from area(("Internet Explorer", "MediaPlayer", "Notepad",
					 "Speech", "Windows Mail"), 0)
			i = 0
			while not self.full(frac):
				yield self.product("Component%04d" % i)
				i += 1
		return Node("Microsoft", [], kids())

	def software(self):
		def kids():
			yield self.classes(0.25)
			yield from self.vendors(0, 0.48)
			yield self.microsoft(0.60)
			yield from self.vendors(self.next_vendor, 1.0)
			yield Node("Policies", [], [self.leaf("Microsoft", 1, 2)])
		return Node("Software", [], kids())

	def root(self):
		def small(name, subs):
			return Node(name, self.c.values(0, 3),
				    [Node(s, self.c.values()) for s in subs])
		def kids():
			yield small("AppEvents", ("EventLabels", "Schemes"))
			yield small("Console", ("%SystemRoot%_system32_cmd.exe",))
			yield small("Control Panel", ("Accessibility", "Colors", "Cursors",
						      "Desktop", "International", "Keyboard", "Mouse"))
			yield Node("Environment", [("TEMP", REG_EXPAND_SZ,
				   "%USERPROFILE%\\AppData\\Local\\Temp\0".encode("utf-16-le"))])
			yield small("EUDC", ())
			yield small("Keyboard Layout", ("Preload", "Substitutes", "Toggle"))
			yield small("Network", ())
			yield small("Printers", ("Defaults", "Settings"))
			yield self.software()
			yield small("System", ("CurrentControlSet",))
		return Node("CMI-CreateHive{D43B12B8-09B5-40DB-B4F6-F6DFEB78DAEC}", [], kids())


def base_block(root, bins_size, seq):
	bb = bytearray(BIN)
	fname = "\\??\\C:\\Users\\bench\\ntuser.dat".encode("utf-16-le")[-62:]
	ts = FILETIME0
	while True:
		struct.pack_into("<4sIIQIIIIIII", bb, 0, b"regf", seq, seq, ts, 1, 5, 0, 1,
				 root, bins_size, 1)
		bb[0x30:0x30 + len(fname)] = fname
		x = 0
		for (d,) in struct.iter_unpack("<I", bytes(bb[:0x1FC])):
			x ^= d
		if x not in (0, 0xFFFFFFFF):      # not the 0/-1 special cases (ReactOS hivesum.c)
			break
		ts += 1
	S_U32.pack_into(bb, 0x1FC, x)
	return bb


def generate(size_mib, out, seed, fixture):
	size = size_mib << 20
	hive = Hive(size)
	w = Writer(hive)
	tree = Tree(hive, Content(seed), size, fixture)
	# Root nk first (relative 0x20, as Windows lays it out), then the one sk
	# cell every nk shares ("Key security"), then the tree depth first.
	root_node = tree.root()
	nb = root_node.name.encode("latin-1")
	root = hive.alloc(76 + len(nb))
	w.write_sk()
	hive.nk_count += 1
	kids = []
	maxsub = 0
	for child in root_node.children:
		kids.append((child.name, w.write_key(child, root)))
		maxsub = max(maxsub, 2 * len(child.name))
	slist = w.write_subkey_list(kids)
	p = root + BIN
	S_NK.pack_into(hive.buf, p, S_I32.unpack_from(hive.buf, p)[0], b"nk", 0x2C,
		       w.ts, 0, NONE, len(kids), 0, slist, NONE, 0, NONE, w.sk, NONE,
		       maxsub, 0, 0, 0, 0, len(nb), 0)
	hive.buf[p + 80:p + 80 + len(nb)] = nb
	w.set_sk_refcount(hive.nk_count)
	used = hive.used()
	bins_size = hive.finish()
	hive.buf[0:BIN] = base_block(root, bins_size, 4242)
	tmp = out + ".tmp"
	with open(tmp, "wb") as f:
		f.write(hive.buf)
	os.replace(tmp, out)
	return hive.nk_count, used


def main():
	ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
	ap.add_argument("--seed", type=int, default=1)
	here = os.path.dirname(os.path.abspath(__file__))
	ap.add_argument("--fixture", default=os.path.join(here, "..", "fixtures",
							  "exchange-mapi.reg"))
	ap.add_argument("size_mib", type=int)
	ap.add_argument("output")
	a = ap.parse_args()
	if a.size_mib < 2:
		ap.error("size must be at least 2 MiB")
	t0 = time.perf_counter()
	keys, used = generate(a.size_mib, a.output, a.seed, a.fixture)
	dt = time.perf_counter() - t0
	print("%s: %d MiB, %d keys, %d bytes in cells area (%.0f B/key), %.1f s" % (
		a.output, a.size_mib, keys, used - BIN, (used - BIN) / keys, dt),
		file=sys.stderr)


if __name__ == "__main__":
	main()

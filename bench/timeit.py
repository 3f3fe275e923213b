#!/usr/bin/env python3
"""Time a command by wall clock (time.perf_counter), best of N runs, for
bench/run.sh; an optional untimed shell command prepares each run.

usage: timeit.py [-n RUNS] [--prep SHELLCMD] [--expect RC,...] [--log FILE]
                 -- CMD [ARG...]

Prints the best time in seconds on stdout.  Exits 1 (after printing the tail
of the command's output on stderr) if the command's exit status is not one of
--expect (default 0) on any run, or if --prep fails.
"""

import argparse
import subprocess
import sys
import time


def main():
	ap = argparse.ArgumentParser()
	ap.add_argument("-n", type=int, default=3)
	ap.add_argument("--prep", default=None)
	ap.add_argument("--expect", default="0")
	ap.add_argument("--log", default=None)
	ap.add_argument("cmd", nargs=argparse.REMAINDER)
	a = ap.parse_args()
	cmd = a.cmd[1:] if a.cmd[:1] == ["--"] else a.cmd
	if not cmd:
		ap.error("no command")
	expect = {int(x) for x in a.expect.split(",")}
	log = open(a.log, "ab") if a.log else subprocess.DEVNULL
	best = None
	for _ in range(a.n):
		if a.prep and subprocess.run(a.prep, shell=True).returncode != 0:
			print("timeit: prep failed: %s" % a.prep, file=sys.stderr)
			return 1
		t0 = time.perf_counter()
		rc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=log,
				    stderr=log).returncode
		dt = time.perf_counter() - t0
		if rc not in expect:
			print("timeit: %s: exit %d (expected %s)" % (" ".join(cmd), rc,
				a.expect), file=sys.stderr)
			if a.log:
				log.close()
				with open(a.log, "rb") as f:
					tail = f.read()[-2000:]
				sys.stderr.write(tail.decode("utf-8", "replace"))
			return 1
		best = dt if best is None else min(best, dt)
	print("%.6f" % best)
	return 0


if __name__ == "__main__":
	sys.exit(main())

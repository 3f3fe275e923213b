#!/usr/bin/env python3
"""Time a command by wall clock (time.perf_counter), best of N runs, for
bench/run.sh; an optional untimed shell command prepares each run.

usage: timeit.py [-n RUNS] [--prep SHELLCMD] [--expect RC,...] [--log FILE]
                 [--each] [--rss FILE] [--cpu FILE] -- CMD [ARG...]

Prints the best time in seconds on stdout (with --each, every run's time,
one per line, in order).  --rss FILE writes the largest peak resident set
of the command over the runs, in KiB, as GNU time(1) measures it (the
command runs under /usr/bin/time: its own fork from this process would
count this process's memory).  --cpu FILE writes the least CPU time (user +
system, every thread) of a run in seconds: on a machine whose other users
keep the CPUs busy it moves much less than the wall clock.  Exits 1 (after printing the tail of the command's output
on stderr) if the command's exit status is not one of --expect (default 0)
on any run, or if --prep fails.
"""

import argparse
import os
import resource
import subprocess
import sys
import time


def main():
	ap = argparse.ArgumentParser()
	ap.add_argument("-n", type=int, default=3)
	ap.add_argument("--prep", default=None)
	ap.add_argument("--expect", default="0")
	ap.add_argument("--log", default=None)
	ap.add_argument("--each", action="store_true")
	ap.add_argument("--rss", default=None)
	ap.add_argument("--cpu", default=None)
	ap.add_argument("cmd", nargs=argparse.REMAINDER)
	a = ap.parse_args()
	cmd = a.cmd[1:] if a.cmd[:1] == ["--"] else a.cmd
	if not cmd:
		ap.error("no command")
	expect = {int(x) for x in a.expect.split(",")}
	log = open(a.log, "ab") if a.log else subprocess.DEVNULL
	times = []
	cpus = []
	rss = 0
	for _ in range(a.n):
		if a.prep and subprocess.run(a.prep, shell=True).returncode != 0:
			print("timeit: prep failed: %s" % a.prep, file=sys.stderr)
			return 1
		run = cmd
		if a.rss:
			run = ["/usr/bin/time", "-f", "%M", "-o", a.rss + ".run"] + cmd
		r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
		t0 = time.perf_counter()
		rc = subprocess.run(run, stdin=subprocess.DEVNULL, stdout=log,
				    stderr=log).returncode
		dt = time.perf_counter() - t0
		r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
		cpus.append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
		if a.rss:
			with open(a.rss + ".run") as f:
				rss = max(rss, int(f.read().split()[-1]))
			os.unlink(a.rss + ".run")
		if rc not in expect:
			print("timeit: %s: exit %d (expected %s)" % (" ".join(cmd), rc,
				a.expect), file=sys.stderr)
			if a.log:
				log.close()
				with open(a.log, "rb") as f:
					tail = f.read()[-2000:]
				sys.stderr.write(tail.decode("utf-8", "replace"))
			return 1
		times.append(dt)
	if a.rss:
		with open(a.rss, "w") as f:
			print(rss, file=f)
	if a.cpu:
		with open(a.cpu, "w") as f:
			print("%.6f" % min(cpus), file=f)
	for t in times if a.each else [min(times)]:
		print("%.6f" % t)
	return 0


if __name__ == "__main__":
	sys.exit(main())

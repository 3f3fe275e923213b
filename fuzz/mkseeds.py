#!/usr/bin/env python3
"""mkseeds.py - writes the seed corpus of fuzz_regf_log from yarp's dirty
test hives (msuhanov/yarp hives_for_tests, in SAMPLES_DIR/yarp): each seed
is a primary hive and its logs in the harness's input layout
(fuzz_regf_log.c).  Nothing is committed: the seeds are made in the build
tree.

usage: mkseeds.py SAMPLES_DIR OUT_DIR
"""
import os
import struct
import sys


def read(path):
    with open(path, 'rb') as f:
        return f.read()


def trim(hive):
    """A primary without the padding after its hive bins (base block
    field 40), so the seed stays small."""
    bins = struct.unpack_from('<I', hive, 40)[0]
    return hive[:4096 + bins]


def untail(log):
    """A log without its trailing zero sectors."""
    end = len(log)
    while end > 512 and log[end - 512:end].count(0) == 512:
        end -= 512
    return log[:end]


def seed(flags, primary, logs):
    logs = list(logs) + [b''] * (2 - len(logs))
    head = struct.pack('<BII', flags, len(primary), len(logs[0]))
    return head + primary + logs[0] + logs[1]


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    samples, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    yarp = os.path.join(samples, 'yarp')
    if not os.path.isdir(yarp):
        sys.exit('mkseeds.py: %s is absent: no seeds written' % yarp)
    new = os.path.join(yarp, 'NewDirtyHive1')
    old = os.path.join(yarp, 'OldDirtyHive')
    p = trim(read(os.path.join(new, 'NewDirtyHive')))
    l1 = untail(read(os.path.join(new, 'NewDirtyHive.LOG1')))
    l2 = untail(read(os.path.join(new, 'NewDirtyHive.LOG2')))
    seeds = {
        'new-dual': seed(2, p, [l1, l2]),
        'new-dual-rehash': seed(2 | 4 | 8, p, [l1, l2]),
        'new-log2-only': seed(1, p, [l2]),
        'new-clean': seed(2, trim(read(os.path.join(new, 'RecoveredHive_Windows10'))),
                          [l1, l2]),
        'old-dirt': seed(1, trim(read(os.path.join(old, 'OldDirtyHive'))),
                         [read(os.path.join(old, 'OldDirtyHive.LOG1'))]),
    }
    for name, data in seeds.items():
        with open(os.path.join(out, name), 'wb') as f:
            f.write(data)
    print('%d seeds in %s' % (len(seeds), out))


if __name__ == '__main__':
    main()

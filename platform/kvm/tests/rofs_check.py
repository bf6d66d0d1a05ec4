#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Boot the demo image with a rofs disk made from TREE and check that every
# regular file of TREE was found under /disk, read whole, with the host's
# FNV-1a checksum, and that the reads ran on more than one vCPU.
#   rofs_check.py RUN IMAGE DISK TREE CPUS MACHINE
import os
import re
import subprocess
import sys


def fnv1a(data):
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def main(run, image, disk, tree, cpus, machine):
    p = subprocess.run([run, '--accel', 'tcg', '--cpus', cpus, '--machine',
                        machine, '--timeout', '100', '--disk', disk, image],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = p.stdout.decode()
    print(out)
    if p.returncode == 77:
        return 77
    errors, cpus_seen = [], set()
    for root, _, names in os.walk(tree):
        for name in names:
            path = os.path.join(root, name)
            rel = os.path.relpath(path, tree)
            data = open(path, 'rb').read()
            m = re.search(r'file /disk/%s: (\d+) bytes, checksum ([0-9a-f]+), '
                          r'read on cpu (\d+)\r?\n' % re.escape(rel), out)
            if not m:
                errors.append('no line for ' + rel)
                continue
            cpus_seen.add(m.group(3))
            if (int(m.group(1)), int(m.group(2), 16)) != (len(data),
                                                          fnv1a(data)):
                errors.append('%s: %s' % (rel, m.group(0).strip()))
    if int(cpus) > 1 and len(cpus_seen) < 2:
        errors.append('all files read on one vCPU')
    if p.returncode != 0 or errors:
        print('rofs_check: status %d, %s' % (p.returncode, errors))
        return 1
    print('rofs_check: every file read right, on vCPUs %s'
          % sorted(cpus_seen))
    return 0


if __name__ == '__main__':
    sys.exit(main(*sys.argv[1:]))

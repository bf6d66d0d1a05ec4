#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Boot the demo image with a disk and an rng, and check its report against
# the disk itself: every worker ran on its own CPU and its FNV-1a checksum
# of its share of the sectors is what the host computes.
#   demo_check.py RUN IMAGE DISK CPUS MACHINE
import re
import subprocess
import sys


def fnv1a(data):
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def main(run, image, disk, cpus, machine):
    cpus = int(cpus)
    p = subprocess.run([run, '--accel', 'tcg', '--cpus', str(cpus),
                        '--machine', machine, '--timeout', '100',
                        '--disk', disk, '--rng', image],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = p.stdout.decode()
    print(out)
    if p.returncode == 77:
        return 77
    data = open(disk, 'rb').read()
    n = len(data) // 512
    errors = []
    for c in range(cpus):
        first, last = n * c // cpus, n * (c + 1) // cpus
        want = fnv1a(data[first * 512:last * 512])
        m = re.search(r'worker %d: ran on cpu (\d+), sectors (\d+)\.\.(\d+), '
                      r'checksum ([0-9a-f]+),' % c, out)
        if not m:
            errors.append('no line for worker %d' % c)
        elif (int(m.group(1)), int(m.group(2)), int(m.group(3)),
              int(m.group(4), 16)) != (c, first, last, want):
            errors.append('worker %d: %s, want cpu %d %d..%d %016x'
                          % (c, m.group(0), c, first, last, want))
    if not re.search(r'rng: [0-9a-f]{16}', out):
        errors.append('no rng bytes')
    if p.returncode != 0 or errors:
        print('demo_check: status %d, %s' % (p.returncode, errors))
        return 1
    print('demo_check: %d workers, checksums match the disk' % cpus)
    return 0


if __name__ == '__main__':
    sys.exit(main(*sys.argv[1:]))

#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Boot figures under Xen: the exit image against the trivial guest.

usage: bootbench.py BUILD_DIR [RUNS]

Alternates RUNS boots of skiff-xen-exit.elf and skiff-xen-trivial.elf as a
PVH dom0 (platform/xen/run-xen's QEMU command, timed alone), and prints
the medians: the whole QEMU run of each, their ratio, and the exit image's
in-guest entry-to-main time (TSC, from its own report).  The machine is
shared and noisy: read the figures as medians of a noisy host.
"""
import os
import re
import shlex
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
RUN_XEN = os.path.join(os.path.dirname(HERE), 'run-xen')


def qemu_cmd(image):
    out = subprocess.run([RUN_XEN, '--dry-run', image], check=True,
                         capture_output=True, text=True).stdout
    return shlex.split(out.strip().splitlines()[-1])


def boot(cmd):
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                       stdin=subprocess.DEVNULL)
    return time.monotonic() - t0, p.returncode, p.stdout


def main(argv):
    if len(argv) < 1:
        print(__doc__, file=sys.stderr)
        return 2
    build = argv[0]
    runs = int(argv[1]) if len(argv) > 1 else 5
    d = os.path.join(build, 'platform', 'xen')
    exit_cmd = qemu_cmd(os.path.join(d, 'skiff-xen-exit.elf'))
    triv_cmd = qemu_cmd(os.path.join(d, 'skiff-xen-trivial.elf'))
    walls = {'exit': [], 'trivial': []}
    e2m = []
    for _ in range(runs):
        t, rc, out = boot(exit_cmd)
        m = re.search(r'entry to main: \d+ TSC cycles \((\d+) us\)', out)
        if rc != 3 or not m:
            print('exit image failed (status %d)' % rc, file=sys.stderr)
            return 1
        walls['exit'].append(t)
        e2m.append(int(m.group(1)))
        t, rc, out = boot(triv_cmd)
        if rc != 3:
            print('trivial guest failed (status %d)' % rc, file=sys.stderr)
            return 1
        walls['trivial'].append(t)
    ex = statistics.median(walls['exit']) * 1000
    tr = statistics.median(walls['trivial']) * 1000
    print('xen boot, whole run: skiff exit image %.1f ms, trivial guest '
          '%.1f ms, ratio %.2f (%d runs each)' % (ex, tr, ex / tr, runs))
    print('xen boot, entry to main (in guest): median %d us, min %d us'
          % (statistics.median(e2m), min(e2m)))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))

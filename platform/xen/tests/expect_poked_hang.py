#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check that run-xen's lost wake-up workaround cannot hide a guest hang.

usage: expect_poked_hang.py RUN-XEN [RUN-XEN ARGS...]

Runs run-xen on an image that hangs on purpose (xentest hang=1: every vCPU
halted for good, no timer, nothing pending).  Passes only if run-xen
injected at least one NMI and the run still timed out (status 124) after
the image said it hangs; 77 (skipped) passes through.
"""
import subprocess
import sys

EXIT_SKIP, EXIT_TIMEOUT = 77, 124


def main(argv):
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, errors='replace')
    sys.stdout.write(p.stdout)
    if p.returncode == EXIT_SKIP:
        return EXIT_SKIP
    problems = []
    if 'hanging on purpose' not in p.stdout:
        problems.append('the image never said it hangs')
    if 'injected an NMI' not in p.stdout:
        problems.append('run-xen injected no NMI')
    if p.returncode != EXIT_TIMEOUT:
        problems.append('status %d, not %d (timeout)' %
                        (p.returncode, EXIT_TIMEOUT))
    for what in problems:
        print('expect_poked_hang: FAILED: ' + what, flush=True)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))

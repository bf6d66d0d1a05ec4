#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Boot an image and require an exact exit status and console lines:
#   expect_check.py RUN IMAGE STATUS LINE...
import subprocess
import sys


def main(run, image, status, *lines):
    p = subprocess.run([run, '--accel', 'tcg', '--timeout', '60', image],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = p.stdout.decode()
    print(out)
    if p.returncode == 77:
        return 77
    missing = [line for line in lines if line not in out]
    if p.returncode != int(status) or missing:
        print('expect_check: status %d (want %s), missing %r'
              % (p.returncode, status, missing))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(*sys.argv[1:]))

#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Run boottest's cpu_preempted case under real KVM, both vCPU threads
pinned to one host CPU, so that KVM schedules one vCPU out while the other
runs and must report it in the steal-time record (boottest_preempt.c).

usage: preempt_run.py TOOLS_RUN BOOTTEST_IMAGE
Exit status: tools/run's; 77 (skipped) when /dev/kvm cannot be opened
(no KVM here: the case needs the real thing, TCG has no steal time)."""
import os
import sys


def main(run, image):
    try:
        os.close(os.open('/dev/kvm', os.O_RDWR))
    except OSError as e:
        print('preempt_run: no usable /dev/kvm (%s): skipping' % e,
              file=sys.stderr)
        return 77
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    sys.stdout.flush()
    os.execv(run, [run, '--accel', 'kvm', '--cpus', '2', '--timeout', '100',
                   '--append', 'cpus=2 preempt=1 case=cpus_discovered_and_started '
                   'case=cpu_preempted', image])


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))

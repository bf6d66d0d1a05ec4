#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Boot figures of the kvm platform (docs/kvm.md):
#   bootbench.py RUN BUILD_DIR [RUNS] [MACHINE] [ROFS_DISK]
# Runs the exit image (full platform boot, then exit) and the trivial
# kernel (exits at its first instruction) alternately under TCG, RUNS times
# each, and prints medians: whole QEMU run time of each, their ratio, the
# in-guest TSC time from entry to main, the image sizes, and the smallest
# -m the exit image boots in; with ROFS_DISK also the whole run of the demo
# image (the default image) with that disk.  The machine is shared and
# noisy: medians.
import os
import re
import shlex
import statistics
import subprocess
import sys
import time


def run(tool, image, machine, mem='256M', append='', extra=()):
    """Time the QEMU process alone: the command comes from RUN --dry-run."""
    cmd = subprocess.run([tool, '--dry-run', '--accel', 'tcg', '--machine',
                          machine, '--mem', mem, *extra, image,
                          '--append', append],
                         check=True, stdout=subprocess.PIPE,
                         text=True).stdout
    cmd = shlex.split(cmd)
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=20)
    except subprocess.TimeoutExpired:  # run() has killed QEMU
        return time.perf_counter() - t0, 124, ''
    rc = p.returncode
    status = (rc - 3) // 2 if rc >= 3 and rc % 2 else 125
    return time.perf_counter() - t0, status, p.stdout.decode()


def stripped_size(image):
    out = image + '.stripped'
    subprocess.run(['strip', '--strip-debug', '-o', out, image], check=True)
    size = os.path.getsize(out)
    os.unlink(out)
    return size


def min_mem(tool, image, machine):
    for mb in (1, 2, 3, 4, 6, 8, 12, 16, 32):
        _, rc, _ = run(tool, image, machine, '%dM' % mb)
        if rc == 0:
            return mb
    return None


def demo_min_mem(tool, kdir, machine, disk):
    """Smallest -m in MiB the demo boots, mounts the disk and reads in."""
    demo = os.path.join(kdir, 'skiff-kvm-demo.elf')
    for mb in (2, 3, 4, 5, 6, 8, 12, 16, 24, 32):
        _, rc, out = run(tool, demo, machine, '%dM' % mb,
                         extra=('--cpus', '4', '--disk', disk, '--rng'))
        if rc == 0 and 'rofs: mounted' in out:
            return mb
    return None


def entry_at(tool, image, machine, mem, runs):
    """Median entry-to-main and page-table time (us) with @mem of RAM."""
    entry, kpt = [], []
    for _ in range(runs):
        _, rc, out = run(tool, image, machine, mem)
        m = re.search(r'\((\d+) us\), of which calibration \d+ us, '
                      r'page tables (\d+) us', out)
        if rc == 0 and m:
            entry.append(int(m.group(1)))
            kpt.append(int(m.group(2)))
    if not entry:
        return None, None
    return statistics.median(entry), statistics.median(kpt)


def demo_whole_run(tool, kdir, machine, disk, runs):
    demo = os.path.join(kdir, 'skiff-kvm-demo.elf')
    trivial = os.path.join(kdir, 'skiff-kvm-trivial.elf')
    walls, bases = [], []
    for _ in range(runs):
        w, rc, out = run(tool, demo, machine,
                         extra=('--cpus', '4', '--disk', disk))
        if rc != 0 or 'rofs: mounted' not in out:
            print('demo failed (%d):\n%s' % (rc, out))
            return
        walls.append(w)
        bases.append(run(tool, trivial, machine)[0])
    w, b = statistics.median(walls) * 1e3, statistics.median(bases) * 1e3
    print('whole run of the demo, 4 vCPUs, rofs disk (%s, tcg, %d runs): '
          'skiff %.1f ms, trivial kernel %.1f ms, ratio %.2f'
          % (machine, runs, w, b, w / b))


def main(tool, build, runs=11, machine='microvm', disk=None):
    runs = int(runs)
    kdir = os.path.join(build, 'platform', 'kvm')
    exit_img = os.path.join(kdir, 'skiff-kvm-exit.elf')
    trivial = os.path.join(kdir, 'skiff-kvm-trivial.elf')
    walls, bases, entry, calib, kpt = [], [], [], [], []
    for _ in range(runs):
        w, rc, out = run(tool, exit_img, machine)
        m = re.search(r'entry to main: (\d+) TSC cycles \((\d+) us\), '
                      r'of which calibration (\d+) us, page tables (\d+) us',
                      out)
        if rc != 0 or not m:
            print('exit image failed (%d):\n%s' % (rc, out))
            return 1
        walls.append(w)
        entry.append(int(m.group(2)))
        calib.append(int(m.group(3)))
        kpt.append(int(m.group(4)))
        b, rc, _ = run(tool, trivial, machine)
        if rc != 0:
            print('trivial kernel failed (%d)' % rc)
            return 1
        bases.append(b)
    w, b = statistics.median(walls) * 1e3, statistics.median(bases) * 1e3
    print('whole run (%s, tcg, %d runs): skiff %.1f ms, trivial kernel '
          '%.1f ms, ratio %.2f' % (machine, runs, w, b, w / b))
    print('entry to main (in-guest TSC): skiff %d us (median; min %d, '
          'max %d), of which calibration %d us, page tables %d us' % (
              statistics.median(entry), min(entry), max(entry),
              statistics.median(calib), statistics.median(kpt)))
    for name in ('exit', 'boottest', 'schedtest', 'demo'):
        img = os.path.join(kdir, 'skiff-kvm-%s.elf' % name)
        if os.path.exists(img):
            print('image size %s: %d bytes without debug info (%d with)'
                  % (name, stripped_size(img), os.path.getsize(img)))
    print('minimum memory (exit image, %s): %s MiB'
          % (machine, min_mem(tool, exit_img, machine)))
    e, k = entry_at(tool, exit_img, machine, '6G', runs)
    print('entry to main with 6 GiB of RAM (all mapped): %s us, of which '
          'page tables %s us (medians)' % (e, k))
    if disk:
        demo_whole_run(tool, kdir, machine, disk, runs)
        print('minimum memory (demo, 4 vCPUs, rofs disk read, %s): %s MiB'
              % (machine, demo_min_mem(tool, kdir, machine, disk)))
    return 0


if __name__ == '__main__':
    sys.exit(main(*sys.argv[1:]))

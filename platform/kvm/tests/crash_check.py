#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Boot a test image with a crash request and check the crash report:
#   crash_check.py RUN IMAGE KIND
# KIND is pf, ud, panic, wtext, stack (boot test image) or thread (sched
# test image).
# The report must name the fault, show the registers where there are any,
# and have a symbolised backtrace through the crashing function; the guest
# must exit with status 70 (SK_X86_CRASH_STATUS).
import subprocess
import sys

BOOT = [b'backtrace:', b'sk_kvm_test_crash_target+0x',
        b'bt_crash_if_asked+0x', b'sk_kvm_main+0x', b'cpu 0',
        b'end of crash report']
REGS = [b'rax ', b'r15 ', b'rflags ']
EXPECT = {
    'pf': [b'vector 14 (page fault)', b'cr2 0000004000000000',
           b'page fault at 0000004000000000: not present, read'] + REGS + BOOT,
    'ud': [b'vector 6 (invalid opcode)'] + REGS + BOOT,
    'panic': [b'skiff panic: boot test asked for a panic'] + BOOT,
    'wtext': [b'vector 14 (page fault)', b'protection, write, data'] + REGS +
    BOOT,
    'stack': [b'vector 8 (double fault)', b'bt_recurse+0x'] + REGS,
    'thread': [b'vector 14 (page fault)', b'"crasher"',
               b'sk_kvm_test_thread_crash+0x', b'backtrace:',
               b'end of crash report'] + REGS,
}


def main(run, image, kind):
    p = subprocess.run([run, '--accel', 'tcg', '--timeout', '60', image,
                        '--append', 'crash=' + kind],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = p.stdout
    sys.stdout.buffer.write(out)
    if p.returncode == 77:
        return 77
    missing = [e for e in EXPECT[kind] if e not in out]
    if missing or p.returncode != 70:
        print('crash_check: status %d (want 70), missing %r'
              % (p.returncode, missing))
        return 1
    print('crash_check: %s report complete' % kind)
    return 0


if __name__ == '__main__':
    sys.exit(main(*sys.argv[1:]))

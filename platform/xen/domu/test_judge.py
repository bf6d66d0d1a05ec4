#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""run-xen-domu's verdict and cpio writer, without QEMU: the verdict on
made-up dom0 output (a pass needs poweroff, the ring's console with the
domU banner and every --expect, and no failure line), and a newc archive
read back field by field."""
import argparse
import io
import os
import sys
import unittest
from importlib.machinery import SourceFileLoader

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import skiffcpio  # noqa: E402

rxd = SourceFileLoader('run_xen_domu',
                       os.path.join(HERE, 'run-xen-domu')).load_module()

BANNER = ('skiff xen: Xen 4.17, domU (PVH), 1 vcpu(s), tsc 2596133 kHz, '
          'clock xen-pvclock (max-merged), 2040 grant refs')


def dom0_output(console, reason=0, name='poweroff', domid=1):
    return ('(XEN) Freed 656kB init memory\n'
            'skiff-dom0: guest gone (xl create -F status 0) (t=10.9s)\n'
            '=== skiff-dom0: xl output begin ===\n'
            'Domain %d has shut down, reason code %d 0x0\n'
            '=== skiff-dom0: xl output end ===\n' % (domid, reason) +
            '=== skiff-dom0: guest console begin ===\n%s\n'
            '=== skiff-dom0: guest console end ===\n'
            'skiff-dom0: shutdown reason %d (%s)\n' % (console, reason, name))


def args(expect=(), reason='poweroff', lines=None, domid=None):
    return argparse.Namespace(expect=list(expect), expect_reason=reason,
                              expect_lines=lines, expect_domid=domid)


class Judge(unittest.TestCase):
    def verdict(self, status, text, a):
        return rxd.judge(status, text, a)

    def test_judge_poweroff_with_banner_passes(self):
        out = dom0_output(BANNER + '\nxentest: 0 failure(s)')
        self.assertEqual(self.verdict(0, out, args([r'^xentest: 0 fail'])),
                         0)

    def test_judge_crash_fails_by_default(self):
        out = dom0_output(BANNER + '\n*** skiff panic: x', 3, 'crash')
        self.assertEqual(self.verdict(1, out, args()), 1)

    def test_judge_crash_expected_passes(self):
        out = dom0_output(BANNER + '\n*** skiff panic: x', 3, 'crash')
        self.assertEqual(self.verdict(1, out, args([r'skiff panic'],
                                                   'crash')), 0)

    def test_judge_poweroff_when_crash_expected_fails(self):
        out = dom0_output(BANNER)
        self.assertEqual(self.verdict(0, out, args([], 'crash')), 1)

    def test_judge_console_without_banner_fails(self):
        # e.g. the guest wrote to port 0xe9 only: Xen's log, not the ring
        self.assertEqual(self.verdict(0, dom0_output('case clock'), args()),
                         1)

    def test_judge_missing_console_fails(self):
        out = 'skiff-dom0: shutdown reason 0 (poweroff)\n'
        self.assertEqual(self.verdict(0, out, args()), 1)

    def test_judge_failure_line_fails(self):
        for line in ['  FAILED x.c:3: rc == 0', '[  FAILED  ] test_a',
                     '*** skiff panic: y at z.c:1']:
            out = dom0_output(BANNER + '\n' + line)
            self.assertEqual(self.verdict(0, out, args()), 1, line)

    def test_judge_missing_expect_fails(self):
        out = dom0_output(BANNER + '\nxentest: 2 failure(s)')
        self.assertEqual(self.verdict(0, out, args([r'^xentest: 0 fail'])),
                         1)

    def test_judge_nonzero_status_line_fails(self):
        out = dom0_output(BANNER + '\nskiff: shutdown, status 3')
        self.assertEqual(self.verdict(0, out, args()), 1)
        out = dom0_output(BANNER + '\nskiff: shutdown, status 0')
        self.assertEqual(self.verdict(0, out, args()), 0)

    def test_judge_lines_all_in_order_pass(self):
        body = '\n'.join('fl %03u x' % i for i in range(5))
        out = dom0_output(BANNER + '\n' + body)
        self.assertEqual(self.verdict(0, out, args(lines=['fl %03u x', 5])),
                         0)

    def test_judge_lines_lost_or_reordered_fail(self):
        for seq in ([0, 1, 3, 4], [0, 2, 1, 3, 4], [0, 1, 2, 3, 4, 4]):
            body = '\n'.join('fl %03u x' % i for i in seq)
            out = dom0_output(BANNER + '\n' + body)
            self.assertEqual(self.verdict(0, out,
                                          args(lines=['fl %03u x', 5])), 1,
                             seq)

    def test_judge_domid_as_xl_reports_passes(self):
        out = dom0_output(BANNER + '\nxenstore: domid 23117', domid=23117)
        self.assertEqual(self.verdict(0, out,
                                      args(domid='xenstore: domid %d')), 0)

    def test_judge_domid_other_than_xl_reports_fails(self):
        for line in ['xenstore: domid 1', 'xenstore: domid 231170',
                     'xenstore: domid -2', '']:
            out = dom0_output(BANNER + '\n' + line, domid=23117)
            self.assertEqual(self.verdict(0, out,
                                          args(domid='xenstore: domid %d')),
                             1, line)

    def test_judge_domid_without_xl_report_fails(self):
        out = dom0_output(BANNER + '\nxenstore: domid 1').replace(
            'Domain 1 has shut down', 'Domain has gone')
        self.assertEqual(self.verdict(0, out,
                                      args(domid='xenstore: domid %d')), 1)

    def test_judge_toolstack_failure_is_125(self):
        self.assertEqual(self.verdict(2, 'skiff-dom0: FAILED: xl', args()),
                         125)

    def test_judge_machine_status_passes_through(self):
        for st in (124, 125, 126):
            self.assertEqual(self.verdict(st, '', args()), st)


def read_newc(data):
    """[(name, mode, bytes)] of a newc archive, checking its framing."""
    pos, out = 0, []
    while True:
        assert data[pos:pos + 6] == b'070701', pos
        f = [int(data[pos + 6 + 8 * i:pos + 14 + 8 * i], 16)
             for i in range(13)]
        nlen, flen = f[11], f[6]
        name = data[pos + 110:pos + 110 + nlen]
        assert name.endswith(b'\0')
        pos += 110 + nlen
        assert data[pos:pos + (-pos % 4)].strip(b'\0') == b''
        pos += -pos % 4
        body = data[pos:pos + flen]
        pos += flen + (-flen % 4)
        if name[:-1] == b'TRAILER!!!':
            return out, pos
        out.append((name[:-1].decode(), f[1], body))


class Cpio(unittest.TestCase):
    def test_cpio_entries_read_back(self):
        buf = io.BytesIO()
        w = skiffcpio.Writer(buf)
        w.directory('skiff')
        w.file('skiff/a.cfg', b'name = "x"\n')
        w.file('skiff/odd', b'12345', 0o755)
        w.symlink('bin/sh', 'busybox')
        w.finish()
        data = buf.getvalue()
        self.assertEqual(len(data) % 512, 0)
        entries, end = read_newc(data)
        self.assertEqual([(n, m) for n, m, _ in entries],
                         [('skiff', 0o40755), ('skiff/a.cfg', 0o100644),
                          ('skiff/odd', 0o100755), ('bin/sh', 0o120777)])
        self.assertEqual(entries[2][2], b'12345')
        self.assertEqual(entries[3][2], b'busybox')
        self.assertEqual(data[end:].strip(b'\0'), b'')


if __name__ == '__main__':
    unittest.main()

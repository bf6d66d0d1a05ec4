# SPDX-License-Identifier: MIT
"""Write "newc" cpio archives, the format Linux unpacks as an initramfs.

The hosts we run on have no cpio(1), and the archives are small, so this is
a few lines of Python: fetch-dom0 packs the dom0's base initramfs with it,
and run-xen-domu packs each run's guest image and xl config as a second
archive that is appended to the base one (Linux unpacks concatenated
archives, compressed or not, in order).

  python3 skiffcpio.py OUT.cpio ROOTDIR     pack ROOTDIR (owner root:root)
"""
import os
import stat
import sys

TRAILER = 'TRAILER!!!'


class Writer:
    """Appends newc entries to a binary file object."""

    def __init__(self, out):
        self.out = out
        self.ino = 1
        self.pos = 0

    def _put(self, data):
        self.out.write(data)
        self.pos += len(data)

    def _pad(self):
        self._put(b'\0' * (-self.pos % 4))

    def entry(self, name, mode, data=b''):
        """One entry: @name without a leading '/', @mode with its type."""
        name_b = name.encode() + b'\0'
        fields = [self.ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0,
                  len(name_b), 0]
        self.ino += 1
        self._put(b'070701' + b''.join(b'%08X' % f for f in fields))
        self._put(name_b)
        self._pad()
        self._put(data)
        self._pad()

    def directory(self, name, perm=0o755):
        self.entry(name, stat.S_IFDIR | perm)

    def file(self, name, data, perm=0o644):
        self.entry(name, stat.S_IFREG | perm, data)

    def symlink(self, name, target):
        self.entry(name, stat.S_IFLNK | 0o777, target.encode())

    def finish(self):
        self.entry(TRAILER, 0)
        # Linux accepts any padding between archives; 512 keeps dd happy.
        self._put(b'\0' * (-self.pos % 512))


def pack_tree(w, root):
    """Every directory, file and symlink under @root, parents first."""
    for top, dirs, files in os.walk(root):
        dirs.sort()
        rel = os.path.relpath(top, root)
        if rel != '.':
            w.directory(rel, os.stat(top).st_mode & 0o7777)
        for name in sorted(files) + sorted(d for d in dirs
                                           if os.path.islink(
                                               os.path.join(top, d))):
            path = os.path.join(top, name)
            arc = name if rel == '.' else os.path.join(rel, name)
            if os.path.islink(path):
                w.symlink(arc, os.readlink(path))
            else:
                with open(path, 'rb') as f:
                    w.file(arc, f.read(), os.stat(path).st_mode & 0o7777)


def main(argv):
    if len(argv) != 2 or not os.path.isdir(argv[1]):
        sys.stderr.write('usage: skiffcpio.py OUT.cpio ROOTDIR\n')
        return 2
    with open(argv[0], 'wb') as f:
        w = Writer(f)
        pack_tree(w, argv[1])
        w.finish()
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))

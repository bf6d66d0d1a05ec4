#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Make a rofs disk image holding the given files (flat, by base name).

usage: mkfiledisk.py MKROFS OUT FILE...

The files are copied into a fresh directory next to OUT, which MKROFS
(tools/mkrofs) then turns into the image.
"""
import os
import shutil
import subprocess
import sys


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    mkrofs, out, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    tree = out + '.d'
    shutil.rmtree(tree, ignore_errors=True)
    os.makedirs(tree)
    for f in files:
        shutil.copyfile(f, os.path.join(tree, os.path.basename(f)))
    sys.exit(subprocess.call([mkrofs, tree, out]))


if __name__ == '__main__':
    main()

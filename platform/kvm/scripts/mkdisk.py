#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Write the virtio-blk test disk: SECTORS sectors of 512 bytes, sector n
# holding the little-endian u32 (n * 2654435761 + 1) mod 2^32 repeated, so
# a read of the wrong sector or a shifted buffer is caught.
#   mkdisk.py OUT [SECTORS]
import struct
import sys


def main(out, sectors='128'):
    with open(out, 'wb') as f:
        for n in range(int(sectors)):
            word = (n * 2654435761 + 1) & 0xFFFFFFFF
            f.write(struct.pack('<I', word) * 128)
    return 0


if __name__ == '__main__':
    sys.exit(main(*sys.argv[1:]))

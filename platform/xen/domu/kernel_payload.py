# SPDX-License-Identifier: MIT
"""Write a bzImage's payload, decompressed: the kernel's ELF vmlinux.

Xen loads a PV dom0 from either, but unpacking Debian's xz payload itself
takes Xen about 10 s under QEMU's TCG, against under 2 s here, once, by
fetch-dom0 (docs/xen-domu.md).

  python3 kernel_payload.py BZIMAGE OUT.elf
"""
import lzma
import struct
import sys

XZ_MAGIC = b'\xfd7zXZ\x00'


def payload(bz):
    """The compressed payload: the boot protocol's setup_sects (0x1f1)
    sectors plus the boot sector, then payload_offset (0x248) bytes."""
    if len(bz) < 0x250 or bz[0x202:0x206] != b'HdrS':
        raise ValueError('not a bzImage (no "HdrS" boot header)')
    at = (bz[0x1f1] + 1) * 512 + struct.unpack_from('<I', bz, 0x248)[0]
    if bz[at:at + 6] != XZ_MAGIC:
        raise ValueError('the payload at %d is not xz' % at)
    return bz[at:]


def main(argv):
    if len(argv) != 2:
        sys.stderr.write('usage: kernel_payload.py BZIMAGE OUT.elf\n')
        return 2
    with open(argv[0], 'rb') as f:
        bz = f.read()
    try:
        elf = lzma.LZMADecompressor(lzma.FORMAT_XZ).decompress(payload(bz))
    except (ValueError, lzma.LZMAError) as e:
        sys.stderr.write('kernel_payload.py: %s: %s\n' % (argv[0], e))
        return 1
    if elf[:4] != b'\x7fELF':
        sys.stderr.write('kernel_payload.py: the payload is no ELF image\n')
        return 1
    with open(argv[1], 'wb') as f:
        f.write(elf)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))

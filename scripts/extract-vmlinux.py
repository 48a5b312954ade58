#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes the ELF vmlinux a bzImage carries: its setup header says where the compressed payload is
(payload_offset, payload_length, boot protocol 2.08+), the payload's magic says how it is packed
(gzip, xz, zstd, lz4, as Debian builds them), the system's decompressors unpack it, and the ELF is
cut where it ends (the relocations the decompressor applies for KASLR follow it).

    scripts/extract-vmlinux.py BZIMAGE VMLINUX"""

import lzma
import struct
import subprocess
import sys
import zlib


def payload(image):
    if image[0x202:0x206] != b'HdrS' or struct.unpack_from('<H', image, 0x206)[0] < 0x208:
        sys.exit('extract-vmlinux: not a bzImage of boot protocol 2.08 or later')
    setup = ((image[0x1f1] or 4) + 1) * 512
    offset, length = struct.unpack_from('<II', image, 0x248)
    return image[setup + offset:setup + offset + length]


def unpack(data):
    if data[:2] == b'\x1f\x8b':
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data)
    if data[:6] == b'\xfd7zXZ\x00':
        return lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(data)
    # zstd and lz4 (legacy frames): the kernel appends the unpacked size (4 bytes) to both.
    tools = {b'\x28\xb5\x2f\xfd': 'zstd', b'\x02\x21\x4c\x18': 'lz4'}
    tool = tools.get(data[:4])
    if not tool:
        sys.exit('extract-vmlinux: payload compressed with an unknown method (magic %s)'
                 % data[:6].hex())
    out = subprocess.run([tool, '-dc'], input=data[:-4], capture_output=True, check=True).stdout
    if len(out) != struct.unpack_from('<I', data, len(data) - 4)[0]:
        sys.exit('extract-vmlinux: %s unpacked %d bytes, not the size the kernel recorded'
                 % (tool, len(out)))
    return out


def elf_end(elf):
    """The end of the ELF64's last byte: headers, program bytes, section table."""
    if elf[:4] != b'\x7fELF' or elf[4] != 2:
        sys.exit('extract-vmlinux: the payload is not an ELF64')
    phoff, shoff = struct.unpack_from('<QQ', elf, 32)
    phentsize, phnum, shentsize, shnum = struct.unpack_from('<HHHH', elf, 54)
    end = max(phoff + phnum * phentsize, shoff + shnum * shentsize)
    for i in range(phnum):
        _, _, off, _, _, filesz = struct.unpack_from('<IIQQQQ', elf, phoff + i * phentsize)
        end = max(end, off + filesz)
    for i in range(shnum):
        kind, = struct.unpack_from('<I', elf, shoff + i * shentsize + 4)
        off, size = struct.unpack_from('<QQ', elf, shoff + i * shentsize + 24)
        if kind != 8:   # SHT_NOBITS has no bytes in the file
            end = max(end, off + size)
    return end


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[-1].strip())
    with open(sys.argv[1], 'rb') as f:
        elf = unpack(payload(f.read()))
    with open(sys.argv[2] + '.tmp', 'wb') as f:
        f.write(elf[:elf_end(elf)])
    subprocess.run(['mv', sys.argv[2] + '.tmp', sys.argv[2]], check=True)


if __name__ == '__main__':
    main()

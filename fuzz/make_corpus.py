#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Seed corpora for the fuzz targets, from the test fixtures and build/assets: fuzz/corpus/TARGET/.

Run from the repository root; rewrites only the seeds it makes (names start with the source)."""
import os
import re
import struct
import sys

FIX = 'tests/fixtures'
OUT = 'fuzz/corpus'
MAX_SEED = 100 * 1024


def put(target, name, data):
    if isinstance(data, str):
        data = data.encode()
    assert len(data) < MAX_SEED, (target, name, len(data))
    os.makedirs(f'{OUT}/{target}', exist_ok=True)
    with open(f'{OUT}/{target}/{name}', 'wb') as f:
        f.write(data)


def read(path):
    with open(path, 'rb') as f:
        return f.read()


def memmap_lines(path):
    """(start, inclusive end, type) from a fixture of lines "0xSTART 0xEND NAME"."""
    for line in open(path):
        if line.strip() and not line.startswith('#'):
            s, e, name = line.split(None, 2)
            yield int(s, 16), int(e, 16), name.strip()


MEMMAPS = sorted(f for f in os.listdir(FIX) if f.endswith('.memmap')) + ['identmap/server-2s-1.5t.memmap']


def bzimage():
    for asset in ('vmlinuz', 'xen-dom0-vmlinuz'):
        path = f'build/assets/{asset}'
        if not os.path.exists(path):
            continue
        head = bytearray(read(path)[:32768])
        put('bzimage', f'{asset}-head', bytes(head))
        # The same header with syssize and init_size shrunk to the cut payload: accepted.
        setup = ((head[0x1f1] or 4) + 1) * 512
        struct.pack_into('<I', head, 0x1f4, (len(head) - setup) // 16)
        put('bzimage', f'{asset}-head-fits', bytes(head))


def iomem():
    srcs = [f'{FIX}/{f}' for f in sorted(os.listdir(FIX)) if f.endswith('.iomem')]
    srcs += [f'{FIX}/memmap/{d}/proc/iomem' for d in ('laptop', 'server', 'nonroot')]
    srcs += [f'{FIX}/crash/{d}/proc/iomem' for d in ('qemu-6g-high', 'qemu-2g-la57')]
    srcs += [f'{FIX}/xen/dom0-iomem']
    for s in srcs:
        put('iomem', s[len(FIX) + 1:].replace('/', '_'), read(s))


def sysfs_tree(d):
    entries = []
    for name in sorted(os.listdir(d), key=lambda n: (len(n), n)):
        fields = []
        for f in ('start', 'end', 'type'):
            if not os.path.exists(f'{d}/{name}/{f}'):
                break
            fields.append(read(f'{d}/{name}/{f}'))
        if not name.isdigit():
            fields += [b''] * (3 - len(fields)) + [name.encode()]
        entries.append(b'\x1f'.join(fields))
    return b'\x1e'.join(entries)


def sysfs_memmap():
    trees = [f'{FIX}/memmap/server/sys/firmware/memmap']
    trees += [f'{FIX}/memmap/sysfs/{d}' for d in sorted(os.listdir(f'{FIX}/memmap/sysfs'))]
    trees += [f'{FIX}/crash/{d}/sys/firmware/memmap' for d in ('qemu-6g-high', 'qemu-2g-la57')]
    for t in trees:
        if os.path.isdir(t):
            put('sysfs_memmap', t[len(FIX) + 1:].replace('/', '_'), sysfs_tree(t))
    for m in MEMMAPS:
        data = b'\x1e'.join(f'0x{s:x}\n\x1f0x{e:x}\n\x1f{n}\n'.encode()
                            for s, e, n in memmap_lines(f'{FIX}/{m}'))
        put('sysfs_memmap', m.replace('/', '_'), data)


def cmdline():
    lines = {'host-proc-cmdline': read('/proc/cmdline').decode().strip()}
    for f in sorted(os.listdir(FIX)):
        if f.endswith('.info'):
            for m in re.finditer(r'^(?:cmdline|  requested command line): (.*)$',
                                 open(f'{FIX}/{f}').read(), re.M):
                lines[f'{f}-{len(lines)}'] = m.group(1)
    for m in re.finditer(r'^(xen|dom0) command line: (.*)$', open(f'{FIX}/xen/info.txt').read(),
                         re.M):
        lines[f'xen-{m.group(1)}'] = m.group(2)
    for name, line in lines.items():
        put('cmdline', f'{name}-reuse', b'\x00' + line.encode())
        # Drop crashkernel=, the user's part first, a trailing elfcorehdr=.
        put('cmdline', f'{name}-crash', b'\x07' + b'console=ttyS0 nr_cpus=1\x00' +
            b'BOOT_IMAGE=/boot/vmlinuz ' + line.encode())


def kcore_head(data):
    phoff, = struct.unpack_from('<Q', data, 0x20)
    phnum, = struct.unpack_from('<H', data, 0x38)
    return data[:phoff + phnum * 56]


SEP = b'\n%%\n'


def crash_seed(iomem, possible, vmcoreinfo, kcore, notes):
    parts = [iomem, possible, vmcoreinfo, kcore]
    for addr, size in notes:
        parts += [addr, size]
    assert not any(SEP in p for p in parts)
    return SEP.join(parts)


def crash():
    for d in ('qemu-6g-high', 'qemu-2g-la57'):
        root = f'{FIX}/crash/{d}'
        cpus = f'{root}/sys/devices/system/cpu'
        notes = []
        for n in range(16):
            if not os.path.exists(f'{cpus}/cpu{n}/crash_notes'):
                break
            notes.append((read(f'{cpus}/cpu{n}/crash_notes'),
                          read(f'{cpus}/cpu{n}/crash_notes_size')))
        put('crash', d, crash_seed(read(f'{root}/proc/iomem'), read(f'{cpus}/possible'),
                                   read(f'{root}/sys/kernel/vmcoreinfo'),
                                   kcore_head(read(f'{root}/proc/kcore')), notes))
    for d in ('crash-2g', 'crash-6g'):
        info = open(f'{FIX}/{d}.info').read()
        possible = re.search(r'^cpu/possible: (.*)$', info, re.M).group(1)
        vmci = re.search(r'^vmcoreinfo \(.*\): (.*)$', info, re.M).group(1)
        notes = [(a.encode() + b'\n', s.encode() + b'\n') for a, s in
                 re.findall(r'crash_notes=(\w+) crash_notes_size=(\d+)', info)]
        put('crash', d, crash_seed(read(f'{FIX}/{d}.iomem'), possible.encode() + b'\n',
                                   vmci.encode() + b'\n',
                                   kcore_head(read(f'{FIX}/{d}.kcore-head')), notes))


def identmap():
    for m in MEMMAPS:
        recs = b''
        for s, e, name in list(memmap_lines(f'{FIX}/{m}'))[:64]:
            kind = {'System RAM': 0, 'Reserved': 1, 'ACPI Tables': 2,
                    'ACPI Non-volatile Storage': 3, 'Unusable memory': 4,
                    'Persistent Memory': 5, 'Soft Reserved': 6}.get(name, 1)
            s, e = min(s, (1 << 48) - 1), min(e + 1, 1 << 48)
            recs += bytes([kind]) + s.to_bytes(6, 'little') + (e - s).to_bytes(6, 'little')
        name = m.replace('/', '_')
        put('identmap', f'{name}-gbpages', b'\x01' + recs)
        put('identmap', f'{name}-4k-2m', b'\x00' + recs)
        # The kernel's segment at 16 MiB must be in RAM.
        seg = (16 << 20).to_bytes(6, 'little') + (32 << 20).to_bytes(6, 'little')
        put('identmap', f'{name}-segment', b'\x11' + seg + recs)


def elf64(loads):
    """A minimal ELF64 x86-64 executable with these (offset, paddr, filesz, memsz) PT_LOADs."""
    eh = b'\x7fELF\x02\x01\x01' + bytes(9) + struct.pack('<HHIQQQIHHHHHH', 2, 62, 1, 0x100000, 64,
                                                         0, 0, 64, 56, len(loads), 0, 0, 0)
    ph = b''.join(struct.pack('<IIQQQQQQ', 1, 7, o, p, p, f, m, 0x1000) for o, p, f, m in loads)
    body = bytearray(eh + ph)
    body += bytes(max(o + f for o, p, f, m in loads) - len(body))
    return bytes(body)


def mb2_header(tags):
    """A multiboot2 header from (type, flags, body) tags, the end tag added."""
    raw = b''
    for t, fl, body in tags + [(0, 0, b'')]:
        tag = struct.pack('<HHI', t, fl, 8 + len(body)) + body
        raw += tag + bytes(-len(tag) % 8)
    length = 16 + len(raw)
    return struct.pack('<IIII', 0xe85250d6, 0, length, -(0xe85250d6 + length) & 0xffffffff) + raw


def multiboot():
    """Debian's Xen 4.17, first 32 KiB: as cut, and with its PT_LOAD's filesz shrunk to fit."""
    head = read(f'{FIX}/xen/xen-4.17-head')
    put('multiboot', 'xen-4.17-head', head)
    fits = bytearray(head)
    fits[52 + 16:52 + 20] = struct.pack('<I', len(head) - 0x80)
    put('multiboot', 'xen-4.17-head-fits', bytes(fits))
    # An ELF64 with two PT_LOADs and, inside the first, a multiboot2 header with every tag type.
    elf = bytearray(elf64([(0x1000, 0x1000000, 0x1000, 0x2000), (0x2000, 0x1002000, 0x100, 0x1000)]))
    hdr = mb2_header([(1, 0, struct.pack('<III', 1, 4, 6)), (1, 1, struct.pack('<I', 8)),
                      (2, 1, struct.pack('<IIII', 0x1001000, 0x1000000, 0, 0)),
                      (3, 0, struct.pack('<I', 0x1000000)), (4, 0, struct.pack('<I', 2)),
                      (5, 1, struct.pack('<III', 1024, 768, 32)), (6, 0, b''), (7, 1, b''),
                      (8, 1, struct.pack('<I', 0x1000010)), (9, 1, struct.pack('<I', 0x1000020)),
                      (10, 0, struct.pack('<IIII', 0x1000000, 0xffffffff, 0x200000, 2))])
    elf[0x1000:0x1000 + len(hdr)] = hdr
    put('multiboot', 'elf64-mb2-every-tag', bytes(elf))
    # A multiboot v1 header with address fields (a.out kludge), no ELF.
    flags = 0x10003
    mb1 = struct.pack('<III', 0x1badb002, flags, -(0x1badb002 + flags) & 0xffffffff)
    mb1 += struct.pack('<IIIII', 0x100000, 0x100000, 0x101000, 0x102000, 0x100020)
    put('multiboot', 'mb1-address', mb1 + bytes(0x1000 - len(mb1)))


def pe(sections, machine=0x8664):
    """A PE32+ image laid out as objcopy lays out a UKI (tests/unit/support/fixture.c's
    fx_pe_build): sections from 512-byte boundaries, VirtualSize the bytes given."""
    lfanew, table = 0x80, 0x80 + 24 + 240
    at = (table + 40 * len(sections) + 511) & ~511
    b = bytearray(at)
    b[0:2] = b'MZ'
    struct.pack_into('<I', b, 0x3c, lfanew)
    b[lfanew:lfanew + 4] = b'PE\0\0'
    struct.pack_into('<HH', b, lfanew + 4, machine, len(sections))
    struct.pack_into('<H', b, lfanew + 20, 240)
    struct.pack_into('<H', b, lfanew + 24, 0x20b)
    for i, (name, data) in enumerate(sections):
        raw = (len(data) + 511) & ~511
        struct.pack_into('<8sIIII', b, table + 40 * i, name, len(data), 0x10000 * (i + 1), raw,
                         len(b))
        b += data + bytes(raw - len(data))
    return bytes(b)


def uki():
    """UKIs made here, not from systemd's stub (its code is not ours to ship): the sections a
    loader reads, around the first 32 KiB of the Debian kernel where there is one."""
    linux = b''
    path = 'build/assets/vmlinuz'
    if os.path.exists(path):
        head = bytearray(read(path)[:32768])
        setup = ((head[0x1f1] or 4) + 1) * 512
        struct.pack_into('<I', head, 0x1f4, (len(head) - setup) // 16)
        linux = bytes(head)
    else:
        linux = b'\0' * 0x1fe + b'\x55\xaa\xeb\x6aHdrS' + bytes(2048)
    base = [(b'.text', b'\xc3' * 64), (b'.sbat', b'sbat,1,SBAT Version\n'),
            (b'.osrel', b'ID=debian\n'), (b'.cmdline', b'console=ttyS0 root=/dev/vda\n'),
            (b'.uname', b'6.1.0-42-cloud-amd64\n')]
    put('uki', 'uki-linux-initrd-ucode', pe(base + [(b'.ucode', b'070701' + bytes(122)),
                                                   (b'.linux', linux),
                                                   (b'.initrd', b'070701' + bytes(506))]))
    put('uki', 'uki-linux-only', pe([(b'.linux', linux)]))
    put('uki', 'uki-profiles', pe(base + [(b'.linux', linux), (b'.profile', b'ID=a\n'),
                                          (b'.cmdline', b'quiet\n')]))
    put('uki', 'pe-stub-only', pe(base[:2]))
def vmcore():
    """The CLI test's synthetic dump (a lockless printk ring of three records), whole and cut
    inside its ring."""
    sys.path.insert(0, 'tests/cli')
    from test_vmcore_dmesg import vmcore as dump
    data = dump()
    put('vmcore', 'lockless-3-records', data)
    put('vmcore', 'lockless-cut', data[:4096 + 0x1800])


def elf():
    """Debian's 6.1 vmlinux (tests/fixtures/elf): its ELF and program headers with each PT_LOAD
    shrunk to a page of the file and its notes behind them; a plain ELF64 with notes that are not
    Linux's."""
    head = bytearray(read(f'{FIX}/elf/vmlinux-6.1-head'))
    notes = read(f'{FIX}/elf/vmlinux-6.1-notes')
    img = bytearray(0x1000 * 6)
    for i in range(5):
        ph = 64 + 56 * i
        kind, = struct.unpack_from('<I', head, ph)
        off, filesz = (0x1000, len(notes)) if kind == 4 else (0x2000 + 0x1000 * i, 0x1000)
        struct.pack_into('<Q', head, ph + 8, off)
        struct.pack_into('<Q', head, ph + 32, filesz)
    img[:len(head)] = head
    img[0x1000:0x1000 + len(notes)] = notes
    put('elf', 'vmlinux-6.1-headers-fit', bytes(img))
    other = bytearray(elf64([(0x1000, 0x100000, 0x800, 0x3000), (0x2000, 0x400000, 0x100, 0x100)]))
    put('elf', 'elf64-two-loads', bytes(other))


if __name__ == '__main__':
    os.chdir(os.path.dirname(os.path.abspath(sys.argv[0])) + '/..')
    for target in (bzimage, iomem, sysfs_memmap, cmdline, crash, identmap, multiboot, uki,
                   vmcore, elf):
        target()

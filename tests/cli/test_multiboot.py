# SPDX-License-Identifier: MIT
"""Multiboot kernels (Xen) on a fake machine: baton --dry-run draws the image, its modules and the
MBI; -t picks the multiboot version; what baton cannot do is refused in one line."""

import json
import struct

import pytest

MB2_MAGIC = 0xe85250d6
MB1_MAGIC = 0x1badb002


def mbimage(paddr=0x200000, filesz=0x5000, memsz=0x9000, mb1=True, mb2=True):
    """An ELF32 executable with one PT_LOAD and Xen's headers: multiboot v1 and multiboot2 with
    module-align and relocatable (2 MiB up, 2 MiB aligned) tags."""
    data = 0x1000
    b = bytearray(data + filesz)
    b[0:7] = b'\x7fELF\x01\x01\x01'
    struct.pack_into('<HHIIIIIHHHHHH', b, 16, 2, 3, 1, paddr + 0x10, 52, 0, 0, 52, 32, 1, 0, 0,
                     0)
    struct.pack_into('<8I', b, 52, 1, data, paddr, paddr, filesz, memsz, 7, 0x1000)
    if mb1:
        struct.pack_into('<3I', b, 0x100, MB1_MAGIC, 3, (-(MB1_MAGIC + 3)) & 0xffffffff)
    if mb2:
        tags = struct.pack('<HHI', 6, 1, 8) + \
            struct.pack('<HHIIIII', 10, 1, 24, 0x200000, 0xfffff000, 0x200000, 1) + \
            struct.pack('<HHI', 0, 0, 8)
        length = 16 + len(tags)
        struct.pack_into('<4I', b, 0x200, MB2_MAGIC, 0, length,
                         (-(MB2_MAGIC + length)) & 0xffffffff)
        b[0x210:0x210 + len(tags)] = tags
    for i in range(filesz):
        b[data + i] = (i * 13 + 5) & 0xff
    return bytes(b)


@pytest.fixture
def xen(machine):
    machine.xen = machine.write('boot/xen', mbimage())
    machine.dom0 = machine.write('boot/dom0-vmlinuz', bytes(range(256)) * 300)
    machine.dom0_initrd = machine.write('boot/dom0-initrd.img', b'\x5a' * 70000)
    return machine


def load_args(m, *extra):
    return ['-l', *extra, m.xen, '--command-line=console=com1 dom0_mem=512M',
            '--module=%s console=hvc0 root=/dev/ram0' % m.dom0, '--module=%s' % m.dom0_initrd]


def test_types_list_both_multiboot_versions(run, machine):
    p = run(machine, '-t', 'help')
    assert p.returncode == 0
    assert 'multiboot2-x86' in p.stdout and 'multiboot-x86' in p.stdout


def test_dry_run_draws_modules_and_mbi(run, xen):
    p = run(xen, '--dry-run', '-d', *load_args(xen))
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert 'kernel: %s (multiboot2-x86, ELF32 at its own address 0x200000, 32-bit entry)' % \
        xen.xen in out
    assert 'module 0: "%s console=hvc0 root=/dev/ram0"' % xen.dom0 in out
    for name in ('module.0', 'module.1', 'mbi'):
        assert '\n%-12s 0x' % name in out
    assert 'M module.0' in out and 'B mbi' in out
    # -d (on stderr while loading; in the dry run's summary too) lists the MBI's tags
    assert 'command line' in out and '"xen console=com1 dom0_mem=512M"' in out
    assert 'image load base address' in out and ': 0x200000' in out
    assert 'tag  3 module' in out and 'tag  6 memory map' in out


def test_json_has_the_modules_and_the_mbi(run, xen):
    p = run(xen, '--dry-run', '--json', *load_args(xen))
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert doc['protocol'] == 'multiboot2'
    assert doc['modules'] == ['%s console=hvc0 root=/dev/ram0' % xen.dom0, xen.dom0_initrd]
    names = [s['name'] for s in doc['segments']]
    assert names[:3] == ['kernel', 'module.0', 'module.1']
    assert 'mbi' in names
    segs = {s['name']: s for s in doc['segments']}
    assert segs['module.0']['mem'] % 4096 == 0
    assert segs['module.1']['mem'] + segs['module.1']['memsz'] <= 1 << 32
    assert segs['kernel']['mem'] == 0x200000


def test_type_forces_multiboot_v1(run, xen):
    p = run(xen, '--dry-run', '-d', *load_args(xen, '-t', 'multiboot-x86'))
    assert p.returncode == 0, p.stderr
    assert '(multiboot-x86, ELF32' in p.stdout
    assert 'mbi (multiboot v1 info)' in p.stdout


def test_what_baton_cannot_do_is_refused(run, xen):
    p = run(xen, '--dry-run', '-p', xen.xen)
    assert p.returncode != 0
    assert 'multiboot2-x86: %s: not as a crash kernel (-p)' % xen.xen in p.stderr
    p = run(xen, '--dry-run', '-l', '-t', 'bzImage', xen.xen)
    assert p.returncode != 0 and 'bzimage: ' in p.stderr
    p = run(xen, '--dry-run', '-l', xen.kernel, '--module=%s' % xen.dom0)
    assert p.returncode != 0 and 'takes no --module' in p.stderr

# SPDX-License-Identifier: MIT
"""baton --vmcore-dmesg and baton called as vmcore-dmesg, on a synthetic crash dump.

The dump is an ELF core file with a VMCOREINFO note and one PT_LOAD of kernel memory that holds a
lockless printk ring of three records (tests/unit/vmcore_dmesg-test.c covers the ring formats one
by one; tests/vm/test_crash.py reads real dumps). Reading a dump asks nothing of the kernel."""

import os
import struct
import subprocess

import pytest

VA = 0xffffffff82000000
PRB_VAR, RING, DESCS, INFOS, DATA = VA + 0x800, VA + 0x1000, VA + 0x2000, VA + 0x3000, VA + 0x4000
MEM = 0x5000
LAYOUT = """SIZE(printk_ringbuffer)=88
OFFSET(printk_ringbuffer.desc_ring)=0
OFFSET(printk_ringbuffer.text_data_ring)=48
OFFSET(prb_desc_ring.count_bits)=0
OFFSET(prb_desc_ring.descs)=8
OFFSET(prb_desc_ring.infos)=16
OFFSET(prb_desc_ring.head_id)=24
OFFSET(prb_desc_ring.tail_id)=32
SIZE(prb_desc)=24
OFFSET(prb_desc.state_var)=0
OFFSET(prb_desc.text_blk_lpos)=8
OFFSET(prb_data_blk_lpos.begin)=0
OFFSET(prb_data_blk_lpos.next)=8
SIZE(printk_info)=88
OFFSET(printk_info.ts_nsec)=8
OFFSET(printk_info.text_len)=16
OFFSET(prb_data_ring.size_bits)=0
OFFSET(prb_data_ring.data)=8
OFFSET(atomic_long_t.counter)=0
"""
RECORDS = [(12345678, b'Linux version 6.1.0-test'), (1500000000, b'BATON-MARKER-1\tok'),
           (2000000001, b'sysrq: Trigger a crash\x1b')]
WANT = ('[    0.012345] Linux version 6.1.0-test\n[    1.500000] BATON-MARKER-1\tok\n'
        '[    2.000000] sysrq: Trigger a crash\\x1b\n')


def put(mem, va, fmt, *v):
    struct.pack_into(fmt, mem, va - VA, *v)


def vmcore(info_extra=''):
    mem = bytearray(MEM)
    put(mem, PRB_VAR, '<Q', RING)
    put(mem, RING, '<IxxxxQQQQ', 4, DESCS, INFOS, len(RECORDS) - 1, 0)   # 16 descriptors
    put(mem, RING + 48, '<IxxxxQ', 10, DATA)                             # 1 KiB of text
    lpos = 0
    for i, (ts, text) in enumerate(RECORDS):
        size = (8 + len(text) + 7) & ~7
        put(mem, DESCS + 24 * i, '<QQQ', 2 << 62 | i, lpos, lpos + size)  # finalized
        put(mem, INFOS + 88 * i, '<QQH', i, ts, len(text))
        put(mem, DATA + lpos, '<Q', i)
        mem[DATA - VA + lpos + 8:DATA - VA + lpos + 8 + len(text)] = text
        lpos += size
    info = ('OSRELEASE=6.1.0-test\nSYMBOL(prb)=%x\n' % PRB_VAR + LAYOUT + info_extra).encode()
    note = struct.pack('<III', 11, len(info), 0) + b'VMCOREINFO\0\0' + info
    note += b'\0' * (-len(note) % 4)
    notes_at, mem_at = 64 + 2 * 56, 4096
    ehdr = (b'\x7fELF\x02\x01\x01' + b'\0' * 9 +
            struct.pack('<HHIQQQIHHHHHH', 4, 62, 1, 0, 64, 0, 0, 64, 56, 2, 0, 0, 0))
    phdrs = (struct.pack('<IIQQQQQQ', 4, 0, notes_at, 0, 0, len(note), len(note), 0) +
             struct.pack('<IIQQQQQQ', 1, 7, mem_at, VA, 0x1000000, MEM, MEM, 4096))
    head = ehdr + phdrs + note
    return head + b'\0' * (mem_at - len(head)) + bytes(mem)


@pytest.fixture
def dump(tmp_path):
    path = tmp_path / 'vmcore'
    path.write_bytes(vmcore())
    return str(path)


def run(args, argv0=None, env=None):
    return subprocess.run(args, executable=argv0, capture_output=True, text=True, timeout=30,
                          env=env)


def test_prints_the_log(baton, dump):
    p = run([baton, '--vmcore-dmesg', dump])
    assert p.returncode == 0, p.stderr
    assert p.stdout == WANT and p.stderr == ''


def test_reads_proc_vmcore_under_the_root(baton, tmp_path):
    os.makedirs(tmp_path / 'proc')
    (tmp_path / 'proc' / 'vmcore').write_bytes(vmcore())
    p = run([baton, '--vmcore-dmesg'], env=dict(os.environ, BATON_ROOT=str(tmp_path)))
    assert p.returncode == 0, p.stderr
    assert p.stdout == WANT
    p = run([baton, '--vmcore-dmesg'], env=dict(os.environ, BATON_ROOT=str(tmp_path / 'none')))
    assert p.returncode == 1
    assert p.stderr == 'baton: vmcore %s/none/proc/vmcore: No such file or directory\n' % tmp_path


def test_called_as_vmcore_dmesg(baton, dump, tmp_path):
    link = str(tmp_path / 'vmcore-dmesg')
    os.symlink(baton, link)
    p = run([link, dump])
    assert p.returncode == 0, p.stderr
    assert p.stdout == WANT
    # kexec-tools' vmcore-dmesg: exactly one argument, a usage error exits 1
    for args in ([], [dump, dump], ['--vmcore-dmesg', dump]):
        p = run([link] + args)
        assert p.returncode == 1, args
        assert p.stderr.startswith('vmcore-dmesg: usage: vmcore-dmesg <kernel core file>'), \
            p.stderr
    p = run([link, '--version'])
    assert p.returncode == 0 and p.stdout.startswith('vmcore-dmesg (baton) '), p.stdout


def test_malformed_dumps_fail_in_one_line(baton, dump, tmp_path):
    bad = tmp_path / 'bad'
    cases = [
        (b'not an ELF file at all\n' * 4, 'not an ELF file'),
        (b'short', 'cannot read the ELF header at file offset 0x0: the file ends first'),
        (vmcore()[:200], 'cannot read a PT_NOTE at file offset 0xb0: the file ends first'),
        (vmcore()[:4096 + 0x1000], 'cannot read the printk_ringbuffer at file offset 0x2000: '
                                   'the file ends first'),
        (vmcore().replace(b'SYMBOL(prb)', b'SYMBOL(xyz)'),
         'VMCOREINFO names no printk ring (neither prb nor log_buf)'),
        (vmcore().replace(b'OFFSET(prb_desc.state_var)=0', b'OFFSET(prb_desc.state_var)=x'),
         'VMCOREINFO lacks OFFSET(prb_desc.state_var) (the lockless printk ring\'s layout)'),
    ]
    for data, why in cases:
        bad.write_bytes(data)
        p = run([baton, '--vmcore-dmesg', str(bad)])
        assert p.returncode == 1, why
        assert p.stdout == ''
        assert p.stderr == 'baton: vmcore %s: %s\n' % (bad, why)


def test_usage(baton, dump):
    p = run([baton, '--vmcore-dmesg', dump, dump])
    assert p.returncode == 2
    assert "unexpected argument" in p.stderr and p.stderr.count('\n') == 1
    for other in ('-l', '--report', '-e'):
        p = run([baton, '--vmcore-dmesg', other, dump])
        assert p.returncode == 2, other
        assert '--vmcore-dmesg takes no other action' in p.stderr, p.stderr
    p = run([baton, '--help'])
    assert '--vmcore-dmesg [FILE]' in p.stdout

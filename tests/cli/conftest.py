# SPDX-License-Identifier: MIT
"""Fixtures for CLI tests: fake machine roots (BATON_ROOT) and synthetic kernels.

Nothing here may reach kexec_load or reboot on the host: every test runs baton with --dry-run,
or under strace with those syscalls injected (never executed)."""

import os
import re
import shlex
import shutil
import struct
import subprocess

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(REPO, 'tests', 'fixtures')


def build_dir():
    return os.path.abspath(os.path.join(REPO, os.environ.get('BATON_BUILD', 'build')))


@pytest.fixture(scope='session')
def baton():
    path = os.path.join(build_dir(), 'baton')
    if not os.path.exists(path):
        pytest.fail('%s is missing: run make first' % path)
    return path


def bzimage(protocol=0x020f, xloadflags=0x7b, init_size=0x2000000, cmdline_size=2047,
            payload=0x10000, magic=b'HdrS'):
    """A minimal bzImage: setup header of a modern x86-64 kernel and a payload."""
    setup = 5 * 512
    b = bytearray(setup + payload)
    b[0x1f1] = 4
    struct.pack_into('<H', b, 0x1fe, 0xaa55)
    b[0x200:0x202] = b'\xeb\x6a'
    b[0x202:0x206] = magic
    struct.pack_into('<H', b, 0x206, protocol)
    b[0x211] = 1
    struct.pack_into('<IIIBBHI', b, 0x22c, 0x7fffffff, 0x200000, 0, 0, 0, 0, 0)
    b[0x234] = 1
    struct.pack_into('<H', b, 0x236, xloadflags)
    struct.pack_into('<I', b, 0x238, cmdline_size)
    struct.pack_into('<Q', b, 0x258, 0x1000000)
    struct.pack_into('<I', b, 0x260, init_size)
    for i in range(payload):
        b[setup + i] = (i * 131 + 7) & 0xff
    return bytes(b)


class Machine:
    """A fake root: sysfs memory map, cpuinfo, cmdline, kexec state, and files to load."""

    def __init__(self, path, memmap='qemu-1g.memmap', flags='fpu pdpe1gb la57'):
        self.root = str(path)
        self.write_memmap(os.path.join(FIXTURES, memmap))
        self.write('proc/cpuinfo', 'processor\t: 0\nflags\t\t: %s\n\n' % flags)
        self.write('proc/cmdline', 'BOOT_IMAGE=/boot/vmlinuz-6.1 root=/dev/vda1 ro quiet\n')
        with open(os.path.join(FIXTURES, memmap.replace('.memmap', '.iomem'))) as f:
            self.write('proc/iomem', f.read())
        self.write('sys/kernel/kexec_loaded', '0\n')
        self.write('sys/kernel/kexec_crash_loaded', '0\n')
        self.kernel = self.write('boot/vmlinuz', bzimage())
        self.initrd = self.write('boot/initrd.img', os.urandom(300000))

    def write(self, rel, data):
        path = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'wb' if isinstance(data, bytes) else 'w') as f:
            f.write(data)
        return path

    def write_memmap(self, fixture):
        shutil.rmtree(os.path.join(self.root, 'sys/firmware/memmap'), ignore_errors=True)
        with open(fixture) as f:
            lines = [l.split(None, 2) for l in f if l.strip() and not l.startswith('#')]
        for n, (start, end, kind) in enumerate(lines):
            self.write('sys/firmware/memmap/%d/start' % n, start)
            self.write('sys/firmware/memmap/%d/end' % n, end)
            self.write('sys/firmware/memmap/%d/type' % n, kind)


@pytest.fixture
def machine(tmp_path):
    return Machine(tmp_path)


@pytest.fixture
def crash_machine(machine):
    """The fake machine with the state of a real QEMU guest booted with crashkernel=256M."""
    src = os.path.join(REPO, 'tests', 'fixtures', 'crash', 'qemu-2g-la57')
    for sub in ('proc', 'sys'):
        shutil.copytree(os.path.join(src, sub), os.path.join(machine.root, sub),
                        dirs_exist_ok=True)
    machine.write('proc/cmdline', 'BOOT_IMAGE=/vmlinuz console=ttyS0 crashkernel=256M quiet\n')
    with open(os.path.join(machine.root, 'proc', 'iomem')) as f:
        m = re.search(r'^\s+([0-9a-f]+)-([0-9a-f]+) : Crash kernel$', f.read(), re.M)
    machine.crash = (int(m.group(1), 16), int(m.group(2), 16) + 1)
    return machine


@pytest.fixture
def run(baton):
    """run(machine, *args) -> CompletedProcess; BATON_ROOT points at the machine. Unless the
    command is a dry run, help, version or status, it runs under strace, which answers the kexec
    syscalls itself, in a network namespace of its own (so that kexec -e taking interfaces down
    acts on that namespace's loopback, never on this machine's); p.syscalls lists what baton
    asked for. as_kexec runs it through a link named kexec (kexec-tools' behaviour); before and
    after are shell commands run in the same namespace around it."""
    def go(m, *args, answers=None, as_kexec=False, before='', after=''):
        """answers: strace inject specs per syscall, e.g. {'kexec_load': 'error=EPERM'};
        the default answer is success (retval=0). Either way the kernel never sees the call."""
        env = dict(os.environ, BATON_ROOT=m.root)
        prog = baton
        if as_kexec:
            prog = os.path.join(m.root, 'usr-sbin', 'kexec')
            if not os.path.exists(prog):
                os.makedirs(os.path.dirname(prog), exist_ok=True)
                os.symlink(baton, prog)
        cmd = [prog] + list(args)
        harmless = {'--dry-run', '-h', '--help', '-v', '--version', '-S', '--status'}
        strace = not harmless.intersection(args)
        p_syscalls = []
        if strace:
            if not shutil.which('strace') or not shutil.which('unshare'):
                pytest.skip('strace and unshare are needed to answer kexec syscalls safely')
            # The syscalls are answered by strace and never executed on this machine.
            inject = []
            for call in ('kexec_load', 'kexec_file_load', 'reboot'):
                inject += ['-e', 'inject=%s:%s' % (call, (answers or {}).get(call, 'retval=0'))]
            cmd = ['strace', '-f', '-qq', '-e', 'trace=kexec_load,kexec_file_load,reboot,sync'] + \
                inject + ['-o', os.path.join(m.root, 'strace.log')] + cmd
            script = '%s\n%s\nrc=$?\n%s\nexit $rc\n' % (
                before, ' '.join(shlex.quote(a) for a in cmd), after)
            cmd = ['unshare', '--net', 'sh', '-c', script]
        p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
        if strace:
            with open(os.path.join(m.root, 'strace.log')) as f:
                # "PID call(...)": -f follows any child, so nothing escapes the injection.
                p_syscalls = [l.split(None, 1)[1] for l in f.read().splitlines() if l.strip()]
            assert all('INJECTED' in l for l in p_syscalls
                       if l.startswith(('kexec', 'reboot'))), p_syscalls
        p.syscalls = p_syscalls
        return p
    return go

# SPDX-License-Identifier: MIT
"""A QEMU machine with a gdbstub and a debug log, for tests that reach into the guest from outside
(test_corrupt.py, test_traps.py), and what they read back: symbols of the purgatory's ELF file,
how the machine reset."""

import os
import re
import shutil
import struct
import tempfile

import gdbstub
import qmp


class Machine:
    """A Console with a gdbstub socket, a QMP socket and a QEMU debug log; connect() attaches
    the debugger, monitor() the QMP client. console_factory: the test's console fixture (a
    Linux machine) or xen_console."""

    def __init__(self, console_factory, build, request, **opts):
        self.dir = tempfile.mkdtemp(prefix='baton-gdb-')
        self.sock = gdbstub.socket_path(self.dir)
        self.qmp_sock = qmp.socket_path(self.dir)
        name = re.sub(r'[^A-Za-z0-9_.-]+', '-', request.node.nodeid.split('::')[-1]).strip('-')
        self.qemu_log = os.path.join(build, 'vm-logs', name + '.qemu.log')
        os.makedirs(os.path.dirname(self.qemu_log), exist_ok=True)
        extra = gdbstub.qemu_args(self.sock) + qmp.qemu_args(self.qmp_sock) + [
            '-d', 'cpu_reset,guest_errors', '-D', self.qemu_log,
            '-trace', 'pckbd_kbd_write_command']
        self.c = console_factory(extra_args=extra, **opts)
        self.gdb = None
        self.qmp = None

    def monitor(self):
        """The QMP client (connected once)."""
        if self.qmp is None:
            self.qmp = qmp.Qmp(self.qmp_sock)
        return self.qmp

    def connect(self):
        """Attaches the debugger: QEMU stops the machine."""
        self.gdb = gdbstub.GdbRemote(self.sock, log=self.c.note)
        self.c.note('gdb attached: %r; qemu features %s'
                    % (self.gdb.initial_stop, ';'.join(self.gdb.qemu_supported())))
        return self.gdb

    def close(self):
        if self.gdb is not None:
            self.gdb.close()
        if self.qmp is not None:
            self.qmp.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def check_reset_log(m):
    """From QEMU's log: no 8042 reset command, no triple fault (so 0xCF9 did it)."""
    try:
        with open(m.qemu_log, errors='replace') as f:
            log = f.read()
    except FileNotFoundError:
        return
    kbd_reset = [line for line in log.splitlines()
                 if 'pckbd_kbd_write_command' in line and re.search(r'\b0x0*fe\b', line)]
    assert not kbd_reset, 'the 8042 reset line was pulsed: 0xCF9 did not reset the machine'
    assert 'Triple fault' not in log, 'the machine reset by triple fault: 0xCF9 and 8042 failed'


def elf_symbol(path, name):
    """The value of a symbol in an ELF64 file's .symtab, or None."""
    with open(path, 'rb') as f:
        data = f.read()
    if data[:4] != b'\x7fELF' or data[4] != 2:
        return None
    shoff, = struct.unpack_from('<Q', data, 0x28)
    shentsize, shnum = struct.unpack_from('<HH', data, 0x3a)
    sections = [struct.unpack_from('<IIQQQQIIQQ', data, shoff + i * shentsize)
                for i in range(shnum)]
    for sh in sections:
        if sh[1] != 2:                  # SHT_SYMTAB
            continue
        strtab = sections[sh[6]]
        for off in range(sh[4], sh[4] + sh[5], sh[9]):
            st_name, _, _, _, st_value, _ = struct.unpack_from('<IBBHQQ', data, off)
            at = strtab[4] + st_name
            if data[at:data.index(b'\0', at)] == name.encode():
                return st_value
    return None

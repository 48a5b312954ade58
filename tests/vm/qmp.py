# SPDX-License-Identifier: MIT
"""A minimal QMP client (QEMU's JSON monitor protocol) on a UNIX socket: enough to inject an NMI
from the host, as the HMP monitor's `nmi` command does."""

import json
import os
import socket
import time


class QmpError(Exception):
    pass


def qemu_args(path):
    """QEMU's -qmp option for a UNIX socket server that does not wait for a client."""
    return ['-qmp', 'unix:%s,server=on,wait=off' % path]


def socket_path(directory, name='qmp.sock'):
    path = os.path.join(directory, name)
    if len(path.encode()) >= 100:
        raise ValueError('socket path too long: %s' % path)
    return path


class Qmp:
    """Connects, reads the greeting and enters command mode; command() returns the 'return'
    value or raises QmpError. Events that arrive in between are kept in self.events."""

    def __init__(self, path, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                self.sock.connect(path)
                break
            except (FileNotFoundError, ConnectionRefusedError) as e:
                self.sock.close()
                if time.monotonic() >= deadline:
                    raise QmpError('cannot connect to QMP at %s: %s' % (path, e))
                time.sleep(0.1)
        self.sock.settimeout(timeout)
        self.file = self.sock.makefile('rwb')
        self.events = []
        greeting = self._read()
        if 'QMP' not in greeting:
            raise QmpError('not a QMP greeting: %r' % greeting)
        self.command('qmp_capabilities')

    def _read(self):
        line = self.file.readline()
        if not line:
            raise QmpError('QMP connection closed')
        return json.loads(line)

    def command(self, name, **arguments):
        msg = {'execute': name}
        if arguments:
            msg['arguments'] = arguments
        self.file.write(json.dumps(msg).encode() + b'\n')
        self.file.flush()
        while True:
            reply = self._read()
            if 'event' in reply:
                self.events.append(reply)
            elif 'error' in reply:
                raise QmpError('%s: %s' % (name, reply['error']))
            elif 'return' in reply:
                return reply['return']

    def close(self):
        try:
            self.file.close()
            self.sock.close()
        except OSError:
            pass

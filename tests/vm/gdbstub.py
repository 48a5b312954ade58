# SPDX-License-Identifier: MIT
"""A small GDB remote serial protocol client for QEMU's gdbstub (no gdb binary needed).

Enough to reach into a running guest from the host: stop it, read and write PHYSICAL memory
(QEMU's `Qqemu.PhyMemMode:1`, QEMU >= 4.1), set breakpoints, read the registers, continue.

    gdb = GdbRemote('/tmp/x/gdb.sock')     # QEMU -gdb unix:/tmp/x/gdb.sock,server=on,wait=off
    gdb.wait_stop()                        # QEMU stops the machine when a debugger connects
    gdb.set_phys_mode(True)
    old = gdb.read_memory(0x1000000, 1)
    gdb.write_memory(0x1000000, bytes([old[0] ^ 0xff]))
    gdb.cont()

Facts about QEMU 7.2's gdbstub this relies on (gdbstub/gdbstub.c):
- Connecting stops a running machine and pushes a stop reply (T02) at once; `?` repeats it.
- No QStartNoAckMode: every packet is acknowledged.
- Any byte received while the machine runs stops it: after `c`, send nothing but `\\x03`
  (interrupt()) until the stop reply has been read (wait_stop()).
- Under TCG, Z0 (software) and Z1 (hardware) breakpoints are the same thing: a check on the
  guest's *virtual* PC when code is translated. PhyMemMode only changes `m`/`M`.
- Continuing from a PC that holds a breakpoint stops again at once: remove it first (as gdb does).
- When QEMU exits it sends `W<status>` (or the socket just closes).
"""

import os
import re
import socket
import time

RE_STOP = re.compile(rb'^[ST]([0-9a-fA-F]{2})')
RE_EXIT = re.compile(rb'^[WX]([0-9a-fA-F]{2})')

X86_64_RIP_OFFSET = 16 * 8      # 'g': rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp, r8-r15, then rip
X86_64_RDI = 5                  # register numbers for write_register (P packets)


class GdbError(Exception):
    """A protocol error, an error reply, a timeout or a closed connection."""


class GdbExited(GdbError):
    """The target went away (W/X packet or EOF); status is its exit code, if QEMU said."""

    def __init__(self, msg, status=None):
        super().__init__(msg)
        self.status = status


def checksum(data):
    return sum(data) & 0xff


def escape(data):
    """Binary packet escaping: '#', '$', '}' and '*' become '}' followed by the byte ^ 0x20."""
    out = bytearray()
    for b in data:
        if b in b'#$}*':
            out += bytes((0x7d, b ^ 0x20))
        else:
            out.append(b)
    return bytes(out)


def unescape(data):
    """Undoes binary escaping and run-length encoding ('X*n': n - 29 more copies of X)."""
    out = bytearray()
    i = 0
    while i < len(data):
        b = data[i]
        if b == 0x7d and i + 1 < len(data):
            out.append(data[i + 1] ^ 0x20)
            i += 2
        elif b == 0x2a and out and i + 1 < len(data):
            out += bytes((out[-1],)) * (data[i + 1] - 29)
            i += 2
        else:
            out.append(b)
            i += 1
    return bytes(out)


class GdbRemote:
    """One connection to a gdbstub: a UNIX socket path or a (host, port) pair."""

    def __init__(self, address, timeout=10, log=None):
        self.address = address
        self.timeout = timeout
        self.log = log              # a callable(str) that records the conversation, or None
        self.buf = b''
        self.ack = True             # until QStartNoAckMode
        self.packet_size = 4096
        self.supported = {}
        self.phys_mode = False
        self.exit_status = None
        self.sock = self._connect(address, timeout)
        # QEMU stops a running machine when a debugger connects and says so at once (T02)
        self.initial_stop = self._initial_stop(2.0)
        self._handshake()

    # --- transport ------------------------------------------------------------------------------
    @staticmethod
    def _connect(address, timeout):
        deadline = time.monotonic() + timeout
        while True:
            try:
                if isinstance(address, str):
                    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                else:
                    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                s.connect(address)
                return s
            except (FileNotFoundError, ConnectionRefusedError) as e:
                s.close()
                if time.monotonic() >= deadline:
                    raise GdbError('cannot connect to gdbstub %r: %s' % (address, e))
                time.sleep(0.1)

    def close(self):
        if self.sock is not None:
            try:
                self.sock.close()
            finally:
                self.sock = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _note(self, direction, data):
        if self.log is not None:
            text = data.decode('latin-1')
            if len(text) > 200:
                text = text[:200] + '...(%d bytes)' % len(data)
            self.log('gdb %s %s' % (direction, text))

    def _recv_more(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise GdbError('gdbstub: timeout')
        self.sock.settimeout(left)
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            raise GdbError('gdbstub: timeout')
        except OSError as e:
            raise GdbExited('gdbstub: connection lost: %s' % e)
        if not data:
            raise GdbExited('gdbstub: connection closed', self.exit_status)
        self.buf += data

    def _send_raw(self, data):
        try:
            self.sock.sendall(data)
        except OSError as e:
            raise GdbExited('gdbstub: connection lost: %s' % e)

    def send_packet(self, payload):
        """Sends $payload#cs; waits for '+' while acknowledgements are on."""
        if isinstance(payload, str):
            payload = payload.encode('latin-1')
        frame = b'$' + payload + b'#%02x' % checksum(payload)
        self._note('->', payload)
        for _ in range(5):
            self._send_raw(frame)
            if not self.ack:
                return
            deadline = time.monotonic() + self.timeout
            while True:
                # stray '+' of ours never come back; skip anything that is not an ack
                i = 0
                while i < len(self.buf) and self.buf[i:i + 1] not in (b'+', b'-', b'$'):
                    i += 1
                self.buf = self.buf[i:]
                if self.buf[:1] == b'+':
                    self.buf = self.buf[1:]
                    return
                if self.buf[:1] == b'-':
                    self.buf = self.buf[1:]
                    break           # resend
                if self.buf[:1] == b'$':
                    return          # a reply without an ack: take it
                self._recv_more(deadline)
        raise GdbError('gdbstub: packet %r refused 5 times' % payload[:40])

    def recv_packet(self, timeout=None):
        """Returns the next packet's payload (unescaped); acknowledges it while acks are on."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            start = self.buf.find(b'$')
            if start < 0:
                self.buf = b''
            else:
                self.buf = self.buf[start:]
                end = self.buf.find(b'#')
                if end >= 0 and len(self.buf) >= end + 3:
                    payload = self.buf[1:end]
                    cs = self.buf[end + 1:end + 3]
                    self.buf = self.buf[end + 3:]
                    if int(cs, 16) != checksum(payload):
                        if self.ack:
                            self._send_raw(b'-')
                        continue
                    if self.ack:
                        self._send_raw(b'+')
                    payload = unescape(payload)
                    self._note('<-', payload)
                    m = RE_EXIT.match(payload)
                    if m:
                        self.exit_status = int(m.group(1), 16)
                    return payload
            self._recv_more(deadline)

    def _initial_stop(self, timeout):
        deadline = time.monotonic() + timeout
        while b'$' not in self.buf:
            try:
                self._recv_more(deadline)
            except GdbExited:
                raise
            except GdbError:
                return None         # the machine was already stopped: nothing was pushed
        reply = self.recv_packet(timeout)
        if not RE_STOP.match(reply):
            raise GdbError('gdbstub: unexpected packet on connect: %r' % reply)
        return reply

    def command(self, payload, timeout=None):
        """Sends a packet and returns the reply's payload; E NN replies raise."""
        self.send_packet(payload)
        reply = self.recv_packet(timeout)
        if RE_EXIT.match(reply):
            raise GdbExited('gdbstub: target exited (%r) during %r' % (reply, payload),
                            self.exit_status)
        if re.match(rb'^E[0-9a-fA-F]{2}$', reply):
            raise GdbError('gdbstub: %r answered %r' % (payload, reply))
        return reply

    def _handshake(self):
        reply = self.command('qSupported:multiprocess+;swbreak+;hwbreak+;no-resumed+')
        for item in reply.decode('latin-1').split(';'):
            if '=' in item:
                k, v = item.split('=', 1)
                self.supported[k] = v
            elif item:
                self.supported[item[:-1] if item[-1] in '+-?' else item] = item[-1]
        if 'PacketSize' in self.supported:
            self.packet_size = int(self.supported['PacketSize'], 16)
        if self.supported.get('QStartNoAckMode') == '+':
            if self.command('QStartNoAckMode') == b'OK':
                self.ack = False

    # --- run control ----------------------------------------------------------------------------
    def stop_reason(self):
        """`?`: the last stop reply (QEMU stops the machine when a debugger connects)."""
        return self.command('?')

    def cont(self):
        """`c`: lets the machine run; the stop reply comes later (wait_stop)."""
        self.send_packet('c')

    def step(self, timeout=10):
        """`s`: one instruction; returns the stop reply."""
        self.send_packet('s')
        return self.wait_stop(timeout)

    def cont_past(self, addr, kind=1):
        """Continues from a breakpoint at addr that stays set: steps over it first."""
        self.remove_breakpoint(addr, kind)
        self.step()
        self.insert_breakpoint(addr, kind)
        self.cont()

    def wait_stop(self, timeout=60):
        """Waits for a stop reply (S/T packet) and returns it; an exit raises GdbExited."""
        reply = self.recv_packet(timeout)
        if RE_EXIT.match(reply):
            raise GdbExited('gdbstub: target exited (%r) while running' % reply, self.exit_status)
        if not RE_STOP.match(reply):
            raise GdbError('gdbstub: expected a stop reply, got %r' % reply)
        return reply

    def interrupt(self, timeout=10):
        """Stops a running machine (^C); returns the stop reply."""
        self._note('->', b'\\x03')
        self._send_raw(b'\x03')
        return self.wait_stop(timeout)

    def detach(self):
        """`D`: QEMU lets the machine run on and the connection ends."""
        try:
            self.command('D')
        finally:
            self.close()

    def wait_exit(self, timeout=30):
        """After cont(): waits for QEMU to go away; returns the W status (None if it only closed)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                reply = self.recv_packet(max(0.0, deadline - time.monotonic()))
            except GdbExited:
                return self.exit_status
            if RE_EXIT.match(reply):
                return self.exit_status
            raise GdbError('gdbstub: expected the target to exit, got %r' % reply)

    # --- breakpoints ----------------------------------------------------------------------------
    def insert_breakpoint(self, addr, kind=1, length=1):
        """Z<kind>: 0 software, 1 hardware (the same under TCG); addr is a virtual address."""
        reply = self.command('Z%d,%x,%x' % (kind, addr, length))
        if reply != b'OK':
            raise GdbError('gdbstub: Z%d at %#x not supported (%r)' % (kind, addr, reply))

    def remove_breakpoint(self, addr, kind=1, length=1):
        reply = self.command('z%d,%x,%x' % (kind, addr, length))
        if reply != b'OK':
            raise GdbError('gdbstub: z%d at %#x failed (%r)' % (kind, addr, reply))

    # --- registers and memory -------------------------------------------------------------------
    def read_registers(self):
        return bytes.fromhex(self.command('g').decode('ascii'))

    def write_register(self, number, value):
        """Sets general register `number` (gdb's x86-64 numbering: rax 0, rbx 1, rcx 2, rdx 3,
        rsi 4, rdi 5, rbp 6, rsp 7, r8-r15 8-15) of the stopped CPU: 'g', change, 'G' (QEMU
        answers a single-register 'P' only to a client that asked for its target XML)."""
        regs = bytearray(self.read_registers())
        regs[number * 8:number * 8 + 8] = (value & (2 ** 64 - 1)).to_bytes(8, 'little')
        reply = self.command('G' + regs.hex())
        if reply != b'OK':
            raise GdbError('gdbstub: G (register %d) failed (%r)' % (number, reply))

    def rip(self):
        """x86-64: the current CPU's instruction pointer."""
        return int.from_bytes(self.read_registers()[X86_64_RIP_OFFSET:X86_64_RIP_OFFSET + 8],
                              'little')

    def qemu_supported(self):
        """`qqemu.Supported`: QEMU's own features, e.g. ['sstepbits', 'sstep', 'PhyMemMode']."""
        return self.command('qqemu.Supported').decode('latin-1').split(';')

    def set_phys_mode(self, on=True):
        """`Qqemu.PhyMemMode:1`: m/M address physical memory instead of the CPU's virtual space."""
        reply = self.command('Qqemu.PhyMemMode:%d' % (1 if on else 0))
        if reply != b'OK':
            raise GdbError('gdbstub: Qqemu.PhyMemMode not supported (%r)' % reply)
        self.phys_mode = on

    def get_phys_mode(self):
        return self.command('qqemu.PhyMemMode') == b'1'

    def _chunk(self):
        # a reply holds 2 hex digits per byte, plus framing; a request as much plus the header
        return max(16, (self.packet_size - 64) // 2)

    def read_memory(self, addr, size):
        out = bytearray()
        step = self._chunk()
        while len(out) < size:
            n = min(step, size - len(out))
            reply = self.command('m%x,%x' % (addr + len(out), n))
            data = bytes.fromhex(reply.decode('ascii'))
            if not data:
                raise GdbError('gdbstub: empty read at %#x' % (addr + len(out)))
            out += data
        return bytes(out)

    def write_memory(self, addr, data):
        step = self._chunk()
        for i in range(0, len(data), step):
            part = data[i:i + step]
            reply = self.command('M%x,%x:%s' % (addr + i, len(part), part.hex()))
            if reply != b'OK':
                raise GdbError('gdbstub: write of %d bytes at %#x failed (%r)'
                               % (len(part), addr + i, reply))


def socket_path(directory, name='gdb.sock'):
    """A UNIX socket path short enough for sun_path (108 bytes)."""
    path = os.path.join(directory, name)
    if len(path.encode()) >= 100:
        raise ValueError('socket path too long: %s' % path)
    return path


def qemu_args(path):
    """QEMU's -gdb option for a UNIX socket gdbstub that does not wait for a debugger."""
    return ['-gdb', 'unix:%s,server=on,wait=off' % path]

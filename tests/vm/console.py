# SPDX-License-Identifier: MIT
"""Drives a QEMU guest's serial console, in the style of U-Boot's test/py ConsoleBase."""

import codecs
import os
import re
import select
import shlex
import signal
import subprocess
import time

PROMPT = 'baton-vm# '
RE_PROMPT = re.compile(re.escape(PROMPT))
RE_READY = re.compile(r'BATON-VM-READY: (\S+) (.*)\r?\n')
RE_TARGET_CMDLINE = re.compile(r'BATON-TARGET-CMDLINE: (.*?)\r?\n')
RE_TARGET_PAYLOAD = re.compile(r'BATON-TARGET-PAYLOAD: ([0-9a-f]{64})')
RE_TARGET_EXPECTED = re.compile(r'BATON-TARGET-EXPECTED: ([0-9a-f]{64})')
RE_TARGET_PAGING = re.compile(r'BATON-TARGET-PAGING: (la57|4level)')
RE_TARGET_DONE = re.compile(r'BATON-TARGET-DONE')
RE_LINUX_BANNER = re.compile(r'Linux version (\S+)')
RE_RC = re.compile(r'BATON-RC=(\d+)')
# The kdump (capture) kernel's initramfs (tests/vm/guest/capture.init) and the panic itself.
CAPTURE_PROMPT = 'capture# '
RE_CAPTURE_PROMPT = re.compile(re.escape(CAPTURE_PROMPT))
RE_CAPTURE_CMDLINE = re.compile(r'BATON-CAPTURE-CMDLINE: (.*?)\r?\n')
RE_CAPTURE_PAGING = re.compile(r'BATON-CAPTURE-PAGING: (la57|4level)')
RE_CAPTURE_READY = re.compile(r'BATON-CAPTURE-READY: (\S+) vmcore=(\S+)')
RE_KERNEL_PANIC = re.compile(r'Kernel panic - not syncing: (.*?)\r?\n')
RE_ANSI = re.compile(r'\x1b\[[0-9;?]*[A-Za-z]')
RE_ANSI_PARTIAL = re.compile(r'\x1b(?:\[[0-9;?]*)?$')

# Checked on every wait, on everything the console prints (including the echo of a command: do
# not type these words); a test may opt out of one by name (Console.disable_bad_pattern).
BAD_PATTERNS = {
    'panic': re.compile(r'Kernel panic'),
    'bug': re.compile(r'\bBUG:'),
    'oops': re.compile(r'\bOops\b'),
    'gpf': re.compile(r'general protection fault'),
    # purgatory/purgatory.c: fail() ends its line with "; resetting"; a bad segment says "mismatch".
    'purgatory': re.compile(r'baton: purgatory: .*(?:resetting|mismatch|fail|error)'),
}

ASSETS_DEFAULT_APPEND = 'console=ttyS0 panic=-1'


class ConsoleError(Exception):
    """A bad pattern, a timeout or an unexpected exit; carries the transcript tail."""


class Console:
    """One QEMU machine: its command line, its serial console and its transcript."""

    def __init__(self, assets, log_path, mem=1024, cpu='max', append='', extra_args=(),
                 kernel=None, initrd=None, smp=1, echo=None):
        self.assets = assets
        self.log_path = log_path
        self.mem = mem
        self.cpu = cpu
        self.append = (ASSETS_DEFAULT_APPEND + ' ' + append).strip()
        self.extra_args = list(extra_args)
        self.kernel = kernel or os.path.join(assets, 'vmlinuz')
        self.initrd = initrd or os.path.join(assets, 'host-initrd.img')
        self.smp = smp
        self.echo = echo        # a stream that also gets the transcript as it comes (the demo)
        self.bad_patterns = dict(BAD_PATTERNS)
        self.prompt = RE_PROMPT  # what run_command waits for (set_prompt: another initramfs)
        self.proc = None
        self.log = None
        self.transcript = ''
        self.pending = ''       # an escape sequence cut at a read boundary
        self.decoder = codecs.getincrementaldecoder('utf-8')(errors='replace')
        self.pos = 0            # where the next wait_for starts looking
        self.bad_pos = 0        # where the next bad-pattern scan starts
        self.exit_status = None
        self.started = None
        self.kernel_release = None

    def qemu_command(self):
        """QEMU's command line: what every machine shares (TCG, no network, no reboot, serial on
        stdio), then the machine's firmware, what it boots and the test's extra arguments."""
        return (['qemu-system-x86_64', '-accel', 'tcg', '-cpu', self.cpu, '-m', str(self.mem),
                 '-smp', str(self.smp), '-nographic', '-no-reboot', '-nic', 'none']
                + self.firmware_args() + self.boot_args() + self.extra_args)

    def firmware_args(self):
        """The machine type and firmware: QEMU's default (pc, SeaBIOS) here."""
        return []

    def boot_args(self):
        """What the firmware boots: the kernel, initrd and command line, through QEMU."""
        return ['-kernel', self.kernel, '-initrd', self.initrd, '-append', self.append]

    # --- lifetime ---------------------------------------------------------------------------
    def launch(self):
        """Opens the transcript (headed by the QEMU command) and starts QEMU."""
        os.makedirs(os.path.dirname(self.log_path), exist_ok=True)
        self.log = open(self.log_path, 'w', encoding='utf-8', errors='replace')
        cmd = self.qemu_command()
        self.log.write('# ' + ' '.join(shlex.quote(a) for a in cmd) + '\n')
        self.log.flush()
        self.started = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        os.set_blocking(self.proc.stdout.fileno(), False)

    def start(self, ready_timeout=60):
        """Boots the first kernel and waits for the shell prompt."""
        self.launch()
        m = self.wait_for(RE_READY, ready_timeout)
        self.kernel_release = m.group(1)
        self.wait_for(RE_PROMPT, ready_timeout)
        return self

    def close(self):
        """Kills QEMU (always) and closes the transcript."""
        if self.proc is not None:
            if self.proc.poll() is None:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            self._drain()
            self.exit_status = self.proc.returncode
            self.proc = None
        if self.log is not None:
            self.log.write('\n# closed after %.1f s\n' % self.elapsed())
            self.log.close()
            self.log = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def elapsed(self):
        return time.monotonic() - self.started if self.started else 0.0

    def note(self, text):
        """Writes '# [elapsed] text' into the transcript file (not the console stream)."""
        if self.log is not None:
            self.log.write('\n# [%6.1f s] %s\n' % (self.elapsed(), text))
            self.log.flush()

    # --- patterns ---------------------------------------------------------------------------
    def disable_bad_pattern(self, name):
        self.bad_patterns.pop(name, None)

    def enable_bad_pattern(self, name):
        """Checks BAD_PATTERNS[name] again, from the next unchecked line on."""
        self.bad_patterns[name] = BAD_PATTERNS[name]

    def set_prompt(self, prompt):
        """The shell prompt run_command waits for from now on (a string, matched literally)."""
        self.prompt = re.compile(re.escape(prompt))

    def _check_bad(self):
        end = self.transcript.rfind('\n', self.bad_pos) + 1
        if end <= self.bad_pos:
            return
        chunk = self.transcript[self.bad_pos:end]
        for name, regex in self.bad_patterns.items():
            m = regex.search(chunk)
            if m:
                at = self.bad_pos + m.start()
                raise ConsoleError('bad pattern %r seen: %r\n%s'
                                   % (name, m.group(0), self.tail(at=at)))
        self.bad_pos = end

    def tail(self, n=3000, at=None):
        end = len(self.transcript) if at is None else min(len(self.transcript), at + 1500)
        return '--- console ---\n' + self.transcript[max(0, end - n):end] + '\n--- end ---'

    # --- I/O ----------------------------------------------------------------------------------
    def _feed(self, data):
        # Terminal escapes (ash asks for the cursor position before each prompt) are dropped.
        text = self.pending + self.decoder.decode(data, final=not data)
        m = RE_ANSI_PARTIAL.search(text)
        self.pending = text[m.start():] if m and data else ''
        if self.pending:
            text = text[:m.start()]
        text = RE_ANSI.sub('', text).replace('\r\n', '\n').replace('\r', '')
        self.transcript += text
        for stream in (self.log, self.echo):
            if stream is not None:
                stream.write(text)
                stream.flush()

    def _read(self, timeout):
        """Reads what is available within timeout; returns False on EOF."""
        fd = self.proc.stdout.fileno()
        ready, _, _ = select.select([fd], [], [], max(0.0, timeout))
        if not ready:
            return True
        try:
            data = os.read(fd, 65536)
        except BlockingIOError:
            return True
        if not data:
            return False
        self._feed(data)
        return True

    def _drain(self):
        if self.proc is None or self.proc.stdout is None:
            return
        try:
            while True:
                data = os.read(self.proc.stdout.fileno(), 65536)
                if not data:
                    break
                self._feed(data)
        except (BlockingIOError, OSError, ValueError):
            pass

    def send(self, text):
        if self.log is not None:
            self.log.flush()
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def wait_for(self, regex, timeout=30):
        """Waits for regex after the last match; returns the match. Bad patterns raise."""
        if isinstance(regex, str):
            regex = re.compile(regex)
        deadline = time.monotonic() + timeout
        while True:
            self._check_bad()
            m = regex.search(self.transcript, self.pos)
            if m:
                self.pos = m.end()
                return m
            left = deadline - time.monotonic()
            if left <= 0:
                raise ConsoleError('timeout (%ss) waiting for %r\n%s'
                                   % (timeout, regex.pattern, self.tail()))
            if not self._read(min(left, 0.5)):
                self.proc.wait()
                self._feed(b'')
                self._check_bad_all()
                m = regex.search(self.transcript, self.pos)
                if m:
                    self.pos = m.end()
                    return m
                raise ConsoleError('QEMU exited (status %s) while waiting for %r\n%s'
                                   % (self.proc.returncode, regex.pattern, self.tail()))

    def _check_bad_all(self):
        if not self.transcript.endswith('\n'):
            self.transcript += '\n'
        self._check_bad()

    def wait_exit(self, timeout=30):
        """Waits for QEMU to exit (the guest powered off); returns its exit status."""
        deadline = time.monotonic() + timeout
        while True:
            if not self._read(min(max(0.0, deadline - time.monotonic()), 0.5)):
                break
            self._check_bad()
            if time.monotonic() >= deadline:
                raise ConsoleError('timeout (%ss) waiting for QEMU to exit\n%s'
                                   % (timeout, self.tail()))
        self.proc.wait()
        self._check_bad_all()
        return self.proc.returncode

    def run_command(self, cmd, timeout=30, wait_for_prompt=True):
        """Runs cmd in the guest shell; returns its output up to the next prompt."""
        while self._read(0.0) and self._pending_input():
            pass
        start = self.pos = len(self.transcript)
        self.send(cmd + '\n')
        if not wait_for_prompt:
            return None
        m = self.wait_for(self.prompt, timeout)
        out = self.transcript[start:m.start()]
        # Output starts after the shell's echo of the command (a kernel message may precede it).
        echo = out.find(cmd + '\n')
        cut = echo + len(cmd) + 1 if echo >= 0 else out.find('\n') + 1
        return out[cut:].rstrip('\n')

    def _pending_input(self):
        return bool(select.select([self.proc.stdout.fileno()], [], [], 0)[0])

    def run_command_rc(self, cmd, timeout=30):
        """Runs cmd; returns (output, exit status)."""
        out = self.run_command(cmd + '; echo BATON-RC=$?', timeout)
        m = None
        for m in RE_RC.finditer(out):
            pass
        if m is None:
            raise ConsoleError('no exit status for %r\n%s' % (cmd, self.tail()))
        return out[:m.start()].rstrip('\n'), int(m.group(1))


# --- Xen (tests/vm/test_xen.py) -------------------------------------------------------------
# QEMU boots Xen (multiboot: -kernel xen, -initrd "dom0-kernel ARGS,dom0-initrd"); Xen writes its
# own log, prefixed "(XEN) ", to com1 and forwards dom0's hvc0 there; serial input goes to dom0
# (never type Ctrl-A: three switch the input to Xen). The target and capture kernels loaded from
# dom0 run on the bare (virtual) machine and write to ttyS0 = com1, so one transcript holds all.
DOM0_PROMPT = 'baton-dom0# '
RE_DOM0_PROMPT = re.compile(re.escape(DOM0_PROMPT))
RE_DOM0_READY = re.compile(r'BATON-DOM0-READY: (\S+) caps=(\S*) (.*)\r?\n')
RE_DOM0_ERROR = re.compile(r'BATON-DOM0-ERROR: (.*?)\r?\n')
RE_XEN_VERSION = re.compile(r'\(XEN\) Xen version (\S+) \(')
# xen/arch/x86/crash.c, xen/common/kexec.c: what Xen says when dom0 dies
RE_XEN_DOM0_CRASHED = re.compile(r'Hardware Dom0 crashed')
XEN_BAD_PATTERNS = {
    'xen-panic': re.compile(r'\(XEN\) Panic on CPU'),
    # xen/common/shutdown.c maybe_reboot(): no crash image ran
    'xen-reboot': re.compile(r'rebooting machine in 5 seconds|\(XEN\) Reboot in five seconds'),
    'dom0-error': RE_DOM0_ERROR,
}
XEN_DEFAULT_APPEND = ('console=com1 com1=115200 dom0_mem=768M crashkernel=256M@1G '
                      'loglvl=all guest_loglvl=all')
DOM0_DEFAULT_APPEND = 'console=hvc0 earlyprintk=xen'


class XenConsole(Console):
    """Xen with a PV dom0 (tests/vm/assets.mk, guest/xen-dom0.init): the shell prompt is dom0's.

    mem/cpu: QEMU's (PV dom0 under TCG crashes with -cpu max; Haswell-noTSX works);
    append: Xen's command line; dom0_append: dom0's."""

    SEND_CHUNK = 32     # Xen's serial input ring for dom0 is small: type in short bursts

    def __init__(self, assets, log_path, mem=2048, cpu='Haswell-noTSX', append=XEN_DEFAULT_APPEND,
                 dom0_append=DOM0_DEFAULT_APPEND, extra_args=(), xen=None, dom0_kernel=None,
                 dom0_initrd=None, smp=1, echo=None):
        super().__init__(assets, log_path, mem=mem, cpu=cpu, extra_args=extra_args, smp=smp,
                         echo=echo, kernel=xen or os.path.join(assets, 'xen'),
                         initrd=dom0_initrd or os.path.join(assets, 'xen-dom0-initrd.img'))
        self.append = append
        self.dom0_kernel = dom0_kernel or os.path.join(assets, 'xen-dom0-vmlinuz')
        self.dom0_append = dom0_append
        self.bad_patterns.update(XEN_BAD_PATTERNS)
        self.prompt = RE_DOM0_PROMPT
        self.xen_version = None
        self.dom0_caps = None
        self.dom0_up = None

    def enable_bad_pattern(self, name):
        self.bad_patterns[name] = XEN_BAD_PATTERNS.get(name) or BAD_PATTERNS[name]

    def boot_args(self):
        # -initrd: modules separated by ',' (a literal comma is ',,'); the first is dom0's kernel.
        modules = '%s %s,%s' % (self.dom0_kernel, self.dom0_append.replace(',', ',,'),
                                self.initrd.replace(',', ',,'))
        return ['-kernel', self.kernel, '-initrd', modules, '-append', self.append]

    def start(self, ready_timeout=180):
        """Boots Xen and dom0 and waits for dom0's shell prompt."""
        self.launch()
        self.xen_version = self.wait_for(RE_XEN_VERSION, ready_timeout).group(1)
        m = self.wait_for(RE_DOM0_READY, ready_timeout)
        self.kernel_release = m.group(1)
        self.dom0_caps = m.group(2)
        self.wait_for(RE_DOM0_PROMPT, ready_timeout)
        self.dom0_up = self.elapsed()
        self.note('dom0 up')
        return self

    def send(self, text):
        for i in range(0, len(text), self.SEND_CHUNK):
            if i:
                time.sleep(0.05)
            super().send(text[i:i + self.SEND_CHUNK])


# --- UEFI (tests/vm/test_efi.py) ------------------------------------------------------------
# Debian's OVMF (package ovmf) boots the kernel given with -kernel/-initrd/-append through its EFI
# stub (QEMU hands them over by fw_cfg); q35 machine, the firmware code read-only in pflash unit 0,
# a private copy of the variable store in unit 1. QEMU's default display device on q35 (std VGA,
# kept with -nographic: only the window goes) gives OVMF a GOP framebuffer, which the kernel takes
# over as efifb.
OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd'
OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd'


class EfiConsole(Console):
    """A UEFI machine (OVMF): like Console, plus the firmware and a throw-away variable store.

    vars_path: where the copy of OVMF_VARS goes (default: next to the transcript, removed on close
    unless keep_vars)."""

    def __init__(self, assets, log_path, ovmf_code=OVMF_CODE, ovmf_vars=OVMF_VARS,
                 vars_path=None, keep_vars=False, machine='q35', **opts):
        super().__init__(assets, log_path, **opts)
        self.ovmf_code = ovmf_code
        self.ovmf_vars = ovmf_vars
        self.vars_path = vars_path or (os.path.splitext(log_path)[0] + '.OVMF_VARS.fd')
        self.keep_vars = keep_vars
        self.machine = machine

    def firmware_args(self):
        return ['-machine', self.machine,
                '-drive', 'if=pflash,format=raw,unit=0,readonly=on,file=' + self.ovmf_code,
                '-drive', 'if=pflash,format=raw,unit=1,file=' + self.vars_path]

    def start(self, ready_timeout=120):
        import shutil
        os.makedirs(os.path.dirname(self.vars_path), exist_ok=True)
        shutil.copyfile(self.ovmf_vars, self.vars_path)
        return super().start(ready_timeout)

    def close(self):
        super().close()
        if not self.keep_vars and self.vars_path and os.path.exists(self.vars_path):
            os.unlink(self.vars_path)


# --- State (tests/vm/test_state.py) -----------------------------------------------------------
# The second kernel's initramfs there (tests/vm/guest/state-target.init) mounts the virtio disk and
# reports the file the first kernel wrote (its sha256, or MISSING) and its size.
RE_STATE_CMDLINE = re.compile(r'BATON-STATE-CMDLINE: (.*?)\r?\n')
RE_STATE_FILE = re.compile(r'BATON-STATE-FILE: ([0-9a-f]{64}|MISSING)')
RE_STATE_SIZE = re.compile(r'BATON-STATE-SIZE: (-?\d+)\r?\n')
RE_STATE_ERROR = re.compile(r'BATON-STATE-ERROR: (.*?)\r?\n')
RE_STATE_DONE = re.compile(r'BATON-STATE-DONE')


# --- Secure Boot (tests/vm/test_secureboot.py) ----------------------------------------------
# The secboot build of OVMF (SMM, secure pflash) with the Microsoft keys enrolled boots the ESP
# image of tests/vm/assets.mk: shim -> grub -> the Debian-signed kernel, which
# then locks itself down and trusts Debian's CA (from shim's MokListRT) for kexec_file_load.
OVMF_CODE_SECBOOT = '/usr/share/OVMF/OVMF_CODE_4M.secboot.fd'
OVMF_VARS_MS = '/usr/share/OVMF/OVMF_VARS_4M.ms.fd'
RE_SB_EFI_STUB = re.compile(r'EFI stub: UEFI Secure Boot is enabled')
RE_SB_LOCKED = re.compile(r'Kernel is locked down from EFI Secure Boot')


class SecureBootConsole(EfiConsole):
    """A UEFI machine under Secure Boot: the firmware boots esp (a raw FAT image, on virtio-blk,
    snapshot=on so it is never written); kernel, initrd and command line come from its grub.cfg."""

    def __init__(self, assets, log_path, esp=None, **opts):
        opts.setdefault('ovmf_code', OVMF_CODE_SECBOOT)
        opts.setdefault('ovmf_vars', OVMF_VARS_MS)
        opts.setdefault('machine', 'q35,smm=on')
        super().__init__(assets, log_path, **opts)
        self.esp = esp or os.path.join(assets, 'sb', 'esp.img')

    def firmware_args(self):
        return super().firmware_args() + ['-global', 'driver=cfi.pflash01,property=secure,value=on']

    def boot_args(self):
        return ['-drive', 'if=none,id=esp,format=raw,snapshot=on,file=' + self.esp,
                '-device', 'virtio-blk-pci,drive=esp']

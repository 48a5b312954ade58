"""A corrupt image never runs: one byte flipped in guest memory from outside makes the purgatory
report the segment and reset the machine.

QEMU runs with a gdbstub on a UNIX socket (tests/vm/gdbstub.py speaks the protocol; no gdb
binary). The host writes PHYSICAL memory (`Qqemu.PhyMemMode:1`) after the image is in place and
before the purgatory verifies it:

- crash image (`baton -p`, first kernel with crashkernel=256M): the segments sit in the crash
  region from load time. Stop the machine, flip one byte of a segment, continue, panic it
  (`echo c > /proc/sysrq-trigger`).
- normal image (`baton -l`): the old kernel copies the segments to their destinations only at
  exec. A breakpoint at the purgatory's entry (the plan's `entry:`; the old kernel jumps there
  with an identity map, so the virtual address is the physical one) stops the machine after the
  copy; flip the byte there, continue.

The segment's address and size come from the plan `baton -d` prints on stderr. Before writing,
the harness checks it is looking at the image: the small segments hash to the plan's digest, the
kernel and initrd bytes around the target equal the files'. Expected on serial:
`baton: purgatory: sha256 mismatch in segment N (NAME) at ADDR size SIZE` naming that segment,
then `...refusing to run a corrupt image; resetting`, then QEMU exits (-no-reboot turns the reset
into an exit) and no kernel banner follows. The control cases write every target byte back
unchanged: the machine then hands over as usual, so the harness alone breaks nothing.

QEMU also logs (`-d cpu_reset`, trace event pckbd_kbd_write_command) to
$BUILD/vm-logs/<test>.qemu.log: how the reset happened. The purgatory tries 0xCF9 first; an
8042 pulse (command 0xfe) or a triple fault there would mean 0xCF9 did not reset the machine.
"""

import hashlib
import os
import re
import shutil
import tempfile

import pytest

import console as con
import gdbstub

KERNEL = '/boot/vmlinuz'
INITRD = '/boot/initrd.img'
CAPTURE_INITRD = '/boot/capture-initrd.img'
CRASHKERNEL = 'crashkernel=256M'
MEM = 1024

# What is flipped in each mode; the control case writes all of them back unchanged.
CRASH_SEGMENTS = ('kernel', 'initrd', 'elfcorehdr', 'boot_params', 'page_tables')
EXEC_SEGMENTS = ('kernel', 'initrd', 'boot_params', 'page_tables')
CONTROL = 'control'

# The host-side file each large segment holds (for the byte check before the write).
FILES = {
    ('crash', 'kernel'): 'vmlinuz',
    ('crash', 'initrd'): 'capture-initrd.img',
    ('exec', 'kernel'): 'vmlinuz',
    ('exec', 'initrd'): 'target-initrd.img',
}
SMALL = 256 << 10           # segments up to this size are read whole and hashed
WINDOW = 64                 # bytes compared around the target in large segments

RE_PLAN_SEGMENT = re.compile(
    r'^(\w+) +0x([0-9a-f]{16}) +0x([0-9a-f]+) +0x([0-9a-f]+) +([0-9a-f]{64})\s*$', re.M)
RE_PLAN_ENTRY = re.compile(r'^entry: 0x([0-9a-f]+) \(purgatory\)', re.M)
RE_MISMATCH = re.compile(r'baton: purgatory: sha256 mismatch in segment (\d+) \((\w+)\) '
                         r'at (0x[0-9a-f]+) size (0x[0-9a-f]+)\r?\n')
RE_REFUSING = re.compile(r'baton: purgatory: refusing to run a corrupt image; resetting\r?\n')
RE_VERIFYING = re.compile(r'baton: purgatory: verifying')
RE_ENTERING = re.compile(r'baton: purgatory: entering kernel at 0x[0-9a-f]+ \((32|64)-bit\)')
RE_EXEC_MSG = re.compile(r'kexec_core: Starting new kernel')

LOAD_TIMEOUT = 60
PANIC_TIMEOUT = 60
BREAK_TIMEOUT = 60
VERIFY_TIMEOUT = 60
BOOT_TIMEOUT = 120


# --- the plan -------------------------------------------------------------------------------
class Segment:
    def __init__(self, name, mem, bufsz, memsz, sha256, region):
        self.name, self.mem, self.bufsz, self.memsz = name, mem, bufsz, memsz
        self.sha256 = sha256
        self.region = region        # index in the purgatory's region list (None: not digested)

    def __repr__(self):
        return '%s@%#x+%#x' % (self.name, self.mem, self.bufsz)


def parse_plan(text):
    """{name: Segment}, entry. The purgatory's regions are the segments with bytes, in plan
    order (lib/image.c build_purgatory); each covers [mem, mem + bytes) except the purgatory's
    own (its header and code only)."""
    segs, region = {}, 0
    for m in RE_PLAN_SEGMENT.finditer(text):
        name, mem, bufsz, memsz, digest = (m.group(1), int(m.group(2), 16), int(m.group(3), 16),
                                           int(m.group(4), 16), m.group(5))
        idx = None
        if bufsz:
            idx, region = region, region + 1
        segs[name] = Segment(name, mem, bufsz, memsz, digest, idx)
    m = RE_PLAN_ENTRY.search(text)
    assert segs and m, 'no plan in baton -d output:\n' + text
    return segs, int(m.group(1), 16)


def target_offset(seg):
    """The byte to flip: the middle of what the purgatory hashes."""
    return seg.bufsz // 2


def file_bytes(assets, mode, seg):
    """The bytes the kernel or initrd segment holds, from the host's copy of the file."""
    with open(os.path.join(assets, FILES[(mode, seg.name)]), 'rb') as f:
        data = f.read()
    if seg.name == 'kernel':
        setup_sects = data[0x1f1] or 4
        data = data[(setup_sects + 1) * 512:]
    return data


# --- fixtures -------------------------------------------------------------------------------
@pytest.fixture
def baton(assets, baton_static):
    state, why, binary = baton_static
    if state == 'skip':
        pytest.skip(why)
    if state == 'fail':
        pytest.fail(why)
    return binary


@pytest.fixture
def crash_assets(assets):
    img = os.path.join(assets, 'capture-initrd.img')
    if not os.path.exists(img):
        pytest.skip('asset capture-initrd.img missing (run scripts/assets.sh)')
    if os.path.getmtime(os.path.join(assets, 'host-initrd.img')) < os.path.getmtime(img):
        pytest.fail('host-initrd.img lacks the current capture-initrd.img: rerun scripts/assets.sh')
    return assets


class Machine:
    """A Console with a gdbstub socket and a QEMU debug log; connect() attaches the client."""

    def __init__(self, console_factory, build, request, **opts):
        self.dir = tempfile.mkdtemp(prefix='baton-gdb-')
        self.sock = gdbstub.socket_path(self.dir)
        name = re.sub(r'[^A-Za-z0-9_.-]+', '-', request.node.nodeid.split('::')[-1]).strip('-')
        self.qemu_log = os.path.join(build, 'vm-logs', name + '.qemu.log')
        extra = gdbstub.qemu_args(self.sock) + [
            '-d', 'cpu_reset,guest_errors', '-D', self.qemu_log,
            '-trace', 'pckbd_kbd_write_command']
        self.c = console_factory(extra_args=extra, **opts)
        self.gdb = None

    def connect(self):
        """Attaches the debugger: QEMU stops the machine."""
        self.gdb = gdbstub.GdbRemote(self.sock, log=self.c.note)
        self.c.note('gdb attached: %r; qemu features %s'
                    % (self.gdb.initial_stop, ';'.join(self.gdb.qemu_supported())))
        return self.gdb

    def close(self):
        if self.gdb is not None:
            self.gdb.close()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def machine(request, console, build):
    made = []

    def make(**opts):
        m = Machine(console, build, request, **opts)
        made.append(m)
        return m

    yield make
    for m in made:
        m.close()       # the console fixture kills QEMU


# --- the write ------------------------------------------------------------------------------
def check_in_place(gdb, assets, mode, seg):
    """Asserts that physical memory at the segment holds the image's bytes (still intact)."""
    if seg.bufsz <= SMALL:
        data = gdb.read_memory(seg.mem, seg.bufsz)
        assert hashlib.sha256(data).hexdigest() == seg.sha256, \
            '%r in guest memory does not hash to the plan\'s digest' % seg
        if seg.name == 'boot_params':
            assert data[0x202:0x206] == b'HdrS', 'no setup header in the zero page'
        if seg.name == 'elfcorehdr':
            assert data[:4] == b'\x7fELF', 'elfcorehdr is not an ELF header'
        return
    want = file_bytes(assets, mode, seg)
    assert len(want) == seg.bufsz and hashlib.sha256(want).hexdigest() == seg.sha256, \
        'the host copy of %s differs from the guest\'s (rerun scripts/assets.sh)' % seg.name
    off = max(0, target_offset(seg) - WINDOW // 2)
    got = gdb.read_memory(seg.mem + off, WINDOW)
    assert got == want[off:off + WINDOW], \
        '%r: guest memory at +%#x is not the file\'s bytes' % (seg, off)


def poke(m, assets, mode, segs, names, flip):
    """With the machine stopped: for each segment, check it, then rewrite its target byte
    (flipped, or the same value). Returns [(segment, address, old, new)]."""
    gdb = m.gdb
    gdb.set_phys_mode(True)
    done = []
    for name in names:
        seg = segs[name]
        check_in_place(gdb, assets, mode, seg)
        addr = seg.mem + target_offset(seg)
        old = gdb.read_memory(addr, 1)[0]
        new = old ^ 0xff if flip else old
        gdb.write_memory(addr, bytes((new,)))
        back = gdb.read_memory(addr, 1)[0]
        assert back == new, 'wrote %#04x at %#x, read back %#04x' % (new, addr, back)
        m.c.note('%s: byte at %#x (+%#x): %#04x -> %#04x'
                 % (name, addr, addr - seg.mem, old, new))
        done.append((seg, addr, old, new))
    gdb.set_phys_mode(False)
    return done


def expect_refusal(m, seg):
    """The purgatory names seg, refuses, resets; QEMU exits; nothing boots."""
    c = m.c
    c.wait_for(RE_VERIFYING, VERIFY_TIMEOUT)
    mm = c.wait_for(RE_MISMATCH, VERIFY_TIMEOUT)
    c.note('purgatory refused')
    at = mm.start()
    c.wait_for(RE_REFUSING, 10)
    status = c.wait_exit(30)
    c.note('QEMU exited with status %s' % status)
    n, name, addr, size = int(mm.group(1)), mm.group(2), int(mm.group(3), 16), int(mm.group(4), 16)
    assert (name, n) == (seg.name, seg.region), \
        'purgatory named segment %d (%s), the corrupt one is %d (%s)' % (n, name, seg.region,
                                                                        seg.name)
    assert (addr, size) == (seg.mem, seg.bufsz), \
        'purgatory reported %#x size %#x for %r' % (addr, size, seg)
    after = c.transcript[at:]
    assert not con.RE_LINUX_BANNER.search(after), 'a kernel booted after the refusal'
    assert not RE_ENTERING.search(after), 'the purgatory entered the kernel after the refusal'
    assert status == 0, 'QEMU exit status %s (-no-reboot turns a guest reset into exit 0)' % status
    # the gdb connection sees QEMU go: a W packet or just the end of the socket
    m.c.note('gdbstub at exit: %r' % m.gdb.wait_exit(10))
    check_reset_path(m)


def check_reset_path(m):
    """From QEMU's log: the reset came through 0xCF9, not the 8042 or a triple fault."""
    try:
        with open(m.qemu_log, errors='replace') as f:
            log = f.read()
    except FileNotFoundError:
        return
    kbd_reset = [line for line in log.splitlines()
                 if 'pckbd_kbd_write_command' in line and re.search(r'0x0*fe\b', line)]
    assert not kbd_reset, 'the 8042 reset line was pulsed: 0xCF9 did not reset the machine'
    assert 'Triple fault' not in log, 'the machine reset by triple fault: 0xCF9 and 8042 failed'


def load(c, cmd):
    out, rc = c.run_command_rc(cmd, LOAD_TIMEOUT)
    assert rc == 0, 'load failed (%d):\n%s' % (rc, out)
    return parse_plan(out)


# --- crash image ----------------------------------------------------------------------------
@pytest.mark.parametrize('target', CRASH_SEGMENTS + (CONTROL,))
def test_corrupt_crash(machine, build, crash_assets, baton, target):
    m = machine(mem=MEM, append=CRASHKERNEL)
    c = m.c
    c.note('first kernel up')
    cmdline = 'console=ttyS0 panic=-1 nr_cpus=1 baton.corrupt=crash-%s' % target
    segs, _ = load(c, '/sbin/baton -p %s --initrd=%s --command-line="%s" --console-serial -d'
                   % (KERNEL, CAPTURE_INITRD, cmdline))
    assert c.run_command('cat /sys/kernel/kexec_crash_loaded') == '1'
    crash = re.search(r'^\s*([0-9a-f]+)-([0-9a-f]+) : Crash kernel$',
                      c.run_command('cat /proc/iomem'), re.M)
    assert crash, 'no Crash kernel range with %s' % CRASHKERNEL
    lo, hi = int(crash.group(1), 16), int(crash.group(2), 16) + 1
    for name in CRASH_SEGMENTS:
        assert name in segs, 'the plan has no %s segment: %s' % (name, segs)
        assert lo <= segs[name].mem and segs[name].mem + segs[name].memsz <= hi, segs[name]
    c.note('crash image loaded: %s' % segs)

    names = CRASH_SEGMENTS if target == CONTROL else (target,)
    gdb = m.connect()               # stops the machine
    poke(m, crash_assets, 'crash', segs, names, flip=target != CONTROL)
    gdb.cont()
    c.note('machine continued')

    c.disable_bad_pattern('panic')
    if target != CONTROL:
        c.disable_bad_pattern('purgatory')
    c.run_command('echo c > /proc/sysrq-trigger', wait_for_prompt=False)
    why = c.wait_for(con.RE_KERNEL_PANIC, PANIC_TIMEOUT).group(1)
    assert why.strip() == 'sysrq triggered crash'
    c.enable_bad_pattern('panic')   # a second panic would be the capture kernel's
    c.note('panic')

    if target != CONTROL:
        expect_refusal(m, segs[target])
        return
    c.wait_for(RE_ENTERING, VERIFY_TIMEOUT)
    got = c.wait_for(con.RE_CAPTURE_CMDLINE, BOOT_TIMEOUT).group(1)
    assert got == '%s elfcorehdr=%#x' % (cmdline, segs['elfcorehdr'].mem)
    c.wait_for(con.RE_CAPTURE_READY, 30)
    c.set_prompt(con.CAPTURE_PROMPT)
    c.wait_for(con.RE_CAPTURE_PROMPT, 30)
    c.note('capture kernel up')
    c.run_command('poweroff -f', wait_for_prompt=False)
    c.wait_exit(30)


# --- normal image ---------------------------------------------------------------------------
@pytest.mark.parametrize('target', EXEC_SEGMENTS + (CONTROL,))
def test_corrupt_exec(machine, build, assets, baton, expected_sha256, target):
    m = machine(mem=MEM)
    c = m.c
    c.note('first kernel up')
    cmdline = 'console=ttyS0 baton.corrupt=exec-%s' % target
    segs, entry = load(c, '/sbin/baton -l %s --initrd=%s --command-line="%s" --console-serial -d'
                       % (KERNEL, INITRD, cmdline))
    assert entry == segs['purgatory'].mem, 'entry %#x is not the purgatory\'s start' % entry
    c.note('image loaded: %s, entry %#x' % (segs, entry))

    gdb = m.connect()               # stops the machine
    gdb.insert_breakpoint(entry, kind=1)
    gdb.cont()
    c.run_command('/sbin/baton -e', wait_for_prompt=False)
    stop = gdb.wait_stop(BREAK_TIMEOUT)
    rip = gdb.rip()
    c.note('stopped: %r at rip %#x' % (stop, rip))
    assert rip == entry, 'stopped at %#x, not at the purgatory\'s entry %#x' % (rip, entry)
    assert RE_EXEC_MSG.search(c.transcript), 'stopped before the old kernel started the exec'
    assert not RE_VERIFYING.search(c.transcript), 'the purgatory ran before the breakpoint'
    gdb.remove_breakpoint(entry, kind=1)     # else continuing stops here again at once

    names = EXEC_SEGMENTS if target == CONTROL else (target,)
    if target != CONTROL:
        c.disable_bad_pattern('purgatory')
    poke(m, assets, 'exec', segs, names, flip=target != CONTROL)
    gdb.cont()
    c.note('machine continued')

    if target != CONTROL:
        expect_refusal(m, segs[target])
        return
    c.wait_for(RE_ENTERING, VERIFY_TIMEOUT)
    assert c.wait_for(con.RE_TARGET_CMDLINE, BOOT_TIMEOUT).group(1) == cmdline
    assert c.wait_for(con.RE_TARGET_PAYLOAD, 30).group(1) == expected_sha256
    c.wait_for(con.RE_TARGET_DONE, 30)
    c.wait_exit(30)

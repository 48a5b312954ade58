# SPDX-License-Identifier: MIT
"""A corrupt image never runs: one byte flipped in guest memory from outside makes the purgatory
report what is corrupt and reset the machine.

QEMU runs with a gdbstub on a UNIX socket (tests/vm/gdbstub.py speaks the protocol; no gdb
binary). The host writes PHYSICAL memory (`Qqemu.PhyMemMode:1`) after the image is in place and
before the purgatory verifies it:

- crash image (`baton -p`, first kernel with crashkernel=256M): the segments sit in the crash
  region from load time. Stop the machine, flip one byte, continue, panic it
  (`echo c > /proc/sysrq-trigger`).
- normal image (`baton -l`): the old kernel copies the segments to their destinations only at
  exec. A breakpoint at the purgatory's entry (the plan's `entry:`; the old kernel jumps there
  with an identity map, so the virtual address is the physical one) stops the machine after the
  copy; flip the byte there, continue.

Targets: the middle byte of what the purgatory hashes of each segment (kernel, initrd,
elfcorehdr, boot_params, page_tables); `purgatory`: a byte of its own hashed header (`reserved`,
never read); `params`: a byte of its parameter block (`reserved1`, never read; covered by the
block's own digest). Addresses and sizes come from the plan `baton -d` prints on stderr and the
purgatory's header in guest memory. Before writing, the harness checks it looks at the image: the
small ranges hash to the plan's digest, the kernel and initrd bytes around the target equal the
files'. Expected on serial: `baton: purgatory: sha256 mismatch in segment N (NAME) at ADDR size
SIZE` naming that segment (`parameter block corrupt (sha256 mismatch)` for params), then
`...; resetting`; QEMU exits with status 0 (-no-reboot turns the guest's reset into an exit) and
no kernel banner follows. The control cases write every target byte back unchanged: the machine
then hands over as usual, so the harness alone breaks nothing.

How the machine resets (the purgatory tries 0xCF9, then the 8042, then a triple fault):
test_corrupt_reset_path single-steps machine_reset (offset from build/purgatory/purgatory.elf)
and sees QEMU gone right after `out %al,(%dx)` with DX=0xcf9, AL=6. Every case also has QEMU log
(`-d cpu_reset,guest_errors`, trace event pckbd_kbd_write_command) to
$BUILD/vm-logs/<test>.qemu.log, where an 8042 reset command (0xfe) or "Triple fault" fails it.
"""

import hashlib
import os
import re
import struct

import pytest

import console as con
import gdbstub
from machine import check_reset_log, elf_symbol

KERNEL = '/boot/vmlinuz'
INITRD = '/boot/initrd.img'
CAPTURE_INITRD = '/boot/capture-initrd.img'
CRASHKERNEL = 'crashkernel=256M'
MEM = 1024

# What is flipped in each mode; the control case writes all of them back unchanged.
CRASH_TARGETS = ('kernel', 'initrd', 'elfcorehdr', 'boot_params', 'page_tables', 'purgatory',
                 'params')
EXEC_TARGETS = ('kernel', 'initrd', 'boot_params', 'page_tables', 'purgatory', 'params')
CONTROL = 'control'

# The host-side file each large segment holds (for the byte check before the write).
FILES = {
    ('crash', 'kernel'): 'vmlinuz',
    ('crash', 'initrd'): 'capture-initrd.img',
    ('exec', 'kernel'): 'vmlinuz',
    ('exec', 'initrd'): 'target-initrd.img',
}
SMALL = 256 << 10           # ranges up to this size are read whole and hashed
WINDOW = 64                 # bytes compared around the target in large segments

# include/baton/abi.h
HEADER_MAGIC = 0x5052474e4f544142           # "BATONGRP"
PARAMS_MAGIC = 0x4d5241504e544142           # "BATNPARM"
HEADER_SIZE = 0x30
HEADER_RESERVED = 0x2c                      # header.reserved: hashed, never read
PARAMS_SIZE = 0x500
PARAMS_SELF_SHA256 = 0x10
PARAMS_RESERVED1 = 0xd0                     # params.reserved1: digested, never read

RE_PLAN_SEGMENT = re.compile(
    r'^(\w+) +0x([0-9a-f]{16}) +0x([0-9a-f]+) +0x([0-9a-f]+) +([0-9a-f]{64})\s*$', re.M)
RE_PLAN_ENTRY = re.compile(r'^entry: 0x([0-9a-f]+) \(purgatory\)', re.M)
RE_MISMATCH = re.compile(r'baton: purgatory: sha256 mismatch in segment (\d+) \((\w+)\) '
                         r'at (0x[0-9a-f]+) size (0x[0-9a-f]+)\r?\n')
RE_REFUSING = re.compile(r'baton: purgatory: refusing to run a corrupt image; resetting\r?\n')
RE_PARAMS_CORRUPT = re.compile(
    r'baton: purgatory: parameter block corrupt \(sha256 mismatch\); resetting\r?\n')
RE_VERIFYING = re.compile(r'baton: purgatory: verifying')
RE_ENTERING = re.compile(r'baton: purgatory: entering kernel at 0x[0-9a-f]+ \((32|64)-bit\)')

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
    own (its header, code and read-only data: see Target)."""
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


def file_bytes(assets, mode, seg):
    """The bytes the kernel or initrd segment holds, from the host's copy of the file."""
    with open(os.path.join(assets, FILES[(mode, seg.name)]), 'rb') as f:
        data = f.read()
    if seg.name == 'kernel':
        setup_sects = data[0x1f1] or 4
        data = data[(setup_sects + 1) * 512:]
    return data


class Target:
    """One byte to rewrite and what the purgatory must say about it.

    region: (index, name, start, size) of the mismatch report; None for the parameter block."""

    def __init__(self, name, addr, region):
        self.name, self.addr, self.region = name, addr, region

    def __repr__(self):
        return '%s byte at %#x' % (self.name, self.addr)


def locate(gdb, assets, mode, segs, name):
    """Finds the target byte (physical mode on) and checks the image there is intact."""
    if name in ('purgatory', 'params'):
        return locate_purgatory(gdb, segs['purgatory'], name)
    seg = segs[name]
    off = seg.bufsz // 2
    if seg.bufsz <= SMALL:
        data = gdb.read_memory(seg.mem, seg.bufsz)
        assert hashlib.sha256(data).hexdigest() == seg.sha256, \
            '%r in guest memory does not hash to the plan\'s digest' % seg
        if seg.name == 'boot_params':
            assert data[0x202:0x206] == b'HdrS', 'no setup header in the zero page'
        if seg.name == 'elfcorehdr':
            assert data[:4] == b'\x7fELF', 'elfcorehdr is not an ELF header'
    else:
        want = file_bytes(assets, mode, seg)
        assert len(want) == seg.bufsz and hashlib.sha256(want).hexdigest() == seg.sha256, \
            'the host copy of %s differs from the guest\'s (rerun scripts/assets.sh)' % seg.name
        at = off - WINDOW // 2
        got = gdb.read_memory(seg.mem + at, WINDOW)
        assert got == want[at:at + WINDOW], \
            '%r: guest memory at +%#x is not the file\'s bytes' % (seg, at)
    return Target(name, seg.mem + off, (seg.region, seg.name, seg.mem, seg.bufsz))


def locate_purgatory(gdb, seg, name):
    magic, _, params_off, text_off, text_end = struct.unpack(
        '<QIIII', gdb.read_memory(seg.mem + 8, 0x18))
    assert magic == HEADER_MAGIC, 'no purgatory header at %#x' % seg.mem
    text = gdb.read_memory(seg.mem + text_off, text_end - text_off)
    assert hashlib.sha256(text).hexdigest() == seg.sha256, \
        'the purgatory\'s code in guest memory does not hash to the plan\'s digest'
    params = bytearray(gdb.read_memory(seg.mem + params_off, PARAMS_SIZE))
    assert struct.unpack_from('<Q', params)[0] == PARAMS_MAGIC, 'no parameter block'
    digest = bytes(params[PARAMS_SELF_SHA256:PARAMS_SELF_SHA256 + 32])
    params[PARAMS_SELF_SHA256:PARAMS_SELF_SHA256 + 32] = bytes(32)
    assert hashlib.sha256(params).digest() == digest, 'the parameter block\'s digest is wrong'
    if name == 'params':
        return Target(name, seg.mem + params_off + PARAMS_RESERVED1, None)
    assert text_off <= HEADER_RESERVED < text_end, 'the header is not hashed'
    return Target(name, seg.mem + HEADER_RESERVED,
                  (seg.region, seg.name, seg.mem + text_off, text_end - text_off))


# --- the write and what follows -------------------------------------------------------------
def poke(m, assets, mode, segs, names, flip):
    """With the machine stopped: for each target, check the image, then rewrite the byte
    (flipped, or the same value). Returns the Targets."""
    gdb = m.gdb
    gdb.set_phys_mode(True)
    done = []
    for name in names:
        t = locate(gdb, assets, mode, segs, name)
        old = gdb.read_memory(t.addr, 1)[0]
        new = old ^ 0xff if flip else old
        gdb.write_memory(t.addr, bytes((new,)))
        back = gdb.read_memory(t.addr, 1)[0]
        assert back == new, 'wrote %#04x at %#x, read back %#04x' % (new, t.addr, back)
        m.c.note('%r: %#04x -> %#04x' % (t, old, new))
        done.append(t)
    gdb.set_phys_mode(False)
    return done


def expect_refusal(m, target):
    """The purgatory names the target, refuses, resets; QEMU exits; nothing boots."""
    c = m.c
    c.wait_for(RE_VERIFYING, VERIFY_TIMEOUT)
    if target.region is None:
        mm = c.wait_for(RE_PARAMS_CORRUPT, VERIFY_TIMEOUT)
    else:
        mm = c.wait_for(RE_MISMATCH, VERIFY_TIMEOUT)
        c.wait_for(RE_REFUSING, 10)
    c.note('purgatory refused')
    status = c.wait_exit(30)
    c.note('QEMU exited with status %s' % status)
    if target.region is not None:
        got = (int(mm.group(1)), mm.group(2), int(mm.group(3), 16), int(mm.group(4), 16))
        assert got == target.region, \
            'purgatory reported segment %d (%s) at %#x size %#x; the corrupt one is %d (%s) ' \
            'at %#x size %#x' % (got + target.region)
    after = c.transcript[mm.start():]
    assert not con.RE_LINUX_BANNER.search(after), 'a kernel booted after the refusal'
    assert not RE_ENTERING.search(after), 'the purgatory entered the kernel after the refusal'
    assert status == 0, 'QEMU exit status %s (-no-reboot turns a guest reset into exit 0)' % status
    # QEMU 7.2 sends no W packet when the guest resets it away: the socket just closes
    c.note('gdbstub at exit: W status %r' % m.gdb.wait_exit(10))
    check_reset_log(m)


def load(c, cmd):
    out, rc = c.run_command_rc(cmd, LOAD_TIMEOUT)
    assert rc == 0, 'load failed (%d):\n%s' % (rc, out)
    return parse_plan(out)


def crash_load(c, cmdline):
    """baton -p with -d; checks every segment is in the Crash kernel range; returns the plan."""
    segs, entry = load(c, '/sbin/baton -p %s --initrd=%s --command-line="%s" --console-serial -d'
                       % (KERNEL, CAPTURE_INITRD, cmdline))
    assert c.run_command('cat /sys/kernel/kexec_crash_loaded') == '1'
    crash = re.search(r'^\s*([0-9a-f]+)-([0-9a-f]+) : Crash kernel$',
                      c.run_command('cat /proc/iomem'), re.M)
    assert crash, 'no Crash kernel range with %s' % CRASHKERNEL
    lo, hi = int(crash.group(1), 16), int(crash.group(2), 16) + 1
    for name in CRASH_TARGETS:
        if name != 'params':
            assert name in segs, 'the plan has no %s segment: %s' % (name, segs)
            assert lo <= segs[name].mem and segs[name].mem + segs[name].memsz <= hi, segs[name]
    c.note('crash image loaded: %s' % segs)
    return segs, entry


# --- crash image ----------------------------------------------------------------------------
@pytest.mark.parametrize('target', CRASH_TARGETS + (CONTROL,))
def test_corrupt_crash(machine, crash_assets, baton, target):
    m = machine(mem=MEM, append=CRASHKERNEL)
    c = m.c
    c.note('first kernel up')
    cmdline = 'console=ttyS0 panic=-1 nr_cpus=1 baton.corrupt=crash-%s' % target
    segs, _ = crash_load(c, cmdline)

    names = CRASH_TARGETS if target == CONTROL else (target,)
    gdb = m.connect()               # stops the machine
    targets = poke(m, crash_assets, 'crash', segs, names, flip=target != CONTROL)
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
        expect_refusal(m, targets[0])
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
@pytest.mark.parametrize('target', EXEC_TARGETS + (CONTROL,))
def test_corrupt_exec(machine, assets, baton, expected_sha256, target):
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
    # The machine is stopped: what it printed up to here is in the pipe. (The host initrd keeps
    # the kernel quiet: no "Starting new kernel".) The segments are at their destinations now:
    # poke() checks them, and the kernel's is where the old kernel itself ran.
    while c._read(0.2) and c._pending_input():
        pass
    assert not RE_VERIFYING.search(c.transcript), 'the purgatory ran before the breakpoint'
    # Also under TCG a breakpoint makes its whole page run one instruction per translation
    # block: the purgatory's hashing would take minutes with it in place.
    gdb.remove_breakpoint(entry, kind=1)

    names = EXEC_TARGETS if target == CONTROL else (target,)
    if target != CONTROL:
        c.disable_bad_pattern('purgatory')
    targets = poke(m, assets, 'exec', segs, names, flip=target != CONTROL)
    gdb.cont()
    c.note('machine continued')

    if target != CONTROL:
        expect_refusal(m, targets[0])
        return
    c.wait_for(RE_ENTERING, VERIFY_TIMEOUT)
    assert c.wait_for(con.RE_TARGET_CMDLINE, BOOT_TIMEOUT).group(1) == cmdline
    assert c.wait_for(con.RE_TARGET_PAYLOAD, 30).group(1) == expected_sha256
    c.wait_for(con.RE_TARGET_DONE, 30)
    c.wait_exit(30)


# --- how the reset happens ------------------------------------------------------------------
OUT_DX_AL = 0xee            # out %al,(%dx)
OUT_IMM8_AL = 0xe6          # out %al,$imm8
MAX_STEPS = 400


def test_corrupt_reset_path(machine, build, crash_assets, baton):
    """Single-steps the purgatory's machine_reset after a refusal: the write of 6 to 0xCF9 is
    the last instruction the machine runs; the 8042 and the triple fault are never reached.

    The parameter block is what is corrupted here: under TCG a breakpoint makes QEMU translate
    its whole page one instruction at a time, and machine_reset shares its pages with the
    SHA-256 loop. Checking the 1.2 KiB block that way is quick; hashing the kernel and initrd
    would take minutes."""
    elf = os.path.join(build, 'purgatory', 'purgatory.elf')
    binary = os.path.join(build, 'purgatory', 'purgatory.bin')
    offset = elf_symbol(elf, 'machine_reset') if os.path.exists(elf) else None
    if offset is None:
        pytest.skip('no machine_reset symbol in %s' % elf)
    with open(binary, 'rb') as f:
        code = f.read()[offset:offset + 32]

    m = machine(mem=MEM, append=CRASHKERNEL)
    c = m.c
    segs, entry = crash_load(c, 'console=ttyS0 panic=-1 nr_cpus=1 baton.corrupt=reset')
    gdb = m.connect()
    poke(m, crash_assets, 'crash', segs, ('params',), flip=True)
    reset = entry + offset
    gdb.set_phys_mode(True)         # the first kernel does not map the crash region
    assert gdb.read_memory(reset, len(code)) == code, \
        'machine_reset in guest memory differs from %s (a stale build?)' % binary
    gdb.set_phys_mode(False)
    gdb.insert_breakpoint(reset, kind=1)
    gdb.cont()
    c.disable_bad_pattern('panic')
    c.disable_bad_pattern('purgatory')
    c.run_command('echo c > /proc/sysrq-trigger', wait_for_prompt=False)
    stop = gdb.wait_stop(PANIC_TIMEOUT + VERIFY_TIMEOUT)
    assert gdb.rip() == reset, 'stopped at %#x, not in machine_reset (%#x)' % (gdb.rip(), reset)
    c.note('stopped in machine_reset at %#x: %r' % (reset, stop))
    gdb.remove_breakpoint(reset, kind=1)
    c.wait_for(RE_PARAMS_CORRUPT, 10)

    trace = []                  # (rip, opcode, imm8, dx, al) of each instruction stepped
    gdb.log = None              # dozens of steps: keep the transcript readable
    gone = False
    for _ in range(MAX_STEPS):
        # QEMU may still answer the step that asked for the reset (T05), then go (W00 or EOF)
        try:
            regs = gdb.read_registers()
            rip = int.from_bytes(regs[gdbstub.X86_64_RIP_OFFSET:gdbstub.X86_64_RIP_OFFSET + 8],
                                 'little')
            op = gdb.read_memory(rip, 2)
            trace.append((rip, op[0], op[1], int.from_bytes(regs[24:26], 'little'), regs[0]))
            gdb.step()
        except gdbstub.GdbExited as e:
            c.note('gdbstub: %s (W status %r)' % (e, e.status))
            gone = True
            break
    outs = ['%#x: out %#x <- %#04x' % (rip, dx if opc == OUT_DX_AL else imm, al)
            for rip, opc, imm, dx, al in trace if opc in (OUT_DX_AL, OUT_IMM8_AL)]
    c.note('stepped %d instructions from machine_reset; port writes: %s'
           % (len(trace), '; '.join(outs)))
    assert gone, 'the machine still runs %d instructions into machine_reset' % MAX_STEPS
    cf9 = [i for i, (_, opc, _, dx, al) in enumerate(trace)
           if opc == OUT_DX_AL and dx == 0xcf9 and al == 0x06]
    assert cf9, 'no write of 6 to 0xCF9 before QEMU went: %s' % outs
    assert cf9[0] == len(trace) - 1, \
        'the machine ran %d instructions after writing 6 to 0xCF9' % (len(trace) - cf9[0] - 1)
    assert not any(opc == OUT_IMM8_AL and imm == 0x64 for _, opc, imm, _, _ in trace), \
        'the 8042 was asked to reset the machine'
    status = c.wait_exit(30)
    assert status == 0, 'QEMU exit status %s' % status
    check_reset_log(m)

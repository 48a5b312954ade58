# SPDX-License-Identifier: MIT
"""The purgatory's lines on the screen (--console-vga, --console-fb).

Under SeaBIOS the running kernel has VGA text (screen_info type 0x01): `baton -l ... --console-vga
--console-serial`, then `baton -e` with a gdbstub breakpoint at the kernel's entry (the purgatory's
exit, from the plan of -d); QMP `pmemsave` reads VGA text memory (0xb8000, 80x25),
whose bottom rows must hold exactly the lines the purgatory wrote to the serial port, wrapped at
80 columns, in its attribute (0x4f), above one fresh blank row; then the machine goes on and the
new kernel boots. A failure stays on the screen: the purgatory's argument to
baton_verify_regions is pointed at an unmapped page (as test_traps.py does), and at
machine_reset the exception's line is on the screen; so are the digest mismatch and the refusal
when a byte of the kernel segment is flipped while the purgatory verifies.

kexec-tools 2.0.25's --console-vga is the reference there: its purgatory's line is in the same
memory at its exit.

Under OVMF (screen_info type 0x70, GOP framebuffer) --console-vga draws into the framebuffer:
its bottom band (12 text rows of 8x16 cells) must equal, pixel for pixel, the rendering of the
serial lines computed here from purgatory/font.txt (scripts/mkfont.py, the font the purgatory
was built with), white on black; with --console-fb and a digest mismatch, the mismatch and the
refusal are drawn there before the reset.
"""

import os
import re
import struct
import sys
import uuid

import pytest

import console as con
import gdbstub
from conftest import REPO, baton_state, need_baton
from machine import check_reset_log, elf_symbol

sys.path.insert(0, os.path.join(REPO, 'scripts'))
import mkfont  # noqa: E402

KERNEL = '/boot/vmlinuz'
INITRD = '/boot/initrd.img'
EFI_INITRD = '/boot/efi-initrd.img'
MEM = 1024

# include/baton/abi.h, purgatory/console.c, purgatory/fb_text.h
VGA_TEXT = 0xb8000
VGA_COLS, VGA_ROWS = 80, 25
VGA_ATTR = 0x4f
FB_BAND_ROWS = 12
UNMAPPED = 0x7ffffffff000

RE_PURGATORY_LINE = re.compile(r'baton: purgatory: [^\r\n]*')
RE_PLAN_ENTRY = re.compile(r'^entry: 0x([0-9a-f]+) \(purgatory\), kernel entry 0x([0-9a-f]+)', re.M)
RE_ENTERING = re.compile(r'baton: purgatory: entering kernel at 0x[0-9a-f]+ \((32|64)-bit\)')
RE_EXCEPTION = re.compile(r'baton: purgatory: exception [^\r\n]*; resetting')
RE_REFUSING = re.compile(r'baton: purgatory: refusing to run a corrupt image; resetting')
RE_PLAN_KERNEL = re.compile(r'^kernel +0x([0-9a-f]+) ', re.M)
RE_EFI_DONE = re.compile(r'BATON-EFI-DONE')

LOAD_TIMEOUT = 60
VERIFY_TIMEOUT = 90
BOOT_TIMEOUT = 120


def purgatory_offset(build, name):
    elf = os.path.join(build, 'purgatory', 'purgatory.elf')
    offset = elf_symbol(elf, name) if os.path.exists(elf) else None
    if offset is None:
        pytest.skip('no %s symbol in %s' % (name, elf))
    return offset


def load(c, initrd, opts):
    """`baton -l` with the screen options; the purgatory's and the kernel's entry from -d's
    plan."""
    cmd = '/sbin/baton -l %s --initrd=%s --command-line="console=ttyS0 baton.token=%s" ' \
          '--console-serial %s -d 2>&1' % (KERNEL, initrd, uuid.uuid4().hex[:12], opts)
    out, rc = c.run_command_rc(cmd, LOAD_TIMEOUT)
    assert rc == 0, 'load failed (%d):\n%s' % (rc, out)
    c.plan_kernel = int(RE_PLAN_KERNEL.search(out).group(1), 16)
    e = RE_PLAN_ENTRY.search(out)
    return int(e.group(1), 16), int(e.group(2), 16)


def exec_to(m, at):
    """`baton -e`, stopped at address at (the purgatory's code, or the kernel's entry: the
    purgatory's exit)."""
    gdb = m.connect()               # stops the machine
    gdb.insert_breakpoint(at, kind=1)
    gdb.cont()
    start = m.c.pos
    m.c.run_command('/sbin/baton -e', wait_for_prompt=False)
    gdb.wait_stop(VERIFY_TIMEOUT)
    assert gdb.rip() == at, 'stopped at %#x, not at %#x' % (gdb.rip(), at)
    gdb.remove_breakpoint(at, kind=1)
    return gdb, start


def pmem(m, addr, size):
    """Guest physical memory through QMP pmemsave (the machine stopped at a breakpoint)."""
    path = os.path.join(m.dir, 'pmem-%x.bin' % addr)
    m.monitor().command('pmemsave', val=addr, size=size, filename=path)
    with open(path, 'rb') as f:
        return f.read()


def serial_lines(c, start, until_re):
    """The purgatory's lines on the serial port since start, up to the one until_re matches."""
    c.wait_for(until_re, VERIFY_TIMEOUT)
    text = con.RE_ANSI.sub('', c.transcript[start:])
    lines = RE_PURGATORY_LINE.findall(text)
    assert lines and until_re.fullmatch(lines[-1]), lines
    return lines


def text_rows(lines, cols):
    """The rows the purgatory fills with lines: each wrapped at cols, then one fresh row."""
    rows = []
    for line in lines:
        rows += [line[i:i + cols] for i in range(0, len(line), cols)] or ['']
    return [r.ljust(cols) for r in rows] + [' ' * cols]


def vga_screen(data):
    cells = struct.unpack('<%dH' % (VGA_COLS * VGA_ROWS), data)
    rows = [''.join(chr(v & 0xff) for v in cells[r * VGA_COLS:(r + 1) * VGA_COLS])
            for r in range(VGA_ROWS)]
    attrs = [{v >> 8 for v in cells[r * VGA_COLS:(r + 1) * VGA_COLS]} for r in range(VGA_ROWS)]
    return rows, attrs


def check_vga(m, lines):
    rows, attrs = vga_screen(pmem(m, VGA_TEXT, VGA_COLS * VGA_ROWS * 2))
    want = text_rows(lines, VGA_COLS)
    got = rows[-len(want):]
    m.c.note('VGA text, bottom rows:\n' + '\n'.join(got))
    assert got == want, 'VGA text memory:\n%s\nexpected:\n%s' % ('\n'.join(got), '\n'.join(want))
    assert all(a == {VGA_ATTR} for a in attrs[-len(want):]), attrs[-len(want):]


@pytest.fixture
def vga_machine(machine, baton):
    m = machine(mem=MEM)
    c = m.c
    assert c.run_command('od -An -tx1 -j15 -N1 /sys/kernel/boot_params/data').strip() == '01', \
        'SeaBIOS did not leave VGA text (screen_info type)'
    return m


@pytest.mark.parametrize('opts', ['--console-vga', '--console-vga --reset-vga'])
def test_vga_text_lines(vga_machine, build, expected_sha256, opts):
    """With --reset-vga the purgatory programs mode 3 first: the same lines, and the new kernel
    still boots."""
    m, c = vga_machine, vga_machine.c
    _, kernel_entry = load(c, INITRD, opts)
    gdb, start = exec_to(m, kernel_entry)
    lines = serial_lines(c, start, RE_ENTERING)
    check_vga(m, lines)
    gdb.cont()
    c.wait_for(con.RE_TARGET_CMDLINE, BOOT_TIMEOUT)
    assert c.wait_for(con.RE_TARGET_PAYLOAD, 30).group(1) == expected_sha256
    c.wait_for(con.RE_TARGET_DONE, 30)
    c.wait_exit(30)


def test_vga_text_keeps_a_failure(vga_machine, build):
    m, c = vga_machine, vga_machine.c
    entry, _ = load(c, INITRD, '--console-vga')
    c.disable_bad_pattern('purgatory')
    gdb, start = exec_to(m, entry + purgatory_offset(build, 'baton_verify_regions'))
    gdb.write_register(gdbstub.X86_64_RDI, UNMAPPED)
    reset = entry + purgatory_offset(build, 'machine_reset')
    gdb.insert_breakpoint(reset, kind=1)
    gdb.cont()
    gdb.wait_stop(VERIFY_TIMEOUT)
    assert gdb.rip() == reset, 'stopped at %#x, not in machine_reset' % gdb.rip()
    lines = serial_lines(c, start, RE_EXCEPTION)
    check_vga(m, lines)
    gdb.remove_breakpoint(reset, kind=1)
    gdb.cont()
    assert c.wait_exit(30) == 0
    assert not con.RE_LINUX_BANNER.search(c.transcript[start:]), 'a kernel booted'
    check_reset_log(m)


def test_vga_text_keeps_a_digest_mismatch(vga_machine, build):
    """A byte of the kernel segment flipped while the purgatory verifies (as test_corrupt.py
    does): the mismatch and the refusal stay on the screen until the reset."""
    m, c = vga_machine, vga_machine.c
    entry, _ = load(c, INITRD, '--console-vga')
    c.disable_bad_pattern('purgatory')
    gdb, start = exec_to(m, entry + purgatory_offset(build, 'baton_verify_regions'))
    at = c.plan_kernel + 0x1000
    gdb.set_phys_mode(True)
    byte = gdb.read_memory(at, 1)
    gdb.write_memory(at, bytes([byte[0] ^ 0xff]))
    gdb.set_phys_mode(False)
    c.note('flipped the kernel segment byte at %#x' % at)
    reset = entry + purgatory_offset(build, 'machine_reset')
    gdb.insert_breakpoint(reset, kind=1)
    gdb.cont()
    gdb.wait_stop(VERIFY_TIMEOUT)
    assert gdb.rip() == reset, 'stopped at %#x, not in machine_reset' % gdb.rip()
    lines = serial_lines(c, start, RE_REFUSING)
    assert any('sha256 mismatch in segment' in line for line in lines), lines
    check_vga(m, lines)
    gdb.remove_breakpoint(reset, kind=1)
    gdb.cont()
    assert c.wait_exit(30) == 0
    assert not con.RE_LINUX_BANNER.search(c.transcript[start:]), 'a kernel booted'


# --- kexec-tools, the reference ---------------------------------------------------------------
RE_KT_SEGMENT = re.compile(r'^segment\[(\d+)\]\.(mem|memsz) += (0x[0-9a-f]+)', re.M)
KT_PURGATORY_LINE = "I'm in purgatory"


def test_kexec_tools_reference(vga_machine, assets):
    """kexec-tools 2.0.25's --console-vga under SeaBIOS: its purgatory writes its line into the
    same VGA text memory (over what was there, from its own cursor; baton scrolls instead). Stopped
    at the kernel's entry (the largest segment + 0x200, where kexec-tools enters a bzImage)."""
    if not os.path.exists(os.path.join(assets, 'kexec-root', 'sbin', 'kexec')):
        pytest.skip('kexec-tools binary missing from %s/kexec-root' % assets)
    m, c = vga_machine, vga_machine.c
    out, rc = c.run_command_rc(
        '/sbin/kexec -d -l %s --initrd=%s --command-line="console=ttyS0" --console-vga '
        '--console-serial > /tmp/kexec-d.log 2>&1' % (KERNEL, INITRD), LOAD_TIMEOUT)
    assert rc == 0, out
    log = c.run_command(r'grep -E "^segment\[[0-9]+\]\.mem" /tmp/kexec-d.log', 60)
    segs = {}
    for n, key, value in RE_KT_SEGMENT.findall(log):
        segs.setdefault(int(n), {})[key] = int(value, 16)
    kernel = max(segs.values(), key=lambda s: s['memsz'])
    gdb, start = exec_to(m, kernel['mem'] + 0x200)
    rows, _ = vga_screen(pmem(m, VGA_TEXT, VGA_COLS * VGA_ROWS * 2))
    m.c.note('VGA text after kexec-tools\' purgatory:\n' + '\n'.join(rows))
    assert any(r.startswith(KT_PURGATORY_LINE) for r in rows), rows
    gdb.cont()
    c.wait_for(con.RE_TARGET_DONE, BOOT_TIMEOUT)
    c.wait_exit(30)


# --- the framebuffer (OVMF) ------------------------------------------------------------------
def screen_info(c):
    data = bytes.fromhex(''.join(c.run_command(
        'od -An -v -tx1 -N64 /sys/kernel/boot_params/data').split()))
    kind = data[0x0f]
    base = struct.unpack_from('<I', data, 0x18)[0]
    if struct.unpack_from('<I', data, 0x36)[0] & 2:
        base |= struct.unpack_from('<I', data, 0x3a)[0] << 32
    width, height, bpp = struct.unpack_from('<HHH', data, 0x12)
    stride, = struct.unpack_from('<H', data, 0x24)
    colours = data[0x26:0x2c]          # red size, pos, green size, pos, blue size, pos
    return kind, base, width, height, bpp, stride, colours


def render_band(lines, cols, band, bytes_pp, fg):
    """The band as the purgatory draws it, one bytes object per pixel line of cols * 8 pixels."""
    glyphs = mkfont.cells()
    rows = text_rows(lines, cols)
    if len(rows) > band:
        rows = rows[-band:]
    rows += [' ' * cols] * (band - len(rows))
    on, off = fg.to_bytes(4, 'little')[:bytes_pp], bytes(bytes_pp)
    out = []
    for row in rows:
        for y in range(mkfont.HEIGHT):
            out.append(b''.join(on if glyphs[ord(ch)][y] & (0x80 >> x) else off
                                for ch in row for x in range(mkfont.WIDTH)))
    return out


def test_framebuffer_lines(machine, efi_console, build):
    m, screen = efi_machine(machine, efi_console, build)
    c = m.c
    _, kernel_entry = load(c, EFI_INITRD, '--console-vga')
    gdb, start = exec_to(m, kernel_entry)
    check_band(m, serial_lines(c, start, RE_ENTERING), screen)
    gdb.cont()
    c.wait_for(RE_EFI_DONE, BOOT_TIMEOUT)
    c.wait_exit(30)


def test_framebuffer_keeps_a_digest_mismatch(machine, efi_console, build):
    """--console-fb, a byte of the kernel segment flipped while the purgatory verifies: before
    its own page tables are loaded (the old kernel's do not map the framebuffer), the purgatory
    checks their digest, loads them, and the mismatch and the refusal are drawn."""
    m, screen = efi_machine(machine, efi_console, build)
    c = m.c
    entry, _ = load(c, EFI_INITRD, '--console-fb')
    c.disable_bad_pattern('purgatory')
    gdb, start = exec_to(m, entry + purgatory_offset(build, 'baton_verify_regions'))
    at = c.plan_kernel + 0x1000
    gdb.set_phys_mode(True)
    gdb.write_memory(at, bytes([gdb.read_memory(at, 1)[0] ^ 0xff]))
    gdb.set_phys_mode(False)
    reset = entry + purgatory_offset(build, 'machine_reset')
    gdb.insert_breakpoint(reset, kind=1)
    gdb.cont()
    gdb.wait_stop(VERIFY_TIMEOUT)
    assert gdb.rip() == reset, 'stopped at %#x, not in machine_reset' % gdb.rip()
    lines = serial_lines(c, start, RE_REFUSING)
    assert any('sha256 mismatch in segment' in line for line in lines), lines
    check_band(m, lines, screen)
    gdb.remove_breakpoint(reset, kind=1)
    gdb.cont()
    c.wait_exit(30)
    assert not con.RE_LINUX_BANNER.search(c.transcript[start:]), 'a kernel booted'


def efi_machine(machine, efi_console, build):
    need_baton(baton_state(build, os.path.join(build, 'assets', 'efi-host-initrd.img')))
    m = machine(factory=efi_console, mem=MEM)
    screen = screen_info(m.c)
    kind, bpp = screen[0], screen[4]
    assert kind == 0x70 and bpp == 32, 'OVMF screen_info: type %#x, %d bpp' % (kind, bpp)
    return m, screen


def check_band(m, lines, screen):
    """The framebuffer's bottom band against the rendering of lines from the font's design."""
    _, base, width, height, bpp, stride, colours = screen
    fg = sum(((1 << colours[i]) - 1) << colours[i + 1] for i in (0, 2, 4))
    cols, rows = width // 8, height // 16
    band = min(rows, FB_BAND_ROWS)
    top = (rows - band) * 16
    data = pmem(m, base + top * stride, band * 16 * stride)
    want = render_band(lines, cols, band, bpp // 8, fg)
    got = [data[y * stride:y * stride + cols * 8 * bpp // 8] for y in range(band * 16)]
    bad = [y for y in range(len(want)) if got[y] != want[y]]
    m.c.note('framebuffer %dx%d at %#x: band of %d rows from line %d, %d pixel lines differ'
             % (width, height, base, band, top, len(bad)))
    assert not bad, 'framebuffer pixel lines %s differ from the expected rendering' % bad[:8]

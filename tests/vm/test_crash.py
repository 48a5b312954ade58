# SPDX-License-Identifier: MIT
"""Crash dumps under QEMU: panic the first kernel, boot the capture kernel loaded with -p, read the dump.

Per loader (baton, kexec-tools) and case (smp2, highmem, 4level; linux-6.12: Debian 12's 6.12
cloud kernel as both kernels, the others are 6.1), the first kernel boots with crashkernel=256M;
the loader loads /boot/vmlinuz (/boot/vmlinuz-6.12) with /boot/capture-initrd.img as the crash
image;
a marker goes to /dev/kmsg; `echo c > /proc/sysrq-trigger` panics. Then, in the capture kernel:

- its command line is the requested one plus what the loader adds: for baton exactly
  ` elfcorehdr=ADDR`; for kexec-tools 2.0.25 ` acpi_rsdp=0x... elfcorehdr=NK` (seen here; with
  `-d` it also shows the backup segment and every program header it writes);
- elfcorehdr= points into the first kernel's "Crash kernel" range;
- /proc/vmcore's ELF header (its first bytes, base64 through the console, parsed here) is an
  x86-64 ET_CORE with one NT_PRSTATUS note per CPU and the dead kernel's VMCOREINFO (the capture
  kernel merges the loader's per-CPU PT_NOTEs into one PT_NOTE), and PT_LOADs covering all of the
  first kernel's System RAM outside the crash region and nothing outside System RAM;
- `makedumpfile --dump-dmesg` recovers the dead kernel's log with the marker, and so do
  `baton --vmcore-dmesg` and baton called as `vmcore-dmesg` (kexec-tools' name), with the same
  text as makedumpfile's, whichever loader made the dump;
- low memory [0x1000, 0x9f000), hashed in the first kernel just before the panic (through
  /proc/kcore: /dev/mem reads System RAM below 1 MiB as zeros under STRICT_DEVMEM), hashes the
  same at its place in /proc/vmcore, although the capture kernel has rewritten that memory (its
  own /proc/kcore hashes differently there): the loader saved it (both loaders' purgatories copy
  the low 640 KiB into a backup segment and point the low PT_LOAD's p_offset there).

A panic is expected once; any other bad pattern, and a second panic, fail the test.
"""

import difflib
import os
import re
import uuid

import pytest

import console as con
from conftest import baton_state, need_baton
from loaders import loaders, need_loader
from vmcore import (PAGE, PT_NOTE, check_capture_cmdline, check_last_page_readable,
                    check_prstatus, check_pt_loads, check_vmcore_size, elf_header, elf_notes,
                    file_offset, fmt, read_b64, read_core_header, single_note, subtract,
                    wait_capture_kernel)

KERNEL = '/boot/vmlinuz'
CAPTURE_INITRD = '/boot/capture-initrd.img'
CRASHKERNEL = 'crashkernel=256M'
CRASH_SIZE = 256 << 20

# kexec-tools -d shows the crash memory ranges, the backup segment and the ELF program headers.
LOADERS = loaders(
    baton={
        # exactly the requested command line plus this
        'added_re': re.compile(r'^ elfcorehdr=(0x[0-9a-f]+|[0-9]+[KMG]?)$'),
        # the options may come in any order
        'unload': '-u -p',
    },
    kexec_tools={
        # kexec-tools 2.0.25 appends the RSDP it found and the ELF core header's address in KiB
        'added_re': re.compile(r'^ acpi_rsdp=0x[0-9a-f]+ elfcorehdr=([0-9]+K)$'),
        # 2.0.25 takes the last of -p/-u as the action: `kexec -u -p` says "No kernel specified"
        'unload': '-p -u',
    })

# QEMU and first-kernel options per case; 'linux': another kernel than the 6.1 of vmlinuz and
# host-initrd.img, as the first and the capture kernel (its asset and the host initrd holding
# it as /boot/vmlinuz-VERSION, tests/vm/assets.mk).
CASES = {
    'smp2': {'mem': 2048, 'smp': 2, 'append': ''},
    'highmem': {'mem': 6144, 'smp': 1, 'append': ''},
    '4level': {'mem': 2048, 'smp': 1, 'append': 'no5lvl'},
    'linux-6.12': {'mem': 2048, 'smp': 2, 'append': '',
                   'linux': ('vmlinuz-6.12', 'host612-initrd.img')},
}

# Known defects of a loader, by (loader, case): strict xfail with the reason seen in transcripts.
KNOWN_DEFECTS = {}

LOW_START, LOW_END = 0x1000, 0x9f000     # System RAM below 640 KiB, whole pages, not the EBDA
FOUR_GIB = 1 << 32
LOAD_TIMEOUT = 60
PANIC_TIMEOUT = 60
CAPTURE_TIMEOUT = 120


# --- fixtures -------------------------------------------------------------------------------
@pytest.fixture(scope='session')
def capture_assets(build, assets):
    img = os.path.join(assets, 'capture-initrd.img')
    host = os.path.join(assets, 'host-initrd.img')
    if not os.path.exists(img):
        pytest.skip('asset capture-initrd.img missing (run scripts/assets.sh)')
    if os.path.getmtime(host) < os.path.getmtime(img):
        pytest.fail('host-initrd.img lacks the current capture-initrd.img: rerun scripts/assets.sh')
    need_baton(baton_state(build, img))     # its baton reads the dump's log (--vmcore-dmesg)
    return img


@pytest.fixture(params=sorted(LOADERS))
def loader(request, assets, capture_assets, baton_static):
    entry = need_loader(LOADERS, request.param, assets, baton_static)
    if entry['name'] == 'baton':
        binary = baton_static[2]
        # Not run on this machine: its help text names --load-panic once -p exists.
        with open(binary, 'rb') as f:
            if b'--load-panic' not in f.read():
                pytest.skip('baton has no -p/--load-panic yet (%s --help does not mention it)'
                            % binary)
    return entry


# --- helpers --------------------------------------------------------------------------------
def load_command(loader, cmdline, kernel=KERNEL):
    return ' '.join(x for x in (
        loader['bin'], '-p', kernel, '--initrd=' + CAPTURE_INITRD,
        '--command-line="%s"' % cmdline, loader['load_extra']) if x)


def parse_iomem(text):
    """Top-level System RAM ranges and the Crash kernel range, as [start, end) pairs."""
    ram, crash = [], None
    for line in text.splitlines():
        m = re.match(r'^(\s*)([0-9a-f]+)-([0-9a-f]+) : (.*)$', line)
        if not m:
            continue
        start, end = int(m.group(2), 16), int(m.group(3), 16) + 1
        if m.group(4) == 'System RAM' and not m.group(1):
            ram.append((start, end))
        elif m.group(4) == 'Crash kernel':
            crash = (start, end)
    return ram, crash


def sha256_at(c, path, offset, size):
    assert offset % PAGE == 0 and size % PAGE == 0, (offset, size)
    out = c.run_command('dd if=%s bs=%d skip=%d count=%d 2>/dev/null | sha256sum'
                        % (path, PAGE, offset // PAGE, size // PAGE), 60)
    m = re.search(r'\b([0-9a-f]{64})\b', out)
    assert m, 'no sha256 for %s at %#x:\n%s' % (path, offset, out)
    return m.group(1)


def low_memory_sha256(c, what):
    """sha256 of physical [LOW_START, LOW_END) through this kernel's /proc/kcore (None if absent)."""
    _, _, phdrs = elf_header(read_b64(c, 'head -c 4096 /proc/kcore'))
    off = file_offset(phdrs, LOW_START, LOW_END)
    if off is None:
        c.note('%s: /proc/kcore does not map [%#x, %#x)' % (what, LOW_START, LOW_END))
        return None
    return sha256_at(c, '/proc/kcore', off, LOW_END - LOW_START)


RE_DMESG_PREFIX = re.compile(r'^\[ *[0-9]+\.[0-9]{6}\] ')


def unindent(text):
    """makedumpfile's log as vmcore-dmesg prints it: makedumpfile indents the lines after a
    newline inside a record under the record's text, vmcore-dmesg (kexec-tools' and baton's)
    prints the record's text as it is."""
    lines, indent = [], ''
    for line in text.splitlines():
        m = RE_DMESG_PREFIX.match(line)
        if m:
            indent = ' ' * len(m.group(0))
        elif indent and line.startswith(indent):
            line = line[len(indent):]
        lines.append(line)
    return lines


def check_vmcore_dmesg(c, marker):
    """baton's vmcore-dmesg, both ways it is called, reads the log makedumpfile read into
    /tmp/dmesg.txt: the marker, and the same text but for makedumpfile's indentation."""
    runs = (('baton --vmcore-dmesg', '/tmp/baton-dmesg.txt'),
            ('/tmp/vmcore-dmesg /proc/vmcore', '/tmp/vmcore-dmesg.txt'))
    c.run_command('ln -sf /sbin/baton /tmp/vmcore-dmesg')
    for cmd, out in runs:
        msg, rc = c.run_command_rc('%s >%s' % (cmd, out), 120)
        assert rc == 0, '`%s` failed (%d):\n%s' % (cmd, rc, msg)
        assert c.run_command('grep -o "BATON-CRASH-MARKER-[0-9a-f]*" %s' % out) == marker, \
            '`%s` lacks the marker' % cmd
    theirs = unindent(read_b64(c, 'cat /tmp/dmesg.txt', 120).decode('ascii', 'replace'))
    ours = read_b64(c, 'cat /tmp/baton-dmesg.txt', 120).decode('ascii', 'replace').splitlines()
    assert read_b64(c, 'cat /tmp/vmcore-dmesg.txt', 120).decode('ascii', 'replace') \
        .splitlines() == ours, 'baton called as vmcore-dmesg prints another log'
    assert ours == theirs, 'baton --vmcore-dmesg and makedumpfile --dump-dmesg differ:\n%s' % \
        '\n'.join(difflib.unified_diff(theirs, ours, 'makedumpfile', 'baton', lineterm='', n=1))
    c.note('vmcore-dmesg: %d lines, as makedumpfile\'s' % len(ours))


def check_first_kernel(c, case):
    flags = c.run_command('grep -o -w la57 /proc/cpuinfo | head -n1')
    if case == '4level':
        assert flags == '', 'no5lvl: first kernel still reports la57'
    else:
        assert flags == 'la57', 'first kernel does not run with 5-level paging (-cpu max)'


def expect_status(c, loader, want, when):
    """`LOADER -S` (the crash image by default) exits 1 when loaded, 0 when not."""
    _, rc = c.run_command_rc('%s -S' % loader['bin'])
    assert rc == want, '%s: `%s -S` exited %d, expected %d' % (when, loader['bin'], rc, want)
    loaded = c.run_command('cat /sys/kernel/kexec_crash_loaded')
    assert loaded == str(want), '%s: kexec_crash_loaded is %s' % (when, loaded)


def load(c, loader, cmdline, kernel=KERNEL):
    cmd = load_command(loader, cmdline, kernel)
    log = loader['debug_log']
    if log:
        cmd = cmd.replace(' -p ', ' -d -p ', 1) + ' >%s 2>&1' % log
    out, rc = c.run_command_rc(cmd, LOAD_TIMEOUT)
    if log:
        out = c.run_command('cat %s' % log)
    assert rc == 0, 'crash load failed (%d):\n%s' % (rc, out)
    return out


# --- tests ----------------------------------------------------------------------------------
@pytest.mark.parametrize('case', sorted(CASES))
def test_crash(request, console, assets, loader, case):
    defect = KNOWN_DEFECTS.get((loader['name'], case))
    if defect:
        request.applymarker(pytest.mark.xfail(strict=True, reason=defect))
    opts = CASES[case]
    kernel, linux = KERNEL, {}
    if 'linux' in opts:
        image, initrd = (os.path.join(assets, f) for f in opts['linux'])
        if not os.path.exists(initrd):
            pytest.skip('asset %s missing (run scripts/assets.sh)' % initrd)
        if os.path.getmtime(initrd) < os.path.getmtime(os.path.join(assets, 'host-initrd.img')):
            pytest.fail('%s lacks the current host-initrd.img: rerun scripts/assets.sh' % initrd)
        kernel, linux = '/boot/' + opts['linux'][0], {'kernel': image, 'initrd': initrd}
    c = console(mem=opts['mem'], smp=opts['smp'],
                append=(CRASHKERNEL + ' ' + opts['append']).strip(), **linux)
    c.note('first kernel up')
    check_first_kernel(c, case)

    ram, crash = parse_iomem(c.run_command('cat /proc/iomem'))
    assert crash, 'no "Crash kernel" in /proc/iomem with %s' % CRASHKERNEL
    assert crash[1] - crash[0] == CRASH_SIZE, 'Crash kernel is %s' % fmt([crash])
    if case == 'highmem':
        assert any(e > FOUR_GIB for _, e in ram), 'no System RAM above 4 GiB: %s' % fmt(ram)
    expect_status(c, loader, 0, 'before load')

    token = uuid.uuid4().hex[:12]
    cmdline = 'console=ttyS0 panic=-1 nr_cpus=1 baton.crash=%s baton.token=%s' % (case, token)
    load(c, loader, cmdline, kernel)
    expect_status(c, loader, 1, 'after -p')
    assert c.run_command('cat /sys/kernel/kexec_loaded') == '0', '-p loaded a normal image'
    c.note('crash image loaded')

    low_before = low_memory_sha256(c, 'first kernel')
    assert low_before, 'first kernel: /proc/kcore does not map low memory'
    marker = 'BATON-CRASH-MARKER-' + token
    c.run_command('echo %s > /dev/kmsg' % marker)
    assert c.run_command('dmesg | grep -c %s' % marker) == '1'
    low = low_memory_sha256(c, 'first kernel')
    assert low == low_before, 'low memory changes in the running first kernel: pick another range'

    c.disable_bad_pattern('panic')
    c.run_command('echo c > /proc/sysrq-trigger', wait_for_prompt=False)
    why = c.wait_for(con.RE_KERNEL_PANIC, PANIC_TIMEOUT).group(1)
    c.enable_bad_pattern('panic')       # from here on a panic is the capture kernel's: a failure
    c.note('panic')
    assert why.strip() == 'sysrq triggered crash'
    got, paging, vmcore_size = wait_capture_kernel(c, loader['entry_re'], CAPTURE_TIMEOUT,
                                                   paging=True)

    # The command line: the requested one plus exactly what the loader adds.
    check_capture_cmdline(got, cmdline, loader['added_re'], loader['name'], crash,
                          'the Crash kernel range')
    assert paging == 'la57', 'capture kernel runs 4-level paging'
    check_vmcore_size(vmcore_size)

    # The ELF core header as the capture kernel presents it.
    head, phdrs = read_core_header(c, 16384)
    notes_ph = [p for p in phdrs if p[0] == PT_NOTE]
    assert len(notes_ph) == 1, '/proc/vmcore has %d PT_NOTEs' % len(notes_ph)
    _, off, _, filesz, _ = notes_ph[0]
    if off + filesz > len(head):
        head = read_b64(c, 'head -c %d /proc/vmcore' % (off + filesz))
    notes = elf_notes(head[off:off + filesz])
    check_prstatus(notes, opts['smp'])
    assert ('OSRELEASE=%s\n' % c.kernel_release).encode() in single_note(notes, 'VMCOREINFO'), \
        'VMCOREINFO is not the dead kernel\'s'

    want = subtract(ram, crash)
    check_pt_loads(c, phdrs, want, ram, 'System RAM', 'System RAM')
    if case == 'highmem':
        assert [r for r in want if r[1] > FOUR_GIB], 'no System RAM above 4 GiB to dump'
        # and the capture kernel reads it: the last page of RAM
        check_last_page_readable(c, phdrs, want)

    # The dead kernel's log.
    out, rc = c.run_command_rc('makedumpfile --dump-dmesg /proc/vmcore /tmp/dmesg.txt', 120)
    assert rc == 0, 'makedumpfile failed (%d):\n%s' % (rc, out)
    assert c.run_command('grep -o "BATON-CRASH-MARKER-[0-9a-f]*" /tmp/dmesg.txt') == marker
    assert c.run_command('grep -c "sysrq triggered crash" /tmp/dmesg.txt') != '0'
    c.note('dmesg recovered')
    check_vmcore_dmesg(c, marker)

    # Low memory: as the dead kernel left it, though the capture kernel has used it since.
    off = file_offset(phdrs, LOW_START, LOW_END)
    assert off is not None, 'no PT_LOAD covers [%#x, %#x)' % (LOW_START, LOW_END)
    in_dump = sha256_at(c, '/proc/vmcore', off, LOW_END - LOW_START)
    now = low_memory_sha256(c, 'capture kernel')
    c.note('low memory sha256: first kernel %s, dump %s, capture kernel %s'
           % (low_before, in_dump, now))
    assert in_dump == low_before, 'the dump\'s low memory is not what the dead kernel left there'
    assert now != low_before, ('the capture kernel left low memory as it was: the backup check '
                               'proves nothing')

    c.run_command('poweroff -f', wait_for_prompt=False)
    c.wait_exit(30)
    c.note('done')


def test_crash_status(console, loader):
    """-p loads a crash image (-S exits 1, the normal image stays unloaded); -u -p unloads it
    (kexec-tools: -p -u)."""
    c = console(mem=1024, append=CRASHKERNEL)
    expect_status(c, loader, 0, 'before load')
    load(c, loader, 'console=ttyS0 panic=-1 nr_cpus=1 baton.crash=status')
    expect_status(c, loader, 1, 'after -p')
    _, rc = c.run_command_rc('%s -l -S' % loader['bin'])
    assert rc == 0, '`%s -l -S` exited %d with only a crash image loaded' % (loader['bin'], rc)

    unload = '%s %s' % (loader['bin'], loader['unload'])
    out, rc = c.run_command_rc(unload)
    assert rc == 0, '`%s` failed (%d):\n%s' % (unload, rc, out)
    expect_status(c, loader, 0, 'after `%s`' % unload)

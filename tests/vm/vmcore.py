# SPDX-License-Identifier: MIT
"""Crash-dump helpers shared by test_crash.py and test_xen.py: address ranges, the ELF core header
of /proc/vmcore (read base64 through the console, parsed here) and the checks made on a capture
kernel and its dump. Plain functions; the checks assert, with messages that name what failed."""

import base64
import struct

import console as con

PAGE = 4096
PT_LOAD, PT_NOTE = 1, 4
ET_CORE, EM_X86_64 = 4, 62
NT_PRSTATUS = 1


# --- address ranges, as [start, end) pairs ---------------------------------------------------
def union(ranges):
    """The ranges sorted, overlapping and touching ones merged."""
    out = []
    for s, e in sorted(ranges):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def subtract(ranges, hole):
    """The ranges with the hole [start, end) cut out of them."""
    out = []
    for s, e in ranges:
        if e <= hole[0] or s >= hole[1]:
            out.append((s, e))
            continue
        if s < hole[0]:
            out.append((s, hole[0]))
        if e > hole[1]:
            out.append((hole[1], e))
    return out


def covered(ranges, s, e):
    """Whether [s, e) lies wholly inside one range of the union of ranges."""
    return any(a <= s and e <= b for a, b in union(ranges))


def fmt(ranges):
    return ', '.join('[%#x, %#x)' % r for r in ranges)


def addr_value(text):
    """elfcorehdr=: 0x hex, or decimal with an optional K/M/G suffix (kexec-tools: KiB)."""
    if text.startswith('0x'):
        return int(text, 16)
    shift = {'K': 10, 'M': 20, 'G': 30}.get(text[-1], 0)
    return int(text.rstrip('KMG')) << shift


# --- ELF ------------------------------------------------------------------------------------
def read_b64(c, cmd, timeout=60):
    """The bytes `cmd` writes in the guest, carried through the console as base64."""
    return base64.b64decode(''.join(c.run_command(cmd + ' | base64', timeout).split()))


def elf_header(data):
    """(e_type, e_machine, [(p_type, p_offset, p_paddr, p_filesz, p_memsz)]); asserts that data
    is ELF64 little-endian and holds all of its program headers."""
    assert data[:4] == b'\x7fELF', 'not an ELF file: %r' % data[:16]
    assert data[4] == 2 and data[5] == 1, 'not ELF64 little-endian'
    e_type, e_machine = struct.unpack_from('<HH', data, 16)
    e_phoff, = struct.unpack_from('<Q', data, 32)
    e_phentsize, e_phnum = struct.unpack_from('<HH', data, 54)
    assert e_phoff + e_phnum * e_phentsize <= len(data), 'program headers beyond what was read'
    phdrs = []
    for i in range(e_phnum):
        p_type, _, off, _, paddr, filesz, memsz, _ = struct.unpack_from(
            '<IIQQQQQQ', data, e_phoff + i * e_phentsize)
        phdrs.append((p_type, off, paddr, filesz, memsz))
    return e_type, e_machine, phdrs


def elf_notes(buf):
    """[(name, type, desc)] of a PT_NOTE segment."""
    notes, i = [], 0
    while i + 12 <= len(buf):
        namesz, descsz, ntype = struct.unpack_from('<III', buf, i)
        if namesz == 0 and descsz == 0 and ntype == 0:
            break
        i += 12
        name = buf[i:i + namesz].rstrip(b'\0').decode('ascii', 'replace')
        i += (namesz + 3) & ~3
        notes.append((name, ntype, buf[i:i + descsz]))
        i += (descsz + 3) & ~3
    return notes


def file_offset(phdrs, start, end):
    """Where [start, end) of physical memory lies in the file, by its PT_LOAD (None if none)."""
    for p_type, off, paddr, filesz, _ in phdrs:
        if p_type == PT_LOAD and paddr <= start and end <= paddr + filesz:
            return off + start - paddr
    return None


# --- the capture kernel and its dump ---------------------------------------------------------
def wait_capture_kernel(c, entry_re, timeout, paging=False):
    """After the panic: the purgatory's entry line (if entry_re), the capture kernel's command
    line, its paging mode (if paging, else None) and /proc/vmcore's size, then its prompt.
    Returns (cmdline, paging, vmcore_size)."""
    if entry_re:
        c.wait_for(entry_re, timeout)
    got = c.wait_for(con.RE_CAPTURE_CMDLINE, timeout).group(1)
    mode = c.wait_for(con.RE_CAPTURE_PAGING, 30).group(1) if paging else None
    vmcore_size = c.wait_for(con.RE_CAPTURE_READY, 30).group(2)
    c.set_prompt(con.CAPTURE_PROMPT)
    c.wait_for(con.RE_CAPTURE_PROMPT, 30)
    c.note('capture kernel up')
    return got, mode, vmcore_size


def check_capture_cmdline(got, cmdline, added_re, name, crash, crash_name):
    """The capture kernel's command line is the requested one plus exactly what added_re matches
    (the loader's additions), and its elfcorehdr= (group 1) lies inside crash [start, end)."""
    assert got.startswith(cmdline), 'capture kernel got another command line:\n%s' % got
    added = got[len(cmdline):]
    m = added_re.match(added)
    assert m, '%s added %r to the command line' % (name, added)
    hdr = addr_value(m.group(1))
    assert crash[0] <= hdr < crash[1], 'elfcorehdr=%s is outside %s %s' % (
        m.group(1), crash_name, fmt([crash]))


def check_vmcore_size(vmcore_size):
    """The capture kernel reported a non-empty /proc/vmcore."""
    assert vmcore_size.isdigit() and int(vmcore_size) > 0, '/proc/vmcore: %s' % vmcore_size


def read_core_header(c, size, timeout=60):
    """The first size bytes of /proc/vmcore and its program headers; asserts an x86-64 ET_CORE."""
    head = read_b64(c, 'head -c %d /proc/vmcore' % size, timeout)
    e_type, e_machine, phdrs = elf_header(head)
    assert (e_type, e_machine) == (ET_CORE, EM_X86_64), (e_type, e_machine)
    return head, phdrs


def check_prstatus(notes, cpus):
    """Exactly one CORE NT_PRSTATUS note per CPU."""
    prstatus = [n for n in notes if n[:2] == ('CORE', NT_PRSTATUS)]
    assert len(prstatus) == cpus, 'the dump has %d NT_PRSTATUS notes for %d CPUs: %s' % (
        len(prstatus), cpus, [(n, t, len(d)) for n, t, d in notes])


def single_note(notes, name):
    """The descriptor of the one note called name; asserts there is exactly one."""
    descs = [d for n, _, d in notes if n == name]
    assert len(descs) == 1, 'the dump has %d %s notes' % (len(descs), name)
    return descs[0]


def check_pt_loads(c, phdrs, want, allowed, want_name, allowed_name):
    """The PT_LOADs (noted in the transcript) cover every range of want and lie inside allowed.
    Returns them as [start, end) ranges."""
    loads = [(paddr, paddr + filesz) for t, _, paddr, filesz, _ in phdrs if t == PT_LOAD]
    c.note('vmcore PT_LOADs: %s' % fmt(loads))
    missing = [r for r in want if not covered(loads, *r)]
    assert not missing, 'the dump lacks %s %s (PT_LOADs %s)' % (want_name, fmt(missing),
                                                                fmt(loads))
    stray = [r for r in loads if not covered(allowed, *r)]
    assert not stray, 'PT_LOADs outside %s: %s' % (allowed_name, fmt(stray))
    return loads


def check_last_page_readable(c, phdrs, want):
    """The capture kernel reads the last page of want from /proc/vmcore (a whole page, at a
    page-aligned file offset inside one PT_LOAD)."""
    last = max(e for _, e in want) - PAGE
    off = file_offset(phdrs, last, last + PAGE)
    assert off is not None, 'no PT_LOAD holds the last page of RAM %#x' % last
    assert off % PAGE == 0, 'the last page of RAM is at file offset %#x' % off
    out = c.run_command('dd if=/proc/vmcore bs=%d skip=%d count=1 2>/dev/null | wc -c'
                        % (PAGE, off // PAGE), 60)
    assert out.strip() == str(PAGE), 'cannot read %#x from /proc/vmcore: %s' % (last, out)

# SPDX-License-Identifier: MIT
"""baton --dry-run draws the plan (cli/plan_view.c) and --dry-run --json gives it to programs.
Every run here is a dry run on a fake machine root: nothing reaches kexec_load."""

import json
import os
import re

import pytest

from conftest import FIXTURES

ROW = re.compile(r'^0x([0-9a-f]{12})-0x([0-9a-f]{12}) +(\S+) (\S+) +[|](.{20})[|](?: (.*))?$', re.M)
SEGMENT = re.compile(r'^   [|`]- ([A-Z]) (\w+) +0x([0-9a-f]{12})-0x([0-9a-f]{12}) +(\S+) (.*)$', re.M)
SUMMARY = re.compile(r'^(\w+) +0x([0-9a-f]{16}) +0x([0-9a-f]+) +0x([0-9a-f]+) +([0-9a-f]{64})$',
                     re.M)
PAGE = {'4K': 1 << 12, '2M': 1 << 21, '1G': 1 << 30}
LETTERS = {'kernel': 'K', 'initrd': 'I', 'elfcorehdr': 'E', 'backup': 'S', 'boot_params': 'B',
           'page_tables': 'T', 'purgatory': 'P'}


@pytest.fixture(autouse=True)
def ascii_locale(monkeypatch):
    """The picture in ASCII unless a test asks for UTF-8."""
    for var in ('LC_ALL', 'LC_CTYPE', 'LANG'):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv('LANG', 'C')


def dry_run(run, m, *args):
    p = run(m, '--dry-run', *args)
    assert p.returncode == 0, p.stderr
    return p.stdout


def plan(run, m, *args):
    text = dry_run(run, m, *args)
    doc = json.loads(dry_run(run, m, '--json', *args))
    return text, doc


def picture_part(text):
    """The picture: everything before the blank line that starts report_plan()'s summary."""
    return text.split('\n\n', 1)[0]


def usage_counts(usage):
    """'2Mx510 4Kx736 WB, 4Kx1 UC' -> {('2M', 'WB'): 510, ('4K', 'WB'): 736, ('4K', 'UC'): 1}"""
    counts = {}
    for group in usage.split(', '):
        words = group.split()
        if not words or words[-1] not in ('WB', 'UC'):
            continue
        for w in words[:-1]:
            size, n = w.split('x')
            counts[(size, words[-1])] = int(n)
    return counts


def write_memmap(m, lines):
    path = os.path.join(m.root, 'custom.memmap')
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    m.write_memmap(path)


def test_picture_shows_segments_kinds_holes_and_pages(machine, run):
    text = dry_run(run, machine, '-l', machine.kernel, '--initrd', machine.initrd)
    pic = picture_part(text)
    rows = ROW.findall(pic)
    assert [r[3] for r in rows] == ['RAM', 'reserved', 'hole', 'reserved', 'RAM', 'reserved',
                                    'hole', 'reserved', 'hole', 'reserved'], pic
    # Rows tile the address space in order, without gaps, up to the end of the map.
    for a, b in zip(rows, rows[1:]):
        assert int(a[1], 16) + 1 == int(b[0], 16), (a, b)
    # Every segment is named under the row it lands in, and drawn in that row's bar.
    segs = {s[1]: s for s in SEGMENT.findall(pic)}
    assert set(segs) == {'kernel', 'initrd', 'boot_params', 'page_tables', 'purgatory'}
    ram = [r for r in rows if r[0] == '000000100000'][0]
    assert sorted(ram[4].replace('.', '')) == sorted('KIBTP'), ram
    for name, s in segs.items():
        assert s[0] == LETTERS[name]
        assert 'WB' in s[5] and 'UC' not in s[5], s
    # Below 4 GiB a hole is mapped UC, above it nothing is.
    holes = {r[0]: r[5] for r in rows if r[3] == 'hole'}
    assert holes['0000000a0000'] == '4Kx80 UC'
    assert holes['000040000000'] == '1Gx3 UC'
    assert holes['000100000000'] == 'unmapped'
    assert re.search(r'^segments: ', pic, re.M) and re.search(r'^memory: ', pic, re.M)
    for line in pic.splitlines():
        assert len(line) <= 100, line
    # report_plan()'s summary is still there, after the picture.
    assert set(m.group(1) for m in SUMMARY.finditer(text)) == set(segs)
    assert re.search(r'^entry: 0x[0-9a-f]+ \(purgatory\), kernel entry 0x1000200$', text, re.M)


def test_picture_totals_match_the_summary(machine, run):
    text = dry_run(run, machine, '-l', machine.kernel, '--initrd', machine.initrd)
    m = re.search(r'^identity map, read back: (\d+) table pages, leaves 1Gx(\d+) 2Mx(\d+) 4Kx(\d+) '
                  r'as built;', text, re.M)
    assert m, text
    assert re.search(r'^identity map: %s table pages' % m.group(1), text, re.M)
    for size, n in zip(('1G', '2M', '4K'), m.group(2, 3, 4)):
        wb, uc = re.search(r'^  %s pages: (\d+) write-back, (\d+) uncached$' % size, text,
                           re.M).groups()
        assert int(wb) + int(uc) == int(n), size


def test_json_matches_the_picture(machine, run):
    text, doc = plan(run, machine, '-l', machine.kernel, '--initrd', machine.initrd,
                     '--command-line=console=ttyS0')
    assert doc['baton_plan'] == 1
    assert doc['kernel'] == machine.kernel and doc['cmdline'] == 'console=ttyS0'
    assert doc['crash'] is False and doc['protocol'] == '2.15'
    summary = {m.group(1): m.groups() for m in SUMMARY.finditer(text)}
    assert [s['name'] for s in doc['segments']] == list(summary)
    for s in doc['segments']:
        name, mem, bufsz, memsz, sha = summary[s['name']]
        # The boot_params digest covers a fresh RNG seed on every run.
        assert (s['mem'], s['bufsz'], s['memsz']) == (int(mem, 16), int(bufsz, 16), int(memsz, 16))
        assert s['name'] == 'boot_params' or s['sha256'] == sha
    assert re.search(r'^entry: 0x%x \(purgatory\), kernel entry 0x%x$' %
                     (doc['entry'], doc['kernel_entry']), text, re.M)
    kinds = {r['kind'] for r in doc['memory_map']}
    assert kinds == {'ram', 'reserved'}
    rows = [r for r in ROW.findall(picture_part(text)) if r[3] != 'hole']
    assert [(int(r[0], 16), int(r[1], 16) + 1) for r in rows] == \
        [(r['start'], r['end']) for r in doc['memory_map']]


def covering(runs, start, end):
    """The runs over [start, end), checked to leave no byte out."""
    out, at = [], start
    for r in runs:
        if r['end'] <= at or r['start'] >= end:
            continue
        assert r['start'] <= at, 'unmapped 0x%x-0x%x' % (at, r['start'])
        out.append(r)
        at = r['end']
        if at >= end:
            return out
    raise AssertionError('unmapped from 0x%x' % at)


def check_identity_map(text, doc):
    im = doc['identity_map']
    runs = im['runs']
    for a, b in zip(runs, runs[1:]):
        assert a['end'] <= b['start']
        assert not (a['end'] == b['start'] and a['page_size'] == b['page_size'] and
                    a['cache'] == b['cache']), 'runs not merged: %r %r' % (a, b)
    for r in runs:
        assert r['page_size'] in PAGE.values() and r['cache'] in ('WB', 'UC')
        assert r['start'] % r['page_size'] == 0 and r['end'] % r['page_size'] == 0
    # Every segment lies in WB leaves: the purgatory reads and writes them cached.
    for s in doc['segments']:
        for r in covering(runs, s['mem'], s['mem'] + s['memsz']):
            assert r['cache'] == 'WB', (s['name'], r)
    # The leaves the runs hold are the ones counted, in JSON and in the text.
    for name, size in PAGE.items():
        for cache in ('WB', 'UC'):
            n = sum((r['end'] - r['start']) // size for r in runs
                    if r['page_size'] == size and r['cache'] == cache)
            assert n == im['leaves'][name][cache], (name, cache)
        wb, uc = re.search(r'^  %s pages: (\d+) write-back, (\d+) uncached$' % name, text,
                           re.M).groups()
        assert (int(wb), int(uc)) == (im['leaves'][name]['WB'], im['leaves'][name]['UC'])
    assert re.search(r'^identity map: %d table pages, PML4 at 0x%x, PML5 at 0x%x ' %
                     (im['table_pages'], im['pml4'], im['pml5']), text, re.M), text
    pt = [s for s in doc['segments'] if s['name'] == 'page_tables'][0]
    assert pt['memsz'] == im['table_pages'] * 4096
    assert pt['mem'] <= im['pml4'] < pt['mem'] + pt['memsz']


def check_rows_against_runs(text, doc):
    """Each row's leaf counts are what the JSON runs give over that row."""
    runs = doc['identity_map']['runs']
    for r in ROW.findall(picture_part(text)):
        start, end = int(r[0], 16), int(r[1], 16) + 1
        want = {}
        mapped = 0
        for run_ in runs:
            if run_['end'] <= start or run_['start'] >= end:
                continue
            ps = run_['page_size']
            lo = max(run_['start'], start // ps * ps)
            hi = min(run_['end'], -(-end // ps) * ps)
            key = ({v: k for k, v in PAGE.items()}[ps], run_['cache'])
            want[key] = want.get(key, 0) + (hi - lo) // ps
            mapped += min(run_['end'], end) - max(run_['start'], start)
        usage = r[5]
        if not usage:   # too long for the row: on the line below
            usage = re.search(r'^0x%s-0x%s .*\n   .- identity map: (.*)$' % (r[0], r[1]),
                              text, re.M).group(1)
        assert usage_counts(usage) == want, (r, want)
        assert ('unmapped' in usage) == (mapped < end - start), r


@pytest.mark.parametrize('memmap', ['qemu-1g.memmap', 'qemu-6g.memmap'])
@pytest.mark.parametrize('flags', ['fpu pdpe1gb la57', 'fpu'])
def test_json_runs_cover_the_segments_and_add_up(tmp_path, run, memmap, flags):
    from conftest import Machine
    m = Machine(tmp_path, memmap=memmap, flags=flags)
    text, doc = plan(run, m, '-l', m.kernel, '--initrd', m.initrd)
    check_identity_map(text, doc)
    check_rows_against_runs(text, doc)
    im = doc['identity_map']
    assert im['gbpages'] == ('pdpe1gb' in flags)
    assert im['paging_levels'] == (5 if 'la57' in flags else 4)
    if 'pdpe1gb' not in flags:
        assert not any(r['page_size'] == PAGE['1G'] for r in im['runs'])


def test_crash_plan_shows_elfcorehdr_and_backup(crash_machine, run):
    m = crash_machine
    text, doc = plan(run, m, '-p', m.kernel, '--initrd', m.initrd, '--command-line=console=ttyS0')
    pic = picture_part(text)
    segs = {s[1]: s for s in SEGMENT.findall(pic)}
    assert {'elfcorehdr', 'backup'} <= set(segs), pic
    assert segs['elfcorehdr'][0] == 'E' and segs['backup'][0] == 'S'
    assert re.search(r'^crash region 0x%012x-0x%012x \(256M\): every segment lands in it$' %
                     (m.crash[0], m.crash[1] - 1), pic, re.M), pic
    assert doc['crash'] is True
    assert doc['crash_regions'][-1] == {'start': m.crash[0], 'end': m.crash[1]}
    names = [s['name'] for s in doc['segments']]
    assert 'elfcorehdr' in names and 'backup' in names
    backup = [s for s in doc['segments'] if s['name'] == 'backup'][0]
    assert doc['backup'] == {'src': 0x1000, 'dst': backup['mem'], 'size': 0x9ec00}
    assert doc['hotplug'] is False      # the fixture is Debian's 6.1: no crash hotplug
    hdr = [s for s in doc['segments'] if s['name'] == 'elfcorehdr'][0]
    assert doc['cmdline'] == 'console=ttyS0 elfcorehdr=0x%x' % hdr['mem']
    assert doc['boot_memory_map'] and doc['boot_memory_map'] != doc['memory_map']
    for s in doc['segments']:
        assert m.crash[0] <= s['mem'] and s['mem'] + s['memsz'] <= m.crash[1], s
    check_identity_map(text, doc)
    check_rows_against_runs(text, doc)


def test_json_escapes_the_command_line(machine, run):
    nasty = 'a="b c" d\\e\tf\x01g \u00e9\u20ac'
    _, doc = plan(run, machine, '-l', machine.kernel, '--command-line=' + nasty)
    assert doc['cmdline'] == nasty
    quoted = machine.write('boot/we"ird\\name', open(machine.kernel, 'rb').read())
    _, doc = plan(run, machine, '-l', quoted)
    assert doc['kernel'] == quoted


def test_json_is_valid_utf8_for_any_bytes(machine, run, baton):
    """A command line need not be UTF-8; the JSON document always is (bytes that are not UTF-8
    come out as their Latin-1 code points)."""
    import subprocess
    p = subprocess.run([baton, '--dry-run', '--json', '-l', machine.kernel.encode(),
                        b'--command-line=x\xff\xa0y \xc3\xa9'],
                       env=dict(os.environ, BATON_ROOT=machine.root), capture_output=True)
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout.decode('utf-8'))
    assert doc['cmdline'] == 'x\u00ff\u00a0y \u00e9'


def test_utf8_locale_draws_with_box_characters(machine, run, monkeypatch):
    monkeypatch.setenv('LC_ALL', 'C.UTF-8')
    text = dry_run(run, machine, '-l', machine.kernel)
    assert '\u2502\u2591' in text and '\u00d7' in text and '\u2514\u2500 ' in text
    monkeypatch.setenv('LC_ALL', 'C')
    monkeypatch.setenv('LANG', 'en_US.UTF-8')
    text = dry_run(run, machine, '-l', machine.kernel)
    assert text.isascii()


def test_long_maps_are_collapsed(machine, run):
    lines = ['0x0 0x9fbff System RAM', '0x9fc00 0x9ffff Reserved', '0x100000 0x3fffffff System RAM']
    at = 0x40000000
    kinds = ['Reserved', 'System RAM', 'ACPI Tables', 'ACPI Non-volatile Storage', 'Reserved']
    for i in range(300):
        size = 0x3000 + (i % 7) * 0x1000
        lines.append('0x%x 0x%x %s' % (at, at + size - 1, kinds[i % 5]))
        at += size + (0x1000 if i % 11 == 0 else 0)
    lines.append('0x100000000 0x23fffffff System RAM')
    for i in range(40):
        start = 0x1000000000 + i * 0x40000000
        lines.append('0x%x 0x%x %s' % (start, start + 0x3fffffff,
                                       'Reserved' if i % 2 else 'Persistent Memory'))
    write_memmap(machine, lines)
    text, doc = plan(run, machine, '-l', machine.kernel, '--initrd', machine.initrd)
    pic = picture_part(text)
    assert len(doc['memory_map']) > 250   # touching ranges of one kind merge
    rows = ROW.findall(pic)
    assert len(rows) <= 40, pic
    m = re.search(r'^(\d+) firmware ranges and (\d+) holes in (\d+) lines \(runs of lines '
                  r'without a segment collapsed\)$', pic, re.M)
    assert m and int(m.group(1)) == len(doc['memory_map']) and int(m.group(3)) == len(rows), pic
    collapsed = [int(n) for n in re.findall(r'^   `- (\d+) lines collapsed: ', pic, re.M)]
    assert collapsed and len(collapsed) == len([r for r in rows if r[3] == 'various'])
    # Lines shown plus lines collapsed are all the ranges and holes.
    assert len(rows) - len(collapsed) + sum(collapsed) == int(m.group(1)) + int(m.group(2))
    # Segments are never hidden, and large RAM stays in view.
    assert {s[1] for s in SEGMENT.findall(pic)} == {s['name'] for s in doc['segments']}
    assert any(r[0] == '000100000000' and r[3] == 'RAM' for r in rows), pic
    for line in pic.splitlines():
        assert len(line) <= 100, line
    check_identity_map(text, doc)
    check_rows_against_runs(text, doc)


def test_server_map(machine, run):
    with open(os.path.join(FIXTURES, 'identmap', 'server-2s-1.5t.memmap')) as f:
        write_memmap(machine, [l.strip() for l in f if l.strip() and not l.startswith('#')])
    text, doc = plan(run, machine, '-l', machine.kernel, '--initrd', machine.initrd)
    pic = picture_part(text)
    kinds = {r[3] for r in ROW.findall(pic)}
    assert {'RAM', 'reserved', 'ACPI', 'NVS', 'pmem', 'hole'} <= kinds, pic
    assert {r['kind'] for r in doc['memory_map']} == {'ram', 'reserved', 'acpi', 'nvs', 'pmem'}
    check_identity_map(text, doc)
    check_rows_against_runs(text, doc)


def test_debug_keeps_the_plain_plan_on_stderr(machine, run):
    p = run(machine, '--dry-run', '-d', '-l', machine.kernel)
    assert p.returncode == 0, p.stderr
    assert 'segments:' in p.stdout and 'segments:' not in p.stderr
    assert re.search(r'^page_tables +0x[0-9a-f]{16} ', p.stderr, re.M), p.stderr

# SPDX-License-Identifier: MIT
"""baton is MIT-licensed: the LICENSE file, the Debian copyright file, and an SPDX line at the top
of every source file in the repository (the second line where the first is a #! line)."""

import os
import subprocess

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SPDX = 'SPDX-License-Identifier: MIT'
SOURCE_SUFFIXES = ('.c', '.h', '.S', '.py', '.sh', '.lds', '.map', '.in', '.bash', '.mk', '.dict')
SOURCE_NAMES = ('Makefile', 'debian/rules', '.ci/run')


def tracked():
    out = subprocess.run(['git', 'ls-files', '-z'], cwd=REPO, capture_output=True, check=True)
    return [p for p in out.stdout.decode().split('\0') if p]


def is_source(path):
    if path.startswith('tests/fixtures/') or path.startswith('fuzz/corpus/') or \
            path.startswith('fuzz/regressions/'):
        return False
    return path.endswith(SOURCE_SUFFIXES) or path in SOURCE_NAMES or \
        path.startswith('tests/vm/guest/')


def test_license_file_is_mit():
    with open(os.path.join(REPO, 'LICENSE')) as f:
        text = f.read()
    assert text.startswith('MIT License\n'), text[:80]
    assert 'Permission is hereby granted, free of charge' in text


def test_debian_copyright_matches():
    with open(os.path.join(REPO, 'debian', 'copyright')) as f:
        text = f.read()
    assert 'License: Expat\n' in text      # Debian's name for the MIT license
    assert 'GPL' not in text


def test_every_source_file_has_the_spdx_line():
    missing = []
    sources = [p for p in tracked() if is_source(p)]
    assert len(sources) > 100, 'found only %d source files' % len(sources)
    for path in sources:
        with open(os.path.join(REPO, path), errors='replace') as f:
            head = [f.readline() for _ in range(2)]
        first = 1 if head[0].startswith('#!') else 0
        if SPDX not in head[first]:
            missing.append(path)
    assert not missing, 'no "%s" line at the top of: %s' % (SPDX, ', '.join(missing))

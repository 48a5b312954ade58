# SPDX-License-Identifier: MIT
"""purgatory/font.c is exactly what scripts/mkfont.py makes of purgatory/font.txt, and the design
covers printable ASCII with readable, distinct glyphs."""

import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, 'scripts'))
import mkfont  # noqa: E402


def test_font_c_is_made_from_the_design():
    r = subprocess.run([sys.executable, os.path.join(REPO, 'scripts', 'mkfont.py'), '--check'],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert r.returncode == 0, r.stdout


def test_design_is_complete_and_checked():
    cells = mkfont.cells()
    assert sorted(cells) == list(range(0x20, 0x7f))
    assert len(set(cells.values())) == len(cells), 'two characters look alike'
    bad = mkfont.DESIGN.read_text().replace(': A\n..#..', ': A\n..#.')
    try:
        mkfont.cells(bad)
    except ValueError as e:
        assert 'bad row' in str(e)
    else:
        raise AssertionError('a short row was accepted')

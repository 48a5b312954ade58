# SPDX-License-Identifier: MIT
"""The two loaders the VM tests drive: what every test file shares. A file adds or overrides keys
with loaders(baton={...}, kexec_tools={...})."""

import os
import re

import pytest

from conftest import need_baton

# printed by baton's purgatory (--console-serial) just before it jumps
RE_PURGATORY_ENTRY = re.compile(
    r'baton: purgatory: entering kernel at 0x[0-9a-f]+ \((32|64)-bit\)')

BATON = {
    'bin': '/sbin/baton',
    # so that the purgatory's progress and failures reach the transcript
    'load_extra': '--console-serial',
    'debug_log': None,
    'entry_re': RE_PURGATORY_ENTRY,
}

KEXEC_TOOLS = {
    'bin': '/sbin/kexec',
    'load_extra': '',
    # where the tests keep kexec-tools' -d output
    'debug_log': '/tmp/kexec-d.log',
    'entry_re': None,
}


def loaders(baton=None, kexec_tools=None):
    """{'baton': ..., 'kexec-tools': ...}: the common keys, then the file's own."""
    return {'baton': dict(BATON, **(baton or {})),
            'kexec-tools': dict(KEXEC_TOOLS, **(kexec_tools or {}))}


def require(name, assets, baton_state):
    """For a test that runs the loader from an initrd under assets: skips or fails as baton_state
    (conftest.baton_state) says for baton, skips when kexec-tools was not unpacked."""
    if name == 'baton':
        need_baton(baton_state)
    elif not os.path.exists(os.path.join(assets, 'kexec-root', 'sbin', 'kexec')):
        pytest.skip('kexec-tools binary missing from %s/kexec-root' % assets)


def need_loader(table, name, assets, baton_state):
    """require, then the loader's entry in table, with its name."""
    require(name, assets, baton_state)
    return dict(table[name], name=name)

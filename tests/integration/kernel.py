# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers that look at the sandbox's kernel state independently of the
collection's own code (iproute2 and /proc), so tests check the real thing."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import subprocess

RUN_NETNS = '/run/netns'


def netns_list():
    """Names under /run/netns, sorted."""
    try:
        return sorted(os.listdir(RUN_NETNS))
    except FileNotFoundError:
        return []


def sh(command, check=True):
    """Run a shell command inside the sandbox; returns stdout."""
    proc = subprocess.run(command, shell=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, check=False)
    if check and proc.returncode != 0:
        raise AssertionError('%s failed (%d): %s' % (command, proc.returncode, proc.stderr))
    return proc.stdout


def netns_ids():
    """{name: namespace inode} as iproute2 and stat(1) see them."""
    return dict((name, int(sh('stat -L -c %%i %s/%s' % (RUN_NETNS, name)))) for name in netns_list())


def lo_flags(netns):
    """The flags of lo inside `netns`, as `ip -j link` reports them."""
    return json.loads(sh('ip -n %s -j link show lo' % netns))[0]['flags']


def sysctl(netns, key):
    return sh('ip netns exec %s sysctl -n %s' % (netns, key)).strip()

# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The walk over /proc that finds the processes of each network namespace
(a cgroup's members, a container's workloads): written once."""

import os


def netns_members():
    """{(dev, inode) of a network namespace: sorted pids in it}, from one
    walk over /proc; processes gone meanwhile, or not ours to see, are left out."""
    members = {}
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            st = os.stat('/proc/%s/ns/net' % entry)
        except OSError:
            continue
        members.setdefault((st.st_dev, st.st_ino), []).append(int(entry))
    return dict((key, sorted(pids)) for key, pids in members.items())

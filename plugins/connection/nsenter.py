# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
name: nsenter
short_description: Run tasks inside the namespaces of a process on this machine (a lab host)
version_added: 0.1.0
description:
  - Runs every command through C(nsenter --target PID --net --mount --uts --pid), so a set of
    namespaces held by one long-lived process (the host's init) behaves as a separate host. This is how the built-in lab of
    C(scripts/lab.py) is managed without SSH.
  - Files are shared with the machine (the lab hosts only have private C(/run/netns),
    C(/var/lib/linuxns), C(/sys), C(/etc/hosts) and C(/etc/resolv.conf)), so transfers are local
    copies. Pipelining is supported.
author:
  - linuxns.net contributors (@linuxns)
extends_documentation_fragment:
  - connection_pipelining
options:
  pid:
    description: Pid of the process whose network, mount and UTS namespaces are the host.
    type: int
    required: true
    vars:
      - name: linuxns_lab_pid
      - name: ansible_nsenter_pid
"""

import shlex

from ansible.errors import AnsibleConnectionFailure
from ansible.plugins.connection.local import Connection as LocalConnection


class Connection(LocalConnection):
    """The local connection, with every command wrapped in nsenter."""

    transport = 'linuxns.net.nsenter'
    has_pipelining = True

    def exec_command(self, cmd, in_data=None, sudoable=True):
        pid = self.get_option('pid')
        if not pid:
            raise AnsibleConnectionFailure('linuxns.net.nsenter needs the pid of the lab host (linuxns_lab_pid)')
        # nsenter --mount starts in /, so Ansible's absolute paths are used as they are
        wrapped = 'nsenter --target %d --net --mount --uts --pid -- /bin/sh -c %s' % (int(pid), shlex.quote(cmd))
        return super().exec_command(wrapped, in_data=in_data, sudoable=sudoable)

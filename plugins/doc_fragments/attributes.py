# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later


class ModuleDocFragment:

    # Every module of this collection: exact check mode and diff.
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details:
      - Check mode reads the current state and computes the same plan a real run would apply,
        so it reports exactly the changes the real run makes, including for objects that
        earlier tasks of the same play would only create.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
  platform:
    description: Target OS/families that can be operated against.
    support: full
    platforms: linux
requirements:
  - root on Linux (CAP_SYS_ADMIN and CAP_NET_ADMIN)
notes:
  - Every change is planned first and applied in order; when a step fails, what this task
    already applied is undone in reverse order before the task fails.
"""

    # Modules that write through netlink (all but nat_rule and cgroup_limit).
    NETLINK = r"""
options: {}
requirements:
  - pyroute2 >= 0.9 for the Python interpreter that runs the module on the managed host
"""

    # Modules that only read and probe (no pyroute2, nothing to roll back).
    PROBE = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details:
      - The module only reads and sends probes; it changes nothing, so check mode runs as a normal run does.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
  platform:
    description: Target OS/families that can be operated against.
    support: full
    platforms: linux
requirements:
  - root on Linux (CAP_SYS_ADMIN to enter named namespaces, CAP_NET_RAW for ICMP)
"""

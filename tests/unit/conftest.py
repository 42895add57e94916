# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests import the collection as ansible_collections.linuxns.net, like
Ansible does, from a temporary tree whose linuxns/net is this checkout."""

import atexit
import os
import shutil
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _collection_root():
    # Already inside an ansible_collections tree (ansible-test units)?
    parts = REPO.split(os.sep)
    if len(parts) > 3 and parts[-3] == 'ansible_collections':
        return os.sep.join(parts[:-3])
    root = tempfile.mkdtemp(prefix='linuxns-units-')
    atexit.register(shutil.rmtree, root, True)  # the tree holds only a symlink to the checkout: gone with the run
    os.makedirs(os.path.join(root, 'ansible_collections', 'linuxns'))
    os.symlink(REPO, os.path.join(root, 'ansible_collections', 'linuxns', 'net'))
    return root


sys.path.insert(0, _collection_root())

#!/usr/bin/env python
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Dynamic inventory for Molecule: the lab that create.yml brought up (empty
before that), in the JSON form inventory scripts print."""

import json
import os
import sys


def main():
    path = os.path.join(os.environ.get('MOLECULE_EPHEMERAL_DIRECTORY', '/nonexistent'), 'lab', 'inventory.yml')
    result = {'_meta': {'hostvars': {}}}
    if os.path.exists(path):
        with open(path) as handle:
            lab = json.load(handle)['all']
        result['all'] = {'vars': lab['vars'], 'children': sorted(lab['children'])}
        for group, content in lab['children'].items():
            result[group] = {'hosts': sorted(content['hosts'])}
            result['_meta']['hostvars'].update(content['hosts'])
    if sys.argv[1:2] == ['--host']:
        print(json.dumps(result['_meta']['hostvars'].get(sys.argv[2], {})))
    else:
        print(json.dumps(result))


if __name__ == '__main__':
    main()

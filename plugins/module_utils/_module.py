# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What every module's main() does, once: converge its parameters and report to Ansible."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.linuxns.net.plugins.module_utils._converge import ConvergeFailed, converge


def run_module(module, resource_class, result_key):
    """Converge `module.params` with `resource_class` (see _converge.converge) and exit the module."""
    try:
        result, warnings = converge(resource_class, module.params, module.check_mode, module._diff, result_key)
    except ConvergeFailed as exc:
        if exc.missing_library:
            module.fail_json(msg='%s. %s' % (exc, missing_required_lib('pyroute2>=0.9')), exception=exc.exception)
        module.fail_json(msg=str(exc), **exc.fields)
    for warning in warnings:
        module.warn(warning)
    module.exit_json(**result)

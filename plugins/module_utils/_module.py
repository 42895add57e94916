# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the main() of every module that converges (all but network_info and
reachability, which only read) does, once: check the list entries, converge
its parameters and report to Ansible."""

import re

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.errors import UnsupportedError

from ansible_collections.linuxns.net.plugins.module_utils._converge import ConvergeFailed, converge
from ansible_collections.linuxns.net.plugins.module_utils._options import one_or_many
from ansible_collections.linuxns.net.plugins.module_utils._validate import ValidationError


def one_or_many_module(entry, list_key, key='name', module_options=None, exclusive=True, nested=None):
    """(AnsibleModule, entries) of a module that manages one object with the
    options in `entry` at the top level or many with the list `list_key` (see
    _options.one_or_many, also for `nested`); `module_options` apply to all of them.  With
    `exclusive`, exactly one of `key` and `list_key` must be given."""
    argument_spec, entries = one_or_many(entry, list_key, key, nested)
    argument_spec.update(module_options or {})
    one_of = [(key, list_key)] if exclusive else []
    module = AnsibleModule(argument_spec=argument_spec, mutually_exclusive=one_of, required_one_of=one_of,
                           supports_check_mode=True)
    return module, entries


def run_module(module, resource_class, result_key, entries=None, prepare=None):
    """Converge `module.params` with `resource_class` (see _converge.converge) and exit the module.

    `entries` ({path: argument spec}, from _options.one_or_many) names the
    dicts Ansible took unchecked - 'pairs[]' each entry of `pairs`,
    'containers[].limits' the `limits` of each container - and the spec each
    is checked and converted against here, as Ansible checks the top level.
    `prepare(params)` first turns short forms into those dicts (in place),
    raising ValidationError for what it cannot read."""
    if prepare is not None:
        try:
            prepare(module.params)
        except ValidationError as exc:
            module.fail_json(msg=str(exc), option=exc.option, changed=False)
    problems = []
    for path, spec in (entries or {}).items():
        problems.extend(check_entries(module.params, path, spec))
    if problems:
        module.fail_json(msg='; '.join(problems), option=problems[0].partition(': ')[0], changed=False)
    try:
        result, warnings = converge(resource_class, module.params, module.check_mode, module._diff, result_key)
    except ConvergeFailed as exc:
        if exc.missing_library:
            module.fail_json(msg='%s. %s' % (exc, missing_required_lib('pyroute2>=0.9')), exception=exc.exception)
        module.fail_json(msg=str(exc), **exc.fields)
    for warning in warnings:
        module.warn(warning)
    module.exit_json(**result)


def _named(where, text):
    """The option a problem of an entry is about: the entry's path
    ('containers[0].ports[1]'), or where Ansible's words name the
    parameter, that ('containers[0].ports[1].protocol')."""
    named = re.search(r"value of (\w+) must be|missing required arguments: (\w+)|argument '(\w+)' is of type|"
                      r"unsupported parameters: (\w+)|Elements value for option '(\w+)'", text)
    return where + ('.' + next(g for g in named.groups() if g) if named else '')


def check_entries(params, path, spec):
    """Check and convert, in place, each dict `path` leads to in `params`
    against `spec`; returns the problems, each prefixed with the entry's path
    (`pairs[1].peer`: Ansible's own messages do not say which entry)."""
    problems = []
    validator = ArgumentSpecValidator(spec)
    for parent, key, where in _slots(params, path.split('.'), ''):
        if not isinstance(parent[key], dict):
            problems.append('%s: must be a dictionary, got %r' % (where, parent[key]))
            continue
        result = validator.validate(parent[key])
        for error in result.errors.errors:
            text = ('unsupported parameters: ' if isinstance(error, UnsupportedError) else '') + str(error).rstrip('.')
            problems.append('%s: %s' % (_named(where, text), text))
        parent[key] = result.validated_parameters
    return problems


def _slots(container, segments, prefix):
    """(parent, key, path) of each value the dotted `segments` lead to; a
    segment ending in [] stands for each element of that list."""
    name, rest = segments[0], segments[1:]
    many = name.endswith('[]')
    name = name[:-2] if many else name
    value = container.get(name) if isinstance(container, dict) else None
    if value is None or (many and not isinstance(value, list)):
        return  # not given, or Ansible has refused it already
    path = prefix + name
    if many:
        slots = [(value, index, '%s[%d]' % (path, index)) for index in range(len(value))]
    else:
        slots = [(container, name, path)]
    for parent, key, where in slots:
        if rest:
            yield from _slots(parent[key], rest, where + '.')
        else:
            yield parent, key, where

# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Options are declared once (plugins/module_utils/_options.py and each
module's own spec) and documented once (the doc fragments and each module's
DOCUMENTATION): these tests fail, naming the option, as soon as the two drift
- before the sanity test would - and prove the list forms derived from one
declaration check their entries as strictly as Ansible checks the top level."""

import copy
import importlib
import json
import os
import subprocess
import sys

import pytest
import yaml
from ansible.module_utils.basic import AnsibleModule

from ansible_collections.linuxns.net.plugins.module_utils import _options
from ansible_collections.linuxns.net.plugins.module_utils._module import check_entries

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODULES = sorted(f[:-3] for f in os.listdir(os.path.join(REPO, 'plugins', 'modules')) if f.endswith('.py'))
# the spec keys the documentation states too (Ansible's defaults: type str, not required)
COMPARED = (('type', 'str'), ('elements', None), ('choices', None), ('default', None), ('required', False))


@pytest.fixture(scope='module')
def docs():
    """Every module's documentation as ansible-doc sees it, fragments merged."""
    root = next(p for p in sys.path if os.path.isdir(os.path.join(p, 'ansible_collections', 'linuxns', 'net')))
    ansible_doc = os.path.join(os.path.dirname(sys.executable), 'ansible-doc')
    proc = subprocess.run([ansible_doc, '-j'] + ['linuxns.net.' + m for m in MODULES],
                          env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=root), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, check=True)
    return dict((name.split('.')[-1], value['doc']) for name, value in json.loads(proc.stdout).items())


def module_call(name, monkeypatch):
    """(argument_spec, entries) that a module's main() hands to AnsibleModule and run_module
    (probe_and_exit, read_and_exit: the modules that only read)."""
    module = importlib.import_module('ansible_collections.linuxns.net.plugins.modules.' + name)
    captured = {}

    class Stop(Exception):
        pass

    def init(_self, argument_spec, **_kwargs):
        captured['argument_spec'] = argument_spec

    def run_module(*args, **kwargs):
        captured['entries'] = (args[3] if len(args) > 3 else kwargs.get('entries')) or {}
        raise Stop()

    monkeypatch.setattr(AnsibleModule, '__init__', init)
    for runner in ('run_module', 'probe_and_exit', 'read_and_exit'):
        if hasattr(module, runner):
            monkeypatch.setattr(module, runner, run_module)
    with pytest.raises(Stop):
        module.main()
    return captured['argument_spec'], captured['entries']


def drift(spec, documented, path=''):
    """Where `spec` (an argument spec) and `documented` (options as ansible-doc reads them) differ."""
    problems = ['%s%s: declared, not documented' % (path, name) for name in sorted(set(spec) - set(documented))]
    problems += ['%s%s: documented, not declared' % (path, name) for name in sorted(set(documented) - set(spec))]
    for name in sorted(set(spec) & set(documented)):
        for key, default in COMPARED:
            declared, doc = spec[name].get(key, default), documented[name].get(key, default)
            if declared != doc:
                problems.append('%s%s: %s is %r in the spec, %r in the docs' % (path, name, key, declared, doc))
        problems += drift(spec[name].get('options') or {}, documented[name].get('suboptions') or {},
                          '%s%s.' % (path, name))
    return problems


def as_documented(argument_spec, entries, documented):
    """The spec as the docs show it: a list Ansible takes whole (elements
    raw, for short forms like container_network's `containers: [web]` and
    `ports: ["8080:80"]`) and checks entry by entry (`containers[]`,
    `containers[].ports[]`) has the entry's spec as its suboptions, where
    the docs give them."""
    spec = copy.deepcopy(argument_spec)
    for path, entry in sorted(entries.items()):  # containers[] before containers[].ports[]
        if not path.endswith('[]') or any(not k.endswith('[]') for k in path.split('.')):
            continue
        keys = path.replace('[]', '').split('.')
        options, docs_level = spec, documented
        for key in keys[:-1]:
            options, docs_level = options[key]['options'], docs_level[key]['suboptions']
        if 'suboptions' in docs_level.get(keys[-1], {}):
            options[keys[-1]] = dict(options[keys[-1]], options=copy.deepcopy(entry))
    return spec


@pytest.mark.parametrize('module', MODULES)
def test_every_option_is_documented_as_declared(module, docs, monkeypatch):
    argument_spec, entries = module_call(module, monkeypatch)
    documented = docs[module]['options']
    assert drift(as_documented(argument_spec, entries, documented), documented) == []


@pytest.mark.parametrize('fragment, group, modules', [
    ('link', _options.LINK, ['veth', 'bridge', 'vxlan']),
    ('limits', _options.LIMIT_OPTIONS, ['cgroup_limit']),
])
def test_a_shared_group_is_documented_once_by_its_fragment(fragment, group, modules, docs, monkeypatch):
    for module in modules:
        source = importlib.import_module('ansible_collections.linuxns.net.plugins.modules.' + module).DOCUMENTATION
        assert 'linuxns.net.' + fragment in yaml.safe_load(source)['extends_documentation_fragment'], module
        argument_spec, _entries = module_call(module, monkeypatch)
        assert dict((name, argument_spec[name]) for name in group) == group, module  # the group, unchanged
        assert drift(group, dict((name, docs[module]['options'][name]) for name in group)) == []


@pytest.mark.parametrize('module', MODULES)
def test_list_forms_take_the_top_level_options_and_are_documented_without_a_mirror(module, docs, monkeypatch):
    argument_spec, entries = module_call(module, monkeypatch)
    for path, entry in entries.items():
        if any(path.startswith(other + '.') for other in entries):
            continue  # inside a list entry (pairs[].peer): documented as the top-level option
        keys = path.replace('[]', '').split('.')
        documented = docs[module]['options'][keys[0]]
        if path.endswith('[]') and all(k.endswith('[]') for k in path.split('.')):
            for key in keys[1:]:
                documented = documented['suboptions'][key]
            if 'suboptions' in documented:
                continue  # documented as its suboptions, compared by test_every_option_is_documented_as_declared
            documented = docs[module]['options'][keys[0]]
        for key in keys[1:]:
            documented = documented['suboptions'][key]
        assert 'suboptions' not in documented, (module, path)  # the entry options are documented once
        # each option is the module's own (documented at the top level) or named by the description
        text = ' '.join(documented['description'])
        assert [name for name in entry if name not in argument_spec and 'C(%s)' % name not in text] == [], (module, path)


def test_entries_are_checked_and_converted_as_ansible_checks_the_top_level():
    params = {'pairs': [{'name': 'a', 'mtu': '1400', 'peer': {'name': 'b', 'mtu': '1300'}}, {'peer': {'name': 'c'}}],
              'name': None}
    peer = dict(name=dict(type='str', required=True), mtu=dict(type='int'))
    _spec, entries = _options.one_or_many(dict(_options.LINK, name=dict(type='str'), peer=dict(type='dict')), 'pairs',
                                          nested={'peer': peer})
    assert list(entries) == ['peer', 'pairs[]', 'pairs[].peer']
    problems = [problem for path, spec in entries.items() for problem in check_entries(params, path, spec)]
    assert problems == ['pairs[1].name: missing required arguments: name']
    first = params['pairs'][0]
    assert first['mtu'] == 1400 and first['peer']['mtu'] == 1300 and first['purge_addresses'] is True


def test_nested_dicts_of_every_list_entry_are_checked():
    params = {'containers': [{'name': 'a', 'limits': {'cpu': 1}}, {'name': 'b'},
                             {'name': 'c', 'limits': {'cpu_quota': 5}}, {'name': 'd', 'limits': 'x'}]}
    problems = check_entries(params, 'containers[].limits', _options.LIMIT_OPTIONS)
    assert problems[0].startswith('containers[2].limits.cpu_quota: unsupported parameters: cpu_quota.')
    assert problems[1] == "containers[3].limits: must be a dictionary, got 'x'"
    assert params['containers'][0]['limits']['cpu'] == '1' and params['containers'][0]['limits']['memory'] is None


RESOURCES = {'bridge': '_bridge.BridgeResource', 'cgroup_limit': '_cgroup.CgroupResource',
             'container_network': '_network.ContainerNetworkResource', 'nat_rule': '_nat.NatResource',
             'netns': '_netns.NetnsResource', 'netns_route': '_routes.RouteResource', 'veth': '_veth.VethResource',
             'vxlan': '_vxlan.VxlanResource'}


@pytest.mark.parametrize('module, resource', sorted(RESOURCES.items()))
def test_pyroute2_is_a_documented_requirement_exactly_where_the_module_needs_it(module, resource, docs):
    file, name = resource.split('.')
    needs = getattr(importlib.import_module('ansible_collections.linuxns.net.plugins.module_utils.' + file), name).needs_pyroute2
    assert any('pyroute2' in line for line in docs[module].get('requirements') or []) == needs

# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Container names across the cluster: the hosts files the containers role
writes (container_hosts) and what verify.yml resolves (name_checks,
name_report).  Resolution itself is proven in the lab (test_lab)."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.linuxns.net.plugins.filter import names


def converged(*containers):
    """A container_network result: (name, [(network, address, address6)])."""
    return {'containers_network_result': {'containers': [
        {'name': name, 'networks': [{'network': n, 'address': a, 'address6': a6} for n, a, a6 in interfaces]}
        for name, interfaces in containers]}}


# as scripts/lab.py: back lets default in, not the other way
HOSTVARS = {
    'host1': converged(('web', [('default', '10.244.1.2/24', 'fd00:1::2/64')]),
                       ('api', [('default', '10.244.1.3/24', None), ('back', '10.245.1.2/24', None)]),
                       ('db', [('back', '10.245.1.3/24', None)])),
    'host2': converged(('web', [('default', '10.244.2.2/24', None)]),
                       ('cache', [('back', '10.245.2.2/24', None)])),
}
NETWORK = {'allow': [], 'networks': [{'name': 'back', 'allow': ['default']}]}
CONTAINERS = [{'name': 'web', 'hosts': [{'address': '198.51.100.250', 'names': ['outside']}]},
              {'name': 'api', 'networks': ['default', 'back']},
              {'name': 'db', 'networks': ['back']}]


def entries(groups, container):
    return [group['hosts'] for group in groups if container in group['namespaces']][0]


def test_each_container_names_whom_it_may_reach_on_every_host():
    groups = names.container_hosts(HOSTVARS, ['host1', 'host2'], 'host1', CONTAINERS, NETWORK)
    assert [g['namespaces'] for g in groups] == [['web'], ['api'], ['db']]
    # web (default): its own entry first; back lets default in; NAME alone for its own host's
    # containers and for a name no other reachable container has (cache), NAME.HOST for all
    assert entries(groups, 'web') == [
        {'address': '198.51.100.250', 'names': ['outside']},
        {'address': '10.244.1.2', 'names': ['web', 'web.host1']},
        {'address': 'fd00:1::2', 'names': ['web', 'web.host1']},
        {'address': '10.244.1.3', 'names': ['api', 'api.host1']},  # the network web shares with api
        {'address': '10.245.1.3', 'names': ['db', 'db.host1']},
        {'address': '10.244.2.2', 'names': ['web.host2']},  # host1 has a web of its own
        {'address': '10.245.2.2', 'names': ['cache', 'cache.host2']},
    ]
    # db (back only): default keeps it out - no web, on either host; api by its back address
    assert entries(groups, 'db') == [
        {'address': '10.245.1.2', 'names': ['api', 'api.host1']},
        {'address': '10.245.1.3', 'names': ['db', 'db.host1']},
        {'address': '10.245.2.2', 'names': ['cache', 'cache.host2']},
    ]


def test_a_name_on_two_other_hosts_is_only_qualified_and_containers_with_one_file_share_a_group():
    hostvars = dict(HOSTVARS, host3=converged(('cache', [('back', '10.245.3.2/24', None)])))
    groups = names.container_hosts(hostvars, ['host1', 'host2', 'host3'], 'host1',
                                   [{'name': 'api', 'networks': ['default', 'back']},
                                    {'name': 'db', 'networks': ['back', 'default']}], NETWORK)
    assert [g['namespaces'] for g in groups] == [['api', 'db']]
    assert [e['names'] for e in groups[0]['hosts'] if 'cache' in e['names'][0]] == [['cache.host2'], ['cache.host3']]


def test_without_isolation_every_network_reaches_every_other():
    groups = names.container_hosts(HOSTVARS, ['host1', 'host2'], 'host1', [{'name': 'db', 'networks': ['back']}],
                                   dict(NETWORK, isolation=False))
    assert [e['names'][-1] for e in entries(groups, 'db')] == [
        'web.host1', 'web.host1', 'api.host1', 'db.host1', 'web.host2', 'cache.host2']


def test_a_host_that_has_not_converged_is_named():
    with pytest.raises(AnsibleFilterError, match='host host3 has no containers_network_result'):
        names.container_hosts(dict(HOSTVARS, host3={}), ['host1', 'host3'], 'host1', CONTAINERS, NETWORK)


def test_name_checks_and_report():
    hostvars = {'host1': {'cluster_network_networks': [{'name': 'back', 'cidr': '10.245.0.0/16', 'allow': ['default']}]},
                'host2': {}}
    checks = names.name_checks([{'web': ['10.244.1.2/24'], 'db': '10.245.1.3/24'}, {'web': ['10.244.2.2/24']}],
                               ['host1', 'host2'], hostvars, 'host1',
                               [{'name': 'db', 'networks': ['back']}], {'www.example.net': '198.51.100.250'})
    assert checks == {'db': [
        {'name': 'db.host1', 'addresses': ['10.245.1.3']}, {'name': 'db', 'addresses': ['10.245.1.3']},
        {'name': 'web.host1', 'addresses': []}, {'name': 'web', 'addresses': []},
        {'name': 'web.host2', 'addresses': []},
        {'name': 'www.example.net', 'addresses': ['198.51.100.250']}]}
    output = 'db db.host1 10.245.1.3\ndb db 10.245.1.3\ndb web.host1\ndb web 10.244.1.2\ndb web.host2\ndb www.example.net\n'
    report = names.name_report([output], [checks], ['host1'])
    assert report['misses'] == ['host1/db names: web resolves to 10.244.1.2, though isolated',
                                'host1/db names: www.example.net resolves to nothing, not 198.51.100.250']
    assert (report['total'], report['passed'], report['lines']) == (6, 4, ['host1/db  names X'])

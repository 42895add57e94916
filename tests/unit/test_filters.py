# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The cluster layout filters the roles use."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.linuxns.net.plugins.filter import network

HOSTVARS = {
    'host2': {'cluster_network_host_subnet': '10.244.2.0/24', 'cluster_network_underlay_address': '198.51.100.12'},
    'host3': {'cluster_network_host_subnet': '10.244.3.0/24', 'cluster_network_underlay_address': '203.0.113.7'},
}


def test_peer_routes_host_gw_and_overlay():
    assert network.peer_routes(HOSTVARS, ['host2', 'host3']) == [
        {'dst': '10.244.2.0/24', 'gateway': '198.51.100.12'},
        {'dst': '10.244.3.0/24', 'gateway': '203.0.113.7'},
    ]
    assert network.peer_routes(HOSTVARS, ['host3'], 'lnsvx0') == [
        {'dst': '10.244.3.0/24', 'gateway': '10.244.3.0', 'dev': 'lnsvx0', 'onlink': True}]


def test_vtep_address_and_gateway_never_collide_with_containers():
    assert network.vtep_address('10.244.3.0/24') == '10.244.3.0/32'
    assert network.gateway('10.244.3.0/24') == '10.244.3.1/24'
    assert network.container_addresses([{'name': 'a'}], '10.244.3.0/24') == {'a': '10.244.3.2/24'}


def test_container_pairs_carry_the_mtu_to_both_ends():
    pair = network.container_pairs([{'name': 'a'}], {'a': '10.244.3.2/24'}, 'cbr0', '1450')[0]
    assert (pair['mtu'], pair['peer']['mtu'], pair['bridge'], pair['peer']['netns']) == (1450, 1450, 'cbr0', 'a')


def test_container_routes_one_entry_per_namespace():
    assert network.container_routes([{'name': 'a'}, {'name': 'b'}], '10.244.3.0/24') == [
        {'netns': 'a', 'dst': 'default', 'gateway': '10.244.3.1'},
        {'netns': 'b', 'dst': 'default', 'gateway': '10.244.3.1'}]


def test_container_limits_one_group_per_limited_container():
    containers = [{'name': 'a', 'limits': {'cpu': 0.5, 'memory': '64M', 'pids_max': 64}}, {'name': 'b'}]
    assert network.container_limits(containers) == [
        {'name': 'a', 'netns': 'a', 'cpu': '0.5', 'memory': '64M', 'pids_max': '64'}]

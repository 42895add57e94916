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


def test_vtep_address_is_the_subnet_network_address():
    assert network.vtep_address('10.244.3.0/24') == '10.244.3.0/32'


def test_reachability_targets_and_ports_name_host_and_container():
    assert network.reachability_targets([{'b': '10.244.2.3/24', 'a': '10.244.2.2/24'}], ['host2']) == [
        {'name': 'host2/a', 'address': '10.244.2.2'}, {'name': 'host2/b', 'address': '10.244.2.3'}]
    hostvars = {'host2': dict(HOSTVARS['host2'], containers_list=[
        {'name': 'a', 'ports': [{'host': 8081, 'container': 80}, {'host': 53, 'protocol': 'udp'}]}])}
    assert network.reachability_ports(hostvars, ['host2']) == [
        {'name': 'host2/a:8081', 'address': '198.51.100.12', 'port': 8081}]

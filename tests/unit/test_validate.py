# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import os

import pytest

from ansible_collections.linuxns.net.plugins.module_utils import _validate as v


@pytest.mark.parametrize('name', ['ns1', 'a', 'x' * 64, 'web-1.prod', 'mario2', 'A_b.c-d', '9lives'])
def test_good_netns_names(name):
    assert v.netns_name(name) == name


@pytest.mark.parametrize('name, rule', [
    ('', 'non-empty'), ('.', 'not a valid'), ('..', 'not a valid'), ('-x', 'starting with a letter or digit'),
    ('_x', 'starting with a letter or digit'), ('a/b', 'letters, digits and _.- only'), ('/abs', 'not a valid'),
    ('a b', 'not a valid'), ('a\nb', 'not a valid'), ('ns1\n', 'not a valid'), ('$(id)', 'not a valid'),
    ('a;reboot', 'not a valid'), ('`id`', 'not a valid'), ('a|b', 'not a valid'), ('a&b', 'not a valid'),
    ('a>b', 'not a valid'), ("a'b", 'not a valid'), ('a"b', 'not a valid'), ('a*', 'not a valid'),
    ('a:b', 'not a valid'), ('x' * 65, 'longer than 64 characters'), ('ünïcode', 'not a valid'),
    ('nul\0byte', 'not a valid'), (None, 'non-empty string'), (3, 'non-empty string'),
])
def test_bad_netns_names_name_the_option_and_rule(name, rule):
    with pytest.raises(v.ValidationError) as err:
        v.netns_name(name, 'name')
    assert str(err.value).startswith('name: ')
    assert rule in str(err.value)
    assert err.value.option == 'name'


@pytest.mark.parametrize('name, ok', [
    ('web', True), ('x' * 12, True), ('x' * 63, True), ('db.1-a_b', True), ('x' * 64, False), ('a;b', False), ('-a', False),
    ('', False),
])
def test_container_names_share_the_netns_rule(name, ok):
    if ok:
        assert v.container_name(name, 'containers[0].name') == name
    else:
        with pytest.raises(v.ValidationError, match=r'^containers\[0\]\.name: '):
            v.container_name(name, 'containers[0].name')


@pytest.mark.parametrize('path, ok', [
    ('web', True), ('tenants/web', True), ('linuxns-test-1-2', True), ('system.slice/x', True),
    ('../escape', False), ('a/./b', False), ('a//b', False), ('/abs', False), ('a/', False), ('a b', False),
    ('$(id)', False), ('a;reboot', False), ('', False), (None, False), ('x' * 256, False),
])
def test_cgroup_paths(path, ok):
    if ok:
        assert v.cgroup_path(path, 'parent') == path
    else:
        with pytest.raises(v.ValidationError, match='^parent: '):
            v.cgroup_path(path, 'parent')


@pytest.mark.parametrize('name, ok', [
    ('eth0', True), ('x' * 15, True), ('x' * 16, False), ('a:b', False), ('a/b', False),
    ('a b', False), ('..', False), ('', False),
])
def test_interface_names(name, ok):
    if ok:
        assert v.interface_name(name) == name
    else:
        with pytest.raises(v.ValidationError):
            v.interface_name(name, 'peer.name')


def test_unique_rejects_duplicates():
    assert v.unique(['a', 'b'], 'name') == ['a', 'b']
    with pytest.raises(v.ValidationError, match="name: 'a' is listed more than once"):
        v.unique(['a', 'b', 'a'], 'name')


@pytest.mark.parametrize('value', ['10.0.0.2/24', '10.0.0.0/31', '10.0.0.1/32', 'fd00::2/64', '172.18.0.1/24'])
def test_good_interface_addresses(value):
    assert str(v.interface_address(value)) == value


@pytest.mark.parametrize('value, rule', [
    ('10.0.0.0/24', 'network or broadcast'), ('10.0.0.255/24', 'network or broadcast'),
    ('10.0.0.2', 'no prefix length'), ('10.0.0.300/24', 'not an address'),
    ('junk', 'not an address'), ('10.0.0.2/33', 'not an address'),
])
def test_bad_interface_addresses(value, rule):
    with pytest.raises(v.ValidationError, match=rule):
        v.interface_address(value, 'addresses')


def test_network_must_have_no_host_bits():
    assert str(v.network('10.244.0.0/16', 'cidr')) == '10.244.0.0/16'
    with pytest.raises(v.ValidationError, match='cidr: '):
        v.network('10.244.1.0/16', 'cidr')


@pytest.mark.parametrize('value, ok', [(1, True), (65535, True), (0, False), (65536, False),
                                       (True, False), ('80', False), (-1, False)])
def test_integer_range(value, ok):
    if ok:
        assert v.integer_range(value, 'port', 1, 65535) == value
    else:
        with pytest.raises(v.ValidationError, match='^port: '):
            v.integer_range(value, 'port', 1, 65535)


def test_pid_exists():
    assert v.pid_exists(os.getpid()) == os.getpid()
    with pytest.raises(v.ValidationError, match='pid: no running process has pid 4194303'):
        v.pid_exists(4194303)


def test_a_device_name_is_prefix_and_name_when_it_fits_else_a_hash_that_no_name_can_take():
    from ansible_collections.linuxns.net.plugins.module_utils._validate import device_name
    assert device_name('ve-', 'web') == 've-web' and device_name('ve-', 'abcdefghijkl') == 've-abcdefghijkl'
    long = device_name('ve-', 'frontend-web-1')
    assert long == 'vex' + __import__('hashlib').sha256(b'frontend-web-1').hexdigest()[:12] and len(long) == 15
    assert device_name('v1-', 'frontend-web-1')[:3] == 'v1x' and device_name('bw-', 'frontend-web-1')[:3] == 'bwx'
    assert device_name('ve-', 'frontend-web-2') != long  # names apart, devices apart


def _port(host, protocol='tcp', host_ip=None):
    return {'host': host, 'protocol': protocol, 'host_ip': host_ip, 'container': host}


@pytest.mark.parametrize('first, second, clash', [
    (_port(8080), _port(8080), True),
    (_port(8080), _port(8080, 'udp'), False),
    (_port(8080), _port(8081), False),
    (_port(8080, host_ip='10.0.0.1'), _port(8080, host_ip='10.0.0.2'), False),
    (_port(8080, host_ip='10.0.0.1'), _port(8080), True),
    (_port(8080), _port(8080, host_ip='fd00::1'), True),
    (_port('8000-8009'), _port(8005), True),
    (_port(8005), _port('8000-8009'), True),
    (_port('8000-8009'), _port('8009-8020'), True),
    (_port('8000-8009'), _port('8010-8020'), False),
    (_port('8000-8009', host_ip='10.0.0.1'), _port(8003, host_ip='10.0.0.2'), False),
])
def test_host_ports_find_the_owner_of_an_overlapping_port(first, second, clash):
    from ansible_collections.linuxns.net.plugins.module_utils._ports import HostPorts
    ports = HostPorts()
    assert ports.claim(first, 'a') is None
    assert ports.claim(second, 'b') == ('a' if clash else None)

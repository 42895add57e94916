# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible_collections.linuxns.net.plugins.module_utils import _validate as v


@pytest.mark.parametrize('name', ['ns1', 'a', 'x' * 255, 'web-1.prod', 'ünïcode', 'mario2'])
def test_good_netns_names(name):
    assert v.netns_name(name) == name


@pytest.mark.parametrize('name, rule', [
    ('', 'non-empty'), ('.', "must not be '.'"), ('..', "must not be '..'"),
    ('a/b', "'/'"), ('/abs', "'/'"), ('a b', 'whitespace'), ('a\nb', 'whitespace'),
    ('x' * 256, 'longer than 255 bytes'), ('é' * 128, 'longer than 255 bytes'),
    ('nul\0byte', 'NUL'), (None, 'non-empty string'), (3, 'non-empty string'),
])
def test_bad_netns_names_name_the_option_and_rule(name, rule):
    with pytest.raises(v.ValidationError) as err:
        v.netns_name(name, 'name')
    assert str(err.value).startswith('name: ')
    assert rule in str(err.value)
    assert err.value.option == 'name'


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

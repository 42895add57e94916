# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Self-check of firewalls.py: each real firewall starts inside the sandbox,
shows its signature in the kernel, and leaves no process, mount or rule of
its own behind.  (The sandbox's guard checks the root namespace.)"""

import os

import pytest

import firewalls

DAEMONS = ('firewalld', 'dbus-daemon', 'dockerd', 'containerd')


def needs(kind):
    """Skip, with the reason, if a binary the firewall needs is missing."""
    gone = firewalls.missing(kind)
    if gone:
        pytest.skip('not installed: %s (Debian packages: %s)' % (' '.join(gone), ' '.join(firewalls.packages())))


def daemons():
    """Firewall daemons running in this sandbox's network namespace."""
    own, found = os.stat('/proc/self/ns/net').st_ino, []
    for pid in filter(str.isdigit, os.listdir('/proc')):
        try:
            with open('/proc/%s/comm' % pid) as handle:
                name = handle.read().strip()
            if name in DAEMONS and os.stat('/proc/%s/ns/net' % pid).st_ino == own:
                found.append(name)
        except OSError:
            continue  # gone meanwhile
    return sorted(found)


@pytest.fixture
def leaves_nothing():
    """No firewall process and the same mounts (and /run) after the test as before."""
    mounts, run_entries = sorted(firewalls._mount_points()), sorted(os.listdir('/run'))
    assert daemons() == []
    yield
    assert daemons() == []
    assert sorted(firewalls._mount_points()) == mounts
    assert sorted(os.listdir('/run')) == run_entries


def test_refuses_outside_the_sandbox(monkeypatch):
    monkeypatch.setenv('LINUXNS_SANDBOX', '0')
    with pytest.raises(RuntimeError, match='refusing'):
        firewalls.require_sandbox()


def test_firewalld(leaves_nothing):
    needs('firewalld')
    with firewalls.firewalld() as fw:
        print('firewalld started in %.2f s:\n%s' % (fw.start_seconds, firewalls.nft_tables()))
        assert 'table inet firewalld' in firewalls.nft_tables()
        assert fw.cmd('--get-default-zone').strip() == 'public'
        assert os.path.isdir('/run/firewalld')  # the private /run
        fw.reload()
        assert 'table inet firewalld' in firewalls.nft_tables()
        fw.restart()
        assert 'table inet firewalld' in firewalls.nft_tables()
    assert 'firewalld' not in firewalls.nft_tables()
    assert not os.path.exists('/run/firewalld')


def test_ufw(leaves_nothing):
    needs('ufw')
    with firewalls.ufw() as firewall:
        print('ufw enabled:\n%s' % firewalls.nft_tables())
        for _round in ('enabled', 'reloaded'):
            rules = firewalls.iptables_save()
            assert ':INPUT DROP' in rules and ':FORWARD DROP' in rules, rules
            assert '-A ufw-user-input -p tcp -m tcp --dport 22 -j ACCEPT' in rules, rules
            assert ':ufw6-user-input' in firewalls.iptables_save('ip6tables-save')
            if _round == 'enabled':
                firewall.reload()
    for save in ('iptables-save', 'ip6tables-save'):
        rules = firewalls.iptables_save(save)
        assert 'ufw' not in rules and ':INPUT ACCEPT' in rules, rules


def test_dockerd(leaves_nothing):
    needs('dockerd')
    with firewalls.dockerd() as docker:
        print('dockerd started in %.2f s:\n%s' % (docker.start_seconds, firewalls.nft_tables()))
        for _round in ('started', 'restarted'):
            rules = firewalls.iptables_save()
            assert ':FORWARD DROP' in rules and '-A FORWARD -j DOCKER-USER' in rules, rules
            assert os.path.exists('/sys/class/net/docker0')
            if _round == 'started':
                docker.restart()
    rules = firewalls.iptables_save()
    assert 'DOCKER' not in rules and ':FORWARD ACCEPT' in rules, rules
    assert not os.path.exists('/sys/class/net/docker0')


def test_native_nftables():
    needs('nft')
    try:
        firewalls.native_nftables(firewalls.HARDENED)
        assert firewalls.nft_tables().split('\n')[0] == 'table inet filter'
        firewalls.run(['iptables', '-A', 'FORWARD', '-j', 'ACCEPT'])  # makes iptables-nft's table ip filter
        assert 'table ip filter' in firewalls.nft_tables()
        firewalls.nft_reload(firewalls.HARDENED)
        assert firewalls.nft_tables() == 'table inet filter\n'  # `flush ruleset` took ip filter too
    finally:
        firewalls.run(['nft', 'flush', 'ruleset'])


def test_legacy_forward_drop():
    # Last: legacy tables, once made, stay in this sandbox's namespace.
    needs('legacy')
    with firewalls.legacy_forward_drop():
        assert ':FORWARD DROP' in firewalls.iptables_save('iptables-legacy-save')
        assert ':FORWARD DROP' in firewalls.iptables_save('ip6tables-legacy-save')
        assert ':FORWARD DROP' not in firewalls.iptables_save('iptables-save')  # nft side untouched
    for save in ('iptables-legacy-save', 'ip6tables-legacy-save'):
        assert ':FORWARD ACCEPT' in firewalls.iptables_save(save)

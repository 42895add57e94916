# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The roles over real SSH: sshd (Debian's openssh-server) inside each lab
host's namespaces, the controller inside the lab's switch namespace, the only
place that reaches the hosts' underlay.  And the routed underlay: every host
on a subnet of its own behind a router."""

import json
import os
import subprocess
import sys

import pytest

from conftest import PlayResult
from kernel import sh

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAB = os.path.join(REPO, 'scripts', 'lab.py')
SWITCH = ['ip', 'netns', 'exec', 'lab-switch']

pytestmark = pytest.mark.skipif(not os.access('/usr/sbin/sshd', os.X_OK),
                                reason='needs /usr/sbin/sshd (Debian openssh-server; scripts/bootstrap installs it)')


def lab_up(tmp_path, *options):
    directory = str(tmp_path / 'lab')
    subprocess.run([sys.executable, LAB, 'up', '--ssh', '--dir', directory] + list(options), check=True)
    with open(os.path.join(directory, 'lab.json')) as handle:
        return directory, json.load(handle)


def lab_down(directory):
    subprocess.run([sys.executable, LAB, 'down', '--dir', directory], check=True)


@pytest.fixture
def lab(tmp_path):
    directory, state = lab_up(tmp_path, '--hosts', '2', '--containers', '2')
    yield directory, state
    lab_down(directory)


@pytest.fixture
def routed_lab(tmp_path):
    directory, state = lab_up(tmp_path, '--hosts', '2', '--containers', '0', '--underlay', 'routed')
    yield directory, state
    lab_down(directory)


def over_ssh(ansible, directory, playbook):
    """ansible-playbook on the lab's SSH inventory, the controller in lab-switch."""
    ansible.runs += 1
    results = os.path.join(ansible.workdir, 'results%d.jsonl' % ansible.runs)
    command = SWITCH + [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'),
                        '-i', os.path.join(directory, 'inventory-ssh.yml'), os.path.join(REPO, 'playbooks', playbook)]
    proc = subprocess.run(command, env=ansible.env(results), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, timeout=900, check=False)
    records = []
    if os.path.exists(results):  # not when the playbook fails to load
        with open(results) as handle:
            records = [json.loads(line) for line in handle]
    return PlayResult(proc.returncode, proc.stdout, records)


def logins(directory, host):
    """Root logins by key that the host's sshd accepted."""
    with open(os.path.join(directory, host + '.sshd.log')) as handle:
        return [line for line in handle if 'Accepted publickey for root' in line]


def left_of(directory):
    """Processes that still name the lab dir (sshd, ssh control masters)."""
    found = []
    for pid in filter(str.isdigit, os.listdir('/proc')):
        try:
            with open('/proc/%s/cmdline' % pid, 'rb') as handle:
                command = handle.read().replace(b'\0', b' ').decode(errors='replace')
        except OSError:
            continue  # gone meanwhile
        if directory in command and pid != str(os.getpid()):
            found.append(command)
    return found


def test_site_verify_idempotence_over_ssh(ansible, lab):
    directory, state = lab
    run = over_ssh(ansible, directory, 'site.yml')
    assert run.rc == 0 and run.changed, run
    run = over_ssh(ansible, directory, 'verify.yml')
    # dual stack: 4 containers ping 4 containers and the outside host over IPv4 and IPv6 (40);
    # 4 published ports from outside, twice (8); 4 workloads, each c1's sysctl, resolv.conf and
    # hosts, and each c2's bandwidth limits (12); 4 containers resolve 4 by NAME.HOST, their own
    # host's 2 by NAME and the outside's www.example.net (28)
    assert run.rc == 0 and run.task('Fail on any miss')['msg'] == 'all 88 checks passed', run
    run = over_ssh(ansible, directory, 'site.yml')
    assert run.rc == 0 and run.changed == [], run

    # really over SSH: every host's sshd let the controller (lab-br's address) in
    for host in list(state['hosts']) + ['outside']:
        assert logins(directory, host) and all(' from 198.51.100.1 ' in line for line in logins(directory, host))
    assert left_of(directory)  # the sshds are there ...
    lab_down(directory)
    assert not left_of(directory)  # ... and gone with their hosts, with the control masters


def test_routed_underlay(ansible, routed_lab):
    directory, state = routed_lab
    with open(os.path.join(directory, 'inventory.yml')) as handle:
        inventory = json.load(handle)['all']
    hostvars = dict(item for group in inventory['children'].values() for item in group['hosts'].items())
    underlay = [hostvars[name]['cluster_network_underlay_address'] for name in ('host1', 'host2', 'internet')]
    assert underlay == ['198.51.100.10', '198.51.100.18', inventory['vars']['lab_outside_address']]

    # host1 is alone on its /29: host2 is reached through the router (ttl 63)
    enter = 'nsenter --target %d --net ' % state['hosts']['host1']
    assert [line.split() for line in sh(enter + 'ip route').splitlines()] == [
        'default via 198.51.100.9 dev eth0'.split(), '198.51.100.8/29 dev eth0 proto kernel scope link src 198.51.100.10'.split()]
    assert 'ttl=63' in sh(enter + 'ping -c 1 -W 1 198.51.100.18')
    # SSH reaches every host of a routed lab from the router, by hand and by the SSH inventory
    for name in ('host1', 'host2', 'outside'):
        command = SWITCH + ['ssh', '-F', os.path.join(directory, 'ssh_config'), name, 'hostname']
        assert subprocess.run(command, stdout=subprocess.PIPE, universal_newlines=True, check=True).stdout == name + '\n'
    command = SWITCH + [os.path.join(os.path.dirname(sys.executable), 'ansible'), 'all', '-m', 'ansible.builtin.ping',
                        '-i', os.path.join(directory, 'inventory-ssh.yml')]
    proc = subprocess.run(command, env=ansible.env(), stdout=subprocess.PIPE, universal_newlines=True, check=False)
    assert proc.returncode == 0 and proc.stdout.count(' | SUCCESS') == 3, proc.stdout

# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The built-in lab: N simulated hosts on one machine.

  .venv/bin/python scripts/lab.py up [--hosts N] [--containers K] [--underlay l2|routed] [--ssh] [--firewall nftables|firewalld|ufw|docker] [--dir DIR]
                                                   bring a lab up, write DIR/inventory.yml (with --ssh also DIR/inventory-ssh.yml)
  .venv/bin/python scripts/lab.py reboot HOST [--no-boot] [--dir DIR]
                                                   power-cycle one host: its namespaces, links, rules,
                                                   processes and cgroups are gone, its disk stays; then
                                                   run its enabled boot units, as systemd would
  .venv/bin/python scripts/lab.py down [--dir DIR] tear it down

Each host is a long-lived process in its own network, mount, UTS and pid
namespaces (made by `unshare`; the recorded pid, the host's init, holds them),
with a private /run/netns, sysfs remounted, and its own /etc/hosts and
/etc/resolv.conf.  Its "disk" is DIR/NAME.disk: state/ is its
/var/lib/linuxns and units/ its /etc/systemd/system, so both outlive a reboot.  Its eth0 is a veth into the `lab-switch`
namespace.  An extra host `outside` (198.51.100.250) stands for the rest of
the world; with Debian's dnsmasq it is also the lab's DNS server, which
answers www.example.net as the world's DNS would.  Ansible reaches the hosts through the linuxns.net.nsenter
connection (inventory.yml).

The lab is dual stack: every underlay address has an IPv6 twin in
2001:db8:5100::/64 whose last group is the IPv4 address's last number (in
hex), and the inventory sets cluster_network_cidr6 (fd00:10:244::/48).

--underlay l2 (the default): lab-switch's bridge lab-br joins all hosts on
198.51.100.0/24; host N is 198.51.100.(10+N).
--underlay routed: lab-switch is a router instead, and each host is alone on
its own link subnet, a /29 of 198.51.100.0/24: host N is 198.51.100.(8N+2)/29
with a default route via 198.51.100.(8N+1) (IPv6: a /125, the same numbers);
outside is 198.51.100.250/29 via .249.  Hosts on different L2 segments, as for a VXLAN overlay; at most 30.

--ssh: each host also runs Debian's sshd on its underlay address, port 22
(root by key only; keys, configs, pid files and logs in DIR), and
--firewall nftables: every cluster host loads a hardened nftables ruleset
(forward and input policy drop) before anything else, as nftables.service
does, and the inventory names its forward and input chains
(container_host_host_firewall).
--firewall firewalld: every cluster host runs a firewalld of its own (zone
public; IPv6_rpfilter off, see README "Host firewalls"), started by
tests/integration/firewalls.py inside the host's namespaces.
--firewall ufw: every cluster host has ufw enabled (deny incoming and routed;
ssh and the VXLAN port allowed); --firewall docker: every cluster host runs a
dockerd (iptables on: FORWARD policy DROP, DOCKER-USER).  Both the same way.

DIR/inventory-ssh.yml reaches the same hosts over real SSH.  Only lab-switch
reaches the underlay (in l2 mode lab-br gets 198.51.100.1/24), so the
controller runs there:

  ip netns exec lab-switch ansible-playbook -i DIR/inventory-ssh.yml playbooks/site.yml
  ip netns exec lab-switch ssh -F DIR/ssh_config host1

It must run inside tests/sandbox: it creates namespaces and links, which must
never touch the machine's own network.
"""

import argparse
import copy
import hashlib
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time

SUBNET = '198.51.100'
SWITCH = 'lab-switch'
OUTSIDE_ADDRESS = SUBNET + '.250'
# The name the outside's DNS server (Debian's dnsmasq, when installed) answers,
# as the world's DNS would: the containers resolve it through their resolvers.
UPSTREAM_NAME = 'www.example.net'
CONTROLLER_ADDRESS = SUBNET + '.1'  # lab-br's, in l2 mode with --ssh
ROUTED_PREFIX = 29
ROUTED_MAX_HOSTS = 30  # /29 number 31 (.248) is outside's, so outside is .250 in both modes
# The underlay is dual stack: each address has an IPv6 twin in the documentation
# prefix, the IPv4 address's last number as its last (a /125 for a routed /29).
SUBNET6 = '2001:db8:5100::'
ROUTED_PREFIX6 = 125
CLUSTER_CIDR6 = 'fd00:10:244::/48'
DEFAULT_DIR = '/tmp/linuxns-lab'
CLUSTER_CIDR = '10.244.0.0/16'
# A second network across the cluster, isolated from the default one except
# that the default network's containers may reach its containers.
BACK_NETWORK = {'name': 'back', 'bridge': 'cbr1', 'cidr': '10.245.0.0/16', 'cidr6': 'fd00:10:245::/48', 'allow': ['default']}
CGROUP_PARENT = 'linuxns-lab'
SSHD = '/usr/sbin/sshd'
UNIT_DIR = '/etc/systemd/system'
# The demo workload: accepts TCP connections on port 80 and closes them (light
# enough for 100 containers on 2 cores).  One IPv6 socket takes both families (IPv4 as mapped addresses).
RESPONDER = ('import socket; s = socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); '
             "s.bind(('::', 80)); s.listen(64); [c.close() for c, a in iter(s.accept, None)]")

HOST_SETUP = '''
set -e
mount -t tmpfs lab-netns /run/netns
mkdir -p {dir}/{name}.disk/state {dir}/{name}.disk/units {dir}/{name}.disk/netns /etc/netns
mount --bind {dir}/{name}.disk/state /var/lib/linuxns
mount --bind {dir}/{name}.disk/netns /etc/netns
if [ -d /etc/systemd/system ]; then mount --bind {dir}/{name}.disk/units /etc/systemd/system; fi
mount --bind {dir}/{name}.hosts /etc/hosts
mount --bind {dir}/resolv.conf /etc/resolv.conf
if mountpoint -q /sys/fs/cgroup; then
    keep=$(mktemp -d /run/netns/.cgroup.XXXXXX)
    mount --rbind /sys/fs/cgroup "$keep"
    mount -t sysfs sysfs /sys
    mount --move "$keep" /sys/fs/cgroup
    rmdir "$keep"
else
    mount -t sysfs sysfs /sys
fi
hostname {name}
ip link set lo up
touch {dir}/{name}.ready
exec sleep infinity
'''

# StrictModes off: the lab dir may lie under /tmp, which sshd calls unsafe for
# authorized keys.  No PAM and no DNS: nothing to wait for.
SSHD_CONFIG = '''# sshd of lab host {name}
ListenAddress {address}:22
HostKey {dir}/{name}.host_key
PidFile {dir}/{name}.sshd.pid
AuthorizedKeysFile {dir}/id_ed25519.pub
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
UseDNS no
StrictModes no
PrintMotd no
PrintLastLog no
Subsystem sftp internal-sftp
'''

SSH_CONFIG = '''# ssh -F {dir}/ssh_config host1, from the lab-switch namespace
{aliases}Host *
    User root
    IdentityFile {dir}/id_ed25519
    IdentitiesOnly yes
    UserKnownHostsFile {dir}/known_hosts
    GlobalKnownHostsFile /dev/null
    StrictHostKeyChecking yes
    BatchMode yes
'''


def run(*command):
    subprocess.run(command, check=True)


def layout(count, underlay):
    """[(name, address, router)] of host1..N and outside; router None on the l2 switch."""
    if underlay == 'l2':
        return [('host%d' % n, '%s.%d' % (SUBNET, 10 + n), None) for n in range(1, count + 1)] + [
            ('outside', OUTSIDE_ADDRESS, None)]
    links = [('host%d' % n, 8 * n) for n in range(1, count + 1)] + [('outside', 8 * (ROUTED_MAX_HOSTS + 1))]
    return [(name, '%s.%d' % (SUBNET, base + 2), '%s.%d' % (SUBNET, base + 1)) for name, base in links]


def start_switch(underlay, ssh):
    run('ip', 'netns', 'add', SWITCH)
    if underlay == 'l2':
        run('ip', '-n', SWITCH, 'link', 'add', 'lab-br', 'type', 'bridge')
        run('ip', '-n', SWITCH, 'link', 'set', 'lab-br', 'up')
    run('ip', '-n', SWITCH, 'link', 'set', 'lo', 'up')
    if underlay == 'l2' and ssh:
        run('ip', '-n', SWITCH, 'addr', 'add', CONTROLLER_ADDRESS + '/24', 'dev', 'lab-br')
    if underlay == 'routed':
        # lab-switch's own sysctl (ip netns exec): the router between the link subnets
        run('ip', 'netns', 'exec', SWITCH, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1')


def start_host(lab_dir, name):
    ready = os.path.join(lab_dir, name + '.ready')
    if os.path.exists(ready):  # left by this host's previous boot
        os.unlink(ready)
    with open(os.path.join(lab_dir, name + '.hosts'), 'w') as handle:
        handle.write('127.0.0.1 localhost %s\n::1 localhost\n' % name)
    # A pid namespace too, so that everything started on the host (workloads)
    # dies with it: unshare forks the host's init and kills it when killed.
    proc = start_until_ready(['unshare', '--net', '--mount', '--uts', '--pid', '--fork', '--kill-child', '--mount-proc',
                              '--propagation', 'private', '--', 'sh', '-c', HOST_SETUP.format(dir=lab_dir, name=name)],
                             os.path.join(lab_dir, name + '.log'), ready, 10, 'host %s' % name)
    with open('/proc/%d/task/%d/children' % (proc.pid, proc.pid)) as handle:
        init = int(handle.read().split()[0])  # the host's pid 1, holder of all its namespaces
    return proc.pid, init


def address6(address):
    """The IPv6 twin of an underlay address."""
    return '%s%x' % (SUBNET6, int(address.rsplit('.', 1)[1]))


def nic_mac(address):
    """eth0's MAC, from its IPv4 address: the same after a reboot, as a real
    NIC's.  (A new one would leave the other hosts' neighbour entries for
    the old one, IPv6's for up to a minute, while they are not refreshed.)"""
    return '02:6c:%02x:%02x:%02x:%02x' % tuple(int(octet) for octet in address.split('.'))


def plug(pid, name, address, router):
    """eth0 of the host: a port of the switch bridge, or a link of its own
    to the router; IPv4 and IPv6 (no duplicate address detection to wait for)."""
    port = 'p-' + name[:13]
    prefix = '/24' if router is None else '/%d' % ROUTED_PREFIX
    prefix6 = '/64' if router is None else '/%d' % ROUTED_PREFIX6
    run('ip', '-n', SWITCH, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'address', nic_mac(address),
        'netns', str(pid))
    if router is None:
        run('ip', '-n', SWITCH, 'link', 'set', port, 'master', 'lab-br', 'up')
    else:
        run('ip', '-n', SWITCH, 'addr', 'add', router + prefix, 'dev', port)
        run('ip', '-n', SWITCH, 'addr', 'add', address6(router) + prefix6, 'dev', port, 'nodad')
        run('ip', '-n', SWITCH, 'link', 'set', port, 'up')
    enter = ['nsenter', '--target', str(pid), '--net', '--']
    run(*(enter + ['ip', 'addr', 'add', address + prefix, 'dev', 'eth0']))
    run(*(enter + ['ip', 'addr', 'add', address6(address) + prefix6, 'dev', 'eth0', 'nodad']))
    run(*(enter + ['ip', 'link', 'set', 'eth0', 'up']))
    if router is not None:
        run(*(enter + ['ip', 'route', 'add', 'default', 'via', router]))
        run(*(enter + ['ip', '-6', 'route', 'add', 'default', 'via', address6(router)]))


def check_ssh():
    """Fail before anything is made when sshd could not let root in."""
    if not os.access(SSHD, os.X_OK) or not shutil.which('ssh-keygen'):
        raise SystemExit('lab: --ssh needs %s and ssh-keygen (Debian: openssh-server; scripts/bootstrap installs it)' % SSHD)
    with open('/etc/shadow') as handle:
        root = next((line for line in handle if line.startswith('root:')), 'root::')
    if root.split(':')[1].startswith('!'):
        raise SystemExit("lab: --ssh: root's account is locked ('!' in /etc/shadow); sshd without PAM refuses it even by key")


def keygen(path, comment):
    """A new ed25519 key pair at path and path.pub; returns the public key."""
    run('ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path)
    with open(path + '.pub') as handle:
        return handle.read().strip()


def start_sshd(lab_dir, name, pid, address):
    """sshd inside the host's namespaces; returns its known_hosts line.
    A rebooted host keeps its host key."""
    base = os.path.join(lab_dir, name)
    if os.path.exists(base + '.host_key.pub'):
        with open(base + '.host_key.pub') as handle:
            host_key = handle.read().strip()
        if os.path.exists(base + '.sshd.pid'):  # left by the sshd that died with the host
            os.unlink(base + '.sshd.pid')
    else:
        host_key = keygen(base + '.host_key', 'linuxns-lab ' + name)
    with open(base + '.sshd_config', 'w') as handle:
        handle.write(SSHD_CONFIG.format(dir=lab_dir, name=name, address=address))
    # sshd daemonizes inside the host's pid namespace (nsenter --pid), so it dies with the host
    run('nsenter', '--target', str(pid), '--net', '--mount', '--uts', '--pid', '--',
        SSHD, '-f', base + '.sshd_config', '-E', base + '.sshd.log')
    deadline = time.time() + 10
    while not os.path.exists(base + '.sshd.pid'):  # written once it listens
        if time.time() > deadline:
            raise SystemExit('lab: sshd of %s did not start; see %s.sshd.log' % (name, base))
        time.sleep(0.01)
    return '%s %s\n' % (address, host_key)


def start_ssh(lab_dir, hosts):
    """A client key, an sshd per host (all of hosts: [(name, pid, address)]), known_hosts and ssh_config."""
    os.makedirs('/run/sshd', mode=0o755, exist_ok=True)  # sshd's privilege separation dir (the machine's /run)
    keygen(os.path.join(lab_dir, 'id_ed25519'), 'linuxns-lab controller')
    known = [start_sshd(lab_dir, name, pid, address) for name, pid, address in hosts]
    with open(os.path.join(lab_dir, 'known_hosts'), 'w') as handle:
        handle.writelines(known)
    aliases = ''.join('Host %s\n    HostName %s\n' % (name, address) for name, _pid, address in hosts)
    with open(os.path.join(lab_dir, 'ssh_config'), 'w') as handle:
        handle.write(SSH_CONFIG.format(dir=lab_dir, aliases=aliases))


def containers_of(index, count):
    """Demo containers: each answers TCP on port 80, published on the host as
    808N; c1 also has a sysctl, a resolv.conf and a hosts file of its own,
    c2 bandwidth limits and a second interface on the network `back`, and c3
    is on `back` only (which lets the default network's containers in, not
    the other way: c3 reaches no container of the default network)."""
    containers = [{'name': 'c%d' % n, 'ports': [{'host': 8080 + n, 'container': 80}],
                   'limits': {'cpu': '0.5', 'memory': '64M', 'pids_max': '64'},
                   'command': '%s -c %s' % (sys.executable, shlex.quote(RESPONDER))}
                  for n in range(1, count + 1)]
    if len(containers) > 1:
        containers[1].update(bandwidth={'ingress_rate': '100mbit', 'egress_rate': '50mbit', 'egress_burst': '64kb'})
    if len(containers) > 2:
        containers[1].update(networks=['default', 'back'])
        containers[2].update(networks=['back'])
    if containers:
        containers[0].update(sysctls={'net.ipv4.conf.all.rp_filter': 2},
                             dns={'nameservers': [OUTSIDE_ADDRESS], 'search': ['host%d.lab.internal' % index],
                                  'options': ['ndots:1']},
                             hosts=[{'address': OUTSIDE_ADDRESS, 'names': ['outside']}])
    return containers


def cgroup_parent(lab_dir):
    """The lab's own cgroup parent: cgroups are machine-wide, and two labs
    (two test runs) must never remove each other's."""
    return '%s/%s' % (CGROUP_PARENT, hashlib.sha1(lab_dir.encode()).hexdigest()[:10])


# --firewall nftables: every cluster host runs a hardened /etc/nftables.conf, as
# a careful admin writes it: nothing in but ssh, the VXLAN overlay and ICMP
# (IPv6 needs its neighbour discovery), nothing forwarded.  The roles let the
# bridges through the forward chain it names (container_host_host_firewall).
HARDENED_NFTABLES = '''flush ruleset
table inet filter {
    chain input {
        type filter hook input priority 0; policy drop;
        ct state established,related accept
        iif "lo" accept
        meta l4proto { icmp, ipv6-icmp } accept
        tcp dport 22 accept
        udp dport 4789 accept
    }
    chain forward { type filter hook forward priority 0; policy drop; }
    chain output { type filter hook output priority 0; policy accept; }
}
'''
FIREWALLS = {'none': None, 'nftables': HARDENED_NFTABLES, 'firewalld': None, 'ufw': None, 'docker': None}
# --firewall firewalld|ufw|docker: every cluster host runs a firewalld of its own (zone
# public, with its own system bus, private /run and /etc/firewalld), an enabled ufw
# (deny incoming and routed; ssh and the VXLAN port allowed) or a dockerd (FORWARD
# DROP, DOCKER-USER), each in the host's own namespaces: tests/integration/firewalls.py.
SERVED = ('firewalld', 'ufw', 'docker')
FIREWALL_HARNESS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'tests', 'integration',
                                'firewalls.py')


def load_firewall(lab_dir, name, pid, firewall):
    """What the host's firewall unit does at boot, before our units: load
    the ruleset (nftables.service), or start firewalld in the host's own
    namespaces (its pid namespace: it dies with the host)."""
    if FIREWALLS[firewall]:
        subprocess.run(['nsenter', '--target', str(pid), '--net', '--', 'nft', '-f', '-'], input=FIREWALLS[firewall],
                       universal_newlines=True, check=True)
    if firewall not in SERVED:
        return
    ready = os.path.join(lab_dir, '%s.%s' % (name, firewall))
    if os.path.exists(ready):
        os.unlink(ready)
    start_until_ready(['nsenter', '--target', str(pid), '--net', '--mount', '--uts', '--pid', '--',
                       'env', 'LINUXNS_SANDBOX=1', 'LINUXNS_LAUNCHER_NS=%d:%d' % (
                           os.stat('/proc/self/ns/net').st_ino, os.stat('/proc/self/ns/mnt').st_ino),
                       sys.executable, FIREWALL_HARNESS, firewall, ready],
                      os.path.join(lab_dir, '%s.%s.log' % (name, firewall)), ready, 60, '%s of %s' % (firewall, name))


def start_dns(lab_dir, pid, address):
    """The outside host's DNS server, in its namespaces (it dies with the
    host), answering UPSTREAM_NAME and nothing else; none without dnsmasq.
    In the foreground, as nsenter's child: a daemonizing dnsmasq leaves its
    first process a zombie under the host's init (`sleep`, which reaps none)."""
    if not shutil.which('dnsmasq'):
        return
    with open(os.path.join(lab_dir, 'outside.dnsmasq.log'), 'a') as log:
        subprocess.Popen(['nsenter', '--target', str(pid), '--net', '--mount', '--uts', '--pid', '--',
                          'dnsmasq', '--keep-in-foreground', '--conf-file=/dev/null', '--no-resolv', '--no-hosts',
                          '--bind-interfaces', '--listen-address=' + address,
                          '--host-record=%s,%s' % (UPSTREAM_NAME, address), '--pid-file=' + os.path.join(lab_dir, 'outside.dnsmasq.pid'),
                          '--log-facility=-'], stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def start_until_ready(argv, log_path, ready, seconds, what):
    """Start a process that outlives lab.py (its output to a file: it must
    not hold lab.py's stdout or stderr open) and wait for its `ready` file."""
    with open(log_path, 'a') as log:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    deadline = time.time() + seconds
    while not os.path.exists(ready):
        if proc.poll() is not None or time.time() > deadline:
            raise SystemExit('lab: %s did not start; see %s' % (what, log_path))
        time.sleep(0.01)
    return proc


def inventory(hosts, outside, count, lab_dir, firewall='none'):
    """hosts: [(name, pid, address)] of the cluster; outside: (pid, address)."""
    cluster = {}
    for index, (name, pid, address) in enumerate(hosts, start=1):
        cluster[name] = {
            'linuxns_lab_pid': pid,
            'cluster_network_underlay_address': address,
            'cluster_network_underlay_address6': address6(address),
            'cluster_network_host_subnet': '10.244.%d.0/24' % index,
            'cluster_network_host_subnet6': 'fd00:10:244:%x::/64' % index,
            'containers_list': containers_of(index, count),
            # cgroups are machine-wide, not per lab host: give each host its own parent
            'containers_cgroup_parent': '%s/%s' % (cgroup_parent(lab_dir), name),
            # the boot unit goes to the host's own units/ (its disk), not the machine's
            'containers_boot_unit_dir': UNIT_DIR if os.path.isdir(UNIT_DIR) else '/var/lib/linuxns/units',
        }
    return {'all': {
        'vars': {'ansible_connection': 'linuxns.net.nsenter', 'ansible_python_interpreter': sys.executable,
                 'cluster_network_cidr': CLUSTER_CIDR, 'cluster_network_cidr6': CLUSTER_CIDR6,
                 'cluster_network_networks': [BACK_NETWORK],
                 'lab_outside_address': outside[1], 'lab_outside_address6': address6(outside[1]),
                 'lab_shared_kernel': True}  # one neighbour table for all hosts: verify paces its probes
        | ({'lab_upstream_names': {UPSTREAM_NAME: outside[1]}} if shutil.which('dnsmasq') else {})
        | ({'container_host_host_firewall': {'family': 'inet', 'table': 'filter', 'chain': 'forward', 'input_chain': 'input'}}
           if firewall == 'nftables' else {}),
        'children': {
            'cluster': {'hosts': cluster},
            'outside': {'hosts': {'internet': {
                'linuxns_lab_pid': outside[0], 'cluster_network_underlay_address': outside[1],
                'cluster_network_underlay_address6': address6(outside[1])}}},
        },
    }}


def ssh_inventory(plain, lab_dir):
    """The same hosts and vars, reached over SSH at their underlay addresses."""
    result = copy.deepcopy(plain)
    result['all']['vars'].update({
        'ansible_connection': 'ssh',
        'ansible_user': 'root',
        'ansible_ssh_private_key_file': os.path.join(lab_dir, 'id_ed25519'),
        'ansible_ssh_common_args': '-F ' + shlex.quote(os.path.join(lab_dir, 'ssh_config')),
        # one SSH command per task, not four (each runs root's login shell); files still go by sftp
        'ansible_pipelining': True,
        # control sockets of this lab only: another lab's hosts have the same addresses
        'ansible_control_path_dir': os.path.join(lab_dir, 'cp'),
    })
    for group in result['all']['children'].values():
        for hostvars in group['hosts'].values():
            hostvars['ansible_host'] = hostvars['cluster_network_underlay_address']
    return result


def up(args):
    if not os.environ.get('LINUXNS_SANDBOX'):
        raise SystemExit('lab: run inside tests/sandbox (it creates namespaces and links)')
    if os.path.exists(os.path.join(args.dir, 'lab.json')):
        raise SystemExit('lab: %s already holds a lab; run "scripts/lab.py down" first' % args.dir)
    if args.ssh:
        check_ssh()
    started = time.time()
    os.makedirs(args.dir, exist_ok=True)
    os.makedirs('/var/lib/linuxns', exist_ok=True)
    with open(os.path.join(args.dir, 'resolv.conf'), 'w') as handle:
        handle.write('# the outside host\'s DNS server\nnameserver %s\noptions timeout:1 attempts:2\n' % OUTSIDE_ADDRESS
                     if shutil.which('dnsmasq') else '# lab hosts resolve nothing: no DNS server to wait for\n')
    start_switch(args.underlay, args.ssh)
    hosts, leaders = [], []
    for name, address, router in layout(args.hosts, args.underlay):
        leader, pid = start_host(args.dir, name)
        plug(pid, name, address, router)
        hosts.append((name, pid, address))
        leaders.append(leader)
    cluster, outside = hosts[:-1], hosts[-1][1:]
    start_dns(args.dir, *outside)
    for name, pid, _address in cluster:
        load_firewall(args.dir, name, pid, args.firewall)
    state = {'hosts': dict((name, pid) for name, pid, _address in cluster), 'outside': outside[0], 'leaders': leaders,
             'links': dict((name, [address, router]) for name, address, router in layout(args.hosts, args.underlay)),
             'ssh': args.ssh, 'firewall': args.firewall}
    with open(os.path.join(args.dir, 'lab.json'), 'w') as handle:
        json.dump(state, handle)
    plain = inventory(cluster, outside, args.containers, args.dir, args.firewall)
    with open(os.path.join(args.dir, 'inventory.yml'), 'w') as handle:
        json.dump(plain, handle, indent=2)  # JSON is YAML
    if args.ssh:
        start_ssh(args.dir, hosts)
        with open(os.path.join(args.dir, 'inventory-ssh.yml'), 'w') as handle:
            json.dump(ssh_inventory(plain, args.dir), handle, indent=2)
    print('lab: %d hosts and outside up in %.1f s; inventory %s%s'
          % (args.hosts, time.time() - started, os.path.join(args.dir, 'inventory.yml'),
             ' and (from lab-switch) inventory-ssh.yml' if args.ssh else ''))


def remove_cgroups(lab_dir, host=None):
    """This lab's cgroups (their processes died with the hosts), then the
    shared top if no other lab uses it; with `host`, that host's only."""
    with open('/proc/self/mountinfo') as handle:
        mounts = [line.split()[4] for line in handle if ' - cgroup' in line]
    for mount in mounts:
        top = os.path.join(mount, cgroup_parent(lab_dir))
        top = os.path.join(top, host) if host else top
        for root, _dirs, _files in sorted(os.walk(top), key=lambda entry: -entry[0].count('/')):
            try:
                os.rmdir(root)
            except OSError as exc:
                print('lab: could not remove cgroup %s: %s' % (root, exc))
        if host:
            continue
        try:
            os.rmdir(os.path.join(mount, CGROUP_PARENT))
        except OSError:
            pass  # another lab's groups are still there, or it never existed


def power_off(leaders, inits, masters=None):
    """Kill hosts and wait until they are gone."""
    for leader in leaders:
        try:
            # unshare ignores SIGTERM; --kill-child takes the host's pid namespace along (sshd too)
            os.kill(leader, signal.SIGKILL)
        except ProcessLookupError:
            pass
    deadline = time.time() + 5
    while time.time() < deadline and (any(os.path.exists('/proc/%d' % pid) for pid in inits)
                                      or masters and os.path.isdir(masters) and os.listdir(masters)):
        time.sleep(0.05)


def down(args):
    path = os.path.join(args.dir, 'lab.json')
    if os.path.exists(path):
        with open(path) as handle:
            state = json.load(handle)
        # Ansible's SSH control masters (--ssh) end when the sshds die
        power_off(state['leaders'], list(state['hosts'].values()) + [state['outside']], os.path.join(args.dir, 'cp'))
    subprocess.run(['ip', 'netns', 'delete', SWITCH], stderr=subprocess.DEVNULL, check=False)
    remove_cgroups(args.dir)
    shutil.rmtree(args.dir, ignore_errors=True)
    print('lab: down')


def reboot(args):
    """Power-cycle one host, then boot it: run its enabled units as systemd would."""
    path = os.path.join(args.dir, 'lab.json')
    with open(path) as handle:
        state = json.load(handle)
    if args.host not in state['hosts']:
        raise SystemExit('lab: no cluster host %r (hosts: %s)' % (args.host, ', '.join(state['hosts'])))
    index = list(state['hosts']).index(args.host)
    power_off([state['leaders'][index]], [state['hosts'][args.host]])
    remove_cgroups(args.dir, args.host)  # a reboot starts with no cgroups
    leader, pid = start_host(args.dir, args.host)
    address, router = state['links'][args.host]
    plug(pid, args.host, address, router)
    load_firewall(args.dir, args.host, pid, state.get('firewall', 'none'))
    if state['ssh']:
        start_sshd(args.dir, args.host, pid, address)
    state['hosts'][args.host], state['leaders'][index] = pid, leader
    with open(path, 'w') as handle:
        json.dump(state, handle)
    for name in ('inventory.yml', 'inventory-ssh.yml'):
        if os.path.exists(os.path.join(args.dir, name)):
            with open(os.path.join(args.dir, name)) as handle:
                inv = json.load(handle)
            inv['all']['children']['cluster']['hosts'][args.host]['linuxns_lab_pid'] = pid
            with open(os.path.join(args.dir, name), 'w') as handle:
                json.dump(inv, handle, indent=2)
    print('lab: %s rebooted (pid %d)' % (args.host, pid))
    if not args.no_boot:
        boot(args.dir, args.host, pid)


def boot(lab_dir, name, pid):
    """Run the host's units enabled for multi-user.target (Environment= and
    ExecStart= of each), inside the host, as systemd would at boot: the
    oneshot ones to the end first, then the long-running ones (Type=simple,
    the watch unit) in the background, in the host's pid namespace, so they
    go with it; their output goes to DIR/HOST.UNIT.log."""
    wants = os.path.join(lab_dir, name + '.disk', 'units', 'multi-user.target.wants')
    units = [unit_lines(os.path.join(wants, unit)) + (unit,) for unit in sorted(os.listdir(wants))] if os.path.isdir(wants) else []
    for service, environment, command, unit in sorted(units, key=lambda u: u[0] == 'simple'):
        print('lab: %s boot: %s: %s' % (name, unit, ' '.join(environment + command)))
        argv = ['nsenter', '--target', str(pid), '--net', '--mount', '--uts', '--pid', '--',
                'env', '-i', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin'] + environment + command
        if service != 'simple':
            run(*argv)
            continue
        with open(os.path.join(lab_dir, '%s.%s.log' % (name, unit)), 'a') as log:
            subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def unit_lines(path):
    """(Type=, [Environment= values], ExecStart= argv) of a unit."""
    service, environment, command = 'simple', [], None
    with open(path) as handle:
        for line in handle:
            key, _sep, value = line.strip().partition('=')
            if key == 'Type':
                service = value
            elif key == 'Environment':
                environment.append(value)
            elif key == 'ExecStart':
                command = shlex.split(value)
    return service, environment, command


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('command', choices=['up', 'down', 'reboot'])
    parser.add_argument('host', nargs='?', help='the host to reboot')
    parser.add_argument('--no-boot', action='store_true', help='reboot: do not run the boot units')
    parser.add_argument('--hosts', type=int, default=3)
    parser.add_argument('--containers', type=int, default=3, help='demo containers per host')
    parser.add_argument('--underlay', choices=['l2', 'routed'], default='l2',
                        help='l2: all hosts on one bridge; routed: each host on its own subnet behind a router')
    parser.add_argument('--ssh', action='store_true', help='also run sshd on every host and write inventory-ssh.yml')
    parser.add_argument('--firewall', choices=sorted(FIREWALLS), default='none',
                        help='nftables: every cluster host runs a hardened nftables ruleset (forward policy drop); '
                             'firewalld: every cluster host runs firewalld (zone public); ufw: ufw enabled (deny '
                             'incoming and routed); docker: a dockerd (FORWARD policy DROP)')
    parser.add_argument('--dir', default=DEFAULT_DIR)
    args = parser.parse_intermixed_args()
    args.dir = os.path.abspath(args.dir)  # sshd wants absolute paths, nsenter --mount starts in /
    if not 1 <= args.hosts <= 200:
        raise SystemExit('lab: --hosts must be 1-200')
    if args.underlay == 'routed' and args.hosts > ROUTED_MAX_HOSTS:
        raise SystemExit('lab: --underlay routed gives each host a /%d of %s.0/24: --hosts must be 1-%d'
                         % (ROUTED_PREFIX, SUBNET, ROUTED_MAX_HOSTS))
    if (args.command == 'reboot') != bool(args.host):
        raise SystemExit('lab: name one host, and only with reboot')
    {'up': up, 'down': down, 'reboot': reboot}[args.command](args)


if __name__ == '__main__':
    main()

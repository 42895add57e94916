# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What each contender of bench/run does: write its inputs into a run
directory and say which commands to time, and how to check the result.

Runs inside a fresh namespace (bench/freshns).  Every W contender builds the
same network: N containers c1..cN, each a network namespace with a veth pair
(host end on bridge cbr0, eth0 inside), an address from 10.88.0.0/16 (the
gateway 10.88.0.1/16 is on the bridge), a default route via the gateway, and
host port 10000+i published (DNAT) to port 80 of container i."""

import ipaddress
import json
import os
import re
import subprocess
import sys

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYTHON = sys.executable  # the venv's: pyroute2 and ansible-core live there
PLAYBOOK = os.path.join(os.path.dirname(PYTHON), 'ansible-playbook')
MODULE = os.path.join(REPO, 'plugins', 'modules', 'container_network.py')
CNI_PATH = '/usr/lib/cni'
BRIDGE = 'cbr0'
SUBNET = '10.88.0.0/16'
GATEWAY = '10.88.0.1'
# Lab workloads: hosts, containers per host, the steps in order; -f covers every host at once.
LABS = {'lab-3x3': (3, 3, ('apply', 'noop')), 'lab-10x20': (10, 20, ('converge', 'noop', 'verify'))}


class Step:
    """One timed command.  ansible: a playbook run, whose recap is read;
    unchanged: it must report changed=0; check: the state is checked after it."""

    def __init__(self, contender, argv, ansible=False, unchanged=False, check=False):
        self.contender = contender
        self.argv = argv
        self.ansible = ansible
        self.unchanged = unchanged
        self.check = check


class Scenario:
    """The steps of one run, in order, on one fresh host; check() returns a
    problem (str) or None; setup and teardown are not timed."""

    def __init__(self, steps, check=None, setup=None, teardown=None):
        self.steps = steps
        self.check = check or (lambda: None)
        self.setup = setup or (lambda: None)
        self.teardown = teardown or (lambda: None)


def containers(count):
    """[(name, address, host port)]: c1 10.88.0.2 10001, c2 10.88.0.3 10002, ..."""
    gateway = ipaddress.ip_address(GATEWAY)
    return [('c%d' % i, str(gateway + i), 10000 + i) for i in range(1, count + 1)]


def write_play(rundir, name, tasks, variables=None):
    """A playbook on localhost (connection local, no facts) whose data comes
    from a vars file as plain lists: no Jinja loops, only one reference each."""
    play = {'name': 'bench ' + name, 'hosts': 'localhost', 'connection': 'local', 'gather_facts': False,
            'vars': {'ansible_python_interpreter': PYTHON}, 'tasks': tasks}
    if variables:
        vars_path = os.path.join(rundir, name + '.vars.json')  # JSON is YAML, and the fastest to load
        with open(vars_path, 'w') as handle:
            json.dump(variables, handle)
        play['vars_files'] = [vars_path]
    path = os.path.join(rundir, name + '.yml')
    with open(path, 'w') as handle:
        yaml.safe_dump([play], handle, sort_keys=False)
    return path


def linuxns(count, rundir, name='linuxns', backend='iptables'):
    """Converge from empty with one task of linuxns.net.container_network,
    then the same again (no-op) and with --check; its rules with `backend`."""
    items = [{'name': c, 'address': address, 'ports': [{'host': port, 'container': 80, 'protocol': 'tcp'}]}
             for c, address, port in containers(count)]
    task = {'name': 'Container network', 'linuxns.net.container_network': {
        'bridge': BRIDGE, 'subnet': SUBNET, 'containers': '{{ bench_containers }}', 'firewall_backend': backend,
        'state_dir': os.path.join(rundir, 'state'), 'cgroup_parent': 'linuxns-bench'}}
    play = write_play(rundir, name, [task], {'bench_containers': items})
    return Scenario([Step(name, [PLAYBOOK, play], ansible=True, check=True),
                     Step(name + '-noop', [PLAYBOOK, play], ansible=True, unchanged=True, check=True),
                     Step(name + '-check', [PLAYBOOK, play, '--check'], ansible=True, unchanged=True)],
                    check=lambda: check_network(count))


def linuxns_nft(count, rundir):
    """The same with the native nftables backend: one nft transaction."""
    return linuxns(count, rundir, 'linuxns-nft', 'nftables')


def module_rules(count):
    rules = [{'kind': 'masquerade', 'source': SUBNET, 'out_interface': '!' + BRIDGE},
             {'kind': 'forward', 'in_interface': BRIDGE}]
    return rules + [{'kind': 'dnat', 'port': port, 'to': '%s:80' % address} for _name, address, port in containers(count)]


def linuxns_modules(count, rundir):
    """The five batched primitive modules, as the README's tour teaches."""
    data = containers(count)
    variables = {
        'bench_names': [name for name, _address, _port in data],
        'bench_pairs': [{'name': 've-' + name, 'bridge': BRIDGE,
                         'peer': {'name': 'eth0', 'netns': name, 'addresses': [address + '/16']}}
                        for name, address, _port in data],
        'bench_routes': [{'netns': name, 'dst': 'default', 'gateway': GATEWAY} for name, _address, _port in data],
        'bench_rules': module_rules(count),
    }
    tasks = [
        {'name': 'Namespaces', 'linuxns.net.netns': {'name': '{{ bench_names }}'}},
        {'name': 'Bridge', 'linuxns.net.bridge': {'name': BRIDGE, 'addresses': [GATEWAY + '/16']}},
        {'name': 'Veth pairs', 'linuxns.net.veth': {'pairs': '{{ bench_pairs }}'}},
        {'name': 'Default routes', 'linuxns.net.netns_route': {'routes': '{{ bench_routes }}'}},
        {'name': 'NAT', 'linuxns.net.nat_rule': {'group': 'bench', 'purge': True, 'rules': '{{ bench_rules }}'}},
    ]
    play = write_play(rundir, 'modules', tasks, variables)
    return Scenario([Step('linuxns-modules', [PLAYBOOK, play], ansible=True, check=True)],
                    check=lambda: check_network(count))


NAIVE_SETUP = ('ip link add cbr0 type bridge', 'ip addr add 10.88.0.1/16 dev cbr0', 'ip link set cbr0 up',
               'sysctl -q -w net.ipv4.ip_forward=1',
               'iptables -t nat -A POSTROUTING -s 10.88.0.0/16 ! -o cbr0 -j MASQUERADE')
NAIVE_PER_CONTAINER = (
    'ip netns add {{ item.name }}',
    'ip link add ve-{{ item.name }} type veth peer name eth0 netns {{ item.name }}',
    'ip link set ve-{{ item.name }} master cbr0 up',
    'ip -n {{ item.name }} addr add {{ item.address }}/16 dev eth0',
    'ip -n {{ item.name }} link set eth0 up',
    'ip -n {{ item.name }} route add default via 10.88.0.1',
    'iptables -t nat -A PREROUTING -p tcp --dport {{ item.port }} -j DNAT --to-destination {{ item.address }}:80',
)


def naive_loop(count, rundir):
    """What people write first: one `command: ip ...` task per step, looped
    over the containers."""
    tasks = [{'name': command, 'ansible.builtin.command': command} for command in NAIVE_SETUP]
    tasks += [{'name': command.replace('{{ item.', '<').replace(' }}', '>'), 'ansible.builtin.command': command,
               'loop': '{{ bench_containers }}'} for command in NAIVE_PER_CONTAINER]
    items = [{'name': name, 'address': address, 'port': port} for name, address, port in containers(count)]
    play = write_play(rundir, 'naive', tasks, {'bench_containers': items})
    return Scenario([Step('naive-loop', [PLAYBOOK, play], ansible=True, check=True)],
                    check=lambda: check_network(count))


def cni_conflist(rundir):
    """The reference plugins chained as a runtime would: bridge (host-local
    IPAM, gateway on the bridge, egress masquerade), then portmap."""
    ipam = {'type': 'host-local', 'ranges': [[{'subnet': SUBNET, 'gateway': GATEWAY}]],
            'routes': [{'dst': '0.0.0.0/0'}], 'dataDir': os.path.join(rundir, 'ipam')}
    return {'cniVersion': '1.0.0', 'name': 'bench', 'plugins': [
        {'type': 'bridge', 'bridge': BRIDGE, 'isGateway': True, 'ipMasq': True, 'ipam': ipam},
        {'type': 'portmap', 'capabilities': {'portMappings': True}, 'snat': True}]}


def cni(count, rundir):
    plan = {'cni_path': CNI_PATH, 'conflist': cni_conflist(rundir),
            'containers': [{'name': name, 'portMappings': [{'hostPort': port, 'containerPort': 80, 'protocol': 'tcp'}]}
                           for name, _address, port in containers(count)]}
    path = os.path.join(rundir, 'cni-plan.json')
    with open(path, 'w') as handle:
        json.dump(plan, handle)
    return Scenario([Step('cni', [PYTHON, os.path.join(REPO, 'bench', 'cni_runtime.py'), path], check=True)],
                    check=lambda: check_network(count))


NETAVARK = '/usr/lib/podman/netavark'


def netavark(count, rundir):
    """Podman's netavark per container, as Podman calls it: a bridge network
    (masquerade, the bridge as gateway) with the container's static address
    and its published port."""
    network = {'name': 'bench', 'id': 'b' * 64, 'driver': 'bridge', 'network_interface': BRIDGE,
               'subnets': [{'subnet': SUBNET, 'gateway': GATEWAY}], 'ipv6_enabled': False, 'internal': False,
               'dns_enabled': False, 'ipam_options': {'driver': 'host-local'}}
    plan = {'netavark': NETAVARK, 'config_dir': os.path.join(rundir, 'netavark'), 'network': network,
            'containers': [{'name': name, 'address': address, 'port': port} for name, address, port in containers(count)]}
    os.makedirs(plan['config_dir'], exist_ok=True)
    path = os.path.join(rundir, 'netavark-plan.json')
    with open(path, 'w') as handle:
        json.dump(plan, handle)
    return Scenario([Step('netavark', [PYTHON, os.path.join(REPO, 'bench', 'netavark_runtime.py'), path], check=True)],
                    check=lambda: check_network(count))


def floor_files(count, rundir):
    """host.batch (bridge, namespaces, veths), one batch per namespace, and the iptables rules."""
    data = containers(count)
    host = ['link add cbr0 type bridge', 'addr add 10.88.0.1/16 dev cbr0', 'link set cbr0 up']
    for name, _address, _port in data:
        host += ['netns add ' + name, 'link add ve-%s type veth peer name eth0 netns %s' % (name, name),
                 'link set ve-%s master cbr0 up' % name]
    files = {'host.batch': host}
    for name, address, _port in data:
        files[name + '.batch'] = ['addr add %s/16 dev eth0' % address, 'link set eth0 up', 'link set lo up',
                                  'route add default via ' + GATEWAY]
    files['rules'] = (['*nat', ':BENCH-DNAT - [0:0]', '-A PREROUTING -m addrtype --dst-type LOCAL -j BENCH-DNAT',
                       '-A OUTPUT -m addrtype --dst-type LOCAL -j BENCH-DNAT',
                       '-A POSTROUTING -s %s ! -o cbr0 -j MASQUERADE' % SUBNET]
                      + ['-A BENCH-DNAT -p tcp --dport %d -j DNAT --to-destination %s:80' % (port, address)
                         for _name, address, port in data]
                      + ['COMMIT', '*filter', '-A FORWARD -i cbr0 -j ACCEPT',
                         '-A FORWARD -o cbr0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT', 'COMMIT'])
    for name, lines in files.items():
        with open(os.path.join(rundir, name), 'w') as handle:
            handle.write('\n'.join(lines) + '\n')
    return data


def floor(count, rundir):
    """What the kernel needs, the fastest way by hand: one `ip -batch` for the
    host side, one per namespace, one iptables-restore."""
    data = floor_files(count, rundir)
    script = ['set -e', 'cd ' + rundir, 'ip -batch host.batch']
    script += ['ip -n %s -batch %s.batch' % (name, name) for name, _address, _port in data]
    script += ['echo 1 > /proc/sys/net/ipv4/ip_forward', 'iptables-restore --noflush rules']
    path = os.path.join(rundir, 'floor.sh')
    with open(path, 'w') as handle:
        handle.write('\n'.join(script) + '\n')
    return Scenario([Step('floor', ['sh', path], check=True)], check=lambda: check_network(count))


def ansible_ping(_count, rundir):
    """Ansible's own fixed cost: one ping task on localhost."""
    play = write_play(rundir, 'ping', [{'name': 'Ping', 'ansible.builtin.ping': {}}])
    return Scenario([Step('ansible-ping', [PLAYBOOK, play], ansible=True)])


def lab(name, rundir):
    """A fresh lab of simulated hosts (scripts/lab.py, not timed), then
    playbooks/site.yml (and verify.yml) timed on it."""
    hosts, count, labels = LABS[name]
    lab_dir = os.path.join(rundir, 'lab')
    inventory = os.path.join(lab_dir, 'inventory.yml')
    playbooks = {'apply': 'site.yml', 'converge': 'site.yml', 'noop': 'site.yml', 'verify': 'verify.yml'}
    steps = [Step(label, [PLAYBOOK, '-i', inventory, '-f', str(hosts), os.path.join(REPO, 'playbooks', playbooks[label])],
                  ansible=True, unchanged=label == 'noop', check=label in ('apply', 'converge'))
             for label in labels]
    lab_py = [PYTHON, os.path.join(REPO, 'scripts', 'lab.py')]
    log = os.path.join(rundir, 'lab.log')
    return Scenario(steps, check=lambda: check_lab(lab_dir, count),
                    setup=lambda: quiet(lab_py + ['up', '--dir', lab_dir, '--hosts', str(hosts), '--containers', str(count)], log),
                    teardown=lambda: quiet(lab_py + ['down', '--dir', lab_dir], log))


SCENARIOS = {'linuxns': linuxns, 'linuxns-nft': linuxns_nft, 'linuxns-modules': linuxns_modules, 'naive-loop': naive_loop,
             'cni': cni, 'netavark': netavark, 'floor': floor, 'ansible-ping': ansible_ping}
# The contenders (table rows) each scenario times.
CONTENDERS = {'linuxns': ('linuxns', 'linuxns-noop', 'linuxns-check'),
              'linuxns-nft': ('linuxns-nft', 'linuxns-nft-noop', 'linuxns-nft-check')}


def build(scenario, workload, count, rundir):
    if workload in LABS:
        return lab(workload, rundir)
    return SCENARIOS[scenario](count, rundir)


def quiet(argv, log=None):
    """Run argv; its output, or an error with the end of it.  With log, the
    output goes to that file instead of a pipe: the lab's host processes
    inherit stderr and outlive `lab.py up`, so a pipe would never close."""
    if log is None:
        proc = subprocess.run(argv, capture_output=True, text=True, check=False)
        output = proc.stdout + proc.stderr
    else:
        with open(log, 'a') as handle:
            proc = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=handle, stderr=subprocess.STDOUT, check=False)
        with open(log, errors='replace') as handle:
            output = handle.read()
    if proc.returncode != 0:
        raise RuntimeError('%s failed: %s' % (' '.join(argv[1:3]), output[-2000:]))
    return proc.stdout if log is None else ''


# --- checks: cheap proof that a contender built the network, so a broken one cannot post a fast time

def check_network(count):
    names = sorted(name for name in os.listdir('/run/netns') if not name.startswith('.'))
    want = sorted(name for name, _address, _port in containers(count))
    if names != want:
        return 'namespaces: %d, want %d (%s...)' % (len(names), count, ' '.join(names[:5]))
    ports = os.listdir('/sys/class/net/%s/brif' % BRIDGE) if os.path.isdir('/sys/class/net/' + BRIDGE) else []
    if len(ports) != count:
        return 'bridge %s has %d ports, want %d' % (BRIDGE, len(ports), count)
    if GATEWAY + '/16' not in quiet(['ip', '-o', 'addr', 'show', 'dev', BRIDGE]):
        return 'bridge %s lacks %s/16' % (BRIDGE, GATEWAY)
    return check_dnat(count) or check_container(want[0]) or check_container(want[-1])


def check_dnat(count):
    dports = set(int(port) for port in re.findall(r'--dport (\d+)\b.* -j DNAT', quiet(['iptables-save', '-t', 'nat'])))
    nft = subprocess.run(['nft', 'list', 'table', 'inet', 'linuxns'], capture_output=True, text=True, check=False).stdout
    dports |= set(int(port) for port in re.findall(r'dport (\d+) dnat ip', nft))  # a rule of its own
    dports |= set(int(port) for port in re.findall(r'(?:tcp|udp|sctp) \. (\d+)(?: comment "[^"]*")? : ', nft))  # a port map's element
    missing = sorted(set(port for _name, _address, port in containers(count)) - dports)
    return 'no DNAT for host ports %s' % missing[:5] if missing else None


def check_container(name):
    if 'default via %s dev eth0' % GATEWAY not in quiet(['ip', '-n', name, 'route', 'show', 'default']):
        return '%s has no default route via %s' % (name, GATEWAY)
    for _attempt in range(3):  # the first ping may wait for the neighbour entry
        ping = subprocess.run(['ip', 'netns', 'exec', name, 'ping', '-c', '1', '-W', '1', GATEWAY],
                              capture_output=True, check=False)
        if ping.returncode == 0:
            return None
    return '%s does not reach its gateway %s' % (name, GATEWAY)


def check_lab(lab_dir, count):
    with open(os.path.join(lab_dir, 'lab.json')) as handle:
        hosts = json.load(handle)['hosts']
    want = set('c%d' % i for i in range(1, count + 1))
    for host, pid in sorted(hosts.items()):
        names = set(quiet(['nsenter', '--target', str(pid), '--net', '--mount', 'ip', 'netns', 'list']).split())
        if not want <= names:
            return '%s lacks containers %s' % (host, ' '.join(sorted(want - names)[:5]))
    return None


def snapshot(path):
    """The kernel state of this host and of c1, for the logs of a failed check."""
    commands = [['ip', '-d', 'link'], ['ip', 'addr'], ['ip', 'route'], ['ip', 'netns', 'list'],
                ['ip', '-n', 'c1', 'addr'], ['ip', '-n', 'c1', 'route'], ['iptables-save']]
    with open(path, 'w') as handle:
        for argv in commands:
            handle.write('## %s\n' % ' '.join(argv))
            handle.flush()
            subprocess.run(argv, stdout=handle, stderr=subprocess.STDOUT, check=False)

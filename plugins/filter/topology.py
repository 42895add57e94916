# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A picture of many hosts' container networks, from linuxns.net.network_info facts.

topology() turns the facts of every host into one model (hosts, their
uplinks, bridges, VXLAN devices and containers; underlay networks; links
between hosts); topology_mermaid() and topology_dot() draw that model.
Pure: no system access (playbooks/graph.yml writes the files).  Each
filter's documentation is in the YAML file named after it beside this one
(topology.yml, topology_mermaid.yml, topology_dot.yml), where ansible-doc
finds it.
"""

import collections
import ipaddress
import re

from ansible.errors import AnsibleFilterError


# -- the model -----------------------------------------------------------------

def topology(facts):
    """The model of every host's network (see RETURN in topology.yml)."""
    hosts = [_host(name, data) for name, data in _by_host(facts)]
    return {'hosts': hosts, 'underlays': _underlays(hosts), 'links': _host_gw_links(hosts) + _vxlan_links(hosts),
            'networks': _networks(hosts)}


def _by_host(facts):
    if isinstance(facts, dict) and 'host' in facts and 'namespaces' in facts:
        facts = [facts]  # one host's facts
    if isinstance(facts, dict):
        pairs = list(facts.items())
    elif isinstance(facts, (list, tuple)):
        pairs = [(f.get('hostname'), f) for f in facts]
    else:
        raise AnsibleFilterError('topology: expected network_info facts by host name, got %s' % type(facts).__name__)
    for name, data in pairs:
        if not isinstance(data, dict) or 'host' not in data or 'namespaces' not in data:
            raise AnsibleFilterError('topology: %s has no network_info facts (run linuxns.net.network_info on it first)' % name)
    return pairs


def _host(name, facts):
    links = facts['host'].get('links') or {}
    macs = (facts.get('record') or {}).get('macs') or {}
    containers = [_container(ns, links, macs.get(ns['name']) or {}) for _name, ns in sorted(facts['namespaces'].items())
                  if not ns.get('stale')]
    _add_published_ports(containers, facts.get('nat'))
    _add_limits(containers, facts.get('cgroups'))
    networks = _record_networks(facts.get('record'))
    return {
        'name': name, 'hostname': facts.get('hostname'),
        'forwarding': bool((facts['host'].get('forwarding') or {}).get('ipv4')),
        'uplinks': [_plain(link) for link in _sorted(links) if _is_uplink(link)],
        'bridges': [_bridge(link, networks) for link in _sorted(links) if link['kind'] == 'bridge'],
        'isolation': _isolation(facts.get('nat')),
        'vxlans': [_vxlan(link) for link in _sorted(links) if link['kind'] == 'vxlan'],
        'containers': containers,
        'veths': [dict(_plain(link), peer_netns=link['peer']['netns'], peer_ifname=link['peer']['ifname'])
                  for link in _sorted(links) if link['kind'] == 'veth' and not link['master'] and link['addresses']
                  and (link.get('peer') or {}).get('seen')],
        'routes': [r for r in facts['host'].get('routes') or [] if r.get('gateway') and r['dst'] != 'default'],
    }


def _sorted(links):
    return sorted(links.values(), key=lambda link: link['index'])


def _plain(link):
    return {'name': link['name'], 'addresses': list(link['addresses']), 'owned': link['owned']}


def _is_uplink(link):
    """An addressed link of the host that leads out of what the facts see."""
    if link['name'] == 'lo' or link['kind'] in ('bridge', 'vxlan') or link['master'] or not link['addresses']:
        return False
    return not (link['kind'] == 'veth' and (link.get('peer') or {}).get('seen'))


def _record_networks(record):
    """{bridge: (network name, recorded subnets)} from container_network's record."""
    if not isinstance(record, dict):
        return {}
    networks = [('default', record)] + sorted((record.get('networks') or {}).items())
    return dict((net['bridge'], (name, [net[key] for key in ('subnet', 'subnet6') if net.get(key)]))
                for name, net in networks if isinstance(net, dict) and net.get('bridge'))


def _bridge(link, networks):
    subnets = sorted(set(str(ipaddress.ip_interface(a).network) for a in link['addresses']))
    network, recorded = networks.get(link['name'], (None, []))
    subnets += [subnet for subnet in recorded if subnet not in subnets]
    return dict(_plain(link), subnets=subnets, ports=list(link.get('ports') or []), network=network)


_INTERFACE = re.compile(r'(?:^|\s)(?<!! )(-i|-o|iifname|oifname)\s+("?)([^"\s!]+)\2')


def _isolation(nat):
    """{bridge: bridges admitted} of every bridge whose isolation rules drop
    traffic from other networks (container_network's `isolate` and `exempt`
    rules, in either backend's syntax)."""
    isolated = {}
    rules = [rule for group in ((nat or {}).get('groups') or {}).values() for rule in group]
    for rule in rules:
        if rule.get('kind') == 'isolate':
            isolated.setdefault(_interfaces(rule).get('out'), set())
    for rule in rules:
        interfaces = _interfaces(rule)
        if rule.get('kind') == 'exempt' and interfaces.get('out') in isolated and interfaces.get('in'):
            isolated[interfaces['out']].add(interfaces['in'])
    return dict((bridge, sorted(admitted)) for bridge, admitted in isolated.items() if bridge)


def _interfaces(rule):
    """{'in': ..., 'out': ...} of a rule's own (not negated) interface matches."""
    found = {}
    for option, _quote, name in _INTERFACE.findall(rule.get('rule') or ''):
        found['in' if option in ('-i', 'iifname') else 'out'] = name
    return found


def _networks(hosts):
    """The named networks of the cluster in the order first seen, each with
    its colour slot, and the networks whose containers may open connections
    to it on every host where both are (`admits`)."""
    names = []
    for host in hosts:
        names += [b['network'] for b in host['bridges'] if b['network'] and b['network'] not in names]
    admits = dict((name, set(names)) for name in names)
    for host in hosts:
        bridges = dict((b['network'], b['name']) for b in host['bridges'] if b['network'])
        for name, bridge in bridges.items():
            if bridge in host['isolation']:
                admits[name] -= set(other for other, theirs in bridges.items()
                                    if other != name and theirs not in host['isolation'][bridge])
    return [{'name': name, 'slot': slot, 'admits': [n for n in names if n in admits[name]]} for slot, name in enumerate(names)]


def _vxlan(link):
    vxlan = link.get('vxlan') or {}
    return dict(_plain(link), vni=vxlan.get('vni'), port=vxlan.get('port'), local=vxlan.get('local'),
                flood=list(vxlan.get('flood') or []), master=link['master'])


def _container(ns, host_links, declared_macs):
    """A namespace and its interfaces; `declared_macs` {interface: MAC}: the
    MACs its container declares (container_network's record), the only
    ones drawn - a kernel-made MAC changes with every new veth."""
    interfaces = []
    for link in _sorted(ns.get('links') or {}):
        if link['name'] == 'lo':
            continue
        peer = link.get('peer') or {}
        host_end = peer.get('ifname') if peer.get('seen') and peer.get('netns') is None else None
        interfaces.append({
            'name': link['name'], 'kind': link['kind'], 'addresses': list(link['addresses']), 'host_end': host_end,
            'bridge': (host_links.get(host_end) or {}).get('master') if host_end else None,
            'peer_netns': peer.get('netns') if peer.get('seen') else None,
            'peer_ifname': peer.get('ifname') if peer.get('seen') else None,
            'mac': declared_macs.get(link['name']),
        })
    return {'name': ns['name'], 'owned': ns['owned'], 'interfaces': interfaces,
            'addresses': [a for i in interfaces for a in i['addresses']], 'ports': [], 'limits': None}


def _add_published_ports(containers, nat):
    by_address = dict((str(ipaddress.ip_interface(a).ip), c) for c in containers for a in c['addresses'])
    for rules in ((nat or {}).get('groups') or {}).values():
        for rule in rules:
            if rule['kind'] != 'dnat' or not rule.get('to'):
                continue
            address, port = _split_to(rule['to'])
            container = by_address.get(address)
            published = {'protocol': rule.get('protocol') or 'tcp', 'host_port': rule.get('port'),
                         'container_port': port or rule.get('port'), 'host_ip': rule.get('address')}
            if container is not None and published not in container['ports']:  # dual stack: one rule per family
                container['ports'].append(published)


def _split_to(to):
    """'10.0.0.2:80', '[fd00::2]:80', '10.0.0.2' -> (address, port or None)."""
    match = re.match(r'^\[([^\]]+)\](?::(.+))?$', to) or re.match(r'^([^:]+)(?::(.+))?$', to)
    return (match.group(1), match.group(2)) if match else (to, None)


def _add_limits(containers, cgroups):
    """A container's limits: those of the cgroup named like it (container_network's layout)."""
    by_name = dict((group['name'].rsplit('/', 1)[-1], group) for group in (cgroups or {}).values())
    for container in containers:
        group = by_name.get(container['name'])
        if group:
            container['limits'] = dict((key, group.get(key)) for key in ('cpu', 'memory', 'pids_max') if group.get(key) not in (None, 'max'))


def _underlays(hosts):
    networks = {}
    for host in hosts:
        for uplink in host['uplinks']:
            for address in uplink['addresses']:
                network = str(ipaddress.ip_interface(address).network)
                networks.setdefault(network, []).append([host['name'], uplink['name']])
    return [{'network': network, 'members': members} for network, members in sorted(networks.items())]


def _uplink_owners(hosts):
    """{address: (host, uplink name)} of every uplink address."""
    owners = {}
    for host in hosts:
        for uplink in host['uplinks']:
            for address in uplink['addresses']:
                owners[str(ipaddress.ip_interface(address).ip)] = (host['name'], uplink['name'])
    return owners


def _host_gw_links(hosts):
    """A route of one host to another host's container subnet via that host's uplink address."""
    owners, by_name, links = _uplink_owners(hosts), dict((h['name'], h) for h in hosts), {}
    for host in hosts:
        for route in host['routes']:
            owner = owners.get(route['gateway'])
            if owner is None or owner[0] == host['name']:
                continue
            here = _home(host, route['dev'], route['dst'])
            there = _bridge_for(by_name[owner[0]], route['dst']) or 'uplink:' + owner[1]
            _collect(links, 'host-gw', (host['name'], here), (owner[0], there), '%s via %s' % (route['dst'], route['gateway']))
    return list(links.values())


def _home(host, dev, dst):
    """Where a host's containers' traffic to another host's subnet `dst`
    starts: the bridge of the same network (its subnet shares the longest
    prefix with dst, as subnets carved from one cluster CIDR do; the first
    bridge on a tie), else the route's device."""
    if not host['bridges']:
        return 'uplink:%s' % dev
    return 'bridge:' + max(host['bridges'], key=lambda bridge: _shared_bits(bridge['subnets'], dst))['name']


def _shared_bits(subnets, dst):
    """The most leading bits any of `subnets` shares with the network dst."""
    far = ipaddress.ip_network(dst, strict=False)
    best = 0
    for subnet in subnets:
        near = ipaddress.ip_network(subnet, strict=False)
        if near.version == far.version:
            differ = int(near.network_address) ^ int(far.network_address)
            best = max(best, min(near.max_prefixlen - differ.bit_length(), near.prefixlen, far.prefixlen))
    return best


def _bridge_for(host, dst):
    """The bridge of `host` whose subnet is `dst` or inside it."""
    network = ipaddress.ip_network(dst, strict=False)
    for bridge in host['bridges']:
        for subnet in (ipaddress.ip_network(s) for s in bridge['subnets']):
            if subnet.version == network.version and subnet.subnet_of(network):
                return 'bridge:' + bridge['name']
    return None


def _vxlan_links(hosts):
    """A VXLAN device that floods to another host's device of the same VNI
    (found by its local address, else by its host's uplink address)."""
    devices, owners, by_name, links = {}, _uplink_owners(hosts), dict((h['name'], h) for h in hosts), {}
    for host in hosts:
        for vxlan in host['vxlans']:
            if vxlan['local']:
                devices[(vxlan['local'], vxlan['vni'])] = (host['name'], 'vxlan:' + vxlan['name'])
    for host in hosts:
        for vxlan in host['vxlans']:
            for remote in vxlan['flood']:
                there = devices.get((remote, vxlan['vni']))
                if there is None and remote in owners:
                    peer = by_name[owners[remote][0]]
                    same = [v['name'] for v in peer['vxlans'] if v['vni'] == vxlan['vni']]
                    there = (peer['name'], 'vxlan:' + same[0] if same else 'uplink:' + owners[remote][1])
                if there is None or there[0] == host['name']:
                    continue
                _collect(links, 'vxlan', (host['name'], 'vxlan:' + vxlan['name']), there, 'VXLAN VNI %s' % vxlan['vni'])
    return list(links.values())


def _collect(links, kind, here, there, label):
    """One link per pair of ends, whichever way it was seen; labels kept in order, once."""
    key = (kind,) + tuple(sorted([here, there]))
    link = links.setdefault(key, {'kind': kind, 'ends': [list(here), list(there)], 'labels': []})
    if label not in link['labels']:
        link['labels'].append(label)


# -- drawing -------------------------------------------------------------------
#
# One column per host in the order given (outside and the underlay on top,
# then each host's uplink, bridges and containers); one underlay node that
# summarises, per pair of hosts, how their containers reach each other; the
# networks named and coloured, with who may reach whom in a legend; published
# ports as edges from the uplink to the container.

Node = collections.namedtuple('Node', 'id kind lines owned colour')
Edge = collections.namedtuple('Edge', 'a b lines style colour')
Drawing = collections.namedtuple('Drawing', 'hosts top edges networks')  # hosts: [(id, title, [Node])]

# (stroke, fill) per network slot; a bridge of no named network is grey
_PALETTE = [('#1f6feb', '#dbe9ff'), ('#d18616', '#fff1db'), ('#2da44e', '#dcf5e3'), ('#8250df', '#ece3fb'),
            ('#cf222e', '#fde2e4'), ('#0a7d8c', '#d8f3f6'), ('#6e7781', '#eaeef2')]
_PLAIN = ('#57606a', '#f6f8fa')
_PUBLISHED = ('#2da44e', '#dcf5e3')  # a published port's path
PAIR_LINES = 8  # the underlay lists at most this many host pairs; more are summarised


class _Ids:
    """Unique, renderer-safe node ids for (host, node) keys."""

    def __init__(self):
        self.ids = {}

    def __call__(self, *key):
        if key not in self.ids:
            base = re.sub(r'[^A-Za-z0-9_]', '_', '_'.join(str(k) for k in key)) or 'n'
            candidate, n = base, 1
            while candidate in self.ids.values():
                n += 1
                candidate = '%s_%d' % (base, n)
            self.ids[key] = candidate
        return self.ids[key]


def _model(data):
    return data if isinstance(data, dict) and 'hosts' in data and 'links' in data else topology(data)


def _colour(networks, name):
    slot = next((n['slot'] for n in networks if n['name'] == name), None)
    return _PALETTE[slot % len(_PALETTE)] if slot is not None else _PLAIN


def _bare(addresses):
    """Addresses without their prefix length (the bridge shows the subnet), IPv4 first."""
    return [a.split('/')[0] for a in sorted(addresses, key=lambda a: (':' in a, a))]


def _gateway(subnet, addresses):
    """'10.244.1.0/24 · gw .1': the subnet and the bridge's address in it, short."""
    network = ipaddress.ip_network(subnet, strict=False)
    for address in addresses:
        ip = ipaddress.ip_interface(address).ip
        if ip.version == network.version and ip in network:
            text, base = str(ip), str(network.network_address)
            if ip.version == 4 and network.prefixlen % 8 == 0:
                text = '.' + '.'.join(text.split('.')[network.prefixlen // 8:])
            elif ip.version == 6 and base.endswith('::') and text.startswith(base):
                text = '::' + text[len(base):]
            return '%s · gw %s' % (subnet, text)
    return subnet


def _drawing(data):
    """What both renderers draw."""
    model, ids = _model(data), _Ids()
    networks, hosts, edges = model.get('networks') or [], [], []
    outside, underlay = ids('outside'), ids('underlay')
    top = [Node(outside, 'outside', ['outside', 'clients of published ports', 'destinations of egress'], True, _PLAIN),
           Node(underlay, 'underlay', _underlay_lines(model), True, _PLAIN)]
    edges.append(Edge(outside, underlay, [], 'underlay', _PLAIN))
    for host in model['hosts']:
        nodes, name = [], host['name']
        title = name if not host['hostname'] or host['hostname'] == name else '%s (%s)' % (name, host['hostname'])
        for uplink in host['uplinks']:
            nodes.append(Node(ids(name, 'uplink:' + uplink['name']), 'uplink', [uplink['name']] + _bare(uplink['addresses']),
                              uplink['owned'], _PLAIN))
            edges.append(Edge(underlay, nodes[-1].id, [], 'underlay', _PLAIN))
        for bridge in host['bridges']:
            nodes.append(_bridge_node(ids(name, 'bridge:' + bridge['name']), bridge, networks))
            if host['forwarding']:  # the host routes between its containers and the world
                edges.extend(Edge(ids(name, 'uplink:' + u['name']), nodes[-1].id, [], 'routed', nodes[-1].colour)
                             for u in host['uplinks'])
        for vxlan in host['vxlans']:
            lines = ['vxlan %s' % vxlan['name'], 'VNI %s, udp %s' % (vxlan['vni'], vxlan['port'])] + _bare(vxlan['addresses'])
            nodes.append(Node(ids(name, 'vxlan:' + vxlan['name']), 'vxlan', lines, vxlan['owned'], _PLAIN))
            edges.extend(_vxlan_local_edges(ids, host, vxlan))
        for veth in host['veths']:
            nodes.append(Node(ids(name, 'veth:' + veth['name']), 'veth', [veth['name']] + _bare(veth['addresses']),
                              veth['owned'], _PLAIN))
            if veth['peer_netns'] is None and veth['name'] < veth['peer_ifname']:  # both ends on the host: once
                edges.append(Edge(nodes[-1].id, ids(name, 'veth:' + veth['peer_ifname']), [], 'veth', _PLAIN))
        drawn = set()
        for container in host['containers']:
            nodes.append(_container_node(ids(name, 'netns:' + container['name']), host, container, networks))
            edges.extend(_container_edges(ids, host, container, drawn, networks))
            edges.extend(Edge(ids(name, 'uplink:' + u['name']), nodes[-1].id, [_published(p) for p in container['ports']],
                              'published', _PUBLISHED) for u in host['uplinks'][:1] if container['ports'])
        hosts.append((ids(name), title, nodes))
    if networks:
        top.append(Node(ids('networks'), 'legend', _legend_lines(networks), True, _PLAIN))
    return Drawing(hosts, top, edges, networks)


def _published(port):
    """'tcp 8080 → 80', 'udp 127.0.0.1:5353 → 53', 'tcp 8000-8009 → 8000-8009'."""
    on = port.get('host_ip')
    host_port = str(port['host_port']).replace(':', '-')
    where = '%s:%s' % ('[%s]' % on if ':' in on else on, host_port) if on else host_port
    return '%s %s → %s' % (port['protocol'], where, str(port['container_port']).replace(':', '-'))


def _bridge_node(node_id, bridge, networks):
    title = '%s · %s' % (bridge['network'], bridge['name']) if bridge['network'] else 'bridge %s' % bridge['name']
    lines = [title] + [_gateway(subnet, bridge['addresses']) for subnet in bridge['subnets']]
    return Node(node_id, 'bridge', lines, bridge['owned'], _colour(networks, bridge['network']))


def _network_of(host, bridge_name):
    return next((b['network'] for b in host['bridges'] if b['name'] == bridge_name), None)


def _container_node(node_id, host, container, networks):
    lines, first = [container['name']], None
    for interface in container['interfaces']:
        network = _network_of(host, interface['bridge']) if interface['bridge'] else None
        first = first or network
        addresses = _bare(interface['addresses'])
        if addresses:  # one line each, the interface's name on the first
            lines += ['%s %s' % (interface['name'], addresses[0])] + addresses[1:]
        if interface['mac']:
            lines.append('%s mac %s' % (interface['name'], interface['mac']))
    if container['limits']:
        lines.append(' · '.join('%s %s' % (k.replace('_max', ''), v) for k, v in sorted(container['limits'].items())))
    return Node(node_id, 'container', lines, container['owned'], _colour(networks, first))


def _underlay_lines(model):
    """'underlay', its networks, then per pair of hosts how they are joined."""
    networks = [u['network'] for u in model['underlays']]
    lines = ['underlay'] + ([' · '.join(networks)] if len(networks) <= 2 else ['%d networks, routed' % len(networks)])
    pairs = _pairs(model)
    kinds = set(text for _pair, text in pairs)
    count = len(model['hosts'])
    if len(kinds) == 1 and count > 2 and len(pairs) == count * (count - 1) // 2:
        return lines + ['every pair of the %d hosts: %s' % (count, kinds.pop())]
    shown = ['%s ⇄ %s: %s' % (a, b, text) for (a, b), text in pairs[:PAIR_LINES]]
    more = ['… and %d more pairs' % (len(pairs) - PAIR_LINES)] if len(pairs) > PAIR_LINES else []
    return lines + shown + more


def _pairs(model):
    """[((host, host), what joins their containers)], in host order."""
    order = dict((h['name'], i) for i, h in enumerate(model['hosts']))
    by_name = dict((h['name'], h) for h in model['hosts'])
    joined = {}
    for link in model['links']:
        ends = sorted((tuple(end) for end in link['ends']), key=lambda end: order[end[0]])
        pair = (ends[0][0], ends[1][0])
        if link['kind'] == 'vxlan':
            joined.setdefault(pair, set()).update(link['labels'])
            continue
        families = sorted(set('IPv6' if ':' in label.split(' ')[0] else 'IPv4' for label in link['labels']))
        network = _network_of(by_name[ends[0][0]], ends[0][1].split(':', 1)[1]) or ends[0][1].split(':', 1)[1]
        joined.setdefault(pair, set()).add(('host-gw', network, ', '.join(families)))
    slots = dict((n['name'], n['slot']) for n in model.get('networks') or [])
    return [(pair, _joined_text(joined[pair], slots)) for pair in sorted(joined, key=lambda p: (order[p[0]], order[p[1]]))]


def _joined_text(parts, order):
    vxlan = sorted(p for p in parts if isinstance(p, str))
    routes = sorted((p for p in parts if not isinstance(p, str)), key=lambda p: order.get(p[1], len(order)))
    texts = vxlan[:]
    if routes:
        families = sorted(set(f for _kind, _net, fams in routes for f in fams.split(', ')))
        names = []
        for _kind, network, _families in routes:
            names += [] if network in names else [network]
        texts.append('host-gw routes of %s (%s)' % (', '.join(names), ', '.join(families)))
    return '; '.join(texts)


def _legend_lines(networks):
    """Who may open connections to whom: one line per ordered pair of networks."""
    lines = ['networks: who may connect to whom']
    for source in networks:
        for target in networks:
            if source is not target:
                allowed = source['name'] in target['admits']
                lines.append('%s → %s %s' % (source['name'], target['name'], '✓' if allowed else '✗ isolated'))
    return lines if len(networks) > 1 else ['network %s' % networks[0]['name']]


def _vxlan_local_edges(ids, host, vxlan):
    """The VXLAN device to the uplink that carries it (the one with its local
    address), and to the bridge it is a port of, or else to the bridge whose
    subnet holds its address (routed)."""
    here, edges = ids(host['name'], 'vxlan:' + vxlan['name']), []
    for uplink in host['uplinks']:
        if vxlan['local'] in [a.split('/')[0] for a in uplink['addresses']]:
            edges.append(Edge(ids(host['name'], 'uplink:' + uplink['name']), here, ['udp %s' % vxlan['port']], 'port', _PLAIN))
    if vxlan['master']:
        return edges + [Edge(here, ids(host['name'], 'bridge:' + vxlan['master']), [], 'port', _PLAIN)]
    for bridge in host['bridges']:
        for address in vxlan['addresses']:
            ip = ipaddress.ip_interface(address).ip
            if any(ip.version == ipaddress.ip_network(s).version and ip in ipaddress.ip_network(s) for s in bridge['subnets']):
                return edges + [Edge(here, ids(host['name'], 'bridge:' + bridge['name']), [], 'routed', _PLAIN)]
    return edges


def _container_edges(ids, host, container, drawn, networks):
    """A container to its bridge (through the host end of its veth), to a
    veth end of the host, or to another container."""
    edges, here = [], ids(host['name'], 'netns:' + container['name'])
    for interface in container['interfaces']:
        if interface['bridge']:
            edges.append(Edge(ids(host['name'], 'bridge:' + interface['bridge']), here,
                              ['%s ↔ %s' % (interface['name'], interface['host_end'])], 'veth',
                              _colour(networks, _network_of(host, interface['bridge']))))
        elif interface['host_end']:
            edges.append(Edge(ids(host['name'], 'veth:' + interface['host_end']), here, [interface['name']], 'veth', _PLAIN))
        elif interface['peer_netns']:
            pair = tuple(sorted([(container['name'], interface['name']), (interface['peer_netns'], interface['peer_ifname'])]))
            if pair not in drawn:
                drawn.add(pair)
                edges.append(Edge(here, ids(host['name'], 'netns:' + interface['peer_netns']),
                                  ['%s ↔ %s' % (interface['name'], interface['peer_ifname'])], 'veth', _PLAIN))
    return edges


def _looks_foreign(node):
    """Drawn as foreign: what this collection could have made but did not
    (a host's uplinks are never ours, and need no mark)."""
    return not node.owned and node.kind in ('bridge', 'vxlan', 'veth', 'container')


def _known_edges(drawing):
    known = set(n.id for _h, _t, nodes in drawing.hosts for n in nodes) | set(n.id for n in drawing.top)
    return [e for e in drawing.edges if e.a in known and e.b in known]


# -- Mermaid -------------------------------------------------------------------

_MERMAID_SHAPES = {'uplink': '(["%s"])', 'bridge': '{{"%s"}}', 'vxlan': '[/"%s"/]', 'container': '["%s"]',
                   'veth': '(["%s"])', 'underlay': '(("%s"))', 'outside': '>"%s"]', 'legend': '["%s"]'}
_MERMAID_EDGES = {'veth': '---', 'port': '---', 'routed': '-.-', 'underlay': '===', 'published': '-->'}


def _mermaid_text(lines):
    return '<br/>'.join(line.replace('"', '#quot;') for line in lines)


def topology_mermaid(data, direction='TB'):
    """A Mermaid flowchart of the model (or of network_info facts by host)."""
    drawing = _drawing(data)
    out = ['flowchart %s' % direction]
    out += ['  ' + _mermaid_node(node) for node in drawing.top]
    for graph_id, title, nodes in drawing.hosts:
        out.append('  subgraph %s["%s"]' % (graph_id, _mermaid_text([title])))
        out.append('    direction TB')
        out += ['    ' + _mermaid_node(node) for node in nodes]
        out.append('  end')
    styles = []
    for number, edge in enumerate(_known_edges(drawing)):
        label = '|"%s"|' % _mermaid_text(edge.lines) if edge.lines else ''
        out.append('  %s %s%s %s' % (edge.a, _MERMAID_EDGES[edge.style], label, edge.b))
        if edge.colour != _PLAIN:
            styles.append('  linkStyle %d stroke:%s,stroke-width:2px' % (number, edge.colour[0]))
    out += styles
    nodes = [n for _h, _t, host_nodes in drawing.hosts for n in host_nodes] + drawing.top
    classes = {}
    for node in nodes:
        if node.kind in ('bridge', 'container'):
            classes.setdefault('c%s' % node.colour[0][1:], (node.colour, []))[1].append(node.id)
    for name, (colour, members) in sorted(classes.items()):
        out.append('  classDef %s fill:%s,stroke:%s' % (name, colour[1], colour[0]))
        out.append('  class %s %s' % (','.join(members), name))
    foreign = [n.id for n in nodes if _looks_foreign(n)]
    if foreign:
        out.append('  classDef foreign stroke-dasharray:4 3,color:#666')
        out.append('  class %s foreign' % ','.join(foreign))
    return '\n'.join(out) + '\n'


def _mermaid_node(node):
    return node.id + _MERMAID_SHAPES[node.kind] % _mermaid_text(node.lines)


# -- Graphviz ------------------------------------------------------------------

_DOT_SHAPES = {'uplink': 'box', 'bridge': 'box', 'vxlan': 'box', 'container': 'box', 'veth': 'box',
               'underlay': 'box', 'outside': 'box', 'legend': 'note'}
_DOT_STYLES = {'uplink': ['rounded'], 'bridge': ['filled', 'bold'], 'vxlan': ['diagonals'], 'container': ['rounded', 'filled'],
               'veth': ['rounded'], 'underlay': ['rounded', 'filled'], 'outside': ['rounded', 'filled'], 'legend': []}
_DOT_EDGES = {'veth': 'penwidth=2', 'port': '', 'routed': 'style=dotted', 'underlay': 'penwidth=3',
              'published': 'penwidth=2, fontcolor="#1a7f37"'}


def _dot_text(lines):
    return '"%s"' % '\\n'.join(line.replace('\\', '\\\\').replace('"', '\\"') for line in lines)


def topology_dot(data, name='network'):
    """A Graphviz graph of the model (or of network_info facts by host)."""
    drawing = _drawing(data)
    out = ['graph %s {' % _dot_text([name]), '  rankdir=TB; newrank=true; nodesep=0.3; ranksep=0.5; fontname="Helvetica";',
           '  node [fontname="Helvetica", fontsize=14];', '  edge [fontname="Helvetica", fontsize=12];']
    out += ['  ' + (_dot_legend(node, drawing.networks) if node.kind == 'legend' else _dot_node(node)) for node in drawing.top]
    for graph_id, title, nodes in drawing.hosts:
        out.append('  subgraph "cluster_%s" {' % graph_id)
        out.append('    label=%s; fontsize=18; style=rounded; color="#8c959f";' % _dot_text([title]))
        out += ['    ' + _dot_node(node) for node in nodes]
        out.append('  }')
    top = [n.id for n in drawing.top if n.kind != 'underlay']
    out.append('  { rank=same; %s }' % '; '.join(top))
    for edge in _known_edges(drawing):
        attributes = [_DOT_EDGES[edge.style]] if _DOT_EDGES[edge.style] else []
        attributes += ['color="%s"' % edge.colour[0]] if edge.colour != _PLAIN else []
        attributes += ['label=%s' % _dot_text(edge.lines)] if edge.lines else []
        out.append('  %s -- %s%s;' % (edge.a, edge.b, ' [%s]' % ', '.join(attributes) if attributes else ''))
    out.append('}')
    return '\n'.join(out) + '\n'


def _dot_node(node):
    styles = _DOT_STYLES[node.kind] + (['dashed'] if _looks_foreign(node) else [])
    attributes = ['label=%s' % _dot_text(node.lines), 'shape=%s' % _DOT_SHAPES[node.kind]]
    if node.kind in ('bridge', 'container', 'underlay', 'outside'):
        attributes += ['color="%s"' % node.colour[0], 'fillcolor="%s"' % node.colour[1]]
    if node.kind == 'underlay':
        attributes.append('ordering=out')  # the hosts' columns in the order given
    if node.kind == 'legend':
        attributes.append('fontsize=12')
    if _looks_foreign(node):
        attributes.append('fontcolor="#666666"')
    if styles:
        attributes.append('style="%s"' % ','.join(styles))
    return '%s [%s];' % (node.id, ', '.join(attributes))


def _dot_legend(node, networks):
    """The legend as a table: each network in its colour, then who may connect to whom."""
    def cell(net):
        return '<font color="%s"><b>%s</b></font>' % (_colour(networks, net['name'])[0], _html(net['name']))
    rows = ['<tr><td align="left"><b>%s</b></td></tr>' % _html(node.lines[0])]
    for source in networks:
        for target in networks:
            if source is not target:
                verdict = '✓' if source['name'] in target['admits'] else '<font color="#cf222e">✗ isolated</font>'
                rows.append('<tr><td align="left">%s → %s  %s</td></tr>' % (cell(source), cell(target), verdict))
    if len(networks) == 1:
        rows = ['<tr><td align="left">network %s</td></tr>' % cell(networks[0])]
    return '%s [label=<<table border="0" cellspacing="1">%s</table>>, shape=note, fontsize=13];' % (node.id, ''.join(rows))


def _html(text):
    return text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')


class FilterModule:
    def filters(self):
        return {
            'topology': topology,
            'topology_mermaid': topology_mermaid,
            'topology_dot': topology_dot,
        }

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

import ipaddress
import re

from ansible.errors import AnsibleFilterError


# -- the model -----------------------------------------------------------------

def topology(facts):
    """The model of every host's network (see RETURN in topology.yml)."""
    hosts = [_host(name, data) for name, data in _by_host(facts)]
    return {'hosts': hosts, 'underlays': _underlays(hosts), 'links': _host_gw_links(hosts) + _vxlan_links(hosts)}


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
    containers = [_container(ns, links) for _name, ns in sorted(facts['namespaces'].items()) if not ns.get('stale')]
    _add_published_ports(containers, facts.get('nat'))
    _add_limits(containers, facts.get('cgroups'))
    return {
        'name': name, 'hostname': facts.get('hostname'),
        'forwarding': bool((facts['host'].get('forwarding') or {}).get('ipv4')),
        'uplinks': [_plain(link) for link in _sorted(links) if _is_uplink(link)],
        'bridges': [_bridge(link, facts.get('record')) for link in _sorted(links) if link['kind'] == 'bridge'],
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


def _bridge(link, record):
    subnets = sorted(set(str(ipaddress.ip_interface(a).network) for a in link['addresses']))
    if record and record.get('bridge') == link['name'] and record.get('subnet') and record['subnet'] not in subnets:
        subnets.append(record['subnet'])
    return dict(_plain(link), subnets=subnets, ports=list(link.get('ports') or []))


def _vxlan(link):
    vxlan = link.get('vxlan') or {}
    return dict(_plain(link), vni=vxlan.get('vni'), port=vxlan.get('port'), local=vxlan.get('local'),
                flood=list(vxlan.get('flood') or []), master=link['master'])


def _container(ns, host_links):
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
                         'container_port': port or rule.get('port')}
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


def _short(addresses):
    """Addresses worth showing: IPv4 first, IPv6 link-local never."""
    return sorted(addresses, key=lambda a: (':' in a, a))


def _drawing(data):
    """What both renderers draw: (subgraphs, nodes outside, edges).

    subgraph: (id, label, [node]); node: (id, kind, lines, owned);
    edge: (id, id, lines, style) with style one of veth, port, routed, underlay, host-gw, vxlan."""
    model, ids = _model(data), _Ids()
    subgraphs, outside, edges = [], [], []
    for host in model['hosts']:
        name, nodes = host['name'], []
        title = name if not host['hostname'] or host['hostname'] == name else '%s (%s)' % (name, host['hostname'])
        for uplink in host['uplinks']:
            nodes.append((ids(name, 'uplink:' + uplink['name']), 'uplink', [uplink['name']] + _short(uplink['addresses']), uplink['owned']))
        for bridge in host['bridges']:
            lines = ['bridge %s' % bridge['name']] + bridge['subnets'] + ['gateway %s' % a.split('/')[0] for a in _short(bridge['addresses'])]
            nodes.append((ids(name, 'bridge:' + bridge['name']), 'bridge', lines, bridge['owned']))
            if host['forwarding']:  # the host routes between its containers and the world
                edges.extend((ids(name, 'bridge:' + bridge['name']), ids(name, 'uplink:' + u['name']), ['routed'], 'routed')
                             for u in host['uplinks'])
        for vxlan in host['vxlans']:
            lines = ['vxlan %s' % vxlan['name'], 'VNI %s, udp %s' % (vxlan['vni'], vxlan['port'])] + _short(vxlan['addresses'])
            nodes.append((ids(name, 'vxlan:' + vxlan['name']), 'vxlan', lines, vxlan['owned']))
            edges.extend(_vxlan_local_edges(ids, host, vxlan))
        for veth in host['veths']:
            nodes.append((ids(name, 'veth:' + veth['name']), 'veth', [veth['name']] + _short(veth['addresses']), veth['owned']))
            if veth['peer_netns'] is None and veth['name'] < veth['peer_ifname']:  # both ends on the host: once
                edges.append((ids(name, 'veth:' + veth['name']), ids(name, 'veth:' + veth['peer_ifname']), [], 'veth'))
        drawn = set()
        for container in host['containers']:
            lines = [container['name']] + _short(container['addresses'])
            lines += ['%s %s → %s' % (p['protocol'], p['host_port'], p['container_port']) for p in container['ports']]
            if container['limits']:
                lines.append(', '.join('%s %s' % (k.replace('_max', ''), v) for k, v in sorted(container['limits'].items())))
            nodes.append((ids(name, 'netns:' + container['name']), 'container', lines, container['owned']))
            edges.extend(_container_edges(ids, host, container, drawn))
        subgraphs.append((ids(name), title, nodes))
    for underlay in model['underlays']:
        node = ids('underlay', underlay['network'])
        outside.append((node, 'underlay', ['underlay', underlay['network']], True))
        for host, uplink in underlay['members']:
            edges.append((ids(host, 'uplink:' + uplink), node, [], 'underlay'))
    for link in model['links']:
        (host_a, node_a), (host_b, node_b) = link['ends']
        title = [link['kind']] if link['kind'] == 'host-gw' else []
        edges.append((ids(host_a, node_a), ids(host_b, node_b), title + link['labels'], link['kind']))
    return subgraphs, outside, edges


def _vxlan_local_edges(ids, host, vxlan):
    """The VXLAN device to the uplink that carries it (the one with its local
    address), and to the bridge it is a port of, or else to the bridge whose
    subnet holds its address (routed)."""
    here, edges = ids(host['name'], 'vxlan:' + vxlan['name']), []
    for uplink in host['uplinks']:
        if vxlan['local'] in [a.split('/')[0] for a in uplink['addresses']]:
            edges.append((here, ids(host['name'], 'uplink:' + uplink['name']), ['udp %s' % vxlan['port']], 'port'))
    if vxlan['master']:
        return edges + [(here, ids(host['name'], 'bridge:' + vxlan['master']), [], 'port')]
    for bridge in host['bridges']:
        for address in vxlan['addresses']:
            ip = ipaddress.ip_interface(address).ip
            if any(ip.version == ipaddress.ip_network(s).version and ip in ipaddress.ip_network(s) for s in bridge['subnets']):
                return edges + [(here, ids(host['name'], 'bridge:' + bridge['name']), ['routed'], 'routed')]
    return edges


def _container_edges(ids, host, container, drawn):
    """A container to its bridge (through the host end of its veth), to a
    veth end of the host, or to another container."""
    edges, here = [], ids(host['name'], 'netns:' + container['name'])
    for interface in container['interfaces']:
        if interface['bridge']:
            edges.append((here, ids(host['name'], 'bridge:' + interface['bridge']),
                          ['%s ↔ %s' % (interface['name'], interface['host_end'])], 'veth'))
        elif interface['host_end']:
            edges.append((here, ids(host['name'], 'veth:' + interface['host_end']), [interface['name']], 'veth'))
        elif interface['peer_netns']:
            pair = tuple(sorted([(container['name'], interface['name']), (interface['peer_netns'], interface['peer_ifname'])]))
            if pair not in drawn:
                drawn.add(pair)
                edges.append((here, ids(host['name'], 'netns:' + interface['peer_netns']),
                              ['%s ↔ %s' % (interface['name'], interface['peer_ifname'])], 'veth'))
    return edges


def _looks_foreign(node):
    """Drawn as foreign: what this collection could have made but did not
    (a host's uplinks are never ours, and need no mark)."""
    return not node[3] and node[1] not in ('uplink', 'underlay')


def _edge_known(edges, ids_in_graph):
    return [e for e in edges if e[0] in ids_in_graph and e[1] in ids_in_graph]


# -- Mermaid -------------------------------------------------------------------

_MERMAID_SHAPES = {'uplink': '(["%s"])', 'bridge': '{{"%s"}}', 'vxlan': '[/"%s"/]', 'container': '["%s"]',
                   'veth': '(["%s"])', 'underlay': '(("%s"))'}
_MERMAID_EDGES = {'veth': '---', 'port': '---', 'routed': '-.-', 'underlay': '---', 'host-gw': '<-.->', 'vxlan': '<==>'}


def _mermaid_text(lines):
    return '<br/>'.join(line.replace('"', '#quot;') for line in lines)


def topology_mermaid(data, direction='LR'):
    """A Mermaid flowchart of the model (or of network_info facts by host)."""
    subgraphs, outside, edges = _drawing(data)
    out = ['flowchart %s' % direction]
    foreign, known = [], set()
    for graph_id, title, nodes in subgraphs:
        out.append('  subgraph %s["%s"]' % (graph_id, _mermaid_text([title])))
        for node in nodes:
            out.append('    ' + _mermaid_node(node))
            known.add(node[0])
            foreign.extend([node[0]] if _looks_foreign(node) else [])
        out.append('  end')
    for node in outside:
        out.append('  ' + _mermaid_node(node))
        known.add(node[0])
    for a, b, lines, style in _edge_known(edges, known):
        label = '|"%s"|' % _mermaid_text(lines) if lines else ''
        out.append('  %s %s%s %s' % (a, _MERMAID_EDGES[style], label, b))
    out.append('  classDef container fill:#e8f4ff,stroke:#1f6feb')
    out.append('  classDef bridge fill:#fff4e0,stroke:#d18616')
    out.append('  classDef foreign stroke-dasharray:4 3,color:#666')
    for kind in ('container', 'bridge'):
        members = [n[0] for _g, _t, nodes in subgraphs for n in nodes if n[1] == kind and n[3]]
        if members:
            out.append('  class %s %s' % (','.join(members), kind))
    if foreign:
        out.append('  class %s foreign' % ','.join(foreign))
    return '\n'.join(out) + '\n'


def _mermaid_node(node):
    node_id, kind, lines, _owned = node
    return node_id + _MERMAID_SHAPES[kind] % _mermaid_text(lines)


# -- Graphviz ------------------------------------------------------------------

_DOT_NODES = {  # kind: (attributes, styles)
    'uplink': ('shape=box', ['rounded']), 'bridge': ('shape=hexagon, fillcolor="#fff4e0"', ['filled']),
    'vxlan': ('shape=parallelogram', []), 'container': ('shape=box, fillcolor="#e8f4ff"', ['filled']),
    'veth': ('shape=box', ['rounded']), 'underlay': ('shape=ellipse, fillcolor="#eeeeee"', ['filled']),
}
_DOT_EDGES = {'veth': '', 'port': '', 'routed': 'style=dotted', 'underlay': '', 'host-gw': 'style=dashed, color="#1f6feb"',
              'vxlan': 'style=bold, color="#8250df"'}


def _dot_text(lines):
    return '"%s"' % '\\n'.join(line.replace('\\', '\\\\').replace('"', '\\"') for line in lines)


def topology_dot(data, name='network'):
    """A Graphviz graph of the model (or of network_info facts by host)."""
    subgraphs, outside, edges = _drawing(data)
    out = ['graph %s {' % _dot_text([name]), '  rankdir=LR;', '  node [fontname="Helvetica", fontsize=10];',
           '  edge [fontname="Helvetica", fontsize=9];']
    known = set()
    for graph_id, title, nodes in subgraphs:
        out.append('  subgraph "cluster_%s" {' % graph_id)
        out.append('    label=%s; style=rounded;' % _dot_text([title]))
        for node in nodes:
            out.append('    ' + _dot_node(node))
            known.add(node[0])
        out.append('  }')
    for node in outside:
        out.append('  ' + _dot_node(node))
        known.add(node[0])
    for a, b, lines, style in _edge_known(edges, known):
        attributes = [_DOT_EDGES[style]] if _DOT_EDGES[style] else []
        attributes += ['label=%s' % _dot_text(lines)] if lines else []
        out.append('  %s -- %s%s;' % (a, b, ' [%s]' % ', '.join(attributes) if attributes else ''))
    out.append('}')
    return '\n'.join(out) + '\n'


def _dot_node(node):
    node_id, kind, lines, _owned = node
    attributes, styles = _DOT_NODES[kind]
    if _looks_foreign(node):
        styles, attributes = styles + ['dashed'], attributes + ', fontcolor="#666666"'
    return '%s [label=%s, %s%s];' % (node_id, _dot_text(lines), attributes, ', style="%s"' % ','.join(styles) if styles else '')


class FilterModule:
    def filters(self):
        return {
            'topology': topology,
            'topology_mermaid': topology_mermaid,
            'topology_dot': topology_dot,
        }

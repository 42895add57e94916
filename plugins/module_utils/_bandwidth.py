# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Bandwidth limits of a container, as the CNI bandwidth plugin sets them,
on the host end of its veth pair:

- ingress (what the container receives): a token bucket (tbf) as the root
  qdisc of the host end, which sends everything the container receives;
- egress (what the container sends): the host end receives it, so its
  ingress qdisc redirects everything to an ifb device of the container's own
  (bw-NAME, marked with our alias), whose root qdisc is the token bucket.

A bucket is a rate and a burst; its queue holds LATENCY seconds of traffic
at the rate plus the burst.  The kernel keeps the burst as a time (ticks of
the packet scheduler), so a bucket is compared as the kernel stores it
(rate, buffer, limit) and shown as rate (bit/s) and burst (bytes) read back
from that.

One subject per device ('bandwidth/DEVICE'): {'ingress': bucket or None,
'egress': bucket or None}, a bucket being {'rate': bits/s, 'burst': bytes}.
"""

import re

from ansible_collections.linuxns.net.plugins.module_utils._engine import COVERED, Action, Plan, Resource, is_owned, owner_tag
from ansible_collections.linuxns.net.plugins.module_utils._netlink_tc import TIME_UNITS_PER_SEC
from ansible_collections.linuxns.net.plugins.module_utils._validate import ValidationError, device_name

IFB_PREFIX = 'bw-'
IFB_MARK = owner_tag('bandwidth')
LATENCY = 0.025  # seconds of traffic a bucket's queue holds, as the CNI bandwidth plugin's
MAX_RATE = (2 ** 32 - 1) * 8  # bit/s: the kernel's tbf rate is a u32 of bytes/s
ETHERNET_HEADER = 14
_RATE_UNITS = {'bit': 1, 'kbit': 10 ** 3, 'mbit': 10 ** 6, 'gbit': 10 ** 9,
               'bps': 8, 'kbps': 8 * 10 ** 3, 'mbps': 8 * 10 ** 6, 'gbps': 8 * 10 ** 9}
_SIZE_UNITS = {'b': 1, 'k': 1024, 'kb': 1024, 'm': 1024 ** 2, 'mb': 1024 ** 2, 'g': 1024 ** 3, 'gb': 1024 ** 3}
_QUANTITY = re.compile(r'^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$')


def rate(value, option):
    """bit/s from an integer (bit/s) or a number with a unit as tc writes it
    (bit, kbit, mbit, gbit; bps, kbps, mbps, gbps for bytes)."""
    bits = _quantity(value, option, _RATE_UNITS, 'bit', 'a rate such as 10mbit, 1gbit or 500kbit')
    if not 8 <= bits <= MAX_RATE:
        raise ValidationError(option, '%r is out of range: 8bit to %dbit (the kernel counts bytes/s in 32 bits)'
                                      % (value, MAX_RATE))
    return bits


def size(value, option):
    """Bytes from an integer or a number with a unit (b, kb, mb, gb; 1kb = 1024b)."""
    return _quantity(value, option, _SIZE_UNITS, 'b', 'a size such as 32kb, 1mb or 65536')


def _quantity(value, option, units, default_unit, example):
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValidationError(option, '%r is not %s' % (value, example))
    match = _QUANTITY.match(str(value).lower())
    if not match or (match.group(2) or default_unit) not in units:
        raise ValidationError(option, '%r is not %s' % (value, example))
    return int(float(match.group(1)) * units[match.group(2) or default_unit])


class Bucket:
    """A validated token bucket: rate (bit/s) and burst (bytes)."""

    def __init__(self, params, option, mtu):
        self.rate = rate(params['rate'], option + '_rate')
        given = params.get('burst')
        # omitted: 10 ms of traffic at the rate, at least 32 KiB
        self.burst = size(given, option + '_burst') if given is not None else max(32768, self.rate // 800)
        if self.burst < mtu + ETHERNET_HEADER:
            raise ValidationError(option + '_burst', '%d bytes is less than one packet (MTU %d plus its %d-byte header): '
                                                     'the bucket would drop every packet' % (self.burst, mtu, ETHERNET_HEADER))

    def kernel(self, tick):
        """(rate bytes/s, buffer ticks, limit bytes) as the kernel stores them
        (tc's and pyroute2's formulas)."""
        rate_bytes = self.rate // 8
        buffer = int(int(TIME_UNITS_PER_SEC * (float(self.burst) / rate_bytes)) * tick)
        return rate_bytes, buffer, int(rate_bytes * LATENCY + self.burst)


def bucket_view(kernel, tick):
    """{'rate': bit/s, 'burst': bytes} of a bucket as the kernel stores it."""
    if kernel is None:
        return None
    rate_bytes, buffer, _limit = kernel
    return {'rate': rate_bytes * 8, 'burst': int(round(buffer / tick * rate_bytes / TIME_UNITS_PER_SEC))}


class BandwidthSpec:
    """The limits of container `name`, on its veth host end `device`;
    ingress and egress are Buckets or None.  state absent: the device goes
    with its veth pair, only the ifb is removed."""

    def __init__(self, name, device, ingress=None, egress=None, state='present'):
        self.name = name
        self.device = device
        self.ifb = ifb_name(name)
        self.ingress = ingress
        self.egress = egress
        self.state = state

    @property
    def subject(self):
        return 'bandwidth/%s' % self.device


def container_bandwidth(params, prefix, mtu):
    """(ingress, egress) Buckets of a container's `bandwidth` option."""
    params = params or {}
    buckets = []
    for direction in ('ingress', 'egress'):
        if params.get(direction + '_rate') is None:
            if params.get(direction + '_burst') is not None:
                raise ValidationError(prefix + direction + '_burst', 'a burst needs its rate, %s_rate' % direction)
            buckets.append(None)
        else:
            buckets.append(Bucket({'rate': params[direction + '_rate'], 'burst': params.get(direction + '_burst')},
                                  prefix + direction, mtu))
    return tuple(buckets)


def ifb_name(container):
    return device_name(IFB_PREFIX, container)


class BandwidthResource(Resource):

    def read(self, desired):
        links, qdiscs, tick = self.seam.links(None), self.seam.qdiscs(None), self.seam.tick_in_usec()
        current = {'_tick': tick}
        for spec in desired:
            device, ifb = links.get(spec.device), links.get(spec.ifb)
            tc = {'device': device is not None, 'root': None, 'ingress_qdisc': False, 'redirected': False,
                  'ifb': None if ifb is None else {'owned': is_owned(ifb['alias']), 'root': None}}
            if device is not None:
                on_device = qdiscs.get(device['index'], {})
                tc['root'] = tbf_parameters(on_device.get('root'))
                tc['ingress_qdisc'] = bool(on_device.get('ingress'))
                tc['redirected'] = ifb is not None and tc['ingress_qdisc'] and \
                    ifb['index'] in self.seam.redirect_targets(None, device['index'])
            if ifb is not None:
                tc['ifb']['root'] = tbf_parameters(qdiscs.get(ifb['index'], {}).get('root'))
            egress = tc['ifb']['root'] if tc['redirected'] else None
            current[spec.subject] = {'ingress': bucket_view(tc['root'], tick), 'egress': bucket_view(egress, tick)}
            current['_tc ' + spec.subject] = tc
        return current

    def plan(self, desired, current):
        actions, after, tick = [], dict(current), current['_tick']
        for spec in desired:
            tc = current['_tc ' + spec.subject]
            if spec.state == 'present':
                actions.extend(_plan_ingress(spec, tc, tick))
                actions.extend(_plan_egress(spec, tc, tick))
                egress = tc['ifb']['root'] if tc['redirected'] else None
                after[spec.subject] = {'ingress': _promised(spec.ingress, tc['root'], tick),
                                       'egress': _promised(spec.egress, egress, tick)}
            else:
                actions.extend(_remove_ifb(spec, tc))
                after[spec.subject] = None  # the device goes with its veth pair, another part's
        return Plan(actions, current, after)

    def verify(self, plan, observed):
        problems = []
        for subject, promised in plan.after.items():
            if subject.startswith('_') or promised is None:  # None: the device went with its veth pair
                continue
            for direction, bucket in promised.items():
                found = observed[subject][direction]
                if (bucket is None) != (found is None) or (bucket and not _close_views(bucket, found)):
                    problems.append('%s.%s expected %r, found %r' % (subject, direction, bucket, found))
        return problems

    def op_shape(self, device, rate, burst, limit):
        self.seam.set_token_bucket(None, device, rate, burst, limit)

    def op_unshape(self, device):
        self.seam.delete_root_qdisc(None, device)

    def op_add_ifb(self, name):
        self.seam.add_ifb(None, name, IFB_MARK)

    def op_delete_ifb(self, name):
        self.seam.delete_link(None, name)

    def op_redirect(self, device, ifb):
        self.seam.redirect_ingress(None, device, ifb)

    def op_unredirect(self, device):
        self.seam.delete_ingress_qdisc(None, device)


def tbf_parameters(qdisc):
    """(rate, buffer, limit) of a tbf qdisc; None for none or another kind."""
    if qdisc is None or qdisc['kind'] != 'tbf' or 'rate' not in qdisc:
        return None
    return qdisc['rate'], qdisc['buffer'], qdisc['limit']


def _close(have, want):
    """Whether the kernel has the bucket: the same rate and queue, and the
    same burst but for the kernel's rounding of its time (a few ticks)."""
    if have is None or want is None:
        return have is want
    return have[0] == want[0] and have[2] == want[2] and abs(have[1] - want[1]) <= max(2, want[1] // 500)


def _close_views(promised, found):
    return promised['rate'] == found['rate'] and abs(promised['burst'] - found['burst']) <= max(1, promised['burst'] // 500)


def _promised(bucket, have, tick):
    """The view after the plan: the kernel's as read where it has the bucket already."""
    want = bucket and bucket.kernel(tick)
    return bucket_view(have if _close(have, want) else want, tick)


def _shape(device, bucket, have, tick, what):
    """The action that makes `device`'s root qdisc the bucket (None: none of ours)."""
    want = bucket and bucket.kernel(tick)
    if _close(have, want):
        return []
    if want is None:
        return [Action('unshape', 'bandwidth/' + device, 'remove the %s limit (tbf on %s)' % (what, device),
                       {'device': device}, undo=('shape', _bucket_args(device, have, tick)))]
    undo = ('unshape', {'device': device}) if have is None else ('shape', _bucket_args(device, have, tick))
    return [Action('shape', 'bandwidth/' + device, 'limit %s to %s, burst %d bytes (tbf on %s)'
                   % (what, _human_rate(bucket.rate), bucket.burst, device), _bucket_args(device, want, tick), undo=undo)]


def _bucket_args(device, kernel, tick):
    view = bucket_view(kernel, tick)
    return {'device': device, 'rate': kernel[0], 'burst': view['burst'], 'limit': kernel[2]}


def _plan_ingress(spec, tc, tick):
    return _shape(spec.device, spec.ingress, tc['root'], tick, 'what %s receives' % spec.name)


def _plan_egress(spec, tc, tick):
    container, actions, ifb = spec.name, [], tc['ifb']
    if spec.egress is None:
        if tc['redirected']:
            actions.append(Action('unredirect', 'bandwidth/' + spec.device, 'stop redirecting what %s sends to %s'
                                  % (container, spec.ifb), {'device': spec.device},
                                  undo=('redirect', {'device': spec.device, 'ifb': spec.ifb})))
        return actions + _remove_ifb(spec, tc)
    if ifb is not None and not ifb['owned']:
        raise ValidationError('bandwidth', '%s exists and is not ours: it stays, so %s cannot limit what it sends'
                                           % (spec.ifb, container))
    if ifb is None:
        actions.append(Action('add_ifb', 'bandwidth/' + spec.ifb, 'create ifb device %s' % spec.ifb, {'name': spec.ifb},
                              undo=('delete_ifb', {'name': spec.ifb})))
    shaped = _shape(spec.ifb, spec.egress, ifb and ifb['root'], tick, 'what %s sends' % container)
    actions.extend(Action(a.op, a.subject, a.description, a.args, COVERED if ifb is None else a.undo) for a in shaped)
    if not tc['redirected'] or ifb is None:
        if tc['ingress_qdisc']:  # someone else's filters: the redirect replaces them
            actions.append(Action('unredirect', 'bandwidth/' + spec.device, 'remove the ingress qdisc of %s' % spec.device,
                                  {'device': spec.device}))
        actions.append(Action('redirect', 'bandwidth/' + spec.device, 'redirect what %s sends to %s' % (container, spec.ifb),
                              {'device': spec.device, 'ifb': spec.ifb}, undo=('unredirect', {'device': spec.device})))
    return actions


def _remove_ifb(spec, tc):
    if tc['ifb'] is None or not tc['ifb']['owned']:
        return []
    return [Action('delete_ifb', 'bandwidth/' + spec.ifb, 'delete ifb device %s' % spec.ifb, {'name': spec.ifb})]


def _human_rate(bits):
    for unit, scale in (('gbit', 10 ** 9), ('mbit', 10 ** 6), ('kbit', 10 ** 3)):
        if bits >= scale and bits % scale == 0:
            return '%d%s' % (bits // scale, unit)
    return '%dbit' % bits

# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The reachability module: probe what its parameters ask for and report
it - the input (_reachability_plan), the probes (_prober), the result
(_reachability_report) - with the limits a big mesh needs (open files), a
warning when the kernel's neighbour table overflowed meanwhile and, asked
to, the sources probing in waves and the learned entries of that table
deleted before the first wave and after each."""

import resource
import socket

from ansible_collections.linuxns.net.plugins.module_utils._prober import MAX_OPEN_CONNECTS, Namespaces, Prober
from ansible_collections.linuxns.net.plugins.module_utils._reachability_plan import plan
from ansible_collections.linuxns.net.plugins.module_utils._reachability_report import report
from ansible_collections.linuxns.net.plugins.module_utils._rtnl import NETLINK_ROUTE
from ansible_collections.linuxns.net.plugins.module_utils._rtnl_write import Writer
from ansible_collections.linuxns.net.plugins.module_utils._validate import ValidationError

MISSES_IN_MESSAGE = 20
OPEN_FILES_SPARE = 64  # what the interpreter and Ansible hold open besides ours

NEIGHBOUR_STATS = ('/proc/net/stat/arp_cache', '/proc/net/stat/ndisc_cache')
NEIGHBOUR_WARNING = (
    "the kernel's neighbour (ARP/NDP) table, which all namespaces share, was full while probing, so the kernel dropped "
    "packets (dmesg: neighbor table overflow); it frees only entries unused for 5 s, so give such a mesh retries more "
    "than 5 s apart (e.g. retries=8, delay=6), fewer sources at once (sources_at_once with flush_neighbours; lab hosts "
    "on one kernel: one host at a time) or a larger net.ipv4.neigh.default.gc_thresh3")


def neighbour_table_fulls():
    """How often the kernel's neighbour tables have been full since boot
    (a counter per CPU under table_fulls; 0 where it cannot be read)."""
    total = 0
    for path in NEIGHBOUR_STATS:
        try:
            with open(path) as handle:
                column = handle.readline().split().index('table_fulls')
                total += sum(int(line.split()[column], 16) for line in handle)
        except (IOError, OSError, ValueError, IndexError):
            continue
    return total


def here_label():
    """The module's own namespace is shown under the host's name."""
    return socket.gethostname().split('.')[0] or 'localhost'


def open_files_needed(planned):
    """Namespace fds, ICMP sockets and TCP connects in flight, at most."""
    channels = set((check.source.netns, check.family) for check in planned.checks if check.port is None)
    connects = MAX_OPEN_CONNECTS if any(check.port for check in planned.checks) else 0
    return len(planned.sources) + len(channels) + connects + OPEN_FILES_SPARE


def allow_open_files(needed):
    """Raise the soft limit on open files (often 1024) as far as the hard
    limit allows, for many sources; fail naming sources beyond that."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return
    if hard != resource.RLIM_INFINITY and hard < needed:
        raise ValidationError('sources', 'these checks need %d open files, more than the limit of %d: use fewer sources'
                              % (needed, hard))
    resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


def probe(params):
    """The report of the checks `params` ask for; raises ValidationError for
    bad input (before any probe) and OSError when probing is impossible."""
    planned = plan(params, here_label())
    allow_open_files(open_files_needed(planned))
    namespaces = Namespaces()
    writers = []  # with flush_neighbours: a netlink socket in each namespace, kept for every flush
    elapsed = flushed = 0
    try:
        for source in planned.sources:
            namespaces.open(source.netns, source.option)
        if params.get('flush_neighbours'):
            writers = [Writer(namespaces.socket(netns, socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE))
                       for netns in set([''] + [source.netns for source in planned.sources])]
        # before the first wave what earlier runs left (the probes start with room and resolve
        # every neighbour afresh), then after each wave, so that the next finds room too
        flushed += flush_neighbours(writers)
        for checks in planned.waves():
            elapsed += Prober(namespaces, planned.timeout, planned.delay, planned.retries).run(checks)
            flushed += flush_neighbours(writers)
    finally:
        for writer in writers:
            writer.close()
        namespaces.close()
    result = report(planned, elapsed)
    if params.get('flush_neighbours'):
        result['neighbours_flushed'] = flushed
    return result


def flush_neighbours(writers):
    """Delete the learned neighbour entries of the writers' namespaces (the
    sources' and our own, with its bridges and links): how many."""
    return sum(writer.flush_neighbours() for writer in writers)


def misses_message(result):
    misses = result['misses']
    more = len(misses) - MISSES_IN_MESSAGE
    return '%d of %d checks missed: %s%s' % (len(misses), result['total'], ', '.join(misses[:MISSES_IN_MESSAGE]),
                                             ' and %d more' % more if more > 0 else '')


def probe_and_exit(module):
    """Probe and exit the module: failed on bad input, and on any miss when
    fail_on_miss is set.  Only reads, so check mode runs it the same."""
    fulls = neighbour_table_fulls()
    try:
        result = probe(module.params)
    except ValidationError as exc:
        module.fail_json(msg=str(exc), option=exc.option, changed=False)
    except OSError as exc:
        module.fail_json(msg='could not probe: %s' % exc, changed=False)
    if result['misses'] and neighbour_table_fulls() > fulls:
        module.warn(NEIGHBOUR_WARNING)
    if result['misses'] and module.params['fail_on_miss']:
        module.fail_json(msg=misses_message(result), **result)
    module.exit_json(**result)

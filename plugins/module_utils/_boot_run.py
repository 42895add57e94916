# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The boot units' command (see _boot): re-apply the recorded container
network with the module's own converge, once, or with --watch after every
burst of packet-filter changes (a firewall reload).  Runs without Ansible,
from the engine copy in the state directory:

  PYTHONPATH=STATE_DIR/engine PYTHON -m ansible_collections.linuxns.net.plugins.module_utils._boot_run STATE_DIR/network.json [--check] [--watch]
"""

import argparse
import select
import shutil
import subprocess
import sys
import time

from ansible_collections.linuxns.net.plugins.module_utils._boot import ENTRY, STATE_FILE, read_state
from ansible_collections.linuxns.net.plugins.module_utils._converge import ConvergeFailed, converge
from ansible_collections.linuxns.net.plugins.module_utils._network import ContainerNetworkResource
from ansible_collections.linuxns.net.plugins.module_utils._validate import ValidationError

QUIET_SECONDS = 0.5  # a burst of packet-filter changes is over when it has been quiet this long
SAFETY_SECONDS = 60  # re-applied this often anyway: iptables-legacy sends no event


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog='python -m ' + ENTRY,
        description='Re-apply the container network recorded by linuxns.net container_network.')
    parser.add_argument('state', help='the recorded state, STATE_DIR/%s' % STATE_FILE)
    parser.add_argument('--check', action='store_true', help='report what would change, change nothing')
    parser.add_argument('--watch', action='store_true',
                        help='then stay, and re-apply after every change of the packet filter (a firewall reload)')
    parser.add_argument('--every', type=float, default=SAFETY_SECONDS, metavar='SECONDS',
                        help='with --watch, also re-apply this often (iptables-legacy reports no change; default %(default)s)')
    args = parser.parse_args(argv)
    if not args.watch or args.check:
        return apply_once(args.state, args.check)
    monitor = start_monitor()  # before the first converge: a reload during it is not missed
    try:
        status = apply_once(args.state)
        for _burst in packet_filter_changes(monitor, safety=args.every):
            status = apply_once(args.state)
    finally:
        if monitor is not None:
            monitor.kill()
            monitor.wait()
    return status


def apply_once(state, check=False):
    """One converge of the recorded network; 0 when it succeeded."""
    try:
        params = read_state(state)
        result, warnings = converge(ContainerNetworkResource, params, check_mode=check, result_key='containers')
    except (ValidationError, ConvergeFailed) as exc:
        _report_failure(exc, getattr(exc, 'fields', {'changed': False}))
        return 1
    for line in warnings:
        _say(sys.stderr, 'linuxns-network: warning: %s' % line)
    for action in result['actions']:
        _say(sys.stdout, ('would ' if check else '') + action)
    _say(sys.stdout, 'linuxns-network: %s, %d containers, %d changes%s' % (
        result['bridge'], len(result['containers']), len(result['actions']), ' (check mode)' if check else ''))
    return 0


def start_monitor():
    """`nft monitor ruleset`, reporting every change of the packet filter
    (None without nft)."""
    if not shutil.which('nft'):
        return None
    # a process that keeps running and is read line by line, at boot, without Ansible
    return subprocess.Popen(['nft', 'monitor', 'ruleset'], stdout=subprocess.PIPE,  # pylint: disable=ansible-bad-function
                            stderr=subprocess.DEVNULL)


def packet_filter_changes(monitor, quiet=QUIET_SECONDS, safety=SAFETY_SECONDS):
    """Yields once after each burst of packet-filter changes the monitor
    reports (a firewalld or nftables reload, ufw, Docker, a flush by hand:
    iptables-nft changes are nf_tables changes too), once a burst has been
    quiet for `quiet` seconds; and every `safety` seconds regardless
    (iptables-legacy changes send no event).  A re-apply that changed
    something causes one more burst, whose re-apply changes nothing."""
    while True:
        if monitor is None:
            time.sleep(safety)
        elif _wait_line(monitor, safety) is not None:
            while _wait_line(monitor, quiet) is not None:  # the rest of the burst
                pass
        yield


def _wait_line(process, seconds):
    """A line of the process's output within `seconds`, else None; at its
    end, SystemExit."""
    ready, _w, _x = select.select([process.stdout], [], [], seconds)
    if not ready:
        return None
    line = process.stdout.readline()
    if not line:
        process.wait()
        raise SystemExit('linuxns-network: nft monitor ended (exit %s)' % process.returncode)
    return line


def _say(stream, text):
    stream.write(text + '\n')  # the journal's line, not a module's output


def _report_failure(exc, fields):
    """What failed and what stayed, for the journal."""
    _say(sys.stderr, 'linuxns-network: %s' % exc)
    if not fields.get('changed'):
        _say(sys.stderr, 'linuxns-network: nothing was changed')
    for key in ('applied', 'rolled_back', 'not_rolled_back'):
        for description in fields.get(key) or []:
            _say(sys.stderr, 'linuxns-network: %s: %s' % (key.replace('_', ' '), description))


if __name__ == '__main__':
    raise SystemExit(main())

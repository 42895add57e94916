# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The file seam: small text files the collection owns (the record, a
namespace's resolv.conf and hosts), read whole and replaced atomically (or,
for a file a workload sees bind-mounted, rewritten in place);
the lock that serialises two writers of one host; and the crash tests'
failpoints."""

import errno
import os
import signal

from ansible_collections.linuxns.net.plugins.module_utils._kernel import NETNS_RUN_DIR

# The crash tests' fault injection (tests/integration/test_crash_safety.py):
# the process SIGKILLs itself where this variable names a point - 'action:N'
# (after the Nth applied action of a run) or a named place (see failpoint
# calls).  Unset, as everywhere but in those tests, it costs one dict lookup.
FAILPOINT_VARIABLE = 'LINUXNS_FAILPOINT'


def failpoint(name):
    """Die here, at once and without cleanup, if the crash tests ask to."""
    if os.environ.get(FAILPOINT_VARIABLE) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def read_text(path, binary=False):
    """The file's text (bytes with `binary`), or None when it does not exist."""
    try:
        with open(path, 'rb' if binary else 'r') as handle:
            return handle.read()
    except IOError as exc:
        if exc.errno == errno.ENOENT:
            return None
        raise


def write_text(path, text, prune_parent=False):
    """Replace `path` with `text` (str or bytes) atomically (a killed run
    leaves the old file or the new), making its directory; None removes it,
    and with `prune_parent` its directory too once empty."""
    directory = os.path.dirname(path)
    if text is None:
        if os.path.lexists(path):
            os.unlink(path)
        if prune_parent and os.path.isdir(directory) and not os.listdir(directory):
            os.rmdir(directory)
        return
    if not os.path.isdir(directory):
        os.makedirs(directory, 0o755)
    temporary = path + '.tmp'
    with open(temporary, 'wb' if isinstance(text, bytes) else 'w') as handle:
        handle.write(text)
    os.rename(temporary, path)


def rewrite_in_place(path, text):
    """Write `text` into the existing file `path`, keeping its inode: a
    bind mount of it (a workload's /etc/hosts) then sees the new text, where
    a replaced file would leave it the old one.  Not atomic; a killed run
    leaves a file the next run finds different and writes again."""
    with open(path, 'r+') as handle:
        handle.write(text)
        handle.truncate()


HOST_LOCK = NETNS_RUN_DIR  # the host's named namespaces: per host, and per lab host or test sandbox


class HostLock:
    """An exclusive flock on the directory of the host's named namespaces,
    held by every module that writes (and the boot and watch units) around
    read, plan, apply and verify: two writers of one host take turns
    instead of planning from the same state and colliding; the second
    waits, then plans from what the first left.  A directory, not a file in
    it (`ip netns list` would list a file); made if missing, as `ip netns
    add` makes it.  The lock goes with the process: a killed run never
    leaves it held."""

    def __init__(self, path=HOST_LOCK, timeout=300):
        self.path = path
        self.timeout = timeout
        self.fd = None

    def __enter__(self):
        import fcntl
        import time
        if not os.path.isdir(self.path):
            os.makedirs(self.path, 0o755, exist_ok=True)
        self.fd = os.open(self.path, os.O_RDONLY)
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except (IOError, OSError) as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES) or time.monotonic() > deadline:
                    os.close(self.fd)
                    raise OSError(errno.EAGAIN, 'another linuxns.net run on this host (a playbook, or the boot or watch '
                                  'unit) held the host lock (flock on %s) for over %d s' % (self.path, self.timeout))
                time.sleep(0.05)

    def __exit__(self, *exc_info):
        os.close(self.fd)  # closing releases the flock
        self.fd = None

# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The file seam: small text files the collection owns (the record, a
namespace's resolv.conf and hosts), read whole and replaced atomically;
and the lock that serialises two writers of one host."""

import errno
import os


def read_text(path):
    """The file's text, or None when it does not exist."""
    try:
        with open(path) as handle:
            return handle.read()
    except IOError as exc:
        if exc.errno == errno.ENOENT:
            return None
        raise


def write_text(path, text, prune_parent=False):
    """Replace `path` with `text` atomically (a killed run leaves the old file
    or the new), making its directory; None removes it, and with
    `prune_parent` its directory too once empty."""
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
    with open(temporary, 'w') as handle:
        handle.write(text)
    os.rename(temporary, path)


class DirectoryLock:
    """An exclusive flock on a directory, held for one converge: two writers
    of one host's network (two playbooks, or a playbook and the watch unit)
    take turns instead of planning from the same state and colliding.  The
    directory is the state directory, or before a first run makes it, the
    nearest ancestor that exists: no file is written for it, not even in
    check mode.  (Two first runs at once both lock that ancestor.)"""

    def __init__(self, state_dir, timeout=300):
        self.path = os.path.abspath(state_dir)
        while not os.path.isdir(self.path):
            self.path = os.path.dirname(self.path)
        self.timeout = timeout
        self.fd = None

    def __enter__(self):
        import fcntl
        import time
        self.fd = os.open(self.path, os.O_RDONLY)
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except (IOError, OSError) as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES) or time.monotonic() > deadline:
                    os.close(self.fd)
                    raise OSError(errno.EAGAIN, 'another run of container_network on this host held the lock on %s '
                                  'for over %d s' % (self.path, self.timeout))
                time.sleep(0.05)

    def __exit__(self, *exc_info):
        os.close(self.fd)  # closing releases the flock
        self.fd = None

# -*- coding: utf-8 -*-
# Copyright (c) 2026, linuxns.net contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The file seam: small text files the collection owns (the record, a
namespace's resolv.conf and hosts), read whole and replaced atomically."""

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

"""What each `chiso` command does, one module per command (`chiso/cli.py` parses the arguments).

A command's module is imported only when that command runs, so each imports at its top
what it needs and no command pays for another's libraries.
"""

from __future__ import annotations


class UserError(RuntimeError):
    """A mistake the user can fix; printed without a traceback."""


class Failed(RuntimeError):
    """A run stopped for a reason the message explains (a limit reached, the environment); exit 1,
    printed without a traceback."""

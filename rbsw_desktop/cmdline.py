"""Text from the command line, for both CLIs (`rbsw`, `rbsw-gateway`): Python hands over bytes
that are not valid UTF-8 as lone surrogates, which no store or database can keep. Each CLI asks
`not_utf8` before running a command, and refuses by name what it finds."""

from __future__ import annotations

import argparse
from typing import Any

from rbsw_desktop.protocol import is_unicode

NOT_UTF8 = ("The text given to {where} is not valid UTF-8 (the terminal or script that ran "
            "this command uses another encoding). Nothing was changed: type it again, or save "
            "the script as UTF-8.")


def not_utf8(parser: argparse.ArgumentParser, args: argparse.Namespace) -> str:
    """A sentence naming the first argument of this command that is not valid UTF-8 (`--child`,
    `NAME`), or ""."""
    for action in _chosen_actions(parser, args):
        value = getattr(args, action.dest, None)
        values = value if isinstance(value, list) else [value]
        if any(isinstance(v, str) and not is_unicode(v) for v in values):
            where = (max(action.option_strings, key=len) if action.option_strings
                     else (action.metavar or action.dest).upper())
            return NOT_UTF8.format(where=where)
    return ""


def _chosen_actions(parser: argparse.ArgumentParser, args: argparse.Namespace) -> list[Any]:
    """The arguments of the parser and of each subcommand chosen, in that order."""
    actions: list[Any] = []
    for action in parser._actions:                  # noqa: SLF001 - argparse has no public view
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            chosen = action.choices.get(getattr(args, action.dest, None) or "")
            if chosen is not None:
                actions += _chosen_actions(chosen, args)
        elif action.dest != argparse.SUPPRESS:
            actions.append(action)
    return actions

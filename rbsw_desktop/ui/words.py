"""Counts in words: "1 change waiting", "2 changes waiting", "1 child", "8 children"."""

from __future__ import annotations


def plural(n: int, word: str, words: str = "") -> str:
    """`n` and `word`, or its plural (`words`, else `word` + "s") for any number but 1."""
    return f"{n} {word}" if n == 1 else f"{n} {words or word + 's'}"

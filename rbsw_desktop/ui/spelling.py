"""Spell-check in every long text field: a red wavy line under each misspelt word, and a menu
(right click, the Menu key or Shift+F10) with up to five suggestions, "Add to my dictionary"
and "Ignore". British English: Hunspell's en_GB dictionary (Debian's hunspell-en-gb) through
Enchant (pyenchant over libenchant).

    enable_spellcheck(self.note, taskman)         # one line per field

One `Speller` per task manager (its child; `app.build` makes it while the lock screen shows):
the dictionary loads once, in the pool, off the UI thread; the worker's own words come from the
encrypted store (`store.own_words`) on the store thread, again after each unlock, and "Add to my
dictionary" writes there. "Ignore" lasts until the app is locked. Checking never stalls typing:
each block (paragraph) is checked on its own, every word's answer is kept, and new words are
checked for a few milliseconds a turn of the event loop: the rest of a block not finished in
time is checked in slices in the next turns, then the block is underlined again (a long paste
stays responsive). Without a dictionary the fields work as before and the app says once that
spell-check is off.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from typing import Any

import shiboken6
from PySide6.QtCore import QEvent, QObject, QPoint, QSignalBlocker, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QColor,
    QKeyEvent,
    QSyntaxHighlighter,
    QTextBlock,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import QMainWindow, QMenu, QPlainTextEdit, QWidget

from rbsw_desktop.ui.taskman import StoreOp, TaskManager

log = logging.getLogger(__name__)

LANGUAGE = "en_GB"
PROVIDERS = "hunspell,nuspell,aspell"       # Enchant's order of back ends for the language
MAX_SUGGESTIONS = 5
SLICE_S = 0.006             # how long checking new words may take in one turn of the loop
MAX_KNOWN = 50_000          # answers kept before the memory of them starts afresh
OFF_SHOWN_MS = 30_000
OFF_MESSAGE = ("Spell-check is off: this computer has no British English dictionary. "
               "Ask IT support to install it (hunspell-en-gb).")
#: A word: letters, with apostrophes inside ("don't", "child’s"); digits and _ split words.
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


def words_in(text: str) -> Iterator[tuple[int, str]]:
    """(start, word) for each word worth checking: not one letter, not an acronym (CAMHS)."""
    for match in WORD.finditer(text):
        word = match.group()
        if len(word) > 1 and not word.isupper():
            yield match.start(), word


def load_dictionary() -> Any:
    """The en_GB dictionary (an `enchant.Dict`), or None where there is none. Runs off the UI
    thread: the library and the dictionary take tens of milliseconds to load."""
    try:
        import enchant
    except ImportError:            # the package, or libenchant under it, is not installed
        return None
    broker = enchant.Broker()
    broker.set_ordering(LANGUAGE, PROVIDERS)
    try:
        return broker.request_dict(LANGUAGE)
    except enchant.errors.Error:
        return None


class Speller(QObject):
    """The dictionary, the worker's own words and the ignored ones, for every field."""

    def __init__(self, taskman: TaskManager) -> None:
        super().__init__(taskman)
        self.taskman = taskman
        self.dictionary: Any = None
        self.off = False                    # known to have no dictionary
        self._said_off = False
        self._own: set[str] = set()
        self._ignored: set[str] = set()
        self._known: dict[str, bool] = {}
        self._words_of: object = None       # the store `_own` was read from
        self._unchecked: set[str] = set()
        self._turn_ends = 0.0
        self._next_turn = QTimer(self, singleShot=True, interval=0)
        self._next_turn.timeout.connect(self._turn_over)
        self.highlighters: list[SpellHighlighter] = []
        self._fields = 0                    # alive now
        taskman.run_in_pool(load_dictionary, self._loaded, self._not_loaded)

    @classmethod
    def of(cls, taskman: TaskManager) -> Speller:
        return taskman.findChild(Speller) or cls(taskman)

    # -- loading ------------------------------------------------------------------------------

    def _loaded(self, dictionary: Any) -> None:
        if dictionary is None:
            self._not_loaded(None)
            return
        self.dictionary = dictionary
        self.rehighlight()

    def _not_loaded(self, exc: BaseException | None) -> None:
        if exc is not None:
            log.warning("spell-check dictionary not loaded: %s", type(exc).__name__)
        self.off = True
        log.info("spell-check is off: no %s dictionary", LANGUAGE)
        QTimer.singleShot(0, self.say_off)

    def say_off(self) -> None:
        """Once, in the status bar of the main window the fields are in (looked for after the
        screen being built is in its window: `QTimer.singleShot(0, speller.say_off)`)."""
        if self._said_off:
            return
        for highlighter in self._live():
            window: QWidget | None = highlighter.edit.window()
            while window is not None and not isinstance(window, QMainWindow):
                parent = window.parentWidget()
                window = parent.window() if parent is not None else None
            if isinstance(window, QMainWindow):
                self._said_off = True
                window.statusBar().showMessage(OFF_MESSAGE, OFF_SHOWN_MS)
                return

    def follow_the_store(self) -> None:
        """The own words (and the ignored ones, and every answer kept) belong to one unlocked
        store: forgotten at a lock, read again after an unlock."""
        store = self.taskman.store
        if store is self._words_of:
            return
        self._forget()
        self._words_of = store
        if store is not None:
            StoreOp(None, lambda s: s.own_words.all(), taskman=self.taskman).success(
                self._own_words_read).failure(self._own_words_failed).run_in_background()

    def _forget(self) -> None:
        self._words_of = None
        self._own, self._ignored, self._known = set(), set(), {}
        self._unchecked.clear()

    def _field_gone(self) -> None:
        """A field was destroyed: once the last one goes at a lock, nothing typed (the answers
        kept), added or ignored stays in memory."""
        self._fields -= 1
        if self._fields == 0 and self.taskman.store is None:
            self._forget()

    def _own_words_read(self, words: set[str]) -> None:
        self._own |= words
        self._known.clear()
        self.rehighlight()

    def _own_words_failed(self, exc: BaseException) -> None:
        log.warning("own words not read: %s", type(exc).__name__)

    # -- checking -----------------------------------------------------------------------------

    def misspelt(self, word: str, *, now: bool = False) -> bool | None:
        """True or False; None when there is no time left in this turn of the event loop to
        check it (see `check_later`). `now`: checked whatever the time it takes."""
        if self.dictionary is None:
            return False
        known = self._known.get(word)
        if known is not None:
            return not known
        if not self._next_turn.isActive():          # the first check of this turn
            self._turn_ends = time.perf_counter() + SLICE_S
            self._next_turn.start()
        if not now and time.perf_counter() > self._turn_ends:
            return None
        return not self._check(word)

    def check_later(self, words: list[str]) -> None:
        """Words to check in the next turns, a slice at a time; the blocks that hold them are
        underlined again once all are checked."""
        self._unchecked.update(words)
        self._next_turn.start()

    def _check(self, word: str) -> bool:
        if len(self._known) > MAX_KNOWN:
            self._known.clear()
        ok = (self._own_word(word) or word in self._ignored
              or bool(self.dictionary.check(word)))
        self._known[word] = ok
        return ok

    def _own_word(self, word: str) -> bool:
        """One of the worker's words, capitalised, or with 's ("Zorbleton's")."""
        if word[-2:] in ("'s", "’s"):
            word = word[:-2]
        return word in self._own or word.lower() in self._own

    def _turn_over(self) -> None:
        ends = time.perf_counter() + SLICE_S
        while self._unchecked:               # at least one a turn, however busy the machine
            word = self._unchecked.pop()
            if word not in self._known:
                self._check(word)
            if time.perf_counter() >= ends:
                break
        if self._unchecked:
            self._next_turn.start()
            return
        for highlighter in self._live():
            highlighter.rehighlight_waiting()

    def suggestions(self, word: str) -> list[str]:
        if self.dictionary is None:
            return []
        return [s for s in self.dictionary.suggest(word) if s != word][:MAX_SUGGESTIONS]

    # -- the worker's answers -----------------------------------------------------------------

    def add(self, word: str) -> None:
        """Into the worker's own dictionary, kept in the encrypted store."""
        self.follow_the_store()
        self._own.add(word)
        for known in [k for k, ok in self._known.items() if not ok and self._own_word(k)]:
            self._known[known] = True           # the word, capitalised or with 's: right now
        StoreOp(None, lambda store: store.own_words.add(word), taskman=self.taskman
                ).run_in_background()
        self.rehighlight()

    def ignore(self, word: str) -> None:
        """Everywhere, until the app is locked."""
        self.follow_the_store()
        self._ignored.add(word)
        self._known[word] = True
        self.rehighlight()

    # -- the fields ---------------------------------------------------------------------------

    def watch(self, highlighter: SpellHighlighter) -> None:
        self.highlighters.append(highlighter)
        self._fields += 1
        highlighter.destroyed.connect(self._field_gone)

    def _live(self) -> list[SpellHighlighter]:
        self.highlighters = [h for h in self.highlighters if shiboken6.isValid(h)]
        return self.highlighters

    def rehighlight(self) -> None:
        for highlighter in self._live():
            highlighter.rehighlight_quietly()


class SpellHighlighter(QSyntaxHighlighter):
    """Underlines the misspelt words of one field, a block at a time."""

    def __init__(self, edit: QPlainTextEdit, speller: Speller) -> None:
        super().__init__(edit.document())
        self.edit, self.speller = edit, speller
        self.wrong = QTextCharFormat()
        self.wrong.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        self.wrong.setUnderlineColor(QColor("#d0021b"))
        self._waiting: list[QTextBlock] = []   # blocks with words not checked yet

    def highlightBlock(self, text: str) -> None:  # noqa: N802 (Qt's name)
        later = []                   # out of time: checked in the next turns
        for start, word in words_in(text):
            wrong = self.speller.misspelt(word)
            if wrong is None:
                later.append(word)
            elif wrong:
                self.setFormat(start, len(word), self.wrong)
        if later:
            self._waiting.append(self.currentBlock())
            self.speller.check_later(later)

    def rehighlight_quietly(self) -> None:
        """Underline afresh without the field saying its text changed (no autosave)."""
        with QSignalBlocker(self.edit):
            self.rehighlight()

    def rehighlight_waiting(self) -> None:
        """The blocks left for lack of time (each still the same paragraph, wherever typing
        has moved it since), now that their words are checked."""
        waiting, self._waiting = self._waiting, []
        done: set[int] = set()
        with QSignalBlocker(self.edit):
            for block in waiting:
                if block.isValid() and block.blockNumber() not in done:
                    done.add(block.blockNumber())
                    self.rehighlightBlock(block)

    def word_at(self, cursor: QTextCursor) -> tuple[int, str] | None:
        """The word (its position in the document, and itself) under `cursor`, if any."""
        block = cursor.block()
        at = cursor.position() - block.position()
        for start, word in words_in(block.text()):
            if start <= at <= start + len(word):
                return block.position() + start, word
        return None


class SpellMenu(QObject):
    """The field's menu with the spelling answers first: right click, the Menu key or
    Shift+F10 (the menu opens at the text cursor)."""

    def __init__(self, edit: QPlainTextEdit, highlighter: SpellHighlighter) -> None:
        super().__init__(edit)
        self.edit, self.highlighter = edit, highlighter
        self.speller = highlighter.speller
        self.menu: QMenu | None = None        # the one open now
        edit.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        edit.customContextMenuRequested.connect(
            lambda pos: self.open(pos, self.edit.cursorForPosition(pos)))
        edit.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and (
                event.key() == Qt.Key.Key_Menu or (
                event.key() == Qt.Key.Key_F10
                and event.modifiers() == Qt.KeyboardModifier.ShiftModifier)):
            self.open(self.edit.cursorRect().bottomLeft(), self.edit.textCursor())
            return True
        return False

    def open(self, pos: QPoint, cursor: QTextCursor) -> QMenu:
        menu = self.edit.createStandardContextMenu(pos)
        answers = self._answers(menu, cursor)
        if answers:
            first = menu.actions()[0]       # the standard ones (Undo, ..., Select All) follow
            menu.insertActions(first, answers)
            menu.insertSeparator(first)
            menu.setActiveAction(answers[0])
        menu.aboutToHide.connect(menu.deleteLater)     # after its chosen action has run
        self.menu = menu
        menu.popup(self.edit.viewport().mapToGlobal(pos))
        return menu

    def _answers(self, menu: QMenu, cursor: QTextCursor) -> list[QAction]:
        if self.speller.off:
            return [_action(menu, OFF_MESSAGE, enabled=False)]
        self.speller.follow_the_store()
        found = self.highlighter.word_at(cursor)
        if found is None or not self.speller.misspelt(found[1], now=True):
            return []
        start, word = found
        actions = []
        if not self.edit.isReadOnly():
            for suggestion in self.speller.suggestions(word):
                action = _action(menu, suggestion)
                action.triggered.connect(
                    lambda _checked=False, s=suggestion: self._replace(start, word, s))
                actions.append(action)
            if not actions:
                actions.append(_action(menu, "No suggestions", enabled=False))
            actions.append(_action(menu, "", separator=True))
        add = _action(menu, f"&Add “{word}” to my dictionary")
        add.triggered.connect(lambda: self.speller.add(word))
        ignore = _action(menu, f"&Ignore “{word}”")
        ignore.triggered.connect(lambda: self.speller.ignore(word))
        return [*actions, add, ignore]

    def _replace(self, start: int, word: str, suggestion: str) -> None:
        cursor = QTextCursor(self.edit.document())
        cursor.setPosition(start)
        cursor.setPosition(start + len(word), QTextCursor.MoveMode.KeepAnchor)
        if cursor.selectedText() != word:       # the text changed while the menu was open
            return
        cursor.insertText(suggestion)           # one step for Undo; the field saves itself
        self.edit.setTextCursor(cursor)


def _action(menu: QMenu, text: str, *, enabled: bool = True,
            separator: bool = False) -> QAction:
    action = QAction(text, menu)
    action.setEnabled(enabled)
    action.setSeparator(separator)
    return action


def enable_spellcheck(edit: QPlainTextEdit, taskman: TaskManager) -> SpellMenu:
    """Spell-check for one field: the underline and the menu."""
    speller = Speller.of(taskman)
    speller.follow_the_store()
    highlighter = SpellHighlighter(edit, speller)
    speller.watch(highlighter)
    highlighter.rehighlight_quietly()
    if speller.off:
        QTimer.singleShot(0, speller.say_off)
    return SpellMenu(edit, highlighter)

"""The main window: the lock screen, then the caseload and the open case.

Only what the lock screen needs is imported before it shows; the case screens, sync and the
store are imported when first used (and `app.build` imports them on a plain thread as soon as
the window shows, so nothing waits for them later).

Locking (Ctrl+L, or after the idle time) first asks every open editor to autosave into the
encrypted store (`sig_before_lock`), then drops the key and everything on screen.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QEvent, QObject, QPoint, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QSizeGrip,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from rbsw_desktop.domain.changes import Changes
from rbsw_desktop.domain.enums import EntityKind
from rbsw_desktop.errors import KeyringLocked
from rbsw_desktop.ui.a11y import StatusLabel, name_parts, tab_into
from rbsw_desktop.ui.caseload import SUMMARY_KINDS, CaseloadView
from rbsw_desktop.ui.lock_screen import LockScreen
from rbsw_desktop.ui.taskman import StoreOp, TaskManager, plain_message
from rbsw_desktop.ui.words import plural

if TYPE_CHECKING:
    from rbsw_desktop.store import CaseSummary, SearchHit, Store
    from rbsw_desktop.sync.engine import SyncReport
    from rbsw_desktop.sync.support_client import SupportClient
    from rbsw_desktop.ui.business_support import BusinessSupportView
    from rbsw_desktop.ui.case_workspace import CaseWorkspace
    from rbsw_desktop.ui.enrol_dialog import EnrolDialog
    from rbsw_desktop.ui.sync_panel import SyncPanel, SyncSetup
    from rbsw_desktop.ui.sync_status import SyncView

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 250
USER_INPUT = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
              QEvent.Type.Wheel, QEvent.Type.TouchBegin}
WINDOW_SIZE = QSize(1200, 780)
FRAME_ALLOWANCE = QSize(16, 48)    # a window manager's title bar and borders, at most
CASELOAD_SHARE, CASE_OPEN_SHARE = 0.7, 0.3     # of the width: no case open, a case open
PREPARE_MS = 300       # after the lock screen shows: the case screen is built ahead then


class IdleWatch(QObject):
    """Restarts the idle timer on any user input anywhere in the app; and Ctrl+L locks even
    while a dialog is open (Qt blocks the window's own shortcut behind a modal dialog)."""

    def __init__(self, timer: QTimer, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = timer
        self.lock = getattr(parent, "lock", None)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        # Every event in the app comes through here (thousands as a case opens): look once.
        kind = event.type()
        if kind not in USER_INPUT:
            return False
        if self.timer.isActive():
            self.timer.start()
        if kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and self.lock is not None \
                and event.key() == Qt.Key.Key_L \
                and event.modifiers() == Qt.KeyboardModifier.ControlModifier \
                and QApplication.activeModalWidget() is not None:
            self.lock()
            return True
        return False


def find_with_children(store: Store, text: str) -> list[tuple[SearchHit, str, str]]:
    """Search hits, each with its case id and the child's name (a child found by name: the
    child's case)."""
    from rbsw_desktop.domain.entities import Case
    from rbsw_desktop.errors import NotFound
    hits = store.search.find(text, limit=30)
    case_of = {}
    for hit in hits:
        if hit.case_id:
            case_of[hit.record_id] = hit.case_id
        elif hit.entity == EntityKind.CHILD:
            cases = store.records.find(Case, "child_id = ?", [hit.record_id])
            case_of[hit.record_id] = cases[0].id if cases else ""
    names = {}
    for case_id in set(case_of.values()) - {""}:
        try:
            names[case_id] = store.cases.child_of(store.cases.get(case_id)).name
        except NotFound:
            names[case_id] = ""
    return [(hit, case_of.get(hit.record_id, ""), names.get(case_of.get(hit.record_id, ""), ""))
            for hit in hits]


class MainWindow(QMainWindow):
    sig_before_lock = Signal()     # editors autosave what is being typed
    sig_unlocked = Signal(object)  # the store
    sig_revoked = Signal(str)      # signed out by the council; the store is wiped

    def __init__(self, *, taskman: TaskManager, data_dir: Path, idle_minutes: float = 5,
                 demo_passphrase: str = "", store_factory=None,
                 allow_keyring_unlock: bool | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.taskman = taskman
        self.data_dir = data_dir
        self.setWindowTitle("rbsw-desktop" + (" — fictional demo" if demo_passphrase else ""))
        self.workspace: CaseWorkspace | None = None
        self.spare_workspace: CaseWorkspace | None = None    # built ahead: `prepare_case_screen`
        self.sync_panel: SyncPanel | None = None
        self.pod_view: BusinessSupportView | None = None    # business support: the pod's records
        self.enrol_button: QPushButton | None = None
        self.sync_problem: StatusLabel | None = None     # why sync cannot start, and a retry
        self.sync_retry: QPushButton | None = None
        self.enrol_dialog: EnrolDialog | None = None
        self.pod_client: SupportClient | None = None  # the demo's business support login

        self.lock_screen = LockScreen(taskman=taskman, data_dir=data_dir,
                                      demo_passphrase=demo_passphrase,
                                      store_factory=store_factory,
                                      allow_keyring_unlock=allow_keyring_unlock)
        self.lock_screen.sig_unlocked.connect(self.on_unlocked)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.lock_screen)
        self.stack.addWidget(self._build_work_page())
        self.setCentralWidget(self.stack)

        self.status = StatusLabel("Status")
        self.statusBar().addWidget(self.status, 1)
        self.statusBar().setAccessibleName("Status bar")
        for grip in self.statusBar().findChildren(QSizeGrip):
            grip.setAccessibleName("Resize the window")
        name_parts(self)

        self.idle_timer = QTimer(self, singleShot=True)
        self.idle_timer.setInterval(int(idle_minutes * 60_000))
        self.idle_timer.timeout.connect(self.lock)
        self.idle_watch = IdleWatch(self.idle_timer, self)
        self.prepare_timer = QTimer(self, singleShot=True, interval=PREPARE_MS)
        self.prepare_timer.timeout.connect(self.prepare_case_screen)
        self._watching_input = False        # see watch_input

        self._add_action("&Lock now", QKeySequence("Ctrl+L"), self.lock)
        self._add_action("&Find", QKeySequence.StandardKey.Find, self._focus_search)
        self._add_action("&Quit", QKeySequence.StandardKey.Quit, self.close)
        self._add_action("&Pod view (business support)", QKeySequence("Ctrl+P"),
                         self.show_pod_view)
        taskman.sig_changes_applied.connect(self._changed)
        self.fit_to_screen()
        self.show_lock_screen()

    # -- building -----------------------------------------------------------------------------

    def _build_work_page(self) -> QWidget:
        self.search = QLineEdit(placeholderText="Search children, visit notes, board and direct "
                                "work (Ctrl+F)")
        self.search.setAccessibleName("Search")
        self.search.setClearButtonEnabled(True)
        self.search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self.search_timer.timeout.connect(self._run_search)
        self.search.textChanged.connect(self._search_changed)
        self.caseload = CaseloadView()
        self.caseload.sig_open_case.connect(self.open_case)
        self.results = QListWidget()
        self.results.setAccessibleName("Search results")
        self.results.setWordWrap(True)
        self.results.itemActivated.connect(self._open_hit)
        self.results.hide()
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        caseload_label = QLabel("&Caseload", objectName="title")
        caseload_label.setBuddy(self.caseload)
        column.addWidget(caseload_label)
        column.addWidget(self.caseload, 2)
        column.addWidget(self.results, 1)
        self.case_area = QStackedWidget()
        self.empty_case = QLabel("Choose a child from the caseload (Enter opens it).",
                                 alignment=Qt.AlignmentFlag.AlignCenter, objectName="hint")
        self.case_area.addWidget(self.empty_case)
        split = QSplitter()
        split.setAccessibleName("Caseload and case")
        split.addWidget(left)
        split.addWidget(self.case_area)
        split.setStretchFactor(1, 1)
        self.split = split
        self._caseload_share(CASELOAD_SHARE)    # the caseload has the room until a case opens
        page = QWidget(objectName="page")
        layout = QVBoxLayout(page)
        layout.addWidget(self.search)
        layout.addWidget(split, 1)
        return page

    def fit_to_screen(self) -> None:
        """The usual size, made smaller to fit the screen the window opens on (what is left
        of it beside the taskbar, with room for the window's frame), and centred on it."""
        room = self.screen().availableGeometry()
        size = WINDOW_SIZE.boundedTo(room.size() - FRAME_ALLOWANCE)
        self.resize(size)
        self.move(room.center() - QPoint(size.width() // 2, size.height() // 2))

    def _add_action(self, text: str, keys: QKeySequence | QKeySequence.StandardKey,
                    slot) -> QAction:  # noqa: ANN001
        action = QAction(text, self)
        action.setShortcut(keys)
        action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    # -- lock and unlock ----------------------------------------------------------------------

    @property
    def locked(self) -> bool:
        return self.taskman.store is None

    def show_lock_screen(self) -> None:
        self.stack.setCurrentWidget(self.lock_screen)
        self.lock_screen.reset()
        self.status.setText("Locked")
        self.prepare_timer.start()

    def watch_input(self) -> None:
        """Every event of the app goes through `IdleWatch` from now on. Letting the events
        through Python costs PySide some tens of milliseconds the first time (it works out each
        kind of object), so the app does it once its first window shows (`app.build`), and
        unlock at the latest, when the idle time starts counting."""
        if not self._watching_input:
            self._watching_input = True
            cast(QApplication, QApplication.instance()).installEventFilter(self.idle_watch)

    def on_unlocked(self, store: Store) -> None:
        self.taskman.store = store
        self.stack.setCurrentIndex(1)
        self.watch_input()
        self.idle_timer.start()
        self._start_sync()
        self.refresh_caseload()
        self.caseload.setFocus()
        self.sig_unlocked.emit(store)
        log.info("unlocked")

    def lock(self) -> None:
        if self.locked:
            return
        self.sig_before_lock.emit()           # editors save; open dialogs keep a draft, close
        self._leave_work(save=True)
        self.taskman.close_store()
        self.show_lock_screen()
        log.info("locked")

    def _leave_work(self, *, save: bool) -> None:
        """Close every window and case screen and stop sync, for the caller to close the store:
        nothing of a case stays on screen. With `save`, the editors save what is being typed
        first, and those saves reach the store before it is closed."""
        for window in QApplication.topLevelWidgets():   # nothing stays on screen behind it
            if window is not self and window.isVisible():
                window.close()
        if self.workspace is not None:
            if save:
                self.workspace.clear()        # editors save what is being typed first
            self.case_area.removeWidget(self.workspace)
            self.workspace.deleteLater()
            self.workspace = None
        if self.pod_view is not None:
            self.case_area.removeWidget(self.pod_view)
            self.pod_view.deleteLater()
            self.pod_view = None
        if self.sync_panel is not None:
            self.sync_panel.stop()
            self.sync_panel = None
        self.taskman.wait()                   # ... and those saves reach the encrypted store
        self.caseload.set_cases([])
        self._caseload_share(CASELOAD_SHARE)   # the room is the caseload's again
        self.results.clear()
        self.results.hide()
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.caseload.set_filter("")          # every child again at the next unlock
        self.idle_timer.stop()

    def _start_sync(self, *, sync_now: bool = False) -> None:
        """The sync indicator and controller, once this laptop is enrolled; until then a
        "Set up sync" button that opens the enrolment dialog. What it needs is read on the
        store thread (the store, and the keyring over D-Bus)."""
        from rbsw_desktop.ui.sync_panel import sync_setup
        StoreOp(self, sync_setup, taskman=self.taskman).success(
            lambda setup: self._sync_ready(setup, sync_now)).failure(   # e.g. keyring locked
            self._sync_cannot_start).run_in_background()

    def _sync_cannot_start(self, exc: BaseException) -> None:
        """Sync cannot start (the keyring is locked, or there is none): say so in the status
        bar, in words, with a button that tries again (which asks for the keyring again); no
        record reads "Synced" meanwhile."""
        if self.locked:
            return
        if self.sync_problem is None or self.sync_retry is None:
            self.sync_problem, self.sync_retry = StatusLabel("Sync status"), QPushButton()
            self.sync_retry.clicked.connect(lambda: self._start_sync(sync_now=True))
            self.statusBar().addPermanentWidget(self.sync_problem)
            self.statusBar().addPermanentWidget(self.sync_retry)
        locked = isinstance(exc, KeyringLocked)
        self.sync_problem.announce(KeyringLocked.short if locked else "Not syncing")
        self.sync_problem.setToolTip(plain_message(exc))
        self.sync_retry.setText(KeyringLocked.action if locked else "Try sync again")
        self.sync_retry.setAccessibleName(self.sync_retry.text())
        self._show_sync_problem(True)
        self.caseload.set_connected(False)

    def _show_sync_problem(self, visible: bool) -> None:
        if self.sync_problem is not None and self.sync_retry is not None:
            self.sync_problem.setVisible(visible)
            self.sync_retry.setVisible(visible)

    def _sync_ready(self, setup: SyncSetup | None, sync_now: bool) -> None:
        if self.locked or self.sync_panel is not None:
            return                    # locked (or started) meanwhile
        self._show_sync_problem(False)
        self.status.setToolTip("")
        if setup is None:
            self.status.setToolTip("Not set up to sync yet: choose Set up sync and type the "
                                   "code from business support.")
            self._show_enrol_button(True)
            return
        self._show_enrol_button(False)
        from rbsw_desktop.ui.sync_panel import SyncPanel
        self.sync_panel = SyncPanel(setup, taskman=self.taskman, on_changes=self._synced,
                                    parent=self, on_revoked=self.on_revoked)
        self.statusBar().addPermanentWidget(self.sync_panel.widget)
        self.sync_panel.controller.sig_view_changed.connect(self._sync_view)
        if sync_now:
            self.sync_panel.controller.sync_now()
        if self.sync_panel.is_business_support():
            self.pod_view = self.sync_panel.business_support_view()
            name_parts(self.pod_view)
            self._add_to_case_area(self.pod_view)
            self.case_area.setCurrentWidget(self.pod_view)
            self.pod_view.refresh()

    def _sync_view(self, view: SyncView) -> None:
        """While the laptop cannot reach or sign in to the council, no record reads "Synced"."""
        if view.connected is not None:
            self.caseload.set_connected(view.connected)

    # -- enrolment and revocation -------------------------------------------------------------

    def _show_enrol_button(self, visible: bool) -> None:
        if self.enrol_button is None and visible:
            self.enrol_button = QPushButton("Set up sync…")
            self.enrol_button.setAccessibleName("Set up sync")
            self.enrol_button.clicked.connect(self.show_enrol_dialog)
            self.statusBar().addPermanentWidget(self.enrol_button)
        if self.enrol_button is not None:
            self.enrol_button.setVisible(visible)

    def show_enrol_dialog(self) -> EnrolDialog | None:
        """Set up sync from the app (what `rbsw enrol` does), then start it."""
        if self.locked or self.sync_panel is not None:
            return None
        from rbsw_desktop.ui.enrol_dialog import EnrolDialog
        dialog = EnrolDialog(taskman=self.taskman, parent=self)
        dialog.sig_enrolled.connect(self._enrolled)
        dialog.open()
        self.enrol_dialog = dialog
        return dialog

    def _enrolled(self, _enrolment: object) -> None:
        if self.taskman.store is not None and self.sync_panel is None:
            self._start_sync(sync_now=True)

    def on_revoked(self, message: str) -> None:
        """The council signed this laptop out and the sync thread has wiped its store. Leave
        every case screen and drop the store connection without saving anything (there is no
        store to save into any more), and say so plainly on the first screen."""
        log.warning("signed out by the council: leaving the case screens")
        self._leave_work(save=False)
        try:
            self.taskman.close_store()
        except Exception:  # noqa: BLE001 - its files are already gone
            log.info("the wiped store's connection closed with an error")
        self.show_lock_screen()
        self.lock_screen.error.setText(message)
        self.status.setText("Signed out by the council")
        self.sig_revoked.emit(message)

    def show_pod_view(self) -> None:
        if self.pod_view is None and self.pod_client is not None and not self.locked:
            from rbsw_desktop.ui.business_support import BusinessSupportView
            self.pod_view = BusinessSupportView(self.pod_client, taskman=self.taskman)
            name_parts(self.pod_view)
            self._add_to_case_area(self.pod_view)
        if self.pod_view is not None:
            self.case_area.setCurrentWidget(self.pod_view)
            self.pod_view.refresh()

    def _synced(self, report: SyncReport | None) -> None:
        """Each open view refreshes the records this sync wrote, and only those."""
        if report is not None:
            self.taskman.changes_applied(report.changes, self)

    # -- caseload, cases and search -----------------------------------------------------------

    def refresh_caseload(self) -> None:
        StoreOp(self, lambda store: (store.cases.summaries(), store.outbox.counts().pending),
                taskman=self.taskman).success(self._show_caseload).run_in_background()

    def _show_caseload(self, result) -> None:  # noqa: ANN001
        cases, pending = result
        self.caseload.set_cases(cases)
        self._say_caseload(pending)

    def _say_caseload(self, pending: int) -> None:
        cases = self.caseload.model_.rows
        overdue = sum(1 for c in cases if c.days_overdue)
        self.status.setText(f"{plural(len(cases), 'child', 'children')} · {overdue} overdue "
                            f"for a visit · {plural(pending, 'change')} waiting to sync")

    def _refresh_cases(self, changes: Changes) -> None:
        """Only the caseload lines of the cases these changes touch are read again (the whole
        caseload after a big sync, or on a new day: every line's due words move)."""
        shown = self.caseload.model_.rows
        if changes.ids_if_few(*SUMMARY_KINDS) is None or \
                any(case.as_of != date.today() for case in shown[:1]):
            self.refresh_caseload()
            return
        StoreOp(self, lambda store: (store.cases.summaries(touching=changes),
                                     store.outbox.counts().pending),
                taskman=self.taskman).success(
            lambda result: self._show_cases(changes, *result)).run_in_background()

    def _show_cases(self, changes: Changes, cases: list[CaseSummary], pending: int) -> None:
        found = {case.id for case in cases}
        self.caseload.put_cases(cases, gone=changes.ids(EntityKind.CASE) - found)
        self._say_caseload(pending)

    def prepare_case_screen(self) -> None:
        """Build the case screen ahead, empty and hidden, while the lock screen waits (it holds
        the UI thread for a tenth of a second or more): opening a case then only fills it. It
        is drawn once, off screen, at about the size it will have, so its first showing finds
        the style sheet's rules, the fonts' glyphs and its layout worked out already
        (`CaseWorkspace.draw_ahead`)."""
        if self.spare_workspace is None and self.workspace is None:
            from rbsw_desktop.ui.case_workspace import CaseWorkspace
            spare = CaseWorkspace(taskman=self.taskman, case_id="")
            self._add_to_case_area(spare)
            spare.draw_ahead(QSize(round(self.width() * (1 - CASE_OPEN_SHARE)), self.height()))
            self.spare_workspace = spare

    def open_case(self, case_id: str) -> None:
        """The case screen shown at once, with the caseload's heading for the child, and
        drawn before the store thread starts reading the case (`hold_for_a_frame`)."""
        self.taskman.hold_for_a_frame(self)
        if self.workspace is None:
            if self.spare_workspace is None:
                self.prepare_case_screen()
            self.workspace, self.spare_workspace = self.spare_workspace, None
            assert self.workspace is not None
            self.sig_before_lock.connect(self.workspace.save_before_lock)
        listed = next((case for case in self.caseload.model_.rows if case.id == case_id), None)
        self.workspace.show_case(case_id, listed)
        self.case_area.setCurrentWidget(self.workspace)
        self._caseload_share(CASE_OPEN_SHARE)     # room for the case
        self.workspace.tabs.setFocus()

    def _add_to_case_area(self, view: QWidget) -> None:
        self.case_area.addWidget(view)
        tab_into(self.results, view)                  # Tab: the caseload, then the case

    def _caseload_share(self, share: float) -> None:
        total = sum(self.split.sizes()) or WINDOW_SIZE.width()
        self.split.setSizes([round(total * share), total - round(total * share)])

    def _focus_search(self) -> None:
        if not self.locked:
            self.search.setFocus()
            self.search.selectAll()

    def _search_changed(self, text: str) -> None:
        self.caseload.set_filter(text)
        if not text.strip():            # cleared: the results go at once, not after the pause
            self.search_timer.stop()
            self._run_search()
            return
        self.search_timer.start()

    def _run_search(self) -> None:
        text = self.search.text()
        if not text.strip() or self.locked:
            self.results.clear()
            self.results.hide()
            return
        StoreOp(self, lambda store: find_with_children(store, text), taskman=self.taskman
                ).success(lambda found: self._show_hits(text, found)).run_in_background()

    def _show_hits(self, text: str, found: list[tuple[SearchHit, str, str]]) -> None:
        if self.locked or self.search.text() != text:   # cleared, changed or locked since
            return
        from rbsw_desktop.domain.entities import record_name
        self.results.clear()
        for hit, case_id, child in found:
            snippet = " ".join(hit.plain_snippet().split())
            what = f"{child} · {record_name(hit.entity)}" if child else record_name(hit.entity)
            item = QListWidgetItem(f"{what}\n{snippet}")
            item.setData(Qt.ItemDataRole.UserRole, (case_id, hit.entity, hit.record_id))
            self.results.addItem(item)
        if not found:
            self.results.addItem("Nothing found.")
        self.results.show()

    def _open_hit(self, item: QListWidgetItem) -> None:
        """The case, at the record found (the visit, board item or direct work)."""
        found = item.data(Qt.ItemDataRole.UserRole)
        if found and found[0]:
            case_id, entity, record_id = found
            self.open_case(case_id)
            if self.workspace is not None:
                self.workspace.open_record(entity, record_id)

    def _changed(self, changes: Changes, initiator: object) -> None:
        if self.locked:
            return
        if changes.touches(*SUMMARY_KINDS):
            self._refresh_cases(changes)
        if initiator is not self and self.sync_panel is not None:  # (self: what sync wrote)
            self.sync_panel.controller.sync_soon()     # the pod sees the work soon

    def closeEvent(self, event) -> None:  # noqa: ANN001, N802
        self.lock()
        self.taskman.shutdown()
        super().closeEvent(event)

"""Typing in the search box narrows the caseload at once (any column, any case) and clearing
it brings every child back, most overdue first."""

from __future__ import annotations

from tests.ui.test_app_shell import unlock, window  # noqa: F401 - fixture


def shown(win) -> list[str]:  # noqa: ANN001
    proxy = win.caseload.proxy
    return [proxy.index(r, 0).data() for r in range(proxy.rowCount())]


def test_typing_narrows_the_caseload_and_clearing_brings_it_back(qtbot, window) -> None:  # noqa: F811
    unlock(qtbot, window)
    everyone = shown(window)
    assert "Poppy Pretend" in everyone and len(everyone) > 2
    qtbot.keyClicks(window.search, "pOPPY")
    assert shown(window) == ["Poppy Pretend"]
    family = next(r.family_name for r in window.caseload.model_.rows
                  if r.child_name == "Poppy Pretend")
    window.search.clear()
    qtbot.keyClicks(window.search, family.upper())          # another column matches too
    assert "Poppy Pretend" in shown(window)
    window.search.clear()
    assert sorted(shown(window)) == sorted(everyone)
    overdue = [r.days_overdue for r in sorted(window.caseload.model_.rows,
                                              key=lambda r: -r.days_overdue)]
    by_due = [next(r.days_overdue for r in window.caseload.model_.rows if r.child_name == n)
              for n in shown(window)]
    assert by_due[0] == overdue[0] and by_due == sorted(by_due, reverse=True)

"""The words a worker adds to their spell-check dictionary: one list per worker, in the store."""

from __future__ import annotations

from rbsw_desktop.store import Store
from rbsw_desktop.store.store import WORKER_ID_KEY
from tests.conftest import PASSPHRASE


def test_each_worker_has_their_own_words_and_they_outlast_a_lock(store: Store) -> None:
    store.own_words.add("Zorbleton")                   # before the laptop is enrolled
    store.set_meta(WORKER_ID_KEY, "worker-a")
    store.own_words.add(" Quibbledy ")
    store.own_words.add("Quibbledy")                   # once is enough
    store.own_words.add("")
    assert store.own_words.all() == {"Zorbleton", "Quibbledy"}
    store.set_meta(WORKER_ID_KEY, "worker-b")
    store.own_words.add("Flumpet")
    assert store.own_words.all() == {"Zorbleton", "Flumpet"}
    data_dir = store.data_dir
    store.lock()
    again = Store.unlock(data_dir, PASSPHRASE)
    try:
        assert again.own_words.all() == {"Zorbleton", "Flumpet"}
        assert again.outbox.pending_count() == 0      # never synced
    finally:
        again.lock()

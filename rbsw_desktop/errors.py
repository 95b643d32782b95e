"""Errors a person may see. Each message is written for a social worker, not a programmer."""

from __future__ import annotations


class RbswError(Exception):
    """Base for errors whose message is shown as it is to the person using the app."""


class WrongPassphrase(RbswError):
    def __init__(self, wait_seconds: float = 0.0) -> None:
        msg = "That passphrase is not right. Please try again."
        if wait_seconds > 0:
            msg += f" After several wrong tries, please wait {wait_seconds:.0f} seconds."
        super().__init__(msg)
        self.wait_seconds = wait_seconds


class TooManyAttempts(RbswError):
    def __init__(self, wait_seconds: float) -> None:
        super().__init__(
            f"Too many wrong passphrases. Please wait {wait_seconds:.0f} seconds and try again.")
        self.wait_seconds = wait_seconds


class StoreDamaged(RbswError):
    """The key file or database has been changed or damaged: refuse, overwrite nothing."""


class DiskFull(RbswError):
    pass


class NoStore(RbswError):
    pass


class StoreExists(RbswError):
    pass


class StoreLocked(RbswError):
    def __init__(self) -> None:
        super().__init__("The app is locked. Unlock it with your passphrase to go on.")


class RecordLocked(RbswError):
    """A finalised visit is a legal record: corrections are amendments."""


class NotFound(RbswError):
    pass


class InvalidInput(RbswError):
    pass


class KeyringUnavailable(RbswError):
    pass


class KeyringLocked(KeyringUnavailable):
    """The keyring is there but locked (the login keyring after a screen lock, say): sync
    cannot read this laptop's sign-in to the council until it is unlocked."""

    short = "Unlock your computer's keyring to sync"
    action = "Unlock keyring and sync"      # reading the keyring again asks to unlock it

    def __init__(self) -> None:
        super().__init__("Your computer's keyring is locked, so rbsw-desktop cannot sign in to "
                         "the council system and sync has stopped. Your work is safe here. "
                         f"Unlock your computer's keyring to sync: choose {self.action}, "
                         "and type your computer password when it asks.")

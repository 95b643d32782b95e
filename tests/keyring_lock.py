"""Lock and unlock the test run's own throwaway login keyring (gnome-keyring in the private
D-Bus session `installers/dev.py test` starts), as a screen lock or a login would:

    lock_keyring()        # the keyring's reads now fail with keyring.errors.KeyringLocked
    unlock_keyring()      # as typing the keyring's password does
"""

from __future__ import annotations

import secretstorage
from jeepney import DBusAddress, new_method_call

KEYRING_PASSWORD = b"rbsw-test-keyring"       # what installers/dev.py gives the daemon
SECRETS = "/org/freedesktop/secrets"
SERVICE = DBusAddress(SECRETS, bus_name="org.freedesktop.secrets",
                      interface="org.freedesktop.Secret.Service")
#: gnome-keyring's own way to unlock without its password prompt (there is no screen to ask on)
INTERNAL = DBusAddress(SECRETS, bus_name="org.freedesktop.secrets",
                       interface="org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface")


def _default_collection(conn) -> str:  # noqa: ANN001
    return str(conn.send_and_get_reply(
        new_method_call(SERVICE, "ReadAlias", "s", ("default",))).body[0])


def lock_keyring() -> None:
    with secretstorage.dbus_init() as conn:
        conn.send_and_get_reply(new_method_call(SERVICE, "Lock", "ao",
                                                ([_default_collection(conn)],)))
        assert secretstorage.get_default_collection(conn).is_locked()


def unlock_keyring() -> None:
    with secretstorage.dbus_init() as conn:
        session = conn.send_and_get_reply(
            new_method_call(SERVICE, "OpenSession", "sv", ("plain", ("s", "")))).body[1]
        conn.send_and_get_reply(new_method_call(
            INTERNAL, "UnlockWithMasterPassword", "o(oayays)",
            (_default_collection(conn), (session, b"", KEYRING_PASSWORD, "text/plain"))))
        assert not secretstorage.get_default_collection(conn).is_locked()

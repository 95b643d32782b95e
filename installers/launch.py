"""Entry point for the bundled app (PyInstaller starts here)."""

from rbsw_desktop.app import main

raise SystemExit(main())

"""rbsw-desktop: offline-first desktop app for relationship-based children's social work."""

__version__ = "0.1.0"
APP_NAME = "rbsw-desktop"

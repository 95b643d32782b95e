"""The reference council gateway: its own process, its own store. No Qt."""

"""The sync engine and its HTTP transport. No Qt."""

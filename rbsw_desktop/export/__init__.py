"""The family board summary PDF. No Qt."""

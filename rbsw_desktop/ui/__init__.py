"""Everything Qt: windows, widgets, item models, background workers."""

"""Modal screens of the inspector: the export dialog and the keys (help) screen."""

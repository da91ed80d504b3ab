"""Widgets the panes share: keyed tables, the code view, the relation map, status bars."""

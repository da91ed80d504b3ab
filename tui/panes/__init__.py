"""One module per pane. Each pane renders a `Snapshot` and updates in place when a new one
lands (`Pane.show`), keeping its cursor and scroll."""

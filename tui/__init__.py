"""keepdata's front ends: the command line (`tui.cli`) and the live inspector (`tui.app`).

Importing this package does not import Textual; only the inspector does.
"""

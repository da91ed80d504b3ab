"""The rules of the drift area: one module per rule (`kdNNN_name.py`), listed in
`analysis/rules/manifest.py` (generated); `common.py` holds what several of them share."""

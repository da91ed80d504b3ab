"""The rules of the image area: one module per rule (`kdNNN_name.py`), listed in
`analysis/rules/manifest.py` (generated); `common.py` holds what several of them share."""

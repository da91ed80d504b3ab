"""The rules: one module per rule under `analysis/rules/<area>/`, registered in
`analysis.rules.registry`. This package imports nothing itself, so that the modules the rules
depend on may read the registry."""

"""Parse one Docker Compose file into position-aware records.

Two layers:

1. A YAML tree (`YMap`, `YSeq`, `YScalar`) where every node keeps its `Location` (file, line,
   column). It is built from PyYAML's node graph (`yaml.compose_all`, libyaml when present),
   so it is exact about positions, and it is safe on hostile input: duplicate keys are reported
   (a parse problem: Compose rejects the file) and the last value is kept; YAML merge keys (`<<`) are
   applied; aliases share the node they point at instead of being copied, and a document whose
   aliases would expand past `MAX_EXPANDED_NODES` (a "billion laughs" bomb) is refused with a
   parse problem; a recursive alias is refused too.
2. Typed records (`Service`, `Mount`, `Port`, `EnvVar`, `Command`, `Build`, ...) built from a
   tree by `build_service`/`build_compose`. The compose facts reuse the same builders on the
   merged and interpolated tree of a whole stack (`analysis.facts.compose`).

`merge_trees` implements the Compose merge rules (mappings merged key by key, `command`,
`entrypoint`, `healthcheck.test` replaced, `volumes` unique by target, `ports` unique,
`environment`/`labels`/`build.args`/`depends_on` merged by key, `!reset` and `!override`).
"""

"""The domain, pure: incidents, the handbook schema, located YAML, shapes, problems, URLs. No I/O."""

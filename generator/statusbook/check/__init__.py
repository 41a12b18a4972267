"""Validation: the rules one incident file must follow, rules across files, the append-only record, reporters."""

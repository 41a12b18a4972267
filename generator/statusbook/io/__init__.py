"""Everything that touches the disk or git: files, the one git module, the atomic writer, caches."""

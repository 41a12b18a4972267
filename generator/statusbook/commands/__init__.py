"""The commands: the only layer that combines checking, viewing, rendering and I/O."""

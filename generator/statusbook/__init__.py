"""statusbook: an incident handbook and a public status page from one git repository."""

__version__ = "0.2.0"

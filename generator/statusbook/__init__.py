"""statusbook: an incident handbook and a public status page from one git repository."""

__version__ = "0.1.0"

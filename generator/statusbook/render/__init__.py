"""Turn the status view into files: pages, feeds, calendars, the API and the incident JSON Schema."""

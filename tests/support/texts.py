"""Small incident texts several test modules write."""

INCIDENT = """\
title: API errors
severity: SEV3
components: [api]
updates:
  - at: 2026-03-01T10:00:00Z
    status: investigating
    message: We are looking into API errors.
    components:
      api: partial_outage
"""
PATH = "incidents/2026/2026-03-01-api-errors.yml"

"""Write the hostile corpus: each file is a valid incident broken in one or a few known ways.

Run once to (re)create files/; the expected problems live in expected.yml, written by hand
from what each file is meant to break, and tests/test_hostile.py compares them exactly.
"""

from pathlib import Path

BASE = """title: API errors
severity: SEV3
components: [api]
updates:
  - at: 2026-03-01T10:00:00Z
    status: investigating
    message: We are looking into it.
    components:
      api: partial_outage
  - at: 2026-03-01T11:00:00Z
    status: resolved
    message: Fixed.
"""

def sub(old: str, new: str, text: str = BASE) -> str:
    assert old in text, old
    return text.replace(old, new, 1)

FILES: dict[str, bytes | str] = {
    # syntax errors at every nesting level
    "syntax-top-level.yml": "title: [unclosed\n" + BASE.split("\n", 1)[1],
    "syntax-in-list.yml": sub("components: [api]", "components: [api, web"),
    "syntax-in-update.yml": sub("    status: investigating", "    status: investigating: again"),
    "syntax-in-update-components.yml": sub("      api: partial_outage", "      api: {partial_outage"),
    "syntax-bad-indent.yml": sub("    status: investigating", "   status: investigating"),
    "syntax-unclosed-quote.yml": sub("message: Fixed.", 'message: "Fixed.'),
    "syntax-tab-indent.yml": sub("    status: investigating", "\tstatus: investigating"),
    "syntax-two-documents.yml": BASE + "---\ntitle: second\n",
    "syntax-stray-colon-key.yml": sub("title: API errors", "title: API: errors: broken"),
    # duplicate keys
    "dup-top.yml": BASE + "title: Another title\n",
    "dup-in-update.yml": sub("    message: We are looking into it.", "    message: We are looking into it.\n    message: Again."),
    "dup-component-status.yml": sub("      api: partial_outage", "      api: partial_outage\n      api: major_outage"),
    # YAML bombs and dangerous YAML
    "bomb-billion-laughs.yml": "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n" + BASE,
    "bomb-anchor-only.yml": sub("title: API errors", "title: &t API errors"),
    "bomb-alias-title.yml": sub("severity: SEV3", "severity: &s SEV3\nalias: *s"),
    "bomb-python-object.yml": sub("title: API errors", "title: !!python/object/apply:os.system [echo hi]"),
    "bomb-custom-tag.yml": sub("message: Fixed.", "message: !secret Fixed."),
    "bomb-merge-key.yml": sub("  - at: 2026-03-01T11:00:00Z", "  - <<: {at: 2026-03-01T11:00:00Z}\n    at: 2026-03-01T11:00:00Z"),
    "bomb-deep-nesting.yml": BASE + "extra: " + "[" * 40 + "]" * 40 + "\n",
    "bomb-very-deep-nesting.yml": BASE + "extra: " + "[" * 2000 + "]" * 2000 + "\n",
    "bomb-huge-scalar.yml": sub("message: Fixed.", "message: " + "x" * 70000),
    "bomb-huge-file.yml": BASE + "# " + "padding " * 140000 + "\n",
    "bomb-binary-tag.yml": sub("message: Fixed.", "message: !!binary aGVsbG8="),
    # encodings, BOMs, NUL bytes, line endings
    "enc-utf16-le.yml": "\ufeff".encode("utf-16-le") + BASE.encode("utf-16-le"),
    "enc-utf16-be.yml": b"\xfe\xff" + BASE.encode("utf-16-be"),
    "enc-utf8-bom.yml": b"\xef\xbb\xbf" + BASE.encode(),
    "enc-latin1.yml": sub("Fixed.", "Fixed caf\xe9.").encode("latin-1"),
    "enc-nul-byte.yml": sub("Fixed.", "Fix\x00ed.").encode(),
    "enc-control-char.yml": sub("Fixed.", '"Fixed\\x07."'),
    "enc-crlf.yml": BASE.replace("\n", "\r\n").replace("severity: SEV3", "severity: SEV9"),
    "enc-cr-only.yml": BASE.replace("\n", "\r"),
    # empty and not-a-mapping
    "empty-file.yml": "",
    "empty-whitespace.yml": "   \n\t\n  \n",
    "empty-comments.yml": "# just a comment\n# and another\n",
    "empty-document-marker.yml": "---\n...\n",
    "not-mapping-list.yml": "- title: API errors\n- severity: SEV3\n",
    "not-mapping-scalar.yml": "just some text\n",
    "not-mapping-null.yml": "~\n",
    # YAML 1.1 surprises and timestamps
    "yaml11-no-title.yml": sub("title: API errors", "title: no"),
    "yaml11-on-status.yml": sub("    status: investigating", "    status: on"),
    "ts-naive.yml": sub("  - at: 2026-03-01T10:00:00Z", "  - at: 2026-03-01 10:00:00"),
    "ts-date-only.yml": sub("  - at: 2026-03-01T11:00:00Z", "  - at: 2026-03-01"),
    "ts-impossible-day.yml": sub("  - at: 2026-03-01T10:00:00Z", "  - at: 2026-02-30T10:00:00Z"),
    "ts-impossible-hour.yml": sub("  - at: 2026-03-01T11:00:00Z", "  - at: 2026-03-01T25:00:00+01:00"),
    "ts-impossible-offset.yml": sub("  - at: 2026-03-01T11:00:00Z", "  - at: 2026-03-01T11:00:00+25:00"),
    "ts-not-a-time.yml": sub("  - at: 2026-03-01T11:00:00Z", "  - at: yesterday afternoon"),
    "ts-number.yml": sub("  - at: 2026-03-01T11:00:00Z", "  - at: 1772362800"),
    "ts-out-of-order.yml": sub("  - at: 2026-03-01T11:00:00Z", "  - at: 2026-03-01T09:00:00Z"),
    # ids and file names (the file name is the id)
    "Upper-Case-Id.yml": BASE,
    "evil..traversal.yml": BASE,
    "-leading-hyphen.yml": BASE,
    "spaces in name.yml": BASE,
    "x" * 101 + ".yml": BASE,
    # look-alike and unknown references
    "lookalike-cyrillic-component.yml": sub("components: [api]", "components: [\u0430pi]"),
    "lookalike-fullwidth-severity.yml": sub("severity: SEV3", "severity: SEV\uff13"),
    "lookalike-zero-width.yml": sub("components: [api]", "components: [a\u200bpi]"),
    "unknown-severity.yml": sub("severity: SEV3", "severity: SEV5"),
    "unknown-status.yml": sub("    status: investigating", "    status: investigatin"),
    "unknown-component-status.yml": sub("      api: partial_outage", "      api: down"),
    "unknown-key.yml": sub("title: API errors", "titel: API errors"),
    "unknown-kind.yml": sub("severity: SEV3", "severity: SEV3\nkind: outage"),
    # types and structure
    "type-title-list.yml": sub("title: API errors", "title: [API, errors]"),
    "type-updates-mapping.yml": "title: API errors\nseverity: SEV3\ncomponents: [api]\nupdates:\n  at: 2026-03-01T10:00:00Z\n",
    "type-update-scalar.yml": sub("  - at: 2026-03-01T11:00:00Z\n    status: resolved\n    message: Fixed.\n", "  - resolved\n"),
    "missing-everything.yml": "kind: incident\n",
    "missing-message.yml": sub("    message: Fixed.\n", ""),
    "key-is-list.yml": BASE + "? [a, b]\n: value\n",
    # lifecycle rules
    "after-final.yml": BASE + "  - at: 2026-03-01T12:00:00Z\n    status: resolved\n    message: Resolved again.\n",
    "final-still-down.yml": BASE + "    components:\n      api: partial_outage\n",
    "maintenance-window-backwards.yml": "title: Database upgrade\nkind: maintenance\ncomponents: [api]\nscheduled:\n  start: 2026-03-02T02:00:00Z\n  end: 2026-03-02T01:00:00Z\nupdates:\n  - at: 2026-03-01T10:00:00Z\n    status: scheduled\n    message: Planned.\n",
    "maintenance-incident-status.yml": "title: Database upgrade\nkind: maintenance\ncomponents: [api]\nscheduled:\n  start: 2026-03-02T01:00:00Z\n  end: 2026-03-02T02:00:00Z\nupdates:\n  - at: 2026-03-01T10:00:00Z\n    status: investigating\n    message: Planned.\n",
    "major-without-manager.yml": sub("severity: SEV3", "severity: SEV1"),
    "javascript-postmortem.yml": BASE + "postmortem: javascript:alert(1)\n",
    # brackets that urllib.parse.urlsplit rejects with ValueError ("Invalid IPv6 URL"): reported, never raised
    "url-unclosed-bracket.yml": BASE + "postmortem: http://[::1/postmortem\ninternal:\n  call: https://meet.example.com]/inc\n",
}

def main() -> None:
    out = Path(__file__).parent / "files"
    for old in out.glob("*"):
        old.unlink()
    for name, content in FILES.items():
        data = content.encode() if isinstance(content, str) else content
        (out / name).write_bytes(data)
    print(f"wrote {len(FILES)} files")

if __name__ == "__main__":
    main()

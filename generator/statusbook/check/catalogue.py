"""The catalogue of every rule id a check can report, in the order the reference page lists them.

Each check reports problems under one of these ids; a test scans the package
for reported ids so none can skip the catalogue, and the handbook's reference
page is rendered from it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RuleDoc:
    """What a rule checks, shown in the handbook's reference page."""

    id: str
    level: str
    summary: str
    fails: str = ""
    passes: str = ""


# The catalogue of every rule id any check can report, in reference-page order.
RULES: tuple[RuleDoc, ...] = (
    RuleDoc("file-empty", "error", "The file is empty, holds only comments, or holds no YAML document."),
    RuleDoc("file-binary", "error", "The file contains a NUL byte, so it is not text."),
    RuleDoc("file-too-large", "error", "The file is larger than 1 MiB."),
    RuleDoc("file-encoding", "error", "The file is not UTF-8 (for example UTF-16, or Latin-1 bytes)."),
    RuleDoc("file-bom", "warning", "The file starts with a UTF-8 byte order mark."),
    RuleDoc("file-not-mapping", "error", "The document is a list or a single value instead of a mapping of keys.", "- title: Outage", "title: Outage"),
    RuleDoc("file-unreadable", "error", "The file cannot be read (no permission, or it vanished while being read)."),
    RuleDoc("file-not-regular", "error", "The path is a symbolic link, a folder or a special file; only regular files are read, never followed."),
    RuleDoc(
        "problems-capped",
        "notice",
        "A file has more than 100 problems; text and GitHub output show the first 100 and this one line with the count of the rest (`--format json` lists them all). The counts in the summary are always complete.",
    ),
    RuleDoc("file-name", "error", "The file name is not `<id>.yml` or `<id>.yaml`."),
    RuleDoc("yaml-syntax", "error", "The YAML cannot be parsed.", "title: [unclosed", "title: Closed"),
    RuleDoc("yaml-documents", "error", "The file holds more than one YAML document (`---`)."),
    RuleDoc("yaml-duplicate-key", "error", "A key appears twice in one mapping; YAML would silently keep the last.", "title: A\ntitle: B", "title: A"),
    RuleDoc("yaml-anchor", "error", "An anchor (`&name`) is used; anchors and aliases are how YAML bombs work.", "a: &x [1]", "a: [1]"),
    RuleDoc("yaml-alias", "error", "An alias (`*name`) is used.", "b: *x", "b: [1]"),
    RuleDoc("yaml-tag", "error", "An explicit or custom tag (`!!python/object`, `!foo`, `!!str`) is used.", "title: !!str 12", "title: '12'"),
    RuleDoc("yaml-merge", "error", "A merge key (`<<`) is used."),
    RuleDoc("yaml-key", "error", "A key is a list or a mapping instead of text."),
    RuleDoc("yaml-nesting", "error", "Values are nested deeper than 32 levels."),
    RuleDoc("yaml-scalar-size", "error", "A single value is longer than 65,536 characters."),
    RuleDoc("yaml-truthy", "warning", "A plain `yes`, `no`, `on` or `off`, which YAML 1.1 tools read as a boolean.", "title: no", "title: 'no'"),
    RuleDoc("text-control-character", "error", "A value contains a control character or a character no feed or calendar can carry (C0/C1 controls, U+FFFE, U+FFFF)."),
    RuleDoc(
        "internal-in-public-text",
        "warning",
        "A public message or postmortem summary has a line that starts with `internal:`: an internal block indented into the text would be published with it.",
        "    message: |\n      Fixed.\n      internal:\n        notes: ...",
        "    message: Fixed.\ninternal:\n  notes: ...",
    ),
    RuleDoc("key-unknown", "error", "A key is not part of the format; the message suggests the closest known key.", "titel: Outage", "title: Outage"),
    RuleDoc(
        "language-unknown",
        "error",
        "A translated text names a language statusbook does not ship: a translation is the key with a language code appended, and the codes are `en` and `nl`.",
        "message_de: Wir untersuchen das Problem.",
        "message_nl: We onderzoeken het probleem.",
    ),
    RuleDoc(
        "translation-missing",
        "warning",
        "A title, message, postmortem summary or correction reason has no translation into a language that other texts of the same incident are translated into; that language's page shows the default text, marked as not translated.",
        "- message: Fixed.\n  message_nl: Opgelost.\n- message: Monitoring.",
        "- message: Fixed.\n  message_nl: Opgelost.\n- message: Monitoring.\n  message_nl: We houden het in de gaten.",
    ),
    RuleDoc(
        "translation-unpublished",
        "warning",
        "A file gives text in a language the status page does not show it in: the site's default language (whose text is the plain key), or a language missing from `extra.statusbook.languages`.",
        "message_nl: Opgelost.  # languages: [en]",
        "message_nl: Opgelost.  # languages: [en, nl]",
    ),
    RuleDoc("key-missing", "error", "A required key is missing."),
    RuleDoc("value-empty", "error", "A required key is present but empty."),
    RuleDoc("type-mismatch", "error", "A value has the wrong type, for example a list where text belongs.", "title: [a, b]", "title: a and b"),
    RuleDoc("id-invalid", "error", "The id (the file name without `.yml`) is not a safe slug: lower-case letters, digits and single hyphens, at most 100 characters.", "2026-03-01 API.yml", "2026-03-01-api.yml"),
    RuleDoc("id-duplicate", "error", "Two files have the same id (for example `x.yml` and `x.yaml`, or the same name in two year folders)."),
    RuleDoc("kind-unknown", "error", "`kind` is neither `incident` nor `maintenance`."),
    RuleDoc("severity-unknown", "error", "`severity` is not a severity of the handbook.", "severity: SEV5", "severity: SEV2"),
    RuleDoc("severity-missing", "error", "An incident has no `severity` (maintenance may omit it)."),
    RuleDoc("type-unknown", "error", "`type` is not an incident type of the handbook."),
    RuleDoc("component-unknown", "error", "A component id is not defined in `handbook/components.yml`.", "components: [apii]", "components: [api]"),
    RuleDoc("component-duplicate", "error", "A component is listed twice in `components`."),
    RuleDoc("component-not-affected", "error", "An update sets the status of a component the incident does not list in `components`."),
    RuleDoc("component-status-unknown", "error", "A component status is not one of the handbook's component statuses.", "api: down", "api: major_outage"),
    RuleDoc("status-unknown", "error", "An update's `status` is not a public status for this kind (incident or maintenance).", "status: fixed", "status: resolved"),
    RuleDoc("timestamp-invalid", "error", "A timestamp cannot be read or names an impossible moment (February 30th, 25:00).", "at: 2026-02-30T10:00:00Z", "at: 2026-02-28T10:00:00Z"),
    RuleDoc("timestamp-naive", "error", "A timestamp has no UTC offset, so its moment depends on the reader's zone.", "at: 2026-03-01 10:00", "at: 2026-03-01T10:00:00+01:00"),
    RuleDoc("updates-empty", "error", "An incident has no public update; the first one says it started."),
    RuleDoc("update-order", "error", "Updates are not in chronological order (oldest first)."),
    RuleDoc(
        "update-after-final",
        "error",
        "A final update (`resolved` or `completed`) follows another final one. To reopen a closed incident, append a non-final update; published updates are never edited.",
        "- status: resolved\n- status: resolved",
        "- status: resolved\n- status: investigating",
    ),
    RuleDoc("final-components-down", "error", "The final update leaves a component in a status other than operational."),
    RuleDoc("maintenance-window", "error", "A maintenance window ends before (or when) it starts.", "scheduled: {start: 2026-03-02T02:00Z, end: 2026-03-02T01:00Z}", "scheduled: {start: 2026-03-02T01:00Z, end: 2026-03-02T02:00Z}"),
    RuleDoc("maintenance-window-missing", "error", "A maintenance has no `scheduled` window."),
    RuleDoc("window-on-incident", "error", "An incident has a `scheduled` window, which only maintenance has."),
    RuleDoc("url-invalid", "error", "A link (`postmortem`, `internal.call`) is not an absolute http(s) URL."),
    RuleDoc("correction-before-update", "error", "A correction is dated before the update it corrects."),
    RuleDoc("role-unknown", "error", "`internal.roles` names a role the handbook does not define."),
    RuleDoc("phase-unknown", "error", "An internal timeline entry names a phase that does not apply to this incident's type."),
    RuleDoc("question-unknown", "error", "`internal.assessment` answers a question the handbook does not ask."),
    RuleDoc("incident-manager-missing", "error", "A major incident (by its severity) has no person in a role the handbook requires for major incidents."),
    RuleDoc("postmortem-missing", "notice", "A resolved incident whose severity requires a postmortem has neither a postmortem file (`postmortems/<id>.md`) nor a `postmortem` link yet, within the grace period after resolution. Team process: reported, never blocking."),
    RuleDoc("postmortem-overdue", "notice", "The grace period after resolution has passed and the required postmortem is still missing. Team process: reported loudly, never blocking a customer update."),
    RuleDoc(
        "postmortem-unapproved",
        "notice",
        "The postmortem file (`postmortems/<id>.md`) exists but its front matter still says `status: draft` or `review` after the postmortem was due. Team process: reported, never blocking.",
        "status: draft  # 20 days after resolution",
        "status: approved",
    ),
    RuleDoc("postmortem-orphan", "warning", "A file under `postmortems/` is not named after an incident: its name without `.md` is no incident's id."),
    RuleDoc("postmortem-status-unknown", "warning", "A postmortem's front matter gives a `status` other than `draft`, `review` or `approved`; it reads as a draft.", "status: done", "status: approved"),
    RuleDoc("stale-open", "notice", "An unresolved incident has had no public update for longer than its severity's update cadence allows (at least a day). Team process: reported, never blocking."),
    RuleDoc("maintenance-overdue", "notice", "A maintenance is still `scheduled` after its window ended: the page shows it completed; post the real outcome. Team process: reported, never blocking."),
    RuleDoc(
        "update-in-future",
        "error",
        "An update or correction is dated later than now (more than 5 minutes of clock skew): it cannot have been posted yet. Write the time it was posted.",
        "- at: 2027-05-01T10:00:00Z  # today is 2026-11-29",
        "- at: 2026-11-29T10:00:00Z",
    ),
    RuleDoc("handbook-version-unknown", "error", "`handbook` pins a version that is not a tag of this repository."),
    # Reported by `statusbook validate --base REF` (generator/history.py): the public record is append-only.
    RuleDoc(
        "history-update-edited",
        "error",
        "A published update's time or status was changed, or its message (or a published translation of it, such as `message_nl`) was changed or removed without a new `correction: {at, reason}` note. The time is never editable: it names the update's anchor and feed entry. Adding a translation where there was none needs no note.",
        "- at: 2026-03-01T10:00:00Z\n  message: Fixed typo",
        "- at: 2026-03-01T10:00:00Z\n  message: Fixed typo\n  correction: {at: 2026-03-01T11:00:00Z, reason: Named the wrong region}",
    ),
    RuleDoc(
        "history-field-edited",
        "error",
        "A published incident-level field (title, severity, window, postmortem link or summary, or a published translation such as `title_nl`) was changed or removed, or an affected component was removed, without a new note in the incident's `corrections`. Adding a postmortem, a component or a translation is fine; a window may also move with a new update that announces it.",
        "title: API down  # was: API errors",
        "title: API down\ncorrections: [{at: 2026-03-01T12:00:00Z, reason: The API was down, not erroring}]",
    ),
    RuleDoc("history-kind-changed", "error", "A published incident became a maintenance or the other way round; open a new file instead."),
    RuleDoc("history-update-removed", "error", "A published update was removed; put it back (add a correction note to it if it was wrong)."),
    RuleDoc("history-update-inserted", "error", "A new update was inserted before an already published one; new updates go after every published update."),
    RuleDoc("history-correction-removed", "error", "The correction note of a published update was removed; corrections stay visible."),
    RuleDoc("history-incident-deleted", "error", "A published incident file was deleted; its page and feed entries must live on."),
    RuleDoc("history-incident-renamed", "error", "A published incident file was renamed to a new id, which would change its URL and feed ids; moving it to another folder under the same file name is fine."),
    RuleDoc(
        "history-reopened-by-edit",
        "error",
        "A published final update (`resolved`, `completed`) was edited or removed to reopen the incident; reopen it by appending a non-final update instead.",
        "- status: investigating  # was: resolved",
        "- status: resolved\n- status: investigating",
    ),
    # Reported when reading mkdocs.yml (its extra.statusbook settings) and when exporting the handbook's pages.
    RuleDoc("config-syntax", "error", "`mkdocs.yml` (or a file it INHERITs) is not valid YAML."),
    RuleDoc("config-timezone", "error", "`extra.statusbook.timezone` is not an IANA time zone.", "timezone: CET+1", "timezone: Europe/Amsterdam"),
    RuleDoc("config-value", "error", "A setting of `extra.statusbook` is out of range: an unknown engine, a number below 1, or a folder outside the repository."),
    RuleDoc(
        "config-brand-color",
        "error",
        "`extra.statusbook.brand_color` is not a #rrggbb colour, or white header text on it stays below WCAG AA contrast (4.5:1); the message suggests a darker shade that passes.",
        "brand_color: '#ffcc00'",
        "brand_color: '#0b62c4'",
    ),
    RuleDoc(
        "config-brand-image",
        "error",
        "A `logo`, `logo_dark` or `favicon` of `extra.statusbook` is not a regular SVG or PNG file inside the repository, is too large, or is an SVG that could run code or load something (a script, an event handler, an outside link).",
        "logo: ../outside/logo.svg",
        "logo: brand/logo.svg",
    ),
    RuleDoc("handbook-placeholder", "warning", "A handbook page has a `<!-- statusbook:... -->` placeholder that names no known table."),
    RuleDoc("schema-*", "error", "Problems in the handbook's own schema files, reported with the same precision."),
)
RULE_IDS = frozenset(r.id for r in RULES)
# Rules about the team's own process: notices in every report, never a reason to fail a build, a publish or a check.
PROCESS_RULES = frozenset(r.id for r in RULES if r.level == "notice")

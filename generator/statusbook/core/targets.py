"""Where ``statusbook notify`` sends announcements, and which components each target follows.

Targets come from two places. The ``STATUSBOOK_NOTIFY`` environment variable
holds whitespace-separated URLs, so the secrets in them stay in CI's secret
store; such a target follows every component. The optional private file named
by ``extra.statusbook.notify_file`` is a YAML list of ``{url, components,
name}``, so a target can follow some components only, as Statuspage's
subscribers can; it is checked like an incident file (every problem at once,
located), and ``${NAME}`` in a URL is read from the environment, so the file
can be committed without a secret in it.

A URL is an Apprise URL (``mailto://``, ``slack://``, ``json://``...), or
``statuspage+https://...`` for a webhook that receives Statuspage's JSON.
Whether a scheme is one a sender understands is the sender's question
(:mod:`statusbook.io.senders`); this module only reads and checks the lists.

A target is known by a digest of its URL, never by the URL itself, which holds
tokens and passwords: the digest is what the announcement ledger records, and
that ledger is published with the site.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from statusbook.core.problems import Level, Mark, Problem, Reporter, expected
from statusbook.core.shape import TEXT, TEXT_LIST, Field, Shape, check_shape, describe, get
from statusbook.core.yaml_source import MarkedList, read_yaml

NOTIFY_ENV = "STATUSBOOK_NOTIFY"
WEBHOOK_SCHEME_PREFIX = "statuspage+"  # statuspage+https://host/path?secret=...: Statuspage-style webhook JSON, signed
# A slow, salted digest: the ledger is public, and a URL without a secret in it (a json:// receiver,
# a mail address) could otherwise be confirmed by hashing guesses quickly.
_DIGEST_SALT = b"statusbook notify target"
_DIGEST_ROUNDS = 20_000
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")

TARGET_SHAPE = Shape(
    "a notification target",
    (
        Field(
            "url",
            TEXT,
            "where to send: an Apprise URL (mailto://, slack://, workflows:// for Teams, json://, ntfy://...) or statuspage+https://... for a webhook that receives"
            " Statuspage's JSON; ${NAME} is replaced by the environment variable NAME",
            required=True,
        ),
        Field("components", TEXT_LIST, "the ids of the components this target follows (default: every component)", allowed="component ids"),
        Field("name", TEXT, "a name that reports show instead of the URL (which may hold secrets)"),
    ),
    doc="One place statusbook notify sends announcements to.",
)


@dataclass(frozen=True, slots=True)
class Target:
    """One place to send announcements to; ``components`` empty means every component."""

    url: str
    components: tuple[str, ...] = ()
    name: str = ""
    path: str = ""  # where it was configured: the notify file, or the environment variable
    mark: Mark | None = None  # its position in the notify file

    @property
    def digest(self) -> str:
        return target_digest(self.url)

    @property
    def origin(self) -> str:
        """Where the target was configured, for messages: ``file:line:col`` or the variable's name."""
        return f"{self.path}:{self.mark.line}:{self.mark.column}" if self.mark is not None else self.path

    def follows(self, components: Iterable[str]) -> bool:
        """Whether an announcement about these components is for this target."""
        return not self.components or any(c in self.components for c in components)


def target_digest(url: str) -> str:
    """Name a target without its URL: stable for the same URL, and slow to confirm a guessed URL against."""
    digest = hashlib.pbkdf2_hmac("sha256", url.encode("utf-8"), _DIGEST_SALT, _DIGEST_ROUNDS, dklen=16)
    return f"t-{digest.hex()}"


def targets_from_environment(value: str | None) -> list[Target]:
    """The targets of ``STATUSBOOK_NOTIFY``: whitespace-separated URLs, each following every component."""
    return [Target(url, path=NOTIFY_ENV) for url in (value or "").split()]


def problem_at(target: Target, rule: str, message: str) -> Problem:
    """A problem about one target, located in the notify file, or naming the environment variable."""
    mark = target.mark or Mark(1, 1)
    return Problem(target.path, mark.line, mark.column, rule, Level.ERROR, message)


def parse_targets_file(data: bytes, path: str, components: Collection[str], environ: Mapping[str, str]) -> tuple[list[Target], list[Problem]]:
    """Read a notify file: a YAML list of targets; every problem at once, at its line and column."""
    parsed = read_yaml(data, path)
    problems = list(parsed.problems)
    if parsed.value is None:
        return [], problems
    report = Reporter(path)
    value = parsed.value
    if not isinstance(value, MarkedList):
        where = getattr(value, "mark", Mark(1, 1))
        report.error(where, "type-mismatch", f"the notify file must be a list of targets (- url: ...), found {describe(value)}")
        return [], problems + report.problems
    targets = []
    for index, item in enumerate(value):
        mapping = check_shape(item, TARGET_SHAPE, report, where=value, key=index)
        if mapping is None:
            continue
        url = get(mapping, "url", TEXT, "").strip()
        for name in sorted({m[1] for m in _VARIABLE.finditer(url)}):
            if not environ.get(name):
                report.error(mapping.value_mark("url"), "config-value", f"the URL uses ${{{name}}}, but the environment variable {name} is not set or empty; set it (a CI secret) or write the URL out")
        url = _VARIABLE.sub(lambda m: environ.get(m[1], ""), url)
        chosen = get(mapping, "components", TEXT_LIST, None)
        if chosen is not None and not chosen:
            report.error(mapping.value_mark("components"), "value-empty", "components lists nothing, so this target would never hear anything; name components, or leave the key out to follow all of them")
        for number, cid in enumerate(chosen or ()):
            if cid not in components:
                report.error(chosen.item_mark(number), "component-unknown", expected("a component id", cid, sorted(components)))
        name = get(mapping, "name", TEXT, "").strip()
        if url:
            targets.append(Target(url, tuple(dict.fromkeys(chosen or ())), name, path, value.item_mark(index)))
    return targets, problems + report.problems


def merge_targets(targets: Iterable[Target]) -> list[Target]:
    """One target per URL, in first-seen order: a URL listed twice follows what either listing follows."""
    merged: dict[str, Target] = {}
    for target in targets:
        seen = merged.get(target.url)
        if seen is None:
            merged[target.url] = target
            continue
        every = not seen.components or not target.components
        components = () if every else tuple(dict.fromkeys((*seen.components, *target.components)))
        merged[target.url] = Target(seen.url, components, seen.name or target.name, seen.path, seen.mark)
    return list(merged.values())

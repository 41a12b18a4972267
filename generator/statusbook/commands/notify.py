"""``statusbook notify``: announce each public change that went live since the last run, once per target.

A static site cannot send anything, but the job that publishes it can, right
after the new site is live: ``statusbook publish --push`` then ``statusbook
notify --push`` (or ``publish --push --notify``). A change is a new incident,
each update, a correction, a maintenance scheduled, started or ended
(including a window that opens or closes with nobody posting):
:mod:`statusbook.render.announcements`.

**Only what is published.** The candidates come from this checkout's status
view at the clock, but a change is announced only when the published branch
(the remote's, with ``--push``) shows it: its feed entry is in the published
Atom feeds, byte for byte as this view renders it
(:mod:`statusbook.render.published_feeds`). So an update committed but not
published, an update dated after the published site's clock, a window that
had not opened when the site was built, or words that differ from what
readers see, are never sent. A change the site shows differently from this
checkout is held back and reported: it goes out after the next publish.

**Exactly once.** What was sent is recorded on the published branch
(:mod:`statusbook.io.ledger`), keyed by the changes' permanent ids and the
targets' digests, so a fresh clone knows it. The record is committed (and
pushed) after each target's messages, so a run that dies resends only to the
targets that did not get them; a second run sends nothing; a target that
fails keeps what it lacks for the next run, in order, while the others get
theirs now, and the run exits 1 after trying every target. The first run on a
site records everything published as the baseline and sends nothing; a target
added later hears of changes from then on, nothing older.

Targets are ``STATUSBOOK_NOTIFY`` and the private notify file
(:mod:`statusbook.core.targets`); a configured WebSub hub is one more target,
pinged once per changed feed.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from statusbook.commands.build import status_view
from statusbook.commands.validate import validate_repository
from statusbook.core import urls
from statusbook.core.config import SiteConfig
from statusbook.core.handbook import Handbook
from statusbook.core.targets import NOTIFY_ENV, Target, merge_targets, parse_targets_file, problem_at, targets_from_environment
from statusbook.errors import ConfigError, ValidationFailed
from statusbook.io import git
from statusbook.io.files import read_source
from statusbook.io.ledger import Ledger, PublishedBranch, open_published_branch
from statusbook.io.senders import AppriseTarget, Sent, Style, check_url, label, ping_hub, post_webhook, style_of
from statusbook.render.announcements import Announcement, AnnouncementKind, announcements, entry_of
from statusbook.render.notices import Notices
from statusbook.render.published_feeds import PublishedFeeds, feed_paths, rendered_entries
from statusbook.render.webhook import StatuspageWebhooks
from statusbook.view.status_view import StatusView

WEBSUB = "websub"  # the style of the hub's target: pings, not messages
_ORDINALS = {1: "1st", 2: "2nd", 3: "3rd"}


@dataclass(frozen=True, slots=True)
class Recipient:
    """A target as one run uses it: its digest, how reports name it, and the style of message it gets."""

    target: Target
    digest: str
    label: str
    style: str

    def follows(self, announcement: Announcement) -> bool:
        return self.target.follows(announcement.components)


@dataclass(frozen=True)
class Plan:
    """What one run decides before sending: the record to start from and, per target digest, what to send in order."""

    ledger: Ledger
    queues: Mapping[str, list[Announcement]]
    new: list[Announcement] = field(default_factory=list)
    held_back: list[Announcement] = field(default_factory=list)
    dropped: Mapping[str, list[str]] = field(default_factory=dict)
    baseline: list[Announcement] | None = None
    missing: list[str] = field(default_factory=list)  # owed, on the published site, but not in this checkout


@dataclass(frozen=True, slots=True)
class TargetReport:
    """What happened to one target: what it got, and why the rest waits (``failure``)."""

    label: str
    style: str
    sent: tuple[Announcement, ...] = ()
    failure: str = ""
    waiting: int = 0  # announcements left for the next run
    dropped: int = 0  # pending announcements the published site no longer shows


@dataclass(frozen=True, slots=True)
class NotifyResult:
    """What a run did; ``failed`` when a target could not be reached (exit status 1)."""

    branch: str
    targets: tuple[TargetReport, ...] = ()
    new: tuple[Announcement, ...] = ()
    held_back: tuple[Announcement, ...] = ()
    baseline: int | None = None
    dry_run: bool = False
    configured: bool = True

    @property
    def failed(self) -> bool:
        return any(t.failure for t in self.targets)


# --- targets ----------------------------------------------------------------------------------------------


def _ordinal(number: int) -> str:
    return _ORDINALS.get(number, f"{number}th")


def load_targets(config: SiteConfig, handbook: Handbook, environ: Mapping[str, str]) -> list[Target]:
    """Read every target (environment, then the notify file) and check each URL; every problem at once, nothing sent on any."""
    problems = []
    targets = targets_from_environment(environ.get(NOTIFY_ENV))
    for number, target in enumerate(targets, start=1):
        reason = check_url(target.url)
        if reason is not None:
            problems.append(problem_at(target, "config-value", f"the {_ordinal(number)} URL: {reason}"))
    if config.notify_file:
        data, problem = read_source(config.root, config.notify_file)
        if problem is not None:
            problems.append(problem)
        else:
            found, file_problems = parse_targets_file(data, config.notify_file, [c.id for c in handbook.components], environ)
            problems += file_problems
            for target in found:
                reason = check_url(target.url)
                if reason is not None:
                    problems.append(problem_at(target, "config-value", reason))
            targets += found
    if problems:
        raise ConfigError.from_problems(problems)
    return merge_targets(targets)


def recipients_for(config: SiteConfig, targets: Sequence[Target]) -> list[Recipient]:
    """Each target with its digest, report label and message style; the WebSub hub last, when one is configured."""
    found = [Recipient(t, t.digest, label(t.url, t.name), str(style_of(t.url))) for t in targets]
    if config.websub_hub:
        hub = Target(config.websub_hub, path="extra.statusbook.websub_hub")
        found.append(Recipient(hub, hub.digest, f"WebSub hub {config.websub_hub}", WEBSUB))
    return found


# --- deciding -------------------------------------------------------------------------------------------


def plan_run(
    ledger: Ledger | None,
    on_site: Sequence[Announcement],
    identical: Collection[str],
    recipients: Sequence[Recipient],
    horizon: datetime | None,
    published_entries: Collection[str],
) -> Plan:
    """Decide what each target gets, before anything is sent.

    ``on_site`` are this checkout's announcements that the published site
    shows; ``identical`` the ids of those it shows exactly as this checkout
    renders them (only those are sent); ``horizon`` is how far back the
    published site-wide feed reaches; ``published_entries`` every entry id in
    the published feeds (what a target is still owed is dropped only when its
    entry is gone from them, not when this checkout lacks it). Pure: the same
    inputs always give the same plan.
    """
    digests = [r.digest for r in recipients]
    moments = {a.id: a.at for a in on_site}
    if ledger is None:
        baseline = [a for a in on_site if horizon is None or a.at >= horizon]
        first = Ledger(frozenset(a.id for a in baseline), {d: frozenset() for d in digests}, horizon)
        return Plan(first, {d: [] for d in digests}, baseline=baseline)
    ledger = ledger.with_targets(digests)
    by_id = {a.id: a for a in on_site}
    fresh = [a for a in on_site if a.id not in ledger.announced and (ledger.floor is None or a.at >= ledger.floor)]
    new = [a for a in fresh if a.id in identical]
    held_back = [a for a in fresh if a.id not in identical]
    queues: dict[str, list[Announcement]] = {}
    pending: dict[str, set[str]] = {}
    dropped: dict[str, list[str]] = {}
    missing: set[str] = set()
    for recipient in recipients:
        lacking = ledger.pending.get(recipient.digest, frozenset())
        dropped[recipient.digest] = sorted(i for i in lacking if entry_of(i) not in published_entries)
        waiting = {i for i in lacking if entry_of(i) in published_entries}
        ready = [by_id[i] for i in waiting if i in by_id and i in identical]
        held_back += [by_id[i] for i in sorted(waiting) if i in by_id and i not in identical and i not in {a.id for a in held_back}]
        missing.update(i for i in waiting if i not in by_id)
        queue = sorted(ready + [a for a in new if recipient.follows(a)], key=lambda a: a.order)
        # A correction of an update sent in the same batch adds nothing: the update already carries the corrected words.
        batch = {a.id for a in queue}
        redundant = {a.id for a in queue if a.kind == AnnouncementKind.CORRECTION and a.entry_id in batch}
        queues[recipient.digest] = [a for a in queue if a.id not in redundant]
        pending[recipient.digest] = (waiting | batch) - redundant
    handled = ledger.handled([a.id for a in new], pending).pruned(horizon, moments, digests)
    return Plan(handled, queues, new, held_back, dropped, missing=sorted(missing))


# --- sending --------------------------------------------------------------------------------------------


def delivery_id(announcement: Announcement, digest: str) -> str:
    """A stable id of one announcement to one target, sent as a header so a receiver can drop a repeat."""
    return hashlib.sha256(f"{announcement.id}\n{digest}".encode()).hexdigest()[:32]


def changed_feeds(view: StatusView, sent: Sequence[Announcement]) -> list[str]:
    """The absolute URLs of the feeds these announcements changed: the site-wide pair and each affected component's."""
    site_url = view.config.site_url
    known = {c.id for c in view.handbook.components}
    paths = [urls.FEED_ATOM, urls.FEED_RSS]
    for component in dict.fromkeys(c for a in sent for c in a.components if c in known):
        paths += [urls.component_feed(component, "atom"), urls.component_feed(component, "rss")]
    return [urls.absolute(site_url, path) for path in paths]


class Outbox:
    """Renders and sends one run's messages, each target through one sender for the whole run."""

    def __init__(self, view: StatusView, clock: Callable[[], datetime]) -> None:
        self.view = view
        self.clock = clock
        self.notices = Notices(view)
        self._webhooks: StatuspageWebhooks | None = None
        self._senders: dict[str, AppriseTarget] = {}

    @property
    def webhooks(self) -> StatuspageWebhooks:
        if self._webhooks is None:
            self._webhooks = StatuspageWebhooks(self.view)
        return self._webhooks

    def preview(self, recipient: Recipient, announcement: Announcement) -> str:
        """What would be sent, as text for ``--dry-run``."""
        if recipient.style == Style.WEBHOOK:
            body = json.dumps(self.webhooks.payload(announcement, self.clock()), ensure_ascii=False, indent=2)
            return f"POST {announcement.kind} {announcement.id}\n{body}"
        notice = self.notices.render(announcement, recipient.style)
        return f"{notice.title}\n\n{notice.body}"

    def send(self, recipient: Recipient, announcement: Announcement) -> Sent:
        if recipient.style == Style.WEBHOOK:
            body = self.webhooks.body(announcement, self.clock())
            return post_webhook(recipient.target.url, body, str(announcement.kind), delivery_id(announcement, recipient.digest))
        notice = self.notices.render(announcement, recipient.style)
        sender = self._senders.setdefault(recipient.digest, AppriseTarget(recipient.target.url))
        return sender.send(notice.title, notice.body, Style(recipient.style), notice.severity)

    def ping(self, recipient: Recipient, batch: Sequence[Announcement]) -> Sent:
        return ping_hub(recipient.target.url, changed_feeds(self.view, batch))


# --- the run --------------------------------------------------------------------------------------------


def _count(number: int, what: str) -> str:
    return f"{number} {what}{'' if number == 1 else 's'}"


def notify(
    config: SiteConfig,
    *,
    branch: str = "gh-pages",
    remote: str | None = None,
    dry_run: bool = False,
    now: datetime | None = None,
    environ: Mapping[str, str] | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    progress: Callable[[str], None] = lambda message: None,
    show: Callable[[str], None] = lambda text: None,
) -> NotifyResult:
    """Announce what went live on ``branch`` since the last run; see the module's description.

    ``now`` is the clock the checkout's view is computed at (default: ``clock()``);
    ``show`` receives what ``dry_run`` would send.
    """
    environ = os.environ if environ is None else environ
    now = now or clock()
    validation = validate_repository(config, now=now)
    if validation.handbook is None or any(p.is_error for p in validation.problems if p.path.startswith(config.handbook_dir + "/")):
        raise ValidationFailed(validation)
    errors = sum(1 for p in validation.problems if p.is_error)
    if errors:
        # Only what the published site shows is ever sent, so a broken file here cannot put anything wrong in a message:
        # what it would have announced waits until it is fixed, and the rest goes out.
        progress(f"this checkout has {_count(errors, 'problem')} (statusbook validate lists them); changes in the files concerned wait until they are fixed")
    targets = load_targets(config, validation.handbook, environ)
    recipients = recipients_for(config, targets)
    if not recipients:
        progress(f"no targets to notify: set {NOTIFY_ENV} (Apprise URLs) or extra.statusbook.notify_file; nothing was sent or recorded")
        return NotifyResult(branch, dry_run=dry_run, configured=False)
    view = status_view(config, validation, now)
    with git.open_project(config.root) as project:
        published = open_published_branch(project, branch, remote)
        feeds = PublishedFeeds.read(published.read(feed_paths(view)), config.feed_entries)
        ledger = published.read_ledger()
        on_site = [a for a in announcements(view) if feeds.shows(a)]
        unsettled = on_site if ledger is None else [a for a in on_site if a.id not in ledger.announced or any(a.id in p for p in ledger.pending.values())]
        rendered = rendered_entries(view, unsettled)
        identical = {a.id for a in unsettled if rendered.get(a.entry_id) == feeds.entries[a.entry_id].xml}
        plan = plan_run(ledger, on_site, identical, recipients, feeds.horizon, feeds.entries.keys())
        result = _carry_out(plan, recipients, published, Outbox(view, clock), dry_run, progress, show)
        if not dry_run and remote is not None:
            published.follow(published.tip)
        return result


def _deliver(recipient: Recipient, queue: Sequence[Announcement], outbox: Outbox) -> tuple[list[Announcement], str]:
    """Send a target its queue in order, stopping at the first failure (the rest waits, so the order holds); what went out, and why not the rest."""
    if recipient.style == WEBSUB:
        outcome = outbox.ping(recipient, queue)
        return (list(queue), "") if outcome.ok else ([], outcome.detail or "the hub refused the ping")
    sent = []
    for announcement in queue:
        outcome = outbox.send(recipient, announcement)
        if not outcome.ok:
            return sent, outcome.detail or "sending failed"
        sent.append(announcement)
    return sent, ""


def _preview(recipient: Recipient, queue: Sequence[Announcement], outbox: Outbox) -> str:
    """What ``--dry-run`` shows for one target."""
    if recipient.style == WEBSUB:
        return f"--- to {recipient.label} ---\n" + "\n".join(f"POST hub.mode=publish hub.url={feed}" for feed in changed_feeds(outbox.view, queue))
    return "\n".join(f"--- to {recipient.label} ({recipient.style}) ---\n{outbox.preview(recipient, announcement)}" for announcement in queue)


def _carry_out(
    plan: Plan,
    recipients: Sequence[Recipient],
    published: PublishedBranch,
    outbox: Outbox,
    dry_run: bool,
    progress: Callable[[str], None],
    show: Callable[[str], None],
) -> NotifyResult:
    """Send each target its queue, recording after each target; report what happened."""
    where = published.label
    if plan.baseline is not None:
        counted = _count(len(plan.baseline), "published change")
        progress(f"first run on {where}: {'would record' if dry_run else 'recorded'} {counted} as the baseline; nothing older is ever sent")
        if not dry_run:
            published.record(plan.ledger, f"statusbook notify: baseline of {counted}", outbox.clock())
        return NotifyResult(published.branch, tuple(TargetReport(r.label, r.style) for r in recipients), baseline=len(plan.baseline), dry_run=dry_run)
    for held in plan.held_back:
        progress(f"held back {held.id}: the published site shows it differently from this checkout; it goes out once a publish makes them agree")
    for ident in plan.missing:
        progress(f"held back {ident}: the published site shows it but this checkout does not have it; run notify from the commit that was published")
    ledger = plan.ledger
    reports = []
    for recipient in recipients:
        queue = plan.queues.get(recipient.digest, [])
        dropped = len(plan.dropped.get(recipient.digest, []))
        if dropped:
            progress(f"{recipient.label}: {_count(dropped, 'announcement')} it was still owed left the published feeds; dropped")
        if not queue or dry_run:
            if queue:
                show(_preview(recipient, queue, outbox))
            reports.append(TargetReport(recipient.label, recipient.style, tuple(queue), dropped=dropped))
            continue
        sent, failure = _deliver(recipient, queue, outbox)
        for announcement in sent:
            ledger = ledger.delivered(recipient.digest, announcement.id)
        if sent:  # recorded before the next target is tried: a run that dies now resends to the others only
            ledger = published.record(ledger, f"statusbook notify: {_count(len(sent), 'announcement')} to {recipient.digest}", outbox.clock())
            progress(f"{recipient.label}: sent {_count(len(sent), 'announcement')}: " + "; ".join(f"{a.kind} {a.incident.id}" for a in sent))
        waiting = len(queue) - len(sent)
        if failure:
            progress(f"{recipient.label}: failed: {failure}; {_count(waiting, 'announcement')} left for the next run")
        reports.append(TargetReport(recipient.label, recipient.style, tuple(sent), failure, waiting, dropped))
    if not dry_run:
        published.record(ledger, f"statusbook notify: {_count(len(plan.new), 'new change')} handled", outbox.clock())
    if not plan.new and not any(r.sent or r.failure for r in reports):
        progress(f"nothing new on {where} since the last run")
    elif plan.new and not any(r.sent or r.failure for r in reports) and not dry_run:
        progress(f"{_count(len(plan.new), 'new change')} on {where}, none that a target follows")
    return NotifyResult(published.branch, tuple(reports), tuple(plan.new), tuple(plan.held_back), dry_run=dry_run)

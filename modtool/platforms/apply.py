"""``modtool decisions --apply wordpress``: each decision carried out once on the
site, checked first, and audited (``platform_actions``, :mod:`modtool.store.platform_actions`).

For every decision, in order:

1. **Planned** (:func:`plan`, no network): the status it asks for
   (:func:`~modtool.platforms.wordpress_rules.wordpress_status`); nothing for a
   tie or a flag (a person decides); **refused** when its id cannot name one
   comment of the site (``id_problem``), when the comment's text changed after
   the decision, or when its post is on another site than ``--url``; **done**
   when the audit already holds this decision applied on this site (a re-run
   sends nothing at all).
2. **Read**: the comment as the site has it now. Its post must be the thread's
   post (a comment id that lands in another post is not this comment: refused
   and recorded as failed).
3. **Sent** only when its status differs; the answer's status must be the one
   asked for. Each outcome (``applied``, ``unchanged``, ``failed`` with the HTTP
   status and WordPress's error code) is committed to the audit at once.

401/403, a site that is not WordPress, or a site that cannot be reached stop
the run with one line (what was done so far is recorded). ``dry_run`` reads and
reports, and records nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from modtool.errors import InputError
from modtool.models import Decision
from modtool.platforms import wordpress_rules
from modtool.platforms.http import AuthError, NotFoundOnSite, PlatformError
from modtool.platforms.wordpress import RemoteComment, WordPressSite
from modtool.store import Store

SEND, DONE, PERSON, TIED, REFUSED = "send", "done", "person", "tied", "refused"


@dataclass(frozen=True, slots=True)
class Step:
    decision: Decision
    kind: str
    status: str | None = None
    """The WordPress status asked for (``approve``, ``hold``, ``spam``, ``trash``)."""
    why: str | None = None

    @property
    def name(self) -> str:
        d = self.decision
        return f"comment {d.external_id} (modtool #{d.modtool_id})"


def plan(store: Store, decisions: Iterable[Decision], site: str) -> list[Step]:
    """What would be done for each decision on ``site`` (``--url``), without the network."""
    host = wordpress_rules.site_of(site)
    steps = []
    for d in decisions:
        if d.platform != "wordpress":
            raise InputError(
                f"--apply wordpress acts on WordPress comments: comment #{d.modtool_id} comes "
                f"from {d.platform!r} (choose WordPress threads with --thread)"
            )
        status = wordpress_rules.wordpress_status(d.action, d.labels) if d.final else None
        if d.id_problem is not None:
            steps.append(Step(d, REFUSED, status, f"refused: {d.id_problem}"))
        elif not d.final:
            steps.append(Step(d, TIED, None, "tied: no majority, decide by hand"))
        elif status is None:
            steps.append(Step(d, PERSON, None, f"{d.action}: left for a person"))
        elif d.edited_after_decision:
            steps.append(
                Step(d, REFUSED, status, "refused: edited after the decision; review it again")
            )
        elif (post_site := wordpress_rules.site_of(d.thread_url)) != host:
            where = f"on {post_site}" if post_site else "on a site the export did not name"
            steps.append(Step(d, REFUSED, status, f"refused: its post is {where}, not {host}"))
        elif (before := store.platform.done(d.modtool_id, site, d.decided_at, status)) is not None:
            steps.append(Step(d, DONE, status, f"{status}: done before ({before.at[:19]}Z)"))
        else:
            steps.append(Step(d, SEND, status))
    return steps


@dataclass
class Run:
    """Carries out a plan on one site; ``say`` prints one line (the CLI's safe echo)."""

    store: Store
    site: WordPressSite
    actor: str
    say: Callable[[str], None]
    dry_run: bool = False

    def __post_init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def all(self, steps: Iterable[Step]) -> Counter[str]:
        for step in steps:
            if step.kind == SEND:
                self.one(step)
            else:
                self.counts[step.kind] += 1
                if step.kind != DONE:
                    self.say(f"{step.name}: {step.why}")
        return self.counts

    def one(self, step: Step) -> None:
        d, status = step.decision, step.status
        assert status is not None and d.external_id is not None
        try:
            current = self.site.comment(int(d.external_id))
        except NotFoundOnSite as exc:
            if exc.code != "rest_comment_invalid_id":
                raise  # no such route: not the WordPress REST API; stop
            self._failed(step, exc.status, None, None, "not on the site (rest_comment_invalid_id)")
            return
        except AuthError:
            raise
        except PlatformError as exc:
            if exc.status is None:
                raise  # unreachable, or the answer was unusable: stop
            self._failed(step, exc.status, None, None, str(exc))
            return
        wanted = wordpress_rules.REST_STATUS[status]
        if not _same_post(d, current):
            self._failed(
                step,
                200,
                current.status,
                current.status,
                f"on the site comment {current.id} is on post {current.post}, here on post "
                f"{d.thread_external_id}: not the same comment",
            )
            return
        if current.status == wanted:
            if self.dry_run:
                self._count("would_keep", f"{step.name}: already {wanted}")
                return
            self._record(step, "unchanged", 200, current.status, current.status)
            self._count("unchanged", f"{step.name}: already {wanted}, nothing sent")
            return
        if self.dry_run:
            self._count("would_change", f"{step.name}: would set {current.status} -> {wanted}")
            return
        try:
            after = self.site.set_status(current, status)
        except AuthError:
            raise
        except PlatformError as exc:
            if exc.status is None:
                raise
            self._failed(step, exc.status, current.status, None, str(exc))
            return
        if after.status != wanted:
            self._failed(
                step,
                200,
                current.status,
                after.status,
                f"asked for {wanted}, the site answered {after.status}",
            )
            return
        self._record(step, "applied", 200, current.status, after.status)
        self._count("applied", f"{step.name}: {current.status} -> {after.status}")

    def _failed(
        self, step: Step, http: int | None, before: str | None, after: str | None, answer: str
    ) -> None:
        if not self.dry_run:
            self._record(step, "failed", http, before, after, answer)
        self._count("failed", f"{step.name}: failed: {answer}")

    def _count(self, kind: str, line: str) -> None:
        self.counts[kind] += 1
        self.say(line)

    def _record(
        self,
        step: Step,
        outcome: str,
        http: int | None,
        before: str | None,
        after: str | None,
        answer: str | None = None,
    ) -> None:
        d = step.decision
        assert step.status is not None and d.external_id is not None
        self.store.platform.record(
            actor=self.actor,
            comment_id=d.modtool_id,
            platform="wordpress",
            site=self.site.url,
            external_id=d.external_id,
            decision=d.action or "",
            requested=step.status,
            decided_at=d.decided_at,
            content_hash=self.store.comments.get(d.modtool_id).content_hash,
            policy_name=d.policy,
            policy_hashes=d.policy_hashes,
            outcome=outcome,
            http_status=http,
            status_before=before,
            status_after=after,
            answer=answer,
        )


def _same_post(d: Decision, current: RemoteComment) -> bool:
    """The site's comment is on the thread's post (when the export gave a post id)."""
    post = d.thread_external_id or ""
    if not (post.isascii() and post.isdigit() and len(post) <= 19):
        return True  # the export named the post by its link: nothing to compare
    return current.post == int(post)

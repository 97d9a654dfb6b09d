"""A queue row as plain data: what ``queue --json``, ``author --json`` and
``search --json`` print for each comment (every field, whole values)."""

from __future__ import annotations

from typing import Any

from modtool.moderation.site import SiteSession


def comment_json(session: SiteSession, cid: int) -> dict[str, Any]:
    comment = session.comment(cid)
    thread = session.thread_of(cid)
    found = session.headline(cid)
    mine = session.mine(cid)
    claim = session.claim_of(cid)
    return {
        "id": cid,
        "thread_id": comment.thread_id,
        "thread_title": thread.title,
        "platform": thread.platform,
        "thread_external_id": thread.external_id,
        "external_id": comment.external_id,
        "path": comment.path,
        "parent_id": comment.parent_id,
        "depth": comment.depth,
        "author": comment.author,
        "created_at": comment.created_at,
        "status": comment.status,
        "score": None if found is None else found.value,
        "score_model": None if found is None else found.model,
        "score_attribute": None if found is None else found.attribute,
        "scores": session.scores_of(cid),
        "suggestions": session.suggested(cid),
        "state": mine.state,
        "labels": sorted(mine.labels),
        "edited_since_review": session.edited_since_review(cid),
        "others": {
            moderator: {
                "state": state.state,
                "labels": sorted(state.labels),
                "edited_since_review": session.edited_since_review(cid, moderator),
            }
            for moderator, state in session.others(cid).items()
        },
        "claimed_by": None if claim is None else claim.moderator,
        "replies": session.replies(cid),
        "text": comment.body,
    }

"""On-call pages: one text message per request and level, sent through the outbox, acknowledged once.

The first page is planned in the transaction that stores its request (bot.store.callbacks), the
backup's page by `escalate`; each is a `pages` row plus an outbox row with TOPIC_PAGE, so a page
exists exactly when its request does, survives a restart before it is sent, and the unique
(request, level) key keeps any number of workers from paging a level twice. Who to page and when
is the caller's decision (bot.paging); this module knows only the tables.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, List, Optional

from sqlalchemy import exc as sa_exc
from sqlalchemy import and_, case, or_, select, update
from sqlalchemy.orm import Session

from bot.store.errors import guard
from bot.store.models import STATUS_NEW, CallbackRequest, Page
from bot.store.outbox import enqueue
from bot.store.staff import audit_event

if TYPE_CHECKING:  # see bot.store: db is imported when a Store is built
    from bot.settings import OnCallContact
    from bot.store.db import Sessions

TOPIC_PAGE = "oncall.page"
FIRST, BACKUP = 0, 1
AUDIT_ACKNOWLEDGE = "acknowledge"
# "ACK" without a reference means the newest page sent to that number within this time.
LATEST_PAGE_WINDOW = dt.timedelta(hours=12)


@dataclass(frozen=True)
class PageMessage:
    """What the pager needs to send one page: never a name or phone number of the person asking."""

    page_id: int
    level: int
    recipient_phone: str
    ref: str
    urgent: bool
    requested_at: dt.datetime
    # Set when the page no longer needs sending (acknowledged, claimed or closed meanwhile).
    settled: bool


@dataclass(frozen=True)
class PageRecord:
    """A page as the console shows it."""

    level: int
    recipient_name: str
    created_at: dt.datetime
    sent_at: Optional[dt.datetime]
    not_sent: Optional[str]


@dataclass(frozen=True)
class AckResult:
    """The outcome of an acknowledgement: `ref` None when no paged request matched; `already` when
    someone was first (`by`: who acknowledged, or with `claimed` who claimed it in the console)."""

    ref: Optional[str]
    by: Optional[str] = None
    already: bool = False
    claimed: bool = False


def _taken(request: CallbackRequest) -> AckResult:
    """Who settled this request before the acknowledgement came."""
    if request.acknowledged_at is not None:
        return AckResult(request.ref, request.acknowledged_by, already=True)
    return AckResult(request.ref, request.claimed_by, already=True, claimed=True)


def plan(session: Session, request: CallbackRequest, level: int, to: "OnCallContact", now: dt.datetime) -> None:
    """Add a page and its outbox row in the caller's transaction (the request must be flushed)."""
    page = Page(
        callback_request_id=request.id,
        level=level,
        recipient_name=to.name[:100],
        recipient_phone=to.phone,
        created_at=now,
    )
    session.add(page)
    session.flush()
    enqueue(session, TOPIC_PAGE, json.dumps({"page_id": page.id}), now)


def page_id(payload: str) -> Optional[int]:
    """The page an outbox row of TOPIC_PAGE is about."""
    try:
        value = json.loads(payload).get("page_id")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, int) else None


def _settled(request: CallbackRequest) -> bool:
    return request.acknowledged_at is not None or request.status != STATUS_NEW


class Pages:
    """Reading, sending, escalating and acknowledging pages (synchronous: run in a thread)."""

    def __init__(self, sessions: "Sessions") -> None:
        self._sessions = sessions

    @guard
    def message(self, page_id: int) -> Optional[PageMessage]:
        """The page to send, or None if it (or its request) no longer exists."""
        with self._sessions(write=False) as session:
            found = session.execute(
                select(Page, CallbackRequest)
                .join(CallbackRequest, CallbackRequest.id == Page.callback_request_id)
                .where(Page.id == page_id)
            ).first()
            if found is None:
                return None
            page, request = found
            return PageMessage(
                page.id, page.level, page.recipient_phone, request.ref, bool(request.urgent),
                request.created_at, _settled(request),
            )

    @guard
    def mark(self, page_id: int, now: dt.datetime, *, not_sent: Optional[str] = None) -> None:
        """Record that a page went out at `now`, or why it was not sent."""
        values = {"not_sent": not_sent[:200]} if not_sent else {"sent_at": now, "not_sent": None}
        with self._sessions() as session:
            session.execute(update(Page).where(Page.id == page_id).values(**values))

    @guard
    def escalate(self, now: dt.datetime, unanswered_for: dt.timedelta, backup: "OnCallContact") -> List[str]:
        """Page `backup` for every unsettled request whose first page went unanswered.

        Unanswered: sent `unanswered_for` ago; or refused (nobody was told, so the backup is paged
        at once); or still not out `unanswered_for` after the request. Returns the references
        escalated now. A first page that went to the backup itself (nobody on the rota at that
        moment) is not escalated to them again.
        """
        cutoff = now - unanswered_for
        first = select(Page.callback_request_id).where(
            Page.level == FIRST,
            Page.recipient_phone != backup.phone,
            or_(
                Page.sent_at <= cutoff,
                and_(Page.sent_at.is_(None), or_(Page.not_sent.is_not(None), Page.created_at <= cutoff)),
            ),
        )
        has_backup = select(Page.callback_request_id).where(Page.level == BACKUP)
        query = select(CallbackRequest.id).where(
            CallbackRequest.id.in_(first),
            CallbackRequest.id.not_in(has_backup),
            CallbackRequest.status == STATUS_NEW,
            CallbackRequest.acknowledged_at.is_(None),
        )
        with self._sessions(write=False) as session:
            due = list(session.execute(query).scalars())
        escalated: List[str] = []
        for request_id in due:
            try:
                with self._sessions() as session:
                    request = session.get(CallbackRequest, request_id)
                    if request is None or _settled(request):
                        continue
                    plan(session, request, BACKUP, backup, now)
                    escalated.append(request.ref)
            except sa_exc.IntegrityError:
                continue  # another worker paged the backup for this request first
        return escalated

    @guard
    def acknowledge(self, ref: Optional[str], phone: str, name: str, now: dt.datetime) -> AckResult:
        """Mark a paged request as acknowledged by the rota member `name` texting from `phone`.

        `ref` None: the newest page sent to `phone` in the last LATEST_PAGE_WINDOW, one still
        waiting first. Only a request that was paged can be acknowledged, and only once and while
        nobody has claimed it: the update is conditional, so of two simultaneous replies one wins
        and the other is told who did. The audit log records it in the same transaction.
        """
        from bot.store.callbacks import normalize_ref

        with self._sessions() as session:
            query = select(CallbackRequest).join(Page, Page.callback_request_id == CallbackRequest.id)
            if ref:
                query = query.where(CallbackRequest.ref == normalize_ref(ref))
            else:
                waiting = and_(CallbackRequest.status == STATUS_NEW, CallbackRequest.acknowledged_at.is_(None))
                query = query.where(
                    Page.recipient_phone == phone, Page.created_at >= now - LATEST_PAGE_WINDOW
                ).order_by(case((waiting, 0), else_=1), Page.created_at.desc(), Page.id.desc())
            request = session.execute(query.limit(1)).scalars().first()
            if request is None:
                return AckResult(None)
            if _settled(request):
                return _taken(request)
            who = name[:100]
            result = session.execute(
                update(CallbackRequest)
                .where(
                    CallbackRequest.id == request.id,
                    CallbackRequest.status == STATUS_NEW,
                    CallbackRequest.acknowledged_at.is_(None),
                )
                .values(acknowledged_at=now, acknowledged_by=who)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:
                session.refresh(request)
                return _taken(request)
            session.add(audit_event(who, AUDIT_ACKNOWLEDGE, request.ref))
            return AckResult(request.ref, who)

    @guard
    def for_request(self, ref: str) -> List[PageRecord]:
        """The pages of one request, first page first."""
        from bot.store.callbacks import normalize_ref

        query = (
            select(Page)
            .join(CallbackRequest, CallbackRequest.id == Page.callback_request_id)
            .where(CallbackRequest.ref == normalize_ref(ref))
            .order_by(Page.level)
        )
        with self._sessions(write=False) as session:
            return [
                PageRecord(p.level, p.recipient_name, p.created_at, p.sent_at, p.not_sent)
                for p in session.execute(query).scalars()
            ]

"""Publishing pledge versions, finding the one a unit uses, and signing it into the ledger."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from difflib import unified_diff

from sqlalchemy import ColumnElement, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.delivery.outbox import plan_for_officials
from compliance.office.officials import Actor
from compliance.pledge import campaigns, ledger
from compliance.pledge.templates import (
    PledgeTemplate,
    canonical_text,
    content_hash,
    template_from_json,
    text_sha256,
)
from compliance.privacy import audit
from compliance.text import name_key
from storage.clock import utcnow
from storage.models import Official, Unit
from storage.models_pledge import PledgeVersion, Signature


@dataclass(frozen=True)
class Version:
    id: int
    code: str
    version: int
    unit_id: int | None
    material: bool
    published_at: datetime
    template: PledgeTemplate

    @property
    def label(self) -> str:
        return f"{self.code}-{self.version}"


def _version(row: PledgeVersion) -> Version:
    return Version(
        row.id,
        row.code,
        row.version,
        row.unit_id,
        row.material,
        row.published_at,
        template_from_json(row.content),
    )


def _ancestor_ids(unit: Unit | None) -> list[int]:
    return [int(p) for p in unit.path.strip("/").split("/") if p] if unit else []


async def current_version(session: AsyncSession, unit: Unit | None) -> Version | None:
    """The version a unit uses: the newest one published at the nearest unit at or above it."""
    ancestors = _ancestor_ids(unit)
    rows = (
        await session.scalars(
            select(PledgeVersion).where(
                (PledgeVersion.unit_id.is_(None)) | (PledgeVersion.unit_id.in_(ancestors))
            )
        )
    ).all()
    if not rows:
        return None
    depth = {unit_id: index for index, unit_id in enumerate(ancestors)}
    best = max(rows, key=lambda r: (depth.get(r.unit_id, -1) if r.unit_id else -1, r.published_at, r.id))
    return _version(best)


async def version_by_id(session: AsyncSession, version_id: int) -> Version | None:
    row = await session.get(PledgeVersion, version_id)
    return _version(row) if row else None


async def list_versions(session: AsyncSession) -> list[Version]:
    rows = (await session.scalars(select(PledgeVersion).order_by(PledgeVersion.published_at))).all()
    return [_version(r) for r in rows]


def is_material_change(old: PledgeTemplate | None, new: PledgeTemplate) -> bool:
    """A change of what people promise (items added, removed or reworded in meaning) asks them to re-sign;
    the admin decides, and this is the default offered: any item id added or removed is material."""
    if old is None:
        return True
    return [i.id for i in old.items] != [i.id for i in new.items]


class PublishOutcome(enum.Enum):
    PUBLISHED = "published"
    ALREADY_PUBLISHED = "already_published"


@dataclass(frozen=True)
class PublishResult:
    outcome: PublishOutcome
    version: Version | None = None
    resign_requests: int = 0  # sign requests planned: to sign for the first time, or again
    first: bool = False  # no version applied to this scope before: people sign it for the first time


async def publish(
    session: AsyncSession,
    *,
    template: PledgeTemplate,
    unit: Unit | None,
    material: bool,
    publisher_id: int | None,
    now: datetime | None = None,
    actor: Actor | None = None,
) -> PublishResult:
    """`actor` is who is written in the audit log (None: the command line)."""
    unit_id = unit.id if unit else None
    digest = content_hash(template)
    same = await session.scalar(
        select(PledgeVersion).where(
            PledgeVersion.code == template.code,
            PledgeVersion.version == template.version,
            PledgeVersion.unit_id.is_(None) if unit_id is None else PledgeVersion.unit_id == unit_id,
            PledgeVersion.content_hash == digest,
        )
    )
    if same is not None:
        return PublishResult(PublishOutcome.ALREADY_PUBLISHED, _version(same))
    # Nothing applied here before: the requests ask people to sign it, not to sign it again.
    first = await current_version(session, unit) is None
    row = PledgeVersion(
        code=template.code,
        version=template.version,
        unit_id=unit_id,
        material=material,
        content=template.to_json(),
        content_hash=digest,
        effective=template.effective,
        published_at=now or utcnow(),
        published_by_id=publisher_id,
    )
    session.add(row)
    await session.flush()
    requests = await _plan_resign_requests(session, row, unit, first=first) if material else 0
    await audit.record(
        session,
        actor=actor,
        action="pledge.publish",
        subject=f"pledge_version:{row.id}",
        after={
            "version": f"{row.code}-{row.version}",
            "unit": unit.code if unit else None,
            "material": material,
            "resign_requests": requests,
            **({"first": True} if first else {}),
        },
    )
    return PublishResult(PublishOutcome.PUBLISHED, _version(row), requests, first)


async def _units_using(session: AsyncSession, version: PledgeVersion, scope: Unit | None) -> list[int]:
    """Units in the scope's subtree that will use this version: not those under a nearer version."""
    in_scope = select(Unit.id, Unit.path)
    if scope is not None:
        in_scope = in_scope.where(Unit.path.startswith(scope.path))
    units = (await session.execute(in_scope)).all()
    deeper = (
        (
            await session.execute(
                select(Unit.path)
                .join(PledgeVersion, PledgeVersion.unit_id == Unit.id)
                .where(
                    PledgeVersion.id != version.id,
                    Unit.path.startswith(scope.path) if scope is not None else literal(True),
                    Unit.id != (scope.id if scope is not None else -1),
                )
            )
        )
        .scalars()
        .all()
    )
    return [unit_id for unit_id, path in units if not any(path.startswith(d) for d in deeper)]


async def _plan_resign_requests(
    session: AsyncSession, version: PledgeVersion, scope: Unit | None, *, first: bool
) -> int:
    """One outbox row per reachable official in scope, planned in SQL (a province is tens of thousands)."""
    unit_ids = await _units_using(session, version, scope)
    audiences: list[ColumnElement[bool]] = [
        Official.unit_id.in_(unit_ids[start : start + 500]) for start in range(0, len(unit_ids), 500)
    ]
    if scope is None:
        audiences.append(Official.unit_id.is_(None))  # admins outside any unit use the office-wide version
    planned = 0
    payload = {
        "version_id": version.id,
        "title_vi": version.content["title"]["vi"],
        "title_en": version.content["title"]["en"],
        **({"first": True} if first else {}),
    }
    for audience in audiences:
        planned += await plan_for_officials(
            session, kind="pledge_resign", key_suffix=str(version.id), payload=payload, audience=audience
        )
    return planned


# A signature made on the web pages has no chat and no message: the ledger records these ids as 0 (a
# Telegram chat or message id is never 0), so the row still says where it was signed.
WEB_CHAT_ID = 0
WEB_MESSAGE_ID = 0
# A signature made on Zalo: Zalo's chat and message ids are opaque text, not numbers, so the row records
# this marker instead (a Telegram private chat is positive, a group far below -1), and message 0.
ZALO_CHAT_ID = -1
ZALO_MESSAGE_ID = 0


def name_matches(typed: str, full_name: str) -> bool:
    """Compared after NFC normalisation, case- and space-insensitively."""
    return bool(typed.strip()) and name_key(typed) == name_key(full_name)


async def existing_signature(
    session: AsyncSession,
    *,
    official_id: int,
    version_id: int,
    on_behalf_of_unit: bool,
    at: datetime | None = None,
) -> Signature | None:
    """The signature of this version that counts at `at` (now): while a yearly campaign is in force for the
    person, only one made inside its window, so every channel offers the pledge to sign again."""
    since = await campaigns.counting_since(session, official_id=official_id, version_id=version_id, at=at)
    query = select(Signature).where(
        Signature.official_id == official_id,
        Signature.pledge_version_id == version_id,
        Signature.on_behalf_of_unit == on_behalf_of_unit,
    )
    if since is not None:
        query = query.where(Signature.signed_at >= since)
    return await session.scalar(query.order_by(Signature.id).limit(1))


class SignOutcome(enum.Enum):
    SIGNED = "signed"
    ALREADY_SIGNED = "already_signed"
    NAME_MISMATCH = "name_mismatch"
    NOT_CURRENT = "not_current"
    NOT_A_HEAD = "not_a_head"


@dataclass(frozen=True)
class SignResult:
    outcome: SignOutcome
    signature: Signature | None = None


async def sign(
    session: AsyncSession,
    *,
    actor: Actor,
    version_id: int,
    typed_name: str,
    locale: str,
    chat_id: int,
    message_id: int,
    on_behalf_of_unit: bool = False,
    now: datetime | None = None,
) -> SignResult:
    """Append a signature: every condition is checked again here, whatever the conversation remembered."""
    unit = await session.get(Unit, actor.unit_id) if actor.unit_id else None
    current = await current_version(session, unit)
    if current is None or current.id != version_id:
        return SignResult(SignOutcome.NOT_CURRENT)
    if on_behalf_of_unit and not (actor.is_head and unit is not None):
        return SignResult(SignOutcome.NOT_A_HEAD)
    earlier = await existing_signature(
        session, official_id=actor.id, version_id=version_id, on_behalf_of_unit=on_behalf_of_unit, at=now
    )
    if earlier is not None:
        return SignResult(SignOutcome.ALREADY_SIGNED, earlier)
    if not name_matches(typed_name, actor.full_name):
        return SignResult(SignOutcome.NAME_MISMATCH)
    row = await ledger.append(
        session,
        official_id=actor.id,
        unit_id=actor.unit_id,
        pledge_version_id=version_id,
        on_behalf_of_unit=on_behalf_of_unit,
        locale=locale,
        text_sha256=text_sha256(current.template, locale),
        typed_name=typed_name,
        signed_at=now or utcnow(),
        chat_id=chat_id,
        message_id=message_id,
    )
    return SignResult(SignOutcome.SIGNED, row)


async def latest_personal_signature(session: AsyncSession, official_id: int) -> Signature | None:
    return await session.scalar(
        select(Signature)
        .where(Signature.official_id == official_id, Signature.on_behalf_of_unit.is_(False))
        .order_by(Signature.id.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class ReceiptFacts:
    full_name: str
    title: str | None
    unit_name: str | None
    version: Version
    year: int | None = None  # the yearly campaign the signature was made in, if any


async def receipt_facts(session: AsyncSession, signature: Signature) -> ReceiptFacts:
    """What a receipt shows besides the ledger row: the signer, their unit at the time, the version, the
    year of the campaign it was signed in."""
    official = await session.get(Official, signature.official_id)
    unit = await session.get(Unit, signature.unit_id) if signature.unit_id else None
    version = await version_by_id(session, signature.pledge_version_id)
    assert official is not None and version is not None
    campaign = await campaigns.campaign_of_signature(session, signature)
    return ReceiptFacts(
        official.full_name,
        official.title,
        unit.name if unit else None,
        version,
        campaign.year if campaign is not None else None,
    )


def diff_versions(old: Version, new: Version, locale: str) -> list[str]:
    """A unified diff of the two texts as signers read them."""
    old_text = canonical_text(old.template, locale).splitlines()
    new_text = canonical_text(new.template, locale).splitlines()
    return list(unified_diff(old_text, new_text, old.label, new.label, lineterm=""))


async def signature_counts(session: AsyncSession) -> dict[int, int]:
    rows = await session.execute(
        select(Signature.pledge_version_id, func.count()).group_by(Signature.pledge_version_id)
    )
    return {version_id: int(count) for version_id, count in rows}


@dataclass(frozen=True)
class VersionMap:
    """Which version every unit uses, resolved in two queries (for the scheduler's bulk planning)."""

    office: Version | None
    by_unit: dict[int, Version]

    def for_unit(self, unit_id: int | None) -> Version | None:
        return self.by_unit.get(unit_id, self.office) if unit_id is not None else self.office


async def versions_by_unit(session: AsyncSession, *, as_of: datetime | None = None) -> VersionMap:
    """Which version applied to every unit at `as_of` (now by default): a past period is read against the
    version of its time."""
    query = select(PledgeVersion)
    if as_of is not None:
        query = query.where(PledgeVersion.published_at <= as_of)
    rows = (await session.scalars(query)).all()
    versions = {row.id: _version(row) for row in rows}
    latest_at: dict[int | None, PledgeVersion] = {}
    for row in rows:  # the newest version published at each scope
        best = latest_at.get(row.unit_id)
        if best is None or (row.published_at, row.id) > (best.published_at, best.id):
            latest_at[row.unit_id] = row
    office_row = latest_at.get(None)
    office = versions[office_row.id] if office_row else None
    by_unit: dict[int, Version] = {}
    for unit_id, path in (await session.execute(select(Unit.id, Unit.path))).all():
        chosen = office
        for ancestor in (int(p) for p in path.strip("/").split("/") if p):
            own = latest_at.get(ancestor)
            if own is not None:
                chosen = versions[own.id]  # deeper ancestors come later and win
        if chosen is not None:
            by_unit[unit_id] = chosen
    return VersionMap(office, by_unit)

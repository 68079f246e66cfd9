"""/pledge: read the whole pledge and sign it by typing one's full name; the receipt and its PDF.

The same domain as the chat's /pledge (compliance.pledge.signing): the same version lookup, name check,
ledger append and receipt. A template that asks for its quiz before signing asks it here too, all
questions on the page: every answer must be right, as the chat repeats a question until it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from compliance.office.officials import Actor
from compliance.pledge import signing as pledges
from compliance.pledge.ledger import verification_code
from compliance.pledge.receipts import issuer_names
from compliance.pledge.signing import SignOutcome, Version
from compliance.pledge.templates import PledgeTemplate
from handlers.commands import Access
from handlers.i18n import _, current_locale
from handlers.views import receipts as receipt_views
from handlers.views.sources import source_line
from handlers.web.context import WebContext, is_number, page
from handlers.web.errors import BadInput, NotFound, Refused
from handlers.web.official.downloads import attachment
from storage.models import Unit
from storage.models_pledge import Signature


@dataclass(frozen=True)
class Standing:
    """Where this person is with the current version: what they signed, and what they may still sign."""

    version: Version | None
    personal: Signature | None
    for_unit: Signature | None
    may_sign_for_unit: bool  # a head with a unit signs twice: for themselves and on behalf of the unit

    @property
    def done(self) -> bool:
        return self.personal is not None and (not self.may_sign_for_unit or self.for_unit is not None)

    @property
    def choices(self) -> list[str]:
        """What is left to sign: "me", "unit" or both (the head chooses which first, as in the chat)."""
        left = [] if self.personal is not None else ["me"]
        if self.may_sign_for_unit and self.for_unit is None:
            left.append("unit")
        return left


async def standing(context: WebContext) -> Standing:
    me = context.me
    unit = await context.session.get(Unit, me.unit_id) if me.unit_id else None
    version = await pledges.current_version(context.session, unit)
    if version is None:
        return Standing(None, None, None, False)
    personal = await pledges.existing_signature(
        context.session, official_id=me.id, version_id=version.id, on_behalf_of_unit=False
    )
    may_for_unit = me.is_head and unit is not None
    for_unit = (
        await pledges.existing_signature(
            context.session, official_id=me.id, version_id=version.id, on_behalf_of_unit=True
        )
        if may_for_unit
        else None
    )
    return Standing(version, personal, for_unit, may_for_unit)


def sections_of(template: PledgeTemplate, locale: str) -> list[tuple[str, list[tuple[int, str]]]]:
    """The sections with their items numbered through, as the canonical (signed) text numbers them."""
    shown, number = [], 1
    for section in template.sections:
        items = [(number + n, item.text.get(locale)) for n, item in enumerate(section.items)]
        number += len(items)
        shown.append((section.title.get(locale), items))
    return shown


def _form(context: WebContext, state: Standing, *, status: int = 200, **values: object) -> Response:
    assert state.version is not None
    template = state.version.template
    locale = current_locale()
    return context.render(
        "official/pledge.html",
        status=status,
        title=_("Pledge"),
        state=state,
        version=state.version,
        pledge_title=template.title.get(locale),
        introduction=template.introduction.get(locale),
        source=source_line(template.source),
        sections=sections_of(template, locale),
        quiz=[
            (question.question.get(locale), [option.get(locale) for option in question.options])
            for question in (template.quiz if template.require_quiz else ())
        ],
        locale=locale,
        **values,
    )


@page(access=Access.MEMBER)
async def read_and_sign(context: WebContext) -> Response:
    state = await standing(context)
    if state.version is None:
        return context.render("official/pledge.html", title=_("Pledge"), state=state, version=None)
    return _form(context, state)


def _quiz_mistakes(template: PledgeTemplate, context: WebContext, locale: str) -> list[tuple[str, str]]:
    """The questions answered wrongly (or not at all), with their explanation."""
    wrong = []
    for index, question in enumerate(template.quiz if template.require_quiz else ()):
        chosen = context.field(f"q{index}")
        if not (is_number(chosen, 3) and int(chosen) == question.answer):
            wrong.append((question.question.get(locale), question.explanation.get(locale)))
    return wrong


@page(access=Access.MEMBER)
async def sign(context: WebContext) -> Response:
    state = await standing(context)
    version = state.version
    if version is None:
        raise BadInput(_("No pledge has been published for your unit yet."))
    if str(version.id) != context.field("version"):
        return _form(
            context,
            state,
            status=409,
            error=_("The pledge has changed while you were reading. Please read it again and sign."),
        )
    if state.done:
        return _form(context, state, status=409, error=_("You have already signed this pledge."))
    chosen = context.field("for") or state.choices[0]
    if chosen not in state.choices:
        return _form(context, state, status=409, error=_("You have already signed this pledge."))
    locale = current_locale()
    mistakes = _quiz_mistakes(version.template, context, locale)
    if mistakes:
        return _form(
            context,
            state,
            status=400,
            error=_("Some answers are not right yet. Read the explanations and answer again."),
            mistakes=mistakes,
            typed=context.field("name"),
        )
    result = await pledges.sign(
        context.session,
        actor=context.me,
        version_id=version.id,
        typed_name=context.field("name"),
        locale=locale,
        chat_id=pledges.WEB_CHAT_ID,
        message_id=pledges.WEB_MESSAGE_ID,
        on_behalf_of_unit=chosen == "unit",
    )
    if result.outcome is SignOutcome.NAME_MISMATCH:
        error = _(
            "This name does not match the staff list. Type your full name with its diacritics, family name "
            "first, as the staff list writes it ({words} words)."
        ).format(words=len(context.me.full_name.split()))
        return _form(context, state, status=400, error=error, typed=context.field("name"))
    if result.outcome is SignOutcome.ALREADY_SIGNED:
        return _form(context, state, status=409, error=_("You have already signed this pledge."))
    if result.outcome is SignOutcome.NOT_A_HEAD:
        raise Refused()
    if result.outcome is not SignOutcome.SIGNED:
        return _form(
            context,
            state,
            status=409,
            error=_("The pledge has changed while you were reading. Please read it again and sign."),
        )
    return context.redirect("/pledge/receipt?signed=1")


async def _signatures(context: WebContext, me: Actor) -> tuple[Signature | None, Signature | None]:
    """The person's latest own signature, and a head's signature on behalf of their unit (current version),
    as /mypledge sends them."""
    personal = await pledges.latest_personal_signature(context.session, me.id)
    for_unit = None
    if me.is_head and me.unit_id is not None:
        version = await pledges.current_version(context.session, await context.session.get(Unit, me.unit_id))
        if version is not None:
            for_unit = await pledges.existing_signature(
                context.session, official_id=me.id, version_id=version.id, on_behalf_of_unit=True
            )
    return personal, for_unit


@page(access=Access.MEMBER)
async def receipt(context: WebContext) -> Response:
    personal, for_unit = await _signatures(context, context.me)
    state = await standing(context)
    shown = []
    for signature in (personal, for_unit):
        if signature is not None:
            facts = await pledges.receipt_facts(context.session, signature)
            shown.append((signature, facts, verification_code(signature.row_hash)))
    return context.render(
        "official/receipt.html",
        title=_("Pledge receipt"),
        receipts=shown,
        just_signed=context.request.query_params.get("signed") == "1",
        left=state.choices if state.version is not None else [],
    )


@page(access=Access.MEMBER)
async def receipt_pdf(context: WebContext) -> Response:
    personal, for_unit = await _signatures(context, context.me)
    signature = for_unit if context.request.query_params.get("for") == "unit" else personal
    if signature is None:
        raise NotFound(_("You have not signed a pledge yet."))
    facts = await pledges.receipt_facts(context.session, signature)
    office, unit = await issuer_names(context.session, signature.unit_id)
    name, content = receipt_views.receipt_file(signature, facts, office, unit)
    return Response(
        content=content,
        media_type="application/pdf",
        headers=attachment(name),
    )


def routes() -> list[BaseRoute]:
    return [
        Route("/pledge", read_and_sign, methods=["GET"]),
        Route("/pledge", sign, methods=["POST"]),
        Route("/pledge/receipt", receipt, methods=["GET"]),
        Route("/pledge/receipt.pdf", receipt_pdf, methods=["GET"]),
    ]

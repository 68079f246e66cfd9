"""Pledge versions on the web: the list, a YAML upload previewed as signers see it, then publish as a
material change (everyone re-signs) or a wording fix.

The chat keeps its draft in the conversation; the page keeps the uploaded text in a hidden field and
parses it again, in full, on publish: the form is never trusted more than a new upload. A sample template
is published only with its warning's box ticked, as the chat asks for a confirmation first.
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from compliance.content import ContentError
from compliance.pledge import signing as pledges
from compliance.pledge.templates import PledgeTemplate, load_template_bytes
from handlers.commands import Access
from handlers.i18n import _
from handlers.views import pledge as signer_views
from handlers.views import pledge_admin as views
from handlers.views.content_errors import content_error_text
from handlers.web.admin.uploads import read_upload
from handlers.web.context import WebContext, page
from handlers.web.errors import BadInput

MAX_TEMPLATE_BYTES = 256 * 1024  # as the chat's limit for a pledge file
YAML_TYPES: dict[str, bytes | None] = {".yaml": None, ".yml": None}


def _parse(name: str, text: str) -> PledgeTemplate:
    stem = name.rsplit(".", 1)[0]
    return load_template_bytes(text.encode("utf-8"), name, expected_name=stem)


async def _list(context: WebContext, *, error: str | None = None, status: int = 200) -> Response:
    versions = await pledges.list_versions(context.session)
    current = await pledges.current_version(context.session, None)
    counts = await pledges.signature_counts(context.session)
    return context.render(
        "admin/pledges.html",
        status=status,
        title=_("Pledge versions"),
        versions=list(reversed(versions)),
        current_id=current.id if current else None,
        counts=counts,
        error=error,
    )


@page(access=Access.ADMIN)
async def pledges_page(context: WebContext) -> Response:
    return await _list(context)


@page(access=Access.ADMIN)
async def pledge_preview(context: WebContext) -> Response:
    name, content = await read_upload(context, "file", YAML_TYPES, _("Only .yaml files can be published."))
    if len(content) > MAX_TEMPLATE_BYTES:
        return await _list(context, error=views.too_large().text, status=400)
    try:
        text = content.decode("utf-8-sig")
        template = _parse(name, text)
    except (UnicodeDecodeError, ContentError) as exc:
        problem = content_error_text(exc) if isinstance(exc, ContentError) else views.not_utf8()
        return await _list(context, error=views.unusable(problem).text, status=400)
    previous = await pledges.current_version(context.session, None)
    first = previous is None
    material = pledges.is_material_change(previous.template if previous else None, template)
    return context.render(
        "admin/pledge_preview.html",
        title=_("Pledge preview"),
        summary=views.preview_text(template, first=first, material=material),
        sections=[signer_views.section(template, n).text for n in range(len(template.sections))],
        first=first,
        material=material,
        sample=template.sample,
        file_name=name,
        yaml_text=text,
    )


@page(access=Access.ADMIN)
async def pledge_publish(context: WebContext) -> Response:
    name, text = context.field("name"), context.field("yaml")
    if len(text.encode("utf-8")) > MAX_TEMPLATE_BYTES:
        raise BadInput(views.too_large().text)
    try:
        template = _parse(name, text)
    except ContentError as exc:
        raise BadInput(
            _("This template cannot be used: {problem}").format(problem=content_error_text(exc))
        ) from exc
    mode = context.field("mode")
    if mode not in ("material", "wording"):
        raise BadInput(_("Choose how to publish it."))
    if template.sample and context.field("sample_ok") != "1":
        raise BadInput(_("This template is a sample: tick the box that says you understand, then publish."))
    first = await pledges.current_version(context.session, None) is None
    # A first version has no earlier wording to fix: everyone signs it, whatever the form says.
    material = first or mode == "material"
    result = await pledges.publish(
        context.session,
        template=template,
        unit=None,
        material=material,
        publisher_id=context.me.id,
        actor=context.me,
    )
    if result.outcome is pledges.PublishOutcome.ALREADY_PUBLISHED:
        return await _list(context, error=views.already_published().text, status=409)
    done = views.published(first=result.first, material=material, resign_requests=result.resign_requests)
    return context.render("admin/pledge_done.html", title=_("Pledge published"), done=done.text)


def routes() -> list[BaseRoute]:
    return [
        Route("/admin/pledges", pledges_page, methods=["GET"]),
        Route("/admin/pledges/preview", pledge_preview, methods=["POST"]),
        Route("/admin/pledges/publish", pledge_publish, methods=["POST"]),
    ]

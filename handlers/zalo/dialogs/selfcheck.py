"""TU DANH GIA: the weekly self-check item by item (1, 2 or 3) or all at once ("1 1 2 3 …"), then an
optional note (BO QUA skips it). Answers go through compliance.practice.self_checks like the chat's
buttons and the web form, so the window, late and change rules are the domain's, checked on each answer."""

from __future__ import annotations

from compliance.practice import schedules
from compliance.practice import self_checks as practice
from compliance.practice.self_checks import AnswerOutcome, NoteOutcome, SelfCheckView
from compliance.text import clean_text
from handlers.i18n import _, current_locale, fmt_number
from handlers.messages import Choice, OutMessage, esc, row
from handlers.views import practice as views
from handlers.zalo.dialogs.base import Open, Replies, Turn, fold, numbers

DIALOG = "selfcheck"
SKIP = "bo qua"


async def start(turn: Turn) -> Replies:
    view = await practice.current_selfcheck(turn.session, official_id=turn.me.id)
    if view is None:
        # The office or the unit may have moved the opening: the day and time that apply to this person.
        effective = (await schedules.load_schedules(turn.session)).for_unit(turn.me.unit_id)
        return [views.not_open(effective.selfcheck_open_weekday, effective.selfcheck_open_time)]
    if not view.editable(turn.now):
        return [OutMessage(views.closed()), overview(view)]
    cursor = view.next_unanswered
    return [overview(view), await _ask_item(turn, view, 0 if cursor is None else cursor)]


def overview(view: SelfCheckView) -> OutMessage:
    """The week, the deadline and every item with its answer so far."""
    locale = current_locale()
    lines = views.selfcheck_heading(view)
    for number, item in enumerate(view.items, start=1):
        mark = views.MARKS.get(view.answers.get(item.id, ""), "▫")
        lines.append(f"{mark} {number}. {esc(item.text.get(locale))}")
    if view.note:
        lines += ["", _("Note: {note}").format(note=esc(view.note))]
    if view.status in ("done", "late"):
        lines += ["", _("✅ Completed. Thank you!")]
    elif view.status == "missed":
        lines += ["", _("The deadline has passed: you can still complete it, and it will count as late.")]
    return OutMessage("\n".join(lines))


async def _ask_item(turn: Turn, view: SelfCheckView, index: int) -> OutMessage:
    await turn.ask(DIALOG, "item", check=view.id, index=index)
    item = view.items[index]
    text = _("<b>Item {n} of {total}</b>: {item}").format(
        n=index + 1, total=len(view.items), item=esc(item.text.get(current_locale()))
    )
    hint = _(
        'Reply 1, 2 or 3. You can also answer all {total} items at once, for example "{example}".'
    ).format(total=len(view.items), example=" ".join(["1"] * len(view.items)))
    choices = tuple(
        row(Choice(f"{views.MARKS[answer]} {views.answer_label(answer)}", answer))
        for answer in practice.ANSWERS
    )
    return OutMessage(f"{text}\n{hint}", choices=choices)


async def answer(turn: Turn, opened: Open) -> Replies:
    if opened.step == "note":
        return await _note(turn, opened)
    view = await practice.current_selfcheck(turn.session, official_id=turn.me.id)
    check_id = int(opened.data.get("check", 0))
    if view is None or view.id != check_id:
        await turn.close()
        return [OutMessage(views.closed())]
    index = min(max(int(opened.data.get("index", 0)), 0), len(view.items) - 1)
    given = numbers(turn.text)
    total = len(view.items)
    if given is None or not all(1 <= n <= len(practice.ANSWERS) for n in given):
        return [
            OutMessage(_("Only 1, 2 or 3 are answers here. Nothing was saved.")),
            await _ask_item(turn, view, index),
        ]
    # All items at once start from the first; fewer answers continue from the item asked.
    first = 0 if len(given) == total else index
    if first + len(given) > total:
        problem = _(
            "You sent {given} answers, but only {left} items are left from item {n}. Nothing was saved."
        )
        return [
            OutMessage(problem.format(given=len(given), left=total - first, n=first + 1)),
            await _ask_item(turn, view, index),
        ]
    return await _record(turn, view, first, given)


async def _record(turn: Turn, view: SelfCheckView, first: int, given: list[int]) -> Replies:
    latest: SelfCheckView | None = view
    for offset, number in enumerate(given):
        outcome, latest = await practice.answer_selfcheck(
            turn.session,
            check_id=view.id,
            official_id=turn.me.id,
            item_index=first + offset,
            answer=practice.ANSWERS[number - 1],
            now=turn.now,
        )
        if outcome in (AnswerOutcome.CLOSED, AnswerOutcome.INVALID) or latest is None:
            # A refused answer writes nothing; all of one message are checked against the same instant,
            # so in practice the first one is refused or none is.
            await turn.close()
            return [OutMessage(views.closed())]
    assert latest is not None
    following = first + len(given)
    if following < len(latest.items):
        return [OutMessage(views.saved(completed=False)), await _ask_item(turn, latest, following)]
    cursor = latest.next_unanswered
    if cursor is not None:
        return [OutMessage(views.saved(completed=False)), await _ask_item(turn, latest, cursor)]
    await turn.ask(DIALOG, "note", check=latest.id)
    return [overview(latest), ask_note()]


def ask_note() -> OutMessage:
    return OutMessage(
        _(
            "You may add a short note for this week (up to {limit} characters). Type it, or BO QUA to skip."
        ).format(limit=fmt_number(practice.MAX_NOTE))
    )


async def _note(turn: Turn, opened: Open) -> Replies:
    if fold(turn.text) == SKIP:
        await turn.close()
        return [OutMessage(_("No note. Thank you!"))]
    outcome = await practice.note_selfcheck(
        turn.session,
        check_id=int(opened.data.get("check", 0)),
        official_id=turn.me.id,
        note=turn.text,
        now=turn.now,
    )
    if outcome is NoteOutcome.TOO_LONG:
        return [views.note_too_long(len(clean_text(turn.text)))]
    if outcome is NoteOutcome.EMPTY:
        return [views.note_empty()]
    await turn.close()
    return [views.note_saved(outcome is NoteOutcome.SAVED)]

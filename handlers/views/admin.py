"""What the administrator is shown: the first-day checklist, the /admin menu and what each of its buttons
does when it only explains."""

from __future__ import annotations

from compliance.office.setup import Checklist, Step, StepState
from compliance.practice.schedules import DEFAULTS
from handlers.i18n import _, fmt_number
from handlers.messages import Choice, OutMessage, esc


def _heads_line(state: StepState) -> str:
    if state.total == 0:
        return _(
            "Unit heads: none on the staff list. Mark them “trưởng đơn vị” in the Vai trò column, "
            "or use /sethead."
        )
    text = _("Unit heads: {joined} of {total} have joined.").format(
        joined=fmt_number(state.count), total=fmt_number(state.total)
    )
    if not state.done:
        text += " " + _("Ask the others to open the bot, press /start and share their phone number.")
    return text


def _step_texts() -> dict[Step, tuple[str, str]]:
    """(done, still to do) of every step but the heads'."""
    return {
        Step.STAFF: (
            _("Staff list: {n} officials on it."),
            _("Staff list: not imported yet. Send it as an .xlsx or .csv file (/import says how)."),
        ),
        Step.PLEDGE: (
            _("Pledge: published."),
            _(
                "Pledge: nothing published yet, so nobody can sign. Send the pledge as a .yaml file "
                "(adapt a sample from content/pledges first); /admin → “Publish a pledge” says how."
            ),
        ),
        Step.SCHEDULE: (
            _("Schedule: set."),
            _(
                "Schedule: the default times apply (daily reminder at {time} on working days). "
                "Check or change them with /schedule."
            ),
        ),
        Step.GROUPS: (
            _("Unit groups: {n} linked."),
            _("Unit groups: none linked. Add me to a unit's group and send /linkgroup there."),
        ),
    }


def _line(state: StepState) -> str:
    mark = "✅" if state.done else "⬜"
    if state.step is Step.HEADS:
        return f"{mark} {_heads_line(state)}"
    done, to_do = _step_texts()[state.step]
    text = (done if state.done else to_do).format(n=fmt_number(state.count), time=DEFAULTS.reminder_time)
    return f"{mark} {text}"


def checklist_text(state: Checklist) -> str | None:
    """The checklist while something is left to do; None once the office is set up."""
    if state.complete:
        return None
    return "\n".join([_("<b>Getting the office started</b>"), *(_line(s) for s in state.steps)])


def menu_entries() -> list[tuple[str, str]]:
    """(key, label) of every admin action, in the menu's order."""
    return [
        ("import", _("📥 Import staff list")),
        ("units", _("🏢 Units")),
        ("invite", _("🔗 Invite link")),
        ("pending", _("⏳ Pending joins")),
        ("broadcast", _("📣 Send a plan update")),
        ("broadcasts", _("📊 Plan updates sent")),
        ("groups", _("👥 Unit group chats")),
        ("calendar", _("📅 Calendar")),
        ("schedule", _("⏰ Schedule")),
        ("pledge", _("📜 Publish a pledge")),
        ("export", _("📤 Emulation review export")),
        ("audit", _("🧾 Audit log")),
    ]


def explanations() -> dict[str, str]:
    return {
        "invite": _(
            "/invite [unit code] [days] [uses]: an invite link (and its QR code) for people who are not on "
            "the staff list. Their requests come to the unit's head to approve."
        ),
        "pending": _("/pending: the join requests waiting for approval, with buttons to approve or reject."),
        "broadcast": _(
            "/broadcast: compose a plan update (text, optionally a document or photo), choose who gets it "
            "and when, preview it, then confirm. Recipients can confirm they have read it."
        ),
        "broadcasts": _(
            "/broadcasts: the recent plan updates with delivered, failed and acknowledged counts; open one "
            "to see who has not acknowledged, remind them, or get the Excel."
        ),
        "groups": _(
            "Add the bot to the unit's Telegram group, then send /linkgroup CODE there to link it to the "
            "unit (/unlinkgroup undoes it). Plan updates can then be sent to linked groups."
        ),
        "pledge": _(
            "Send the pledge template as a .yaml file (named CODE-VERSION.yaml, as in content/pledges). "
            "I show a preview. The first version is signed by everyone; for a later one, choose whether "
            "everyone re-signs (a material change) or it is a wording fix. A template marked sample: true "
            "is a sample to adapt: I publish it only after you confirm a warning."
        ),
        "export": _(
            "/report, then the button “Emulation review, this quarter (Excel)”. On the server: "
            "python -m bot export --period 2027Q1 FILE.xlsx (or --period 2027, --unit CODE)."
        ),
    }


def admin_menu(pending: str | None) -> OutMessage:
    """The menu, two buttons a row, under the checklist while the office is not set up."""
    text = _("<b>Administration</b>\nChoose an action; each button says how it works.")
    entries = menu_entries()
    choices = tuple(
        tuple(Choice(label, f"adm:{key}") for key, label in entries[i : i + 2])
        for i in range(0, len(entries), 2)
    )
    return OutMessage(f"{pending}\n\n{text}" if pending else text, choices=choices)


def explanation(key: str) -> OutMessage | None:
    text = explanations().get(key)
    return None if text is None else OutMessage(esc(text))

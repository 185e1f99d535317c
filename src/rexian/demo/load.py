"""Load the demo city 云泽市: units, categories, the dispatch catalogue, one user per role, and about
2,000 historical tickets in every state, written through tickets/actions.py so that every event is real.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from rexian.core import clock
from rexian.demo import cityspec, texts
from rexian.demo.integration import load_integration, reset_integration
from rexian.demo.knowledge import load_knowledge
from rexian.directory.models import CatalogueEntry, RoleGrant, Unit, UnitKind, User
from rexian.directory.roles import Role
from rexian.directory.selectors import catalogue_entry_for
from rexian.knowledge import index
from rexian.knowledge.actions import learn_question
from rexian.knowledge.models import Entry
from rexian.knowledge.selectors import entry_by_code
from rexian.notify.models import Notification
from rexian.routing import actions as routing_actions
from rexian.routing.models import AutoDispatchRule, ClassifierModel, ModelStatus, Task
from rexian.taxonomy.models import Category
from rexian.tickets import actions
from rexian.tickets.access import visible_tickets
from rexian.tickets.models import DailySequence, Ticket
from rexian.tickets.workflow import FINISHED_STATES, State

CENTRE_USERS: list[tuple[str, str, str, tuple[Role, ...]]] = [
    ("intake1", "王", "晓燕", (Role.INTAKE,)),
    ("intake2", "李", "娜", (Role.INTAKE,)),
    ("dispatch1", "张", "伟", (Role.DISPATCHER,)),
    ("lead1", "刘", "建国", (Role.SHIFT_LEAD,)),
    ("review1", "陈", "静", (Role.REVIEWER,)),
    ("callback1", "杨", "敏", (Role.CALLBACK,)),
    ("qc1", "赵", "丽", (Role.QUALITY,)),
    ("admin", "周", "强", (Role.CENTRE_ADMIN,)),
]


def is_loaded() -> bool:
    return Unit.objects.filter(code="centre").exists()


def reset() -> None:
    with transaction.atomic():
        Notification.objects.all().delete()
        ClassifierModel.objects.all().delete()
        AutoDispatchRule.objects.all().delete()
        Ticket.objects.filter(merged_into__isnull=False).update(merged_into=None)
        reset_integration()
        Ticket.objects.all().delete()
        DailySequence.objects.all().delete()
        Entry.objects.all().delete()
        index.rebuild()
        CatalogueEntry.objects.all().delete()
        User.objects.all().delete()
        for level in (3, 2, 1):
            Category.objects.filter(level=level).delete()
        for unit in Unit.objects.order_by("-path"):
            unit.delete()


def load_directory() -> tuple[dict[str, Unit], dict[str, Category]]:
    """The demo city's units, categories and dispatch catalogue, without users or tickets."""
    units = _load_units()
    categories = _load_categories()
    _load_catalogue(units, categories)
    return units, categories


def load(*, tickets: int = 2000, seed: int = 12345, log: Callable[[str], None] = print) -> dict[str, int]:
    with transaction.atomic():
        units, categories = load_directory()
        users = _load_users(units)
        linked = load_integration(units)
    cited = load_knowledge(units, users, random.Random(seed))
    entries = Entry.objects.count()
    log(f"units {len(units)}, categories {len(categories)}, users {len(users)}, knowledge entries {entries}")
    log(f"merged hotlines {linked['hotlines']}, channels {linked['channels']} (docs/integration.md)")
    # The history's receipts and notices still go through the log channel, but one line each would bury the
    # loader's own output.
    notify_log = logging.getLogger("rexian.notify")
    level = notify_log.level
    notify_log.setLevel(logging.WARNING)
    try:
        made = _load_tickets(tickets, random.Random(seed), units, users, cited, log)
    finally:
        notify_log.setLevel(level)
    trained = _train_models(users["admin"], log)
    return {"units": len(units), "categories": len(categories), "users": len(users), "tickets": made, "models": trained}


def _train_models(admin: User, log: Callable[[str], None]) -> int:
    """Train and activate the routing models on the demo's history, as a centre admin would on day one; the
    machine dispatches nothing until an admin sets a threshold (智能分派 → 机器派单)."""
    trained = 0
    for task in (Task.CATEGORY, Task.APPEAL_TYPE, Task.UNIT, Task.SCOPE):
        model = routing_actions.start_training(actor=admin, task=task, background=False)
        if model.status == ModelStatus.READY:
            routing_actions.activate(actor=admin, model_id=model.pk)
            trained += 1
            log(f"model {model}: accuracy {model.evaluation['accuracy']:.3f} on {model.n_test} held-back tickets")
        else:
            log(f"model {model} not trained: {model.error}")
    return trained


def _load_units() -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for spec in cityspec.UNITS:
        parent = units.get(spec.parent) if spec.parent else None
        path = f"{parent.path}{spec.code}/" if parent else f"/{spec.code}/"
        units[spec.code] = Unit(
            code=spec.code,
            name=spec.name,
            kind=spec.kind,
            parent=parent,
            path=path,
            short_names=",".join(spec.short_names),
        )
        units[spec.code].save_base(raw=True)  # the path is computed here; skip the per-save subtree walk
    return units


def _load_categories() -> dict[str, Category]:
    categories: dict[str, Category] = {}
    for spec in cityspec.CATEGORIES:
        category = Category(code=spec.code, name=spec.name, parent=categories.get(spec.parent or ""))
        category.save()
        categories[spec.code] = category
    return categories


def _load_catalogue(units: dict[str, Unit], categories: dict[str, Category]) -> None:
    districts = [u for u in units.values() if u.kind == UnitKind.DISTRICT]
    rows = []
    for spec in cityspec.leaf_categories():
        rows.append(CatalogueEntry(category=categories[spec.code], unit=units[spec.unit], note="谁主管谁负责"))
        if spec.territorial:
            rows += [
                CatalogueEntry(category=categories[spec.code], district=d, unit=d, note="属地管理优先")
                for d in districts
            ]
    CatalogueEntry.objects.bulk_create(rows)


def _load_users(units: dict[str, Unit]) -> dict[str, User]:
    # One hash for every demo account: hashing 200 passwords with argon2 would take a minute.
    password = make_password(settings.REXIAN["DEMO_PASSWORD"])
    users: dict[str, User] = {}
    centre = units["centre"]
    for username, last, first, roles in CENTRE_USERS:
        users[username] = _user(username, last, first, centre, roles, password, superuser=username == "admin")
    users["leader1"] = _user("leader1", "孙", "明", units["city"], (Role.CITY_LEADER,), password)
    for unit in units.values():
        if unit.kind in (UnitKind.CENTRE,) or unit.code == "city":
            continue
        roles = (Role.UNIT_HANDLER, Role.UNIT_ADMIN) if unit.kind != UnitKind.COMMUNITY else (Role.UNIT_HANDLER,)
        users[f"h_{unit.code}"] = _user(f"h_{unit.code}", "", f"{unit.name}承办人", unit, roles, password)
    return users


def _user(
    username: str, last: str, first: str, unit: Unit, roles: tuple[Role, ...], password: str, superuser: bool = False
) -> User:
    user = User.objects.create(
        username=username,
        last_name=last,
        first_name=first,
        unit=unit,
        password=password,
        is_staff=superuser or Role.CENTRE_ADMIN in roles,
        is_superuser=superuser,
    )
    RoleGrant.objects.bulk_create([RoleGrant(user=user, role=r) for r in roles])
    return user


# ---- history ----------------------------------------------------------------------------------------

# Final state of each demo ticket, with its weight.
OUTCOMES: list[tuple[str, int]] = [
    ("answered", 24),
    ("rejected", 3),
    ("merged", 2),
    ("registered", 4),
    ("dispatched", 5),
    ("in_progress", 10),
    ("return_requested", 2),
    ("replied", 4),
    ("callback_pending", 5),
    ("closed", 26),
    ("archived", 15),
]

# How many days ago an open ticket came in, by where it waits. A centre dispatches, units sign and the centre
# reviews within a working day or so, so tickets waiting for these are mostly recent (some overdue, for the red
# lights, more on a weekday than after a weekend); tickets in handling or callback have been open for up to a week
# or so. Finished tickets came in 10–120 days ago.
OPEN_AGE_DAYS: dict[str, tuple[float, float]] = {
    "registered": (0.02, 3.5),
    "dispatched": (0.1, 3.5),
    "return_requested": (0.2, 3.5),
    "replied": (1.0, 4.0),
}
HANDLING_AGE_DAYS = (1.0, 8.0)
FINISHED_AGE_DAYS = (10.0, 120.0)


@dataclass
class Story:
    """One ticket's history being written: the clock moves forward with each step."""

    rng: random.Random
    users: dict[str, User]
    moment: datetime
    until: datetime
    cited: dict[str, str]  # leaf category code -> the knowledge entry a direct answer cites
    ticket: Ticket | None = None

    def step(self, hours: float, actor: User, action: Callable[..., Ticket], **kwargs: Any) -> None:
        # History never runs into the future: late steps bunch up just before now.
        self.moment = min(
            self.moment + timedelta(hours=hours * (0.5 + self.rng.random())), self.until - timedelta(seconds=1)
        )
        assert self.ticket is not None
        with clock.frozen_at(self.moment):
            self.ticket = action(actor=actor, ticket_id=self.ticket.pk, version=self.ticket.version, **kwargs)

    @property
    def day(self) -> date:
        """The local day the story has reached: the day its texts name."""
        return self.moment.astimezone(clock.SHANGHAI).date()

    def handler(self) -> User:
        assert self.ticket is not None and self.ticket.handling_unit is not None
        return self.users[f"h_{self.ticket.handling_unit.code}"]


def _load_tickets(
    count: int,
    rng: random.Random,
    units: dict[str, Unit],
    users: dict[str, User],
    cited: dict[str, str],
    log: Callable[[str], None],
) -> int:
    leaves = cityspec.leaf_categories()
    districts = [u for u in units.values() if u.kind == UnitKind.DISTRICT]
    streets = {d.code: [u for u in units.values() if u.parent_id == d.pk] for d in districts}
    communities = {s.code: [u for u in units.values() if u.parent_id == s.pk] for ss in streets.values() for s in ss}
    now = clock.now()
    outcomes, weights = zip(*OUTCOMES, strict=True)
    made = 0
    with transaction.atomic():  # one transaction: SQLite writes 2,000 histories in seconds, not minutes
        for i in range(count):
            outcome = rng.choices(outcomes, weights)[0]
            district = rng.choice(districts)
            street = rng.choice(streets[district.code])
            community = rng.choice(communities.get(street.code) or [street])
            leaf = rng.choice(leaves)
            story = Story(rng, users, _arrival(rng, outcome, now), now, cited)
            _tell(story, outcome, leaf, district, street, community, units)
            made += 1
            if (i + 1) % 500 == 0:
                log(f"tickets {i + 1}/{count}")
    return made


def _arrival(rng: random.Random, outcome: str, now: datetime) -> datetime:
    """When a ticket that ends in `outcome` came in: never later than a minute ago."""
    finished = State(outcome) in FINISHED_STATES
    days = rng.uniform(*(FINISHED_AGE_DAYS if finished else OPEN_AGE_DAYS.get(outcome, HANDLING_AGE_DAYS)))
    start = (now - timedelta(days=days)).replace(minute=rng.randrange(60))
    return min(start, now - timedelta(minutes=1))


def _tell(
    story: Story,
    outcome: str,
    leaf: cityspec.CategorySpec,
    district: Unit,
    street: Unit,
    community: Unit,
    units: dict[str, Unit],
) -> None:
    rng, users = story.rng, story.users
    appeal = texts.compose_appeal(rng, leaf.code, district.name, street.name, community.name, on=story.day)
    anonymous = rng.random() < 0.05
    data = {
        "citizen_name": "" if anonymous else texts.citizen_name(rng),
        "citizen_phone": "" if anonymous else texts.citizen_phone(rng),
        "is_anonymous": anonymous,
        "is_confidential": appeal.appeal_type == "report" and rng.random() < 0.5,
        "address": appeal.address,
        "district": district.code,
        "street": street.code,
        "subject": appeal.subject,
        "description": appeal.description,
        "appeal_type": appeal.appeal_type,
        "category": leaf.code,
        "urgency": "urgent" if rng.random() < 0.06 else "normal",
        "channel": rng.choices(["phone", "web", "wechat", "sms", "app", "email", "letter"], [60, 12, 14, 4, 6, 2, 2])[
            0
        ],
    }
    intake = users[rng.choice(["intake1", "intake2"])]
    if outcome == "rejected":
        subject, description, redirect = rng.choice(texts.OUT_OF_SCOPE)
        data.update(subject=subject, description=description, appeal_type="other")
    with clock.frozen_at(story.moment):
        story.ticket, _ = actions.create_ticket(actor=intake, data=data)
    if outcome == "rejected":
        story.step(0.1, intake, actions.reject_out_of_scope, reason="不属于12345热线受理范围", redirect_to=redirect)
        return
    if outcome in ("answered", "archived") and (outcome == "answered" or rng.random() < 0.4):
        cited = story.cited.get(leaf.code, "")
        answer = texts.compose_direct_answer(rng, leaf.code)
        story.step(0.1, intake, actions.answer_directly, answer=answer, knowledge_entry=cited)
        if entry := entry_by_code(cited):  # as the desk does: the entry learns how this caller asked
            with clock.frozen_at(story.moment):
                learn_question(entry_id=entry.pk, ticket=story.ticket)
        if outcome == "archived":
            story.step(24 * 5, users["lead1"], actions.archive, note="月度归档")
        return
    if outcome == "registered":
        if rng.random() < 0.3:
            story.step(2, users["dispatch1"], actions.return_to_intake, reason="地址不详，请补充具体小区及楼栋")
        return
    if outcome == "merged":
        target = (
            visible_tickets(users["dispatch1"])
            .filter(category__code=leaf.code)
            .exclude(pk=story.ticket.pk)
            .exclude(state__in=["merged", "archived"])
            .first()
        )
        if target is not None:
            story.step(
                1, users["dispatch1"], actions.merge_into, target_id=target.pk, note="同一诉求重复来电，并单处理"
            )
            return
        outcome = "closed"
    _dispatch(story, leaf, district, units)
    if outcome == "dispatched":
        return
    if rng.random() < 0.08:  # a misrouted ticket comes back and goes out again
        story.step(3, story.handler(), actions.request_return, reason="经核实不属于本单位职责范围，请重新派单")
        if outcome == "return_requested":
            return
        story.step(2, users["review1"], actions.approve_return, note="同意退单，重新派单")
        _dispatch(story, leaf, district, units, city_wide=True)
    elif outcome == "return_requested":
        story.step(3, story.handler(), actions.request_return, reason="该事项属区县属地管理，请改派属地")
        return
    story.step(4, story.handler(), actions.sign)
    if story.ticket.handling_unit.kind == UnitKind.DISTRICT and rng.random() < 0.5:
        children = list(Unit.objects.filter(parent=story.ticket.handling_unit, kind=UnitKind.STREET))
        if children:
            story.step(
                2, story.handler(), actions.sub_dispatch, unit=rng.choice(children).pk, note="请属地街道核实处理"
            )
            story.step(3, story.handler(), actions.sign)
    if story.ticket.urgency == "normal" and rng.random() < 0.12:
        story.step(
            24,
            story.handler(),
            actions.request_extension,
            days=rng.choice([3, 5, 10]),
            reason="需协调多个部门现场核查，申请延期",
        )
        if outcome == "in_progress" and rng.random() < 0.5:
            return
        approve = rng.random() < 0.8
        story.step(
            4,
            users["review1"],
            actions.approve_extension if approve else actions.reject_extension,
            **({"note": "同意延期"} if approve else {"reason": "理由不充分，请按期办结"}),
        )
    if outcome == "in_progress":
        return
    _reply(story, leaf)
    if rng.random() < 0.06:
        story.step(3, users["review1"], actions.send_back_reply, reason="答复未回应诉求人核心诉求，请补充办理")
        _reply(story, leaf)
    if outcome == "replied":
        return
    story.step(3, users["review1"], actions.approve_reply, note="答复规范，同意")
    if outcome == "callback_pending":
        return
    _callbacks(story, leaf)
    if outcome == "archived":
        story.step(24 * 7, users["lead1"], actions.archive, note="月度归档")


def _dispatch(
    story: Story, leaf: cityspec.CategorySpec, district: Unit, units: dict[str, Unit], city_wide: bool = False
) -> None:
    category = Category.objects.get(code=leaf.code)
    row = catalogue_entry_for(category, None if city_wide else district)
    lead = row.unit if row else units[leaf.unit or "d_gov"]
    co = [units[leaf.unit]] if row and row.district_id and story.rng.random() < 0.15 and leaf.unit else []
    story.step(
        1.5,
        story.users["dispatch1"],
        actions.dispatch,
        lead_unit=lead.pk,
        co_units=[u.pk for u in co],
        note="请按时限办理并答复诉求人",
    )


def _reply(story: Story, leaf: cityspec.CategorySpec) -> None:
    story.step(
        30,
        story.handler(),
        actions.reply,
        result=texts.compose_reply(story.rng, leaf.code, handled_on=story.day),
        citizen_contacted=story.rng.random() < 0.9,
    )


def _callbacks(story: Story, leaf: cityspec.CategorySpec) -> None:
    rng, agent = story.rng, story.users["callback1"]
    if rng.random() < 0.1:
        story.step(5, agent, actions.callback, reached=False, comment="电话无人接听，稍后再访")
    if rng.random() < 0.08:  # unsatisfied: 重办, then a second reply and callback
        story.step(
            5,
            agent,
            actions.callback,
            reached=True,
            satisfaction="unsatisfied",
            resolved=False,
            comment="诉求人表示问题仍未解决",
        )
        _reply(story, leaf)
        story.step(3, story.users["review1"], actions.approve_reply, note="重办答复已审核")
    satisfaction = rng.choices(["satisfied", "basically_satisfied", "unsatisfied"], [75, 17, 8])[0]
    resolved = satisfaction != "unsatisfied" or rng.random() < 0.3
    if satisfaction == "unsatisfied":
        satisfaction = "basically_satisfied"  # a second 重办 loop would add little to the demo
    story.step(
        6,
        agent,
        actions.callback,
        reached=True,
        satisfaction=satisfaction,
        resolved=resolved,
        comment="诉求人对办理结果表示认可" if resolved else "诉求人表示理解",
    )

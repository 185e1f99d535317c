"""The console's navigation: which workbenches a user sees, derived from the transition table, so that a
role sees a workbench exactly when it may act there; the supervision pages, outside the table, name their
roles."""

from __future__ import annotations

from dataclasses import dataclass

from rexian.analytics.selectors import STATS_ROLES
from rexian.directory.roles import CENTRE_ROLES, UNIT_ROLES, Role
from rexian.telephony.selectors import CALLS_ROLES  # 话务: leaders read everyone's figures, agents their own
from rexian.tickets.workflow import CREATE_ROLES, TRANSITIONS, Action, State

NOT_STAFF = frozenset({Role.SYSTEM, Role.CITIZEN})
SUPERVISION_ROLES = frozenset({Role.SHIFT_LEAD, Role.CENTRE_ADMIN, Role.QUALITY, Role.CITY_LEADER, Role.DISPATCHER})
# The models and machine dispatch: the centre's desks read them, the centre admin changes them.
ROUTING_ROLES = frozenset({Role.SHIFT_LEAD, Role.CENTRE_ADMIN, Role.QUALITY, Role.DISPATCHER})
# The merged hotlines and the channels: the centre's desks read them, the centre admin imports and edits.
CHANNELS_ROLES = frozenset({Role.SHIFT_LEAD, Role.CENTRE_ADMIN, Role.DISPATCHER, Role.QUALITY})


def _roles(*pairs: tuple[State, Action]) -> frozenset[Role]:
    roles: frozenset[Role] = frozenset()
    for pair in pairs:
        roles |= TRANSITIONS[pair].roles
    return roles - NOT_STAFF


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    roles: frozenset[Role]
    hotkey: str


NAV: tuple[NavItem, ...] = (
    NavItem("intake", "受理", "intake", CREATE_ROLES - NOT_STAFF - {Role.DISPATCHER}, "Alt+1"),
    NavItem("dispatch", "派单", "dispatch", _roles((State.REGISTERED, Action.DISPATCH)), "Alt+2"),
    NavItem("unit", "承办", "unit_inbox", _roles((State.DISPATCHED, Action.SIGN)), "Alt+3"),
    NavItem(
        "review",
        "审核",
        "review",
        _roles(
            (State.REPLIED, Action.APPROVE_REPLY),
            (State.RETURN_REQUESTED, Action.APPROVE_RETURN),
            (State.IN_PROGRESS, Action.APPROVE_EXTENSION),
        ),
        "Alt+4",
    ),
    NavItem("callback", "回访", "callback", _roles((State.CALLBACK_PENDING, Action.CALLBACK)), "Alt+5"),
    NavItem("search", "查询", "search", (CENTRE_ROLES | UNIT_ROLES) - NOT_STAFF, "Alt+6"),
    # Supervision is not in the transition table: the centre's overseers (supervisors issue, the rest read).
    NavItem("supervision", "督办", "supervision", SUPERVISION_ROLES, "Alt+7"),
    NavItem("notices", "督办文书", "unit_notices", UNIT_ROLES, "Alt+8"),
    NavItem("routing", "智能分派", "routing", ROUTING_ROLES, "Alt+9"),
    NavItem("stats", "统计", "stats", STATS_ROLES, "Alt+0"),
    # 历史工单导入: old hotlines' work orders from Excel/CSV (docs/legacy-import.md); the centre admin only.
    NavItem("imports", "导入", "imports", frozenset({Role.CENTRE_ADMIN}), "Alt+I"),
    NavItem("calls", "话务", "calls", CALLS_ROLES, "Alt+C"),
    NavItem("channels", "接入", "channels", CHANNELS_ROLES, "Alt+J"),
    # 知识库: every staff role reads it; the centre's editors and the units write (knowledge/actions.py decides).
    NavItem("knowledge", "知识库", "knowledge", (CENTRE_ROLES | UNIT_ROLES) - NOT_STAFF, "Alt+K"),
)


def nav_for(roles: frozenset[Role]) -> list[NavItem]:
    return [item for item in NAV if not item.roles.isdisjoint(roles)]

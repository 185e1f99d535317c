"""Roles people hold, as plain data (no Django import): the workflow table refers to them."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    INTAKE = "intake"
    DISPATCHER = "dispatcher"
    SHIFT_LEAD = "shift_lead"
    REVIEWER = "reviewer"
    CALLBACK = "callback"
    QUALITY = "quality"
    CENTRE_ADMIN = "centre_admin"
    UNIT_HANDLER = "unit_handler"
    UNIT_ADMIN = "unit_admin"
    CITY_LEADER = "city_leader"
    # The machine (sweeps, auto-dispatch): never held by a person.
    SYSTEM = "system"
    # A citizen on the public portal (no account): files appeals, rates their own ticket.
    CITIZEN = "citizen"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.INTAKE: "受理员",
    Role.DISPATCHER: "派单员",
    Role.SHIFT_LEAD: "值班长",
    Role.REVIEWER: "审核员",
    Role.CALLBACK: "回访员",
    Role.QUALITY: "质检员",
    Role.CENTRE_ADMIN: "中心管理员",
    Role.UNIT_HANDLER: "承办人",
    Role.UNIT_ADMIN: "单位管理员",
    Role.CITY_LEADER: "市领导（只读）",
    Role.SYSTEM: "系统",
    Role.CITIZEN: "诉求人（网上）",
}

# Roles that work for the hotline centre and see every ticket.
CENTRE_ROLES: frozenset[Role] = frozenset(
    {
        Role.INTAKE,
        Role.DISPATCHER,
        Role.SHIFT_LEAD,
        Role.REVIEWER,
        Role.CALLBACK,
        Role.QUALITY,
        Role.CENTRE_ADMIN,
        Role.CITY_LEADER,
        Role.SYSTEM,
    }
)
# Roles that work in a handling unit and see only that unit's (and its subordinates') tickets.
UNIT_ROLES: frozenset[Role] = frozenset({Role.UNIT_HANDLER, Role.UNIT_ADMIN})
# Roles a staff account can be granted.
HUMAN_ROLES: tuple[Role, ...] = tuple(r for r in Role if r not in (Role.SYSTEM, Role.CITIZEN))

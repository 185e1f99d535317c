from django.http import HttpRequest
from ninja import Router, Schema

from rexian.directory.models import Unit
from rexian.directory.roles import ROLE_LABELS, Role

router = Router(tags=["directory"])


class UnitOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    parent: str | None
    short_names: list[str]


class MeOut(Schema):
    id: int
    username: str
    name: str
    unit: UnitOut | None
    roles: list[str]
    role_labels: list[str]


def unit_out(unit: Unit, parent_codes: dict[int, str]) -> dict:
    return {
        "id": unit.pk,
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "parent": parent_codes.get(unit.parent_id) if unit.parent_id else None,
        "short_names": unit.short_name_list,
    }


@router.get("/units", response=list[UnitOut], summary="单位列表")
def list_units(request: HttpRequest, kind: str | None = None):
    units = list(Unit.objects.filter(is_active=True).order_by("path"))
    codes = {u.pk: u.code for u in units}
    return [unit_out(u, codes) for u in units if kind is None or u.kind == kind]


@router.get("/me", response=MeOut, summary="当前用户")
def me(request: HttpRequest):
    user = request.auth
    unit = user.unit
    roles = sorted(user.roles)
    return {
        "id": user.pk,
        "username": user.username,
        "name": f"{user.last_name}{user.first_name}",
        "unit": unit_out(unit, {unit.parent_id: unit.parent.code} if unit and unit.parent_id else {}) if unit else None,
        "roles": [r.value for r in roles],
        "role_labels": [ROLE_LABELS[Role(r)] for r in roles],
    }

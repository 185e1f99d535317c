"""POST requests: from Open311 parameters to the fields `create_ticket` understands.

Our tickets have no coordinates, e-mail or media fields: those go into a tail of the description that staff
read and the public API cuts off (`split_tail`). Without an address_string, the address is "lat,long" (or the
address_id). Without a phone the appeal is anonymous: the answer goes back through the Open311 status.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator, validate_email

from rexian.api.models import Open311Client
from rexian.api.open311.render import Open311Error
from rexian.api.open311.services import attribute_values, service_for
from rexian.core.errors import ValidationError
from rexian.taxonomy.choices import Channel
from rexian.taxonomy.models import Category
from rexian.tickets.access import CitizenActor
from rexian.tickets.actions import create_ticket
from rexian.tickets.models import Ticket

TAIL_MARKER = "【Open311 附加信息】"
TAIL_LABELS = {"coordinates": "坐标（WGS84）", "address_id": "地址编号", "email": "电子邮箱", "media_url": "图片/媒体"}
SUBJECT_CHARS = 30
ATTRIBUTE_RE = re.compile(r"^attribute\[(.+)\]$")
# Where a ticket field came from, to name the Open311 parameter in an error.
FIELD_PARAMS = {
    "citizen_phone": "phone",
    "citizen_name": "first_name/last_name",
    "subject": "description",
    "description": "description",
    "address": "address_string",
    "category": "service_code",
    "appeal_type": "attribute[appeal_type]",
    "is_confidential": "attribute[is_confidential]",
    "source_ref": "device_id/account_id",
}


@dataclass
class Problems:
    """The 400 descriptions found so far: every bad parameter is named at once."""

    items: list[str] = field(default_factory=list)

    def add(self, param: str, message: str) -> None:
        self.items.append(f"{param}：{message}")

    def raise_if_any(self) -> None:
        if self.items:
            raise Open311Error(400, *self.items)


def client_for(params: Mapping[str, str]) -> Open311Client:
    client = Open311Client.by_key((params.get("api_key") or "").strip())
    if client is None:
        raise Open311Error(403, "api_key 缺失、无效或已停用。")
    return client


def _text(params: Mapping[str, str], name: str) -> str:
    return (params.get(name) or "").strip()


def coordinates(params: Mapping[str, str], problems: Problems) -> tuple[float, float] | None:
    lat, long = _text(params, "lat"), _text(params, "long")
    if not lat and not long:
        return None
    try:
        values = float(lat), float(long)
    except ValueError:
        problems.add("lat/long", "经纬度须成对填写，且为数字。")
        return None
    if not all(math.isfinite(v) for v in values) or abs(values[0]) > 90 or abs(values[1]) > 180:
        problems.add("lat/long", "经纬度超出范围（纬度 −90～90，经度 −180～180）。")
        return None
    return values


def _checked(problems: Problems, param: str, value: str, validator: Any, message: str) -> str:
    if value:
        try:
            validator(value)
        except DjangoValidationError:
            problems.add(param, message)
    return value


def citizen_name(first: str, last: str) -> str:
    """姓 + 名 for Chinese names; "first last" for names written in Latin letters."""
    if (first + last).isascii():
        return f"{first} {last}".strip()
    return f"{last}{first}"


def subject_of(text: str, category: Category) -> str:
    line = " ".join(text.split())
    if not line:
        return category.name
    return line if len(line) <= SUBJECT_CHARS else line[:SUBJECT_CHARS] + "…"


def description_of(text: str, category: Category, tail: Mapping[str, str]) -> str:
    body = text.replace(TAIL_MARKER, "") or f"{category.path_name}（未填写详细描述）"
    lines = [f"{TAIL_LABELS[key]}：{value}" for key, value in tail.items() if value]
    return "\n\n".join([body, "\n".join([TAIL_MARKER, *lines])]) if lines else body


def split_tail(description: str) -> tuple[str, dict[str, str]]:
    """The citizen's own text, and the tail's values by key (coordinates, address_id, email, media_url)."""
    body, marker, tail = description.rpartition(TAIL_MARKER)
    if not marker:
        return description, {}
    keys = {label: key for key, label in TAIL_LABELS.items()}
    values = {}
    for line in tail.strip().splitlines():
        label, _, value = line.partition("：")
        if label in keys:
            values[keys[label]] = value.strip()
    return body.rstrip(), values


def source_ref(client: Open311Client, params: Mapping[str, str]) -> str:
    parts = [client.name]
    if device := _text(params, "device_id"):
        parts.append(f"设备 {device}")
    if account := _text(params, "account_id"):
        parts.append(f"账户 {account}")
    return "；".join(parts)[:100]


@dataclass(frozen=True)
class Place:
    address: str  # the ticket's address
    coordinates: str  # "lat,long" or ""
    address_id: str


def place(params: Mapping[str, str], problems: Problems) -> Place:
    point = coordinates(params, problems)
    where = f"{point[0]},{point[1]}" if point else ""
    address, address_id = _text(params, "address_string"), _text(params, "address_id")
    if not (address or address_id or _text(params, "lat") or _text(params, "long")):
        problems.add("lat/long", "请提供位置：lat 与 long、address_string 或 address_id 至少其一。")
    fallback = f"地址编号 {address_id}" if address_id else ""
    return Place(address or where or fallback, where, address_id)


def service(params: Mapping[str, str], problems: Problems) -> Category | None:
    code = _text(params, "service_code")
    category = service_for(code) if code else None
    if category is None:
        problems.add("service_code", f"服务 {code} 不存在或已停用。" if code else "请填写服务编码。")
    return category


def contact_extras(params: Mapping[str, str], problems: Problems) -> tuple[str, str]:
    email = _checked(problems, "email", _text(params, "email"), validate_email, "电子邮箱格式不正确。")
    media = _text(params, "media_url")
    _checked(problems, "media_url", media, URLValidator(schemes=["http", "https"]), "应为 http(s) 网址。")
    return email, media


def ticket_data(params: Mapping[str, str], client: Open311Client) -> dict[str, Any]:
    """The create_ticket data; a 400 naming every bad parameter, before anything is written."""
    problems = Problems()
    category = service(params, problems)
    where = place(params, problems)
    email, media = contact_extras(params, problems)
    attributes, bad_attributes = attribute_values(_attributes(params))
    problems.items.extend(bad_attributes)
    problems.raise_if_any()
    assert category is not None  # raise_if_any named it otherwise
    text, phone = _text(params, "description"), _text(params, "phone")
    tail = {"coordinates": where.coordinates, "address_id": where.address_id, "email": email, "media_url": media}
    return {
        **attributes,
        "subject": subject_of(text, category),
        "description": description_of(text, category, tail),
        "category": category.code,
        "citizen_name": citizen_name(_text(params, "first_name"), _text(params, "last_name")),
        "citizen_phone": phone,
        "is_anonymous": not phone,
        "address": where.address,
        "channel": Channel.OPEN311.value,
        "source_ref": source_ref(client, params),
    }


def _attributes(params: Mapping[str, str]) -> dict[str, str]:
    return {m.group(1): value for key, value in params.items() if (m := ATTRIBUTE_RE.match(key))}


def file_request(params: Mapping[str, str]) -> Ticket:
    """Check the key and the parameters, then create the ticket through the one write path."""
    client = client_for(params)
    data = ticket_data(params, client)
    try:
        ticket, _ = create_ticket(actor=CitizenActor(via=f"Open311：{client.name}"), data=data)
    except ValidationError as error:
        raise Open311Error(400, *_field_problems(error)) from error
    return ticket


def _field_problems(error: ValidationError) -> list[str]:
    problems = Problems()
    for name, messages in error.fields.items():
        for message in messages:
            problems.add(FIELD_PARAMS.get(name, name), message)
    return problems.items or [error.message]

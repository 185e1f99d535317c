"""Open311 GeoReport v2 at /open311/v2/: every endpoint in XML and JSON, the errors, and the write path."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from rexian.api.models import Open311Client, hash_token
from rexian.api.open311.status import STATUS_OF, states_with, status_notes, status_of
from rexian.taxonomy.models import Category
from rexian.tickets import actions
from rexian.tickets.models import Ticket, TicketEvent
from rexian.tickets.workflow import FINISHED_STATES, State

BASE = "/open311/v2"
SCHEMAS = Path(os.environ.get("REXIAN_OPEN311_SCHEMAS", Path(__file__).resolve().parents[3] / "shared/data/open311"))
GOOD = {
    "service_code": "020101",
    "lat": "31.2304",
    "long": "121.4737",
    "address_string": "东区东一街道幸福小区北门",
    "description": "幸福小区北门每天傍晚有商贩占道经营，堵住了消防通道，希望尽快处理。",
    "first_name": "三",
    "last_name": "张",
    "phone": "13800001111",
    "email": "zhang@example.com",
    "media_url": "https://example.com/photo.jpg",
    "device_id": "dev-42",
    "account_id": "acc-7",
    "attribute[appeal_type]": "complaint",
}


@pytest.fixture
def key(city) -> str:
    _, raw = Open311Client.issue("市民通APP")
    return raw


@pytest.fixture
def web() -> Client:
    return Client(enforce_csrf_checks=True)  # apps post without a CSRF token


def get(web: Client, path: str, **params: Any):
    return web.get(f"{BASE}/{path}", params)


def post(web: Client, fmt: str, body: dict[str, Any], query: str = ""):
    return web.post(f"{BASE}/requests.{fmt}{query}", body)


def xml_root(response) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)


def json_body(response) -> Any:
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)


def assert_errors(response, status: int, fmt: str = "json", *, mentions: str = "") -> list[str]:
    assert response.status_code == status, response.content.decode()
    if fmt == "xml":
        root = xml_root(response)
        assert root.tag == "errors" and [e.tag for e in root] == ["error"] * len(root) and len(root) >= 1
        items = [(int(e.findtext("code")), e.findtext("description")) for e in root]
    else:
        items = [(e["code"], e["description"]) for e in json_body(response)]
    assert all(code == status and text for code, text in items)
    descriptions = [text for _, text in items]
    assert mentions in " ".join(descriptions)
    return descriptions


def filed(web: Client, key: str, **overrides: str) -> str:
    response = post(web, "json", {**GOOD, "api_key": key, **overrides})
    assert response.status_code == 200, response.content.decode()
    return json_body(response)[0]["service_request_id"]


# ---- the status mapping (pure) -----------------------------------------------------------------------


def test_every_state_maps_and_closed_is_exactly_the_finished_states():
    assert set(STATUS_OF) == set(State)
    assert {s for s in State if status_of(s) == "closed"} == FINISHED_STATES
    assert set(states_with(["open"])) == set(State) - FINISHED_STATES
    assert status_of("callback_pending") == "open"
    assert status_notes(State.CLOSED, "已清理。") == "已办结：已清理。"
    assert status_notes(State.IN_PROGRESS, "草稿") == "办理中"  # a reply is shown only once the appeal is closed


# ---- discovery and services ----------------------------------------------------------------------------


def test_discovery_in_both_formats(web):
    body = json_body(get(web, "discovery.json"))
    endpoint = body["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2/" and endpoint["type"] == "production"
    assert endpoint["formats"] == ["text/xml", "application/json"] and body["changeset"].endswith("Z")
    assert body["contact"] and "open311-key" in body["key_service"]
    root = xml_root(get(web, "discovery.xml"))
    assert root.tag == "discovery" and root.findtext("changeset") == body["changeset"]
    xml_endpoint = root.find("endpoints/endpoint")
    assert xml_endpoint.findtext("specification") == endpoint["specification"]
    assert [f.text for f in xml_endpoint.findall("formats/format")] == ["text/xml", "application/json"]


def test_services_are_the_active_leaf_categories_grouped_by_the_top_level(web, city):
    Category.objects.create(code="020102", name="乱扔垃圾", parent=city.categories["0201"], is_active=False)
    services = json_body(get(web, "services.json"))
    assert [s["service_code"] for s in services] == ["010101", "020101"]
    street = services[1]
    assert street == {
        "service_code": "020101",
        "service_name": "占道经营",
        "description": "城市管理/市容环境/占道经营",
        "metadata": True,
        "type": "realtime",
        "keywords": "城市管理,市容环境",
        "group": "城市管理",
    }
    root = xml_root(get(web, "services.xml"))
    assert root.tag == "services" and [s.tag for s in root] == ["service", "service"]
    xml_street = root[1]
    assert xml_street.findtext("service_code") == "020101" and xml_street.findtext("metadata") == "true"
    assert xml_street.findtext("group") == "城市管理" and xml_street.findtext("type") == "realtime"


def test_a_leaf_under_an_inactive_parent_is_not_offered(web, city):
    parent = city.categories["0101"]
    parent.is_active = False
    parent.save()
    assert [s["service_code"] for s in json_body(get(web, "services.json"))] == ["020101"]
    assert_errors(get(web, "services/010101.json"), 404)


def test_service_definition_in_both_formats_and_404(web, city):
    body = json_body(get(web, "services/020101.json"))
    assert body["service_code"] == "020101"
    codes = [a["code"] for a in body["attributes"]]
    assert codes == ["appeal_type", "is_confidential"]
    appeal = body["attributes"][0]
    assert appeal["datatype"] == "singlevaluelist" and appeal["required"] is False and appeal["order"] == 1
    assert {"key": "complaint", "name": "投诉"} in appeal["values"]
    root = xml_root(get(web, "services/020101.xml"))
    assert root.tag == "service_definition" and root.findtext("service_code") == "020101"
    attributes = root.findall("attributes/attribute")
    assert [a.findtext("code") for a in attributes] == codes
    assert attributes[1].findtext("required") == "false" and attributes[1].findtext("variable") == "true"
    values = attributes[1].findall("values/value")
    assert [(v.findtext("key"), v.findtext("name")) for v in values] == [("true", "是"), ("false", "否")]
    assert_errors(get(web, "services/999999.json"), 404, mentions="999999")
    assert_errors(get(web, "services/999999.xml"), 404, "xml", mentions="999999")


# ---- POST requests -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_from_a_form_body_creates_a_ticket_through_the_write_path(web, key, fmt):
    response = post(web, fmt, {**GOOD, "api_key": key})
    assert response.status_code == 200, response.content.decode()
    if fmt == "xml":
        root = xml_root(response)
        assert root.tag == "service_requests" and [r.tag for r in root] == ["request"]
        number, account = root[0].findtext("service_request_id"), root[0].findtext("account_id")
        assert number in root[0].findtext("service_notice")
    else:
        (item,) = json_body(response)
        number, account = item["service_request_id"], item["account_id"]
        assert number in item["service_notice"]
    assert account == "acc-7"
    ticket = Ticket.objects.get(number=number)
    assert ticket.channel == "open311" and ticket.state == "registered" and ticket.category.code == "020101"
    assert ticket.citizen_name == "张三" and ticket.citizen_phone == "13800001111" and not ticket.is_anonymous
    assert ticket.appeal_type == "complaint" and ticket.is_confidential is False
    assert ticket.address == "东区东一街道幸福小区北门"
    assert ticket.subject == "幸福小区北门每天傍晚有商贩占道经营，堵住了消防通道，希望尽快处理。"[:30] + "…"
    for part in ("31.2304,121.4737", "zhang@example.com", "https://example.com/photo.jpg", GOOD["description"]):
        assert part in ticket.description
    assert ticket.source_ref == "市民通APP；设备 dev-42；账户 acc-7"
    event = TicketEvent.objects.get(ticket=ticket)
    assert event.action == "create" and event.seq == 1 and event.payload == {"channel": "open311"}
    assert event.actor_id is None and event.actor_name == "诉求人（Open311：市民通APP）"
    assert Open311Client.objects.get().last_used_at is not None


def test_post_from_the_query_string_with_the_body_winning(web, key):
    query = f"?api_key={key}&service_code=010101&lat=30.5&long=120.1&description=%E5%B7%A5%E8%B5%84"
    response = post(web, "json", {"description": "公司拖欠三个月工资。"}, query)
    assert response.status_code == 200, response.content.decode()
    ticket = Ticket.objects.get(number=json_body(response)[0]["service_request_id"])
    assert ticket.category.code == "010101" and ticket.description.startswith("公司拖欠三个月工资。")
    assert ticket.address == "30.5,120.1"  # no address_string: the coordinates
    assert ticket.is_anonymous and ticket.citizen_phone == ""  # no phone: answered through Open311
    assert ticket.appeal_type == "help" and ticket.source_ref == "市民通APP"


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    ("change", "status", "mentions"),
    [
        ({"api_key": None}, 403, "api_key"),
        ({"api_key": "not-a-key"}, 403, "api_key"),
        ({"service_code": None}, 400, "service_code"),
        ({"service_code": "999999"}, 400, "999999"),
        ({"service_code": "0201"}, 400, "service_code"),  # not a leaf
        ({"lat": None, "long": None, "address_string": None}, 400, "lat/long"),
        ({"lat": "31.2", "long": None}, 400, "lat/long"),
        ({"lat": "91", "long": "121"}, 400, "lat/long"),
        ({"phone": "abc"}, 400, "phone"),
        ({"email": "not-an-email"}, 400, "email"),
        ({"media_url": "ftp://x/y"}, 400, "media_url"),
        ({"attribute[appeal_type]": "bribe"}, 400, "attribute[appeal_type]"),
        ({"first_name": "名" * 60}, 400, "first_name/last_name"),
    ],
)
def test_a_bad_post_creates_nothing(web, key, fmt, change, status, mentions):
    body = {**GOOD, "api_key": key, **change}
    response = post(web, fmt, {k: v for k, v in body.items() if v is not None})
    assert_errors(response, status, fmt, mentions=mentions)
    assert Ticket.objects.count() == 0 and TicketEvent.objects.count() == 0


def test_every_bad_parameter_is_named_at_once(web, key):
    body = {"api_key": key, "service_code": "999999", "email": "x", "attribute[is_confidential]": "maybe"}
    descriptions = assert_errors(post(web, "json", body), 400)
    assert [d.split("：")[0] for d in descriptions] == [
        "service_code",
        "lat/long",
        "email",
        "attribute[is_confidential]",
    ]


def test_an_inactive_client_is_refused(web, key):
    Open311Client.objects.update(is_active=False)
    assert_errors(post(web, "json", {**GOOD, "api_key": key}), 403)
    assert Ticket.objects.count() == 0


def test_only_the_key_hash_is_stored(key):
    assert Open311Client.objects.get().key_hash == hash_token(key) != key


def test_the_management_command_prints_a_working_key(web, city, capsys):
    call_command("open311_key", "政务微信")
    raw = capsys.readouterr().out.strip()
    assert Open311Client.objects.get(name="政务微信").key_hash == hash_token(raw)
    assert post(web, "json", {**GOOD, "api_key": raw}).status_code == 200


# ---- GET requests --------------------------------------------------------------------------------------


def close(ticket: Ticket, city) -> Ticket:
    """Through the normal write path: dispatch, sign, reply, approve, callback satisfied."""
    u = city.users
    t = actions.dispatch(actor=u["dispatcher"], ticket_id=ticket.pk, version=ticket.version, lead_unit="d_urban")
    t = actions.sign(actor=u["h_urban"], ticket_id=t.pk, version=t.version)
    t = actions.reply(
        actor=u["h_urban"],
        ticket_id=t.pk,
        version=t.version,
        result="已清理占道摊点并设置提示牌。",
        citizen_contacted=False,
    )
    t = actions.approve_reply(actor=u["reviewer"], ticket_id=t.pk, version=t.version)
    return actions.callback(
        actor=u["callback"], ticket_id=t.pk, version=t.version, reached=True, satisfaction="satisfied", resolved=True
    )


def test_a_filed_request_shows_open_then_closed_with_the_reply(web, key, city):
    number = filed(web, key)
    (item,) = json_body(get(web, f"requests/{number}.json"))
    assert item["status"] == "open" and item["status_notes"] == "待派单"
    assert item["service_code"] == "020101" and item["service_name"] == "占道经营"
    assert item["description"] == GOOD["description"]  # without the tail (e-mail, coordinates)
    assert (item["lat"], item["long"]) == (31.2304, 121.4737) and item["media_url"] == GOOD["media_url"]
    assert item["address"] == GOOD["address_string"] and item["agency_responsible"] is None
    assert item["requested_datetime"].endswith("Z") and item["expected_datetime"] is None
    text = json.dumps(item, ensure_ascii=False)
    for secret in ("张", "13800001111", "zhang@example.com"):
        assert secret not in text

    ticket = close(Ticket.objects.get(number=number), city)
    assert ticket.state == "closed"
    (item,) = json_body(get(web, f"requests/{number}.json"))
    assert item["status"] == "closed" and item["status_notes"] == "已办结：已清理占道摊点并设置提示牌。"
    assert item["agency_responsible"] == "城管局" and item["expected_datetime"].endswith("Z")
    assert item["updated_datetime"] == ticket.closed_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    root = xml_root(get(web, f"requests/{number}.xml"))
    assert root.tag == "service_requests" and [r.tag for r in root] == ["request"]
    request = root[0]
    assert request.findtext("status") == "closed" and request.findtext("agency_responsible") == "城管局"
    assert request.findtext("lat") == "31.2304" and request.findtext("zipcode") == ""
    assert [child.tag for child in request] == list(item)


def test_get_request_404_and_tokens(web, key):
    number = filed(web, key)
    assert_errors(get(web, "requests/2099010100001.json"), 404, mentions="2099010100001")
    assert_errors(get(web, "requests/2099010100001.xml"), 404, "xml")
    assert json_body(get(web, f"tokens/{number}.json")) == [{"token": number, "service_request_id": number}]
    root = xml_root(get(web, f"tokens/{number}.xml"))
    assert root.tag == "service_requests" and root[0].tag == "request"
    assert root[0].findtext("token") == number and root[0].findtext("service_request_id") == number
    assert_errors(get(web, "tokens/nope.json"), 404, mentions="nope")
    assert_errors(get(web, "tokens/nope.xml"), 404, "xml")


def test_only_open311_tickets_are_listed_and_a_confidential_one_keeps_its_text(web, key, city):
    from tests.conftest import APPEAL

    actions.create_ticket(actor=city.users["intake"], data=APPEAL)  # a phone call: not listed
    plain = filed(web, key)
    secret = filed(web, key, **{"attribute[is_confidential]": "true"})
    items = {i["service_request_id"]: i for i in json_body(get(web, "requests.json"))}
    assert set(items) == {plain, secret}
    assert items[secret]["description"] is None and items[secret]["address"] is None and items[secret]["lat"] is None
    assert items[plain]["description"] == GOOD["description"]


def test_a_ticket_merged_into_another_is_not_listed(web, key, city):
    first, second = filed(web, key), filed(web, key)
    child = Ticket.objects.get(number=second)
    master = Ticket.objects.get(number=first)
    actions.merge_into(actor=city.users["intake"], ticket_id=child.pk, version=child.version, target_id=master.pk)
    assert [i["service_request_id"] for i in json_body(get(web, "requests.json"))] == [first]
    assert_errors(get(web, f"requests/{second}.json"), 404)


def test_get_requests_filters_in_both_formats(web, key, city, time_machine):
    now = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    time_machine.move_to(now - timedelta(days=100), tick=False)
    old = filed(web, key)
    time_machine.move_to(now - timedelta(days=2), tick=False)
    hrss = filed(web, key, service_code="010101")
    time_machine.move_to(now - timedelta(days=1), tick=False)
    street = filed(web, key)
    ticket = Ticket.objects.get(number=street)
    actions.answer_directly(actor=city.users["intake"], ticket_id=ticket.pk, version=1, answer="已告知执法电话。")
    time_machine.move_to(now, tick=False)

    def numbers(**params: str) -> list[str]:
        listed = [i["service_request_id"] for i in json_body(get(web, "requests.json", **params))]
        root = xml_root(get(web, "requests.xml", **params))
        assert root.tag == "service_requests"
        assert [r.findtext("service_request_id") for r in root] == listed
        return listed

    assert numbers() == [street, hrss]  # the last 90 days, newest first
    assert numbers(service_request_id=f"{old},{hrss}") == [hrss, old]  # the other filters are ignored
    assert numbers(service_request_id=old, status="closed") == [old]
    assert numbers(service_code="010101") == [hrss]
    assert numbers(service_code="010101,020101") == [street, hrss]
    assert numbers(status="closed") == [street]
    assert numbers(status="open") == [hrss]
    assert numbers(status="open,closed") == [street, hrss]
    assert numbers(start_date="2026-08-01T00:00:00Z", end_date="2026-10-01T00:00:00+08:00") == [old]
    assert numbers(start_date="2026-08-01T00:00:00Z") == [old]  # 90 days from the start
    assert numbers(end_date="2026-11-19T01:00:00Z") == [hrss]  # 90 days up to the end
    assert numbers(start_date="2026-11-18T10:00:00+08:00", end_date="2026-11-19T09:00:00 08:00") == [hrss]
    assert json_body(get(web, f"requests/{street}.json"))[0]["status_notes"] == "即办办结：已告知执法电话。"

    for fmt in ("json", "xml"):
        wide = {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}
        assert_errors(get(web, f"requests.{fmt}", **wide), 400, fmt, mentions="90")
        backwards = {"start_date": "2026-11-02T00:00:00Z", "end_date": "2026-11-01T00:00:00Z"}
        assert_errors(get(web, f"requests.{fmt}", **backwards), 400, fmt)
        assert_errors(get(web, f"requests.{fmt}", start_date="2026-11-01"), 400, fmt, mentions="start_date")
        assert_errors(get(web, f"requests.{fmt}", end_date="yesterday"), 400, fmt, mentions="end_date")
        assert_errors(get(web, f"requests.{fmt}", status="pending"), 400, fmt, mentions="pending")


def test_at_most_1000_requests(web, key, city, monkeypatch):
    from rexian.api.open311 import listing

    monkeypatch.setattr(listing, "MAX_RESULTS", 2)
    numbers = [filed(web, key) for _ in range(3)]
    assert [i["service_request_id"] for i in json_body(get(web, "requests.json"))] == numbers[:0:-1]


# ---- errors common to every endpoint -------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_wrong_method_is_405_in_the_same_shape(web, fmt):
    response = web.put(f"{BASE}/services.{fmt}")
    assert_errors(response, 405, fmt, mentions="PUT")
    assert response["Allow"] == "GET, HEAD"
    assert_errors(web.delete(f"{BASE}/requests.{fmt}"), 405, fmt)
    assert web.post(f"{BASE}/requests/1.{fmt}").status_code == 405


def test_an_unknown_format_or_path_is_404(web, city):
    assert_errors(get(web, "services.html"), 404, mentions=".html")
    assert_errors(get(web, "services/020101.yaml"), 404)
    assert_errors(get(web, "nothing-here"), 404)


# ---- the published JSON Schemas (when present) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("schema", "path"),
    [
        ("services.json", "services.json"),
        ("service-definition.json", "services/020101.json"),
        ("requests.json", "requests.json"),
        ("request.json", None),
    ],
)
def test_json_matches_the_published_schemas(web, key, schema, path):
    if not SCHEMAS.is_dir():
        pytest.skip(f"no Open311 schemas at {SCHEMAS}")
    jsonschema = pytest.importorskip("jsonschema")
    number = filed(web, key)
    Ticket.objects.filter(number=number).update(is_confidential=False)
    body = json_body(get(web, path or f"requests/{number}.json"))
    validator = _validator(jsonschema, schema)
    validator.validate(body if path else body[0])


def _validator(jsonschema: Any, name: str) -> Any:
    schemas = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in SCHEMAS.glob("*.json")}
    cls = jsonschema.Draft7Validator
    try:
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT7
    except ImportError:  # jsonschema < 4.18
        return cls(schemas[name], resolver=jsonschema.RefResolver("", schemas[name], store=schemas))
    registry = Registry().with_resources(
        (n, Resource.from_contents(s, default_specification=DRAFT7)) for n, s in schemas.items()
    )
    return cls(schemas[name], registry=registry)


def test_adding_a_client_in_the_admin_shows_its_key_once(city, admin_client):
    response = admin_client.post(
        "/admin/api/open311client/add/", {"name": "12345小程序", "is_active": "on"}, follow=True
    )
    assert response.status_code == 200
    (message,) = [str(m) for m in response.context["messages"] if "api_key" in str(m)]
    raw = message.rsplit("：", 1)[1]
    assert Open311Client.objects.get(name="12345小程序").key_hash == hash_token(raw)
    page = admin_client.get(f"/admin/api/open311client/{Open311Client.objects.get().pk}/change/")
    assert raw not in page.content.decode()

"""docs/integration.md's curl examples, run in order by bash against a live server: the page stays true."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from rexian.api.models import Open311Client
from rexian.intake.models import ChannelAccount, ChannelKind, EmergencyTransfer
from rexian.telephony.models import Call
from rexian.tickets.models import Ticket
from tests.conftest import PASSWORD

DOC = Path(__file__).resolve().parent.parent / "docs" / "integration.md"
BLOCK = re.compile(r"^```sh\n(.*?)^```", re.MULTILINE | re.DOTALL)


def doc_script() -> str:
    return "set -euo pipefail\n" + "\n".join(BLOCK.findall(DOC.read_text(encoding="utf-8")))


@pytest.mark.skipif(not (shutil.which("curl") and shutil.which("openssl")), reason="needs curl and openssl")
@pytest.mark.django_db(transaction=True)
def test_every_curl_example_of_the_integration_page_works(live_server, city):
    _, key = Open311Client.issue("城市APP")
    ChannelAccount.objects.create(code="wx-city", name="市12345公众号", kind=ChannelKind.WECHAT, secret="wx-secret")
    ChannelAccount.objects.create(code="cti", name="呼叫中心", kind=ChannelKind.CTI, secret="cti-secret")
    env = {**os.environ, "REXIAN": live_server.url, "REXIAN_USER": "intake", "REXIAN_PASSWORD": PASSWORD,
           "OPEN311_KEY": key, "WECHAT_SECRET": "wx-secret", "CTI_SECRET": "cti-secret"}  # fmt: skip
    run = subprocess.run(["bash", "-c", doc_script()], env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, f"{run.stdout}\n{run.stderr}"
    assert Ticket.objects.filter(source_ref="crm-2026-000123", channel="phone").exists()
    assert Ticket.objects.filter(channel="wechat", source_ref="wx-city:wx-20261121-0001").exists()
    assert Ticket.objects.filter(channel="open311", category__code="020101").exists()
    assert Call.objects.filter(call_id="call-1", caller="13900002222").exists()
    assert EmergencyTransfer.objects.filter(partner_reference="JJ20261121-0042").exists()
    assert "<service_code>020101</service_code>" in run.stdout  # the XML services list


def test_the_page_has_an_example_for_every_entry_point():
    script = doc_script()
    for path in ("/api/v1/auth/token", "/api/v1/tickets", "/hooks/wx-city/messages", "/hooks/cti/calls",
                 "/api/v1/intake/emergency-transfers", "/open311/v2/discovery.json", "/open311/v2/services.xml",
                 "/open311/v2/services/020101.json", "/open311/v2/requests.json", "/open311/v2/requests/$SR.json",
                 "/open311/v2/tokens/$SR.xml"):  # fmt: skip
        assert path in script, path

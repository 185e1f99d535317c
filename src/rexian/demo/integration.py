"""The demo city's integration: the register of older hotlines merged into 12345 (modelled on the seeds' tables),
the channels appeals come in through, and an Open311 client, with demo secrets printed by `rexian demo` so that
the curl examples of docs/integration.md work against the demo at once."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.conf import settings

from rexian.api.models import Open311Client, hash_token
from rexian.directory.models import HotlineMode, MergedHotline, Unit
from rexian.intake.models import ChannelAccount, ChannelKind, InboundMessage
from rexian.telephony.models import Call, CallEvent

MERGED, DUAL, SEPARATE = HotlineMode.MERGED, HotlineMode.DUAL_TRACK, HotlineMode.SEPARATE
HOTLINES: list[tuple[str, str, str, HotlineMode]] = [
    ("12333", "人力资源和社会保障热线", "d_hrss", DUAL),
    ("12319", "城建事业公益服务热线", "d_urban", DUAL),
    ("12315", "消费投诉举报热线", "d_samr", DUAL),
    ("12328", "交通运输服务热线", "d_transport", DUAL),
    ("12369", "生态环境举报热线", "d_eco", DUAL),
    ("12348", "法律援助热线", "d_justice", DUAL),
    ("12121", "气象服务热线", "d_meteo", DUAL),
    ("0871-3212345", "市长公开电话", "d_petition", MERGED),
    ("0871-3336399", "城市照明服务热线", "d_urban", MERGED),
    ("0871-3249919", "公交服务监督电话", "d_transport", MERGED),
    ("0871-3221234", "住房公积金咨询电话", "d_hpf", MERGED),
    ("0871-3187766", "医保政策咨询电话", "d_medins", MERGED),
    ("12388", "纪检监察举报电话", "", SEPARATE),
    ("12355", "青少年服务台", "", SEPARATE),
    ("12119", "森林防火报警电话", "d_forestry", SEPARATE),
]
MERGED_ON = date(2025, 3, 1)
DUAL_TRACK_UNTIL = date(2025, 9, 1)  # the seeds: dual track for half a year, then merged
SECRETS = {"wx-city": "demo-wechat-secret", "sms-12345": "demo-sms-secret", "cti": "demo-cti-secret"}
OPEN311_DEMO_KEY = "demo-open311-key"


def load_integration(units: dict[str, Unit]) -> dict[str, int]:
    for number, name, unit, mode in HOTLINES:
        MergedHotline.objects.create(
            number=number, name=name, unit=units.get(unit), mode=mode, merged_on=MERGED_ON,
            dual_track_until=DUAL_TRACK_UNTIL if mode == DUAL else None,
        )  # fmt: skip
    hrss = MergedHotline.objects.get(number="12333")
    ChannelAccount.objects.bulk_create([
        ChannelAccount(code="wx-city", name="云泽12345公众号", kind=ChannelKind.WECHAT, secret=SECRETS["wx-city"]),
        ChannelAccount(code="sms-12345", name="12345短信", kind=ChannelKind.SMS, secret=SECRETS["sms-12345"]),
        ChannelAccount(code="sms-12333", name="12333短信（双轨）", kind=ChannelKind.SMS, secret=SECRETS["sms-12345"],
                       hotline=hrss),
        ChannelAccount(code="cti", name="呼叫中心", kind=ChannelKind.CTI, secret=SECRETS["cti"]),
        ChannelAccount(code="mail", name="市长信箱", kind=ChannelKind.EMAIL, maildir=str(demo_maildir())),
    ])  # fmt: skip
    Open311Client.objects.create(name="云泽随手拍APP", key_hash=hash_token(OPEN311_DEMO_KEY))
    return {"hotlines": len(HOTLINES), "channels": ChannelAccount.objects.count()}


def demo_maildir() -> Path:
    """A maildir beside the demo database: drop a mail into its new/ and the worker registers it."""
    path = Path(settings.VAR_DIR) / "mail" / "12345"
    for sub in ("new", "cur", "tmp"):
        (path / sub).mkdir(parents=True, exist_ok=True)
    return path


def reset_integration() -> None:
    """What came in through the channels goes first: it keeps its channel from being deleted by mistake."""
    CallEvent.objects.all().delete()
    Call.objects.all().delete()
    InboundMessage.objects.all().delete()
    ChannelAccount.objects.all().delete()
    MergedHotline.objects.all().delete()
    Open311Client.objects.all().delete()

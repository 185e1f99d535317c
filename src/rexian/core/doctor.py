"""`rexian doctor`: is this installation configured and running as production needs?

Each check is a small function of the values it judges (the settings, the loaded calendar years, the age of the
worker's heartbeat…), so that a test can hand it a bad value; `run_checks` gathers the real ones.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path

from django.conf import settings

from rexian.core import clock, health
from rexian.workdays.selectors import NEXT_YEAR_EXPECTED, load_calendar

MIN_SECRET_LENGTH = 50  # as Django's own deployment check (security.W009)
NEXT_YEAR_REQUIRED = (12, 1)  # from November a warning, from December a failure: deadlines become provisional


class Status(StrEnum):
    OK = "通过"
    WARN = "警告"
    FAIL = "失败"


@dataclass(frozen=True)
class Finding:
    check: str
    status: Status
    message: str


def check_secret_key(key: str, *, production: bool, development_key: str) -> Finding:
    name = "SECRET_KEY"
    bad = Status.FAIL if production else Status.WARN
    if key == development_key:
        return Finding(name, bad, "仍是开发用默认密钥：请设置随机的 SECRET_KEY。")
    if len(key) < MIN_SECRET_LENGTH or len(set(key)) < 5:
        return Finding(name, bad, f"密钥太短或太简单（至少 {MIN_SECRET_LENGTH} 个字符）。")
    return Finding(name, Status.OK, "已设置，长度足够。")


def check_debug(debug: bool, *, production: bool) -> Finding:
    if debug and production:
        return Finding("DEBUG", Status.FAIL, "生产环境开启了 DEBUG：出错页面会泄露配置和数据。")
    return Finding("DEBUG", Status.OK, "已关闭。" if not debug else "开发环境，开启。")


def check_allowed_hosts(hosts: Collection[str], *, production: bool) -> Finding:
    if production and (not hosts or "*" in hosts):
        return Finding("ALLOWED_HOSTS", Status.FAIL, "生产环境须列出本站域名，不能为空或“*”。")
    return Finding("ALLOWED_HOSTS", Status.OK, "、".join(hosts) or "（空）")


def check_calendar(loaded_years: Collection[int], today: date) -> Finding:
    name = "节假日日历"
    if today.year not in loaded_years:
        return Finding(name, Status.FAIL, f"未载入 {today.year} 年的节假日安排：时限按周末推算，只是临时的。")
    next_year = today.year + 1
    if next_year not in loaded_years and (today.month, today.day) >= NEXT_YEAR_EXPECTED:
        status = Status.FAIL if (today.month, today.day) >= NEXT_YEAR_REQUIRED else Status.WARN
        return Finding(name, status, f"尚未载入 {next_year} 年的节假日安排：国务院公布后请用 rexian calendar 导入。")
    covered = f"{today.year} 年和 {next_year} 年" if next_year in loaded_years else f"{today.year} 年"
    return Finding(name, Status.OK, f"已覆盖 {covered}。")


def check_worker(task_mode: str, age: timedelta | None) -> Finding:
    name = "后台 worker"
    if task_mode != "database":
        return Finding(name, Status.OK, "后台任务随请求执行（REXIAN_TASKS=immediate），不需要 worker。")
    if age is None:
        return Finding(name, Status.FAIL, "从未收到 worker 心跳：请启动 rexian worker。")
    if age > health.HEARTBEAT_STALE_AFTER:
        minutes = int(age.total_seconds() // 60)
        return Finding(name, Status.FAIL, f"最近一次心跳在 {minutes} 分钟前：worker 已停止或卡住。")
    return Finding(name, Status.OK, f"最近一次心跳在 {int(age.total_seconds())} 秒前。")


def check_database(reachable: bool, unapplied: Callable[[], list[str]]) -> Finding:
    if not reachable:
        return Finding("数据库", Status.FAIL, "无法连接数据库：请检查 DATABASE_URL 和数据库服务。")
    missing = unapplied()
    if missing:
        shown = "、".join(missing[:5]) + (f" 等 {len(missing)} 个" if len(missing) > 5 else "")
        return Finding("数据库", Status.FAIL, f"有未执行的数据库迁移：{shown}。请运行 rexian migrate。")
    return Finding("数据库", Status.OK, "可连接，迁移已全部执行。")


def check_media(path: Path) -> Finding:
    name = "附件目录"
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".doctor-"):
            pass
    except OSError as error:
        return Finding(name, Status.FAIL, f"{path} 不可写：{error.strerror or error}")
    return Finding(name, Status.OK, f"{path} 可写。")


def check_sealed_secrets(unreadable: Collection[str]) -> Finding:
    """Channel secrets sealed under a key that is no longer configured (SECRET_KEY changed without a fallback)."""
    name = "渠道密钥"
    if unreadable:
        return Finding(name, Status.FAIL, f"无法解密 {'、'.join(sorted(unreadable))} 的密钥：SECRET_KEY 已更改？"
                       "请把旧密钥加入 SECRET_KEY_FALLBACKS，或在后台重新填写这些渠道的密钥。")  # fmt: skip
    return Finding(name, Status.OK, "已保存的渠道密钥均可解密。")


def unreadable_channels() -> list[str]:
    """The channels whose stored (sealed) secret or mailbox password the configured keys cannot open."""
    from django.db import connection

    from rexian.core.fields import PREFIX, UnreadableSecret, unseal
    from rexian.intake.models import ChannelAccount

    with connection.cursor() as cursor:  # the raw columns: the model's field would open them quietly
        cursor.execute(f"SELECT code, secret, imap_password FROM {ChannelAccount._meta.db_table}")
        rows = cursor.fetchall()
    bad = set()
    for code, *values in rows:
        for value in values:
            try:
                if value and value.startswith(PREFIX):
                    unseal(value)
            except UnreadableSecret:
                bad.add(code)
    return sorted(bad)


def run_checks() -> list[Finding]:
    """Every check on this installation. The database's checks are skipped when it cannot be reached."""
    production = settings.IS_PRODUCTION
    findings = [
        check_secret_key(settings.SECRET_KEY, production=production, development_key=settings.DEVELOPMENT_SECRET_KEY),
        check_debug(settings.DEBUG, production=production),
        check_allowed_hosts(settings.ALLOWED_HOSTS, production=production),
        check_media(Path(settings.MEDIA_ROOT)),
    ]
    reachable = health.database_reachable()
    findings.append(check_database(reachable, health.unapplied_migrations))
    if findings[-1].status is Status.OK:
        findings.append(check_calendar(load_calendar().years, clock.local_now().date()))
        findings.append(check_worker(settings.TASK_MODE, health.heartbeat_age()))
        findings.append(check_sealed_secrets(unreadable_channels()))
    return findings

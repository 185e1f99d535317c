"""The work done every minute: the sweep, retries of failed notifications, the scan of new appeals for sensitive
themes, the statistics' daily roll-up, a hotspot snapshot, the periodic reports due, knowledge entries whose
expiry date has come, and once a day the retention period's anonymisation (core/retention.py).

`rexian worker` runs it in a background thread (and `rexian serve` too when tasks run in-process, as in the
demo), so that a centre needs no cron entry.
"""

from __future__ import annotations

import logging
import threading

from django.db import connection

from rexian.analytics.actions import generate_due_reports, refresh_hotspots, roll_up, scan_sensitive_themes
from rexian.core import clock, retention
from rexian.core.health import beat
from rexian.intake.mail import poll_mailboxes
from rexian.intake.webhooks import forget_old_nonces
from rexian.knowledge.actions import expire_due
from rexian.notify.sending import retry_due_deliveries
from rexian.notify.tasks import catch_up
from rexian.supervision.sweep import sweep

INTERVAL_SECONDS = 60
log = logging.getLogger("rexian.supervision")


def every_minute() -> dict[str, int]:
    beat()  # first: a worker whose sweep fails is still alive (the failure is logged); doctor reads this
    result = sweep().as_dict()
    now = clock.now()
    result["notices_caught_up"] = catch_up(now)
    result["retried"] = retry_due_deliveries(now)
    result["risk_alerts"] = scan_sensitive_themes(now)
    result["days_rolled_up"] = roll_up(now)
    result["hotspots"] = refresh_hotspots(now)
    result["reports"] = generate_due_reports(now)
    result["mails"] = poll_mailboxes(now)
    result["nonces_expired"] = forget_old_nonces(now)
    result["anonymised"] = retention.run_daily(now)
    result["knowledge_expired"] = expire_due()
    return result


def start_scheduler(interval: float = INTERVAL_SECONDS) -> threading.Thread:
    """A daemon thread that runs `every_minute` now and then every `interval` seconds; a failure is logged
    and the next run tries again."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                result = every_minute()
                if any(result.values()):
                    log.info("sweep %s", result)
            except Exception:  # the scheduler must outlive a bad minute (database restart, bad row)
                log.exception("periodic work failed")
            finally:
                connection.close()
            stop.wait(interval)

    thread = threading.Thread(target=loop, name="rexian-every-minute", daemon=True)
    thread.start()
    return thread

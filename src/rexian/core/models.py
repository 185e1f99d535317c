from __future__ import annotations

from django.db import models


class Heartbeat(models.Model):
    """A `rexian worker` says it is alive: its every-minute job writes its row (core/health.py)."""

    name = models.CharField("进程", max_length=200, primary_key=True, help_text="主机名:进程号")
    beat_at = models.DateTimeField("最近心跳", db_index=True)

    class Meta:
        verbose_name = "后台进程心跳"
        verbose_name_plural = "后台进程心跳"

    def __str__(self) -> str:
        return f"{self.name} {self.beat_at:%Y-%m-%d %H:%M:%S}"

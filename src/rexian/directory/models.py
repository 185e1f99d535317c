from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import cached_property

from rexian.directory.roles import CENTRE_ROLES, HUMAN_ROLES, ROLE_LABELS, UNIT_ROLES, Role


class UnitKind(models.TextChoices):
    CENTRE = "centre", "热线中心"
    DEPARTMENT = "department", "市直部门"
    DISTRICT = "district", "区县"
    STREET = "street", "街道/镇"
    COMMUNITY = "community", "社区/村"
    ENTERPRISE = "enterprise", "公共服务企业"


class Unit(models.Model):
    """A node of the organisation tree. `path` (codes joined by '/') makes subtree queries one index scan."""

    code = models.SlugField("编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    short_names = models.CharField("简称", max_length=200, blank=True, help_text="逗号分隔，如：人社局,人社")
    kind = models.CharField("类型", max_length=16, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级单位", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField("路径", max_length=400, editable=False, db_index=True, default="")
    is_active = models.BooleanField("启用", default=True)
    phone = models.CharField("联系电话", max_length=32, blank=True)

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        old_path = self.path
        self.path = f"{self.parent.path}{self.code}/" if self.parent_id else f"/{self.code}/"
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            # Moving a unit moves its subtree.
            for child in Unit.objects.filter(path__startswith=old_path).exclude(pk=self.pk).order_by("path"):
                child.save()

    def clean(self) -> None:
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk:
                raise ValidationError({"parent": "上级单位不能是自己或自己的下级。"})
            ancestor = ancestor.parent

    def is_within(self, other: Unit) -> bool:
        """True when this unit is `other` or one of its subordinates."""
        return self.path.startswith(other.path)

    def subtree(self) -> models.QuerySet[Unit]:
        return Unit.objects.filter(path__startswith=self.path)

    @property
    def short_name_list(self) -> list[str]:
        return [s.strip() for s in self.short_names.replace("，", ",").split(",") if s.strip()]

    @property
    def place_name(self) -> str:
        """The name an address uses: a district's, street's or community's first short name (青山区, 湖滨街道),
        not its government's (云泽市青山区人民政府); any other unit's full name."""
        places = (UnitKind.DISTRICT, UnitKind.STREET, UnitKind.COMMUNITY)
        return next(iter(self.short_name_list), self.name) if self.kind in places else self.name


class RoleGrant(models.Model):
    """A role held by a user (a user may hold several)."""

    user = models.ForeignKey("directory.User", on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField("角色", max_length=24, choices=[(r.value, ROLE_LABELS[r]) for r in HUMAN_ROLES])

    class Meta:
        verbose_name = "角色"
        verbose_name_plural = "角色"
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="unique_role_per_user")]

    def __str__(self) -> str:
        return ROLE_LABELS[Role(self.role)]


class User(AbstractUser):
    unit = models.ForeignKey(
        Unit, verbose_name="所属单位", null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    phone = models.CharField("电话", max_length=32, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    @cached_property
    def roles(self) -> frozenset[Role]:
        return frozenset(Role(g.role) for g in self.role_grants.all())

    @property
    def is_centre_user(self) -> bool:
        return bool(self.roles & CENTRE_ROLES)

    @property
    def is_unit_user(self) -> bool:
        return bool(self.roles & UNIT_ROLES) and not self.is_centre_user

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))


class CatalogueEntry(models.Model):
    """A row of the dispatch catalogue (派单目录): who handles a category, optionally in one district.

    A row with a district applies there first (属地管理优先); the row without applies elsewhere
    (谁主管谁负责).
    """

    category = models.ForeignKey(
        "taxonomy.Category", verbose_name="分类", on_delete=models.CASCADE, related_name="catalogue_entries"
    )
    district = models.ForeignKey(
        Unit,
        verbose_name="属地区县",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"kind": UnitKind.DISTRICT},
    )
    unit = models.ForeignKey(Unit, verbose_name="承办单位", on_delete=models.PROTECT, related_name="catalogue_entries")
    co_units = models.ManyToManyField(Unit, verbose_name="协办单位", blank=True, related_name="+")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "派单目录"
        verbose_name_plural = "派单目录"
        ordering = ["category__code", "district__code"]
        constraints = [
            models.UniqueConstraint(fields=["category", "district"], name="unique_catalogue_row"),
            models.UniqueConstraint(
                fields=["category"], condition=models.Q(district__isnull=True), name="unique_catalogue_default_row"
            ),
        ]

    def __str__(self) -> str:
        where = f"（{self.district.name}）" if self.district_id else ""
        return f"{self.category.name}{where} → {self.unit.name}"


class HotlineMode(models.TextChoices):
    MERGED = "merged", "整合"  # the old number now rings at 12345
    DUAL_TRACK = "dual_track", "双轨运行"  # the old line still answers, and its appeals also come into 12345
    SEPARATE = "separate", "暂不整合"  # the old line keeps working on its own for now


class MergedHotline(models.Model):
    """A row of the register of older hotlines merged into 12345 (一号对外): which number, whose, how and since
    when. An appeal arriving through a dual-track line is tagged with it, and its unit is kept informed."""

    number = models.CharField("号码", max_length=32, unique=True, help_text="如 12333、0917-3261234")
    name = models.CharField("热线名称", max_length=100)
    unit = models.ForeignKey(
        Unit, verbose_name="主管单位", null=True, blank=True, on_delete=models.PROTECT, related_name="hotlines"
    )
    mode = models.CharField("整合方式", max_length=12, choices=HotlineMode.choices, default=HotlineMode.MERGED)
    merged_on = models.DateField("整合日期", null=True, blank=True)
    dual_track_until = models.DateField("双轨运行截止", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "整合热线"
        verbose_name_plural = "整合热线登记"
        ordering = ["mode", "number"]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.mode == HotlineMode.DUAL_TRACK and self.unit_id is None:
            errors["unit"] = "双轨运行的热线须指明主管单位：其诉求要告知该单位。"
        if self.dual_track_until and self.mode != HotlineMode.DUAL_TRACK:
            errors["dual_track_until"] = "只有双轨运行的热线有双轨截止日期。"
        if self.merged_on and self.dual_track_until and self.dual_track_until < self.merged_on:
            errors["dual_track_until"] = "双轨截止日期不能早于整合日期。"
        if errors:
            raise ValidationError(errors)

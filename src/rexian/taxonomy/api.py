from django.http import HttpRequest
from ninja import Router, Schema

from rexian.taxonomy.choices import AppealType, Channel, Urgency
from rexian.taxonomy.models import Category

router = Router(tags=["taxonomy"])


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    path_name: str
    level: int
    parent: str | None


class ChoiceOut(Schema):
    code: str
    label: str


class ChoicesOut(Schema):
    appeal_types: list[ChoiceOut]
    urgencies: list[ChoiceOut]
    channels: list[ChoiceOut]


@router.get("/categories", response=list[CategoryOut], summary="诉求分类（三级）")
def list_categories(request: HttpRequest):
    rows = Category.objects.filter(is_active=True).select_related("parent").order_by("code")
    return [
        {
            "id": c.pk,
            "code": c.code,
            "name": c.name,
            "path_name": c.path_name,
            "level": c.level,
            "parent": c.parent.code if c.parent_id else None,
        }
        for c in rows
    ]


@router.get("/choices", response=ChoicesOut, summary="诉求类型、紧急程度、渠道")
def list_choices(request: HttpRequest):
    def pairs(choices: type) -> list[dict[str, str]]:
        return [{"code": value, "label": label} for value, label in choices.choices]

    return {"appeal_types": pairs(AppealType), "urgencies": pairs(Urgency), "channels": pairs(Channel)}

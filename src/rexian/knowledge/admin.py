"""The knowledge base in the admin: synonym groups are edited here (they widen every search at once); entries
are read here and written on the 知识库 pages, through knowledge.actions (review, versions, index)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from rexian.knowledge import actions
from rexian.knowledge.models import AskedQuestion, Entry, EntryVersion, Synonym


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    list_display = ("terms", "note", "is_active")
    list_filter = ("is_active",)
    search_fields = ("terms", "note")


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # an entry is withdrawn, never deleted: tickets cite it and the index counts it


class VersionInline(admin.TabularInline):
    model = EntryVersion
    fields = ("version", "step", "status", "changed", "note", "actor", "at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Entry)
class EntryAdmin(ReadOnly):
    list_display = ("title", "unit", "status", "version", "expires_on", "reviewed_at", "updated_at")
    list_filter = ("status", "unit")
    search_fields = ("title", "variants", "tags")
    inlines = [VersionInline]


@admin.register(AskedQuestion)
class AskedQuestionAdmin(admin.ModelAdmin):
    """The questions learned from agents' picks: read, and deleted when a pick was wrong (the entry is indexed
    again without it)."""

    list_display = ("question", "entry", "ticket", "at")
    search_fields = ("question", "entry__title")
    readonly_fields = ("entry", "question", "ticket", "at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: AskedQuestion) -> None:
        actions.forget_questions(AskedQuestion.objects.filter(pk=obj.pk))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[AskedQuestion]) -> None:
        actions.forget_questions(queryset)

"""知识库: the answers agents read out and units maintain. The list searches (knowledge.search, the words found
marked) or pages through the entries the user may see, with tabs for what waits for someone (待审核, 到期提醒,
久未复核); the entry page shows every field, its figures of use and its history, with a button for each review
step the user may take (rules.MOVES). Entries are read only through knowledge.selectors (the access chokepoint)
and written only through knowledge.actions and knowledge.spreadsheet (docs/console.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from rexian.core.errors import DomainError, NotFound, ValidationError
from rexian.directory.models import Unit, User
from rexian.directory.roles import CENTRE_ROLES
from rexian.knowledge import actions, selectors, spreadsheet
from rexian.knowledge.actions import EDITOR_ROLES, FIELD_LABELS, OWNER_ROLES
from rexian.knowledge.models import AskedQuestion, Entry, EntryVersion, Statuses, UseKind
from rexian.knowledge.rules import STEP_LABELS, EntryStatus, Party, Step, steps_open
from rexian.knowledge.search import Filters, Hit, search
from rexian.taxonomy.models import Category
from rexian.web.views.common import View, paginate, workbench

# Who writes entries: the centre's knowledge editors and the units' members; the other staff only read.
WRITER_ROLES = EDITOR_ROLES | OWNER_ROLES
SEARCH_LIMIT = 30
# An export is meant to be edited and imported back: no more rows than one import takes.
EXPORT_LIMIT = spreadsheet.MAX_ROWS
HISTORY_SHOWN = 50
ALL = "all"  # the status filter's "every status I may see" (an absent filter means 已发布)
# The steps a person takes with a button on the entry page (editing has its own form, expiry is the machine's).
STEP_BUTTONS = (Step.SUBMIT, Step.PUBLISH, Step.SEND_BACK, Step.WITHDRAW, Step.RESTORE)
REASON_STEPS = frozenset({Step.SEND_BACK, Step.WITHDRAW})
STEP_STYLES = {Step.PUBLISH: "good", Step.SEND_BACK: "warn", Step.WITHDRAW: "danger", Step.SUBMIT: "primary"}
STATUS_COLOURS = {
    EntryStatus.DRAFT.value: "grey", EntryStatus.IN_REVIEW.value: "orange", EntryStatus.PUBLISHED.value: "green",
    EntryStatus.EXPIRED.value: "dark", EntryStatus.WITHDRAWN.value: "red",
}  # fmt: skip
FORM_FIELDS = ("title", "variants", "answer", "plain_answer", "unit", "tags", "links", "effective_from", "expires_on")


class Tab(StrEnum):
    ENTRIES = "entries"
    REVIEW = "review"
    EXPIRING = "expiring"
    OVERDUE = "overdue"


QUEUES = {
    Tab.REVIEW: selectors.awaiting_review,
    Tab.EXPIRING: selectors.expiring,
    Tab.OVERDUE: selectors.review_overdue,
}


def writers(view: View) -> View:
    """A page that writes entries (new, edit, steps, import): the knowledge workbench's writing roles only."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if WRITER_ROLES.isdisjoint(request.user.roles):
            raise DjangoPermissionDenied(gettext("只有中心知识库管理员和各单位人员可以维护知识条目。"))
        return view(request, *args, **kwargs)

    wrapped.allowed_roles = WRITER_ROLES  # type: ignore[attr-defined]  # read by the access matrix test
    return wrapped


def _is_editor(user: User) -> bool:
    return Party.EDITOR in actions.parties(user, None)


def _load(request: HttpRequest, entry_id: int) -> Entry:
    try:
        return selectors.get_entry_for(request.user, entry_id)
    except NotFound as error:
        raise Http404(error.message) from error


# ---- the list: search, filters, tabs -------------------------------------------------------------------------


@dataclass
class Query:
    """The list's filters as asked; a filter naming something unknown is dropped and said so in `errors`."""

    text: str = ""
    status: str = EntryStatus.PUBLISHED.value  # a status, or ALL
    unit: Unit | None = None
    category: Category | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def statuses(self) -> tuple[str, ...]:
        return () if self.status == ALL else (self.status,)

    @property
    def category_ids(self) -> tuple[int, ...]:
        """The category and those under it (the tree has three levels)."""
        return selectors.category_and_below(self.category) if self.category is not None else ()


def offered_statuses(user: User) -> list[Statuses]:
    """The statuses the filter offers: those of entries the user may see (selectors.visible_entries: the centre
    sees every entry, a unit its own in any status, anyone else published ones only)."""
    if user.roles & CENTRE_ROLES or user.unit is not None:
        return list(Statuses)
    return [Statuses.PUBLISHED]


def _query(request: HttpRequest) -> Query:
    query = Query(text=request.GET.get("q", "").strip()[:100])
    status = request.GET.get("status", EntryStatus.PUBLISHED.value)
    offered = [s.value for s in offered_statuses(request.user)]
    if status in offered or (status == ALL and len(offered) > 1):
        query.status = status
    query.unit = _lookup(query, "unit", Unit.objects.all(), request.GET.get("unit", ""), gettext("没有这个单位。"))
    query.category = _lookup(query, "category", Category.objects.all(), request.GET.get("category", ""),
                             gettext("没有这个分类。"))  # fmt: skip
    return query


def _lookup(query: Query, name: str, rows: QuerySet[Any], code: str, missing: str) -> Any:
    code = code.strip()[:40]
    if not code:
        return None
    found = rows.filter(code=code).first()
    if found is None:
        query.errors[name] = [missing]
    return found


def _filtered(user: User, query: Query) -> QuerySet[Entry]:
    entries = selectors.visible_entries(user)
    if query.statuses:
        entries = entries.filter(status__in=query.statuses)
    if query.unit is not None:
        entries = entries.filter(unit=query.unit)
    if query.category is not None:
        tagged = Entry.categories.through.objects.filter(category_id__in=query.category_ids)
        entries = entries.filter(pk__in=tagged.values("entry_id"))
    return entries.order_by("-updated_at", "-pk")


def _hits(user: User, query: Query) -> list[Hit]:
    """The search's best entries the user may see."""
    unit_id = query.unit.pk if query.unit is not None else None
    hits = search(query.text, Filters(query.statuses, unit_id, query.category_ids), limit=SEARCH_LIMIT)
    return selectors.only_visible(user, hits)


def _tab(request: HttpRequest, tabs: list[Tab]) -> Tab:
    try:
        chosen = Tab(request.GET.get("tab", ""))
    except ValueError:
        return Tab.ENTRIES
    return chosen if chosen in tabs else Tab.ENTRIES


def _tabs(user: User) -> list[Tab]:
    """待审核 for those who act on it (editors, and units for their own entries); the alerts for everyone."""
    review = [Tab.REVIEW] if not WRITER_ROLES.isdisjoint(user.roles) else []
    return [Tab.ENTRIES, *review, Tab.EXPIRING, Tab.OVERDUE]


def _link_query(request: HttpRequest, *drop: str) -> str:
    query = request.GET.copy()
    for name in ("page", *drop):
        query.pop(name, None)
    return query.urlencode()


@workbench("knowledge")
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    tabs = _tabs(user)
    tab, query = _tab(request, tabs), _query(request)
    context: dict[str, Any] = {
        "active": "knowledge",
        "tab": tab.value,
        "counts": {t.value: QUEUES[t](user).count() for t in tabs if t in QUEUES},
        "query": query,
        "statuses": offered_statuses(user),
        "units": Unit.objects.filter(pk__in=selectors.visible_entries(user).values("unit_id")).order_by("path"),
        "categories": Category.objects.filter(is_active=True).order_by("code"),
        "colours": STATUS_COLOURS,
        "may_write": not WRITER_ROLES.isdisjoint(user.roles),
        "link_query": _link_query(request),
        "export_query": _link_query(request, "tab"),
        "export_limit": EXPORT_LIMIT,
        "month": selectors.month_figures() if user.roles & CENTRE_ROLES else None,
    }
    if tab is not Tab.ENTRIES:
        context["page"] = paginate(request, QUEUES[tab](user).prefetch_related("categories"))
    elif query.text:
        context["hits"] = _hits(user, query)
    else:
        context["page"] = paginate(request, _filtered(user, query).prefetch_related("categories"))
    return render(request, "web/knowledge/index.html", context, status=422 if query.errors else 200)


@workbench("knowledge")
def export(request: HttpRequest) -> HttpResponse:
    """The list as filtered (or the search's hits), as the import reads it; `template=1`: the columns alone."""
    if request.GET.get("template"):
        return spreadsheet.export_entries([], filename=gettext("知识库导入模板"))
    query = _query(request)
    if query.text:
        ids = [h.entry.pk for h in _hits(request.user, query)]
        found = Entry.objects.select_related("unit").prefetch_related("categories").in_bulk(ids)
        return spreadsheet.export_entries([found[pk] for pk in ids if pk in found])
    entries = _filtered(request.user, query).prefetch_related("categories")[:EXPORT_LIMIT]
    return spreadsheet.export_entries(entries)


# ---- one entry ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryLine:
    version: EntryVersion
    changed: list[str]  # the labels of the fields changed (none for a creation: everything is new)


def _history(entry: Entry) -> list[HistoryLine]:
    versions = entry.versions.select_related("actor").order_by("-pk")[:HISTORY_SHOWN]
    created = (Step.CREATE.value, Step.IMPORT.value)
    return [HistoryLine(v, [] if v.step in created else [FIELD_LABELS.get(f, f) for f in v.changed]) for v in versions]


def _step_buttons(open_steps: list[Step]) -> list[dict[str, Any]]:
    return [
        {"step": s.value, "label": STEP_LABELS[s], "reason": s in REASON_STEPS, "required": s is Step.SEND_BACK,
         "style": STEP_STYLES.get(s, "")}
        for s in STEP_BUTTONS
        if s in open_steps
    ]  # fmt: skip


@workbench("knowledge")
def entry(request: HttpRequest, entry_id: int) -> HttpResponse:
    found = _load(request, entry_id)
    actions.record_use(actor=request.user, entry_id=found.pk, kind=UseKind.VIEW)
    parties = actions.parties(request.user, found.unit)
    open_steps = steps_open(EntryStatus(found.status), parties)
    context = {
        "active": "knowledge",
        "entry": found,
        "categories": list(found.categories.order_by("code")),
        "attachments": list(found.attachments.order_by("pk")),
        "figures": selectors.use_figures([found])[found.pk],
        "asked": _asked(found) if Party.EDITOR in parties else [],
        "history": _history(found),
        "history_shown": HISTORY_SHOWN,
        "steps": _step_buttons(open_steps),
        "may_edit": Step.EDIT in open_steps,
        "colours": STATUS_COLOURS,
    }
    return render(request, "web/knowledge/entry.html", context)


def _asked(found: Entry) -> list[AskedQuestion]:
    """The appeals' subjects the entry was learned from, for the centre's editors only: a subject may tell a unit
    about an appeal it was never sent."""
    return list(found.asked_questions.order_by("-at", "-pk"))


@workbench("knowledge")
def download(request: HttpRequest, entry_id: int, attachment_id: int) -> FileResponse:
    attachment = _load(request, entry_id).attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404(gettext("没有这个附件。"))
    response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)
    response["X-Content-Type-Options"] = "nosniff"  # a file from a unit is downloaded, never rendered
    return response


@require_POST
@writers
def attach(request: HttpRequest, entry_id: int) -> HttpResponse:
    """Add a file to the entry (checked by its content); then back to the entry, the outcome as a message."""
    found = _load(request, entry_id)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, gettext("请选择要上传的文件。"))
        return redirect("knowledge_entry", entry_id=found.pk)
    try:
        actions.attach_file(actor=request.user, entry_id=found.pk, version=_version(request.POST.get("version")),
                            upload=upload)  # fmt: skip
    except DomainError as error:
        if error.status == 404:
            raise Http404(error.message) from error
        messages.error(request, _error_text(error))
    else:
        messages.success(request, gettext("附件已上传。"))
    return redirect("knowledge_entry", entry_id=found.pk)


def _version(raw: str | None) -> int:
    """The version the form was drawn from; a damaged one is simply stale."""
    try:
        return int(raw or "")
    except ValueError:
        return -1


def _error_text(error: DomainError) -> str:
    """A refusal as one message: the fields' own words when it names fields (退回修改须写明原因)."""
    named = [message for messages_ in error.fields.values() for message in messages_]
    return "；".join(named) if named else error.message


@require_POST
@writers
def step(request: HttpRequest, entry_id: int) -> HttpResponse:
    """Submit, publish, send back, withdraw or restore: then back to the entry, the outcome as a message."""
    found = _load(request, entry_id)
    try:
        chosen = Step(request.POST.get("step", ""))
    except ValueError:
        messages.error(request, gettext("没有这个操作。"))
        return redirect("knowledge_entry", entry_id=found.pk)
    try:
        actions.take_step(actor=request.user, entry_id=found.pk, version=_version(request.POST.get("version")),
                          step=chosen, note=request.POST.get("note", ""))  # fmt: skip
    except DomainError as error:
        if error.status == 404:
            raise Http404(error.message) from error
        messages.error(request, _error_text(error))
    else:
        messages.success(request, gettext("%(step)s完成。") % {"step": gettext(STEP_LABELS[chosen])})
    return redirect("knowledge_entry", entry_id=found.pk)


# ---- the form: new and edit ----------------------------------------------------------------------------------


def _units_for(user: User) -> QuerySet[Unit]:
    """The units the user may write for: every unit for an editor; a unit's own and those under it."""
    units = Unit.objects.filter(is_active=True).order_by("path")
    if _is_editor(user):
        return units
    return units.filter(path__startswith=user.unit.path) if user.unit is not None else units.none()


def _posted(post: QueryDict) -> dict[str, Any]:
    values: dict[str, Any] = {name: post.get(name, "") for name in FORM_FIELDS}
    values["categories"] = [code for code in post.getlist("categories") if code]
    values.update(note=post.get("note", ""), version=post.get("version", ""), publish=post.get("publish") == "1")
    return values


def _values_of(entry: Entry) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(entry, name) for name in FORM_FIELDS}
    values["unit"] = entry.unit.code
    values["categories"] = [c.code for c in entry.categories.all()]
    for name in ("effective_from", "expires_on"):
        values[name] = values[name].isoformat() if values[name] else ""
    values["version"] = str(entry.version)
    return values


def _form(
    request: HttpRequest, values: dict[str, Any], *, entry: Entry | None = None, error: DomainError | None = None
) -> HttpResponse:
    """The form with the user's input kept and each message beside its field (the top one for the rest)."""
    context = {
        "active": "knowledge",
        "entry": entry,
        "values": values,
        "error": error,
        "errors": error.fields if error else {},
        "units": _units_for(request.user),
        "categories": Category.objects.filter(is_active=True).order_by("code"),
        "may_publish": entry is None and _is_editor(request.user),
    }
    return render(request, "web/knowledge/form.html", context, status=error.status if error else 200)


@writers
def new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        own = request.user.unit
        mine = own is not None and _units_for(request.user).filter(pk=own.pk).exists()
        return _form(request, {"unit": own.code if mine else "", "categories": []})
    values = _posted(request.POST)
    values["publish"] = values["publish"] and _is_editor(request.user)
    try:
        created = actions.create_entry(actor=request.user, data=values)
    except DomainError as error:
        return _form(request, values, error=error)
    if created.status == EntryStatus.PUBLISHED:
        messages.success(request, gettext("条目已新建并发布。"))
    else:
        messages.success(request, gettext("条目已保存为草稿；写好后请提交审核。"))
    return redirect("knowledge_entry", entry_id=created.pk)


@writers
def edit(request: HttpRequest, entry_id: int) -> HttpResponse:
    found = _load(request, entry_id)
    if request.method != "POST":
        # Asked only here: a posted form goes to edit_entry, which says "stale" before "not yours now".
        if Step.EDIT not in steps_open(EntryStatus(found.status), actions.parties(request.user, found.unit)):
            raise DjangoPermissionDenied(gettext("您现在不能修改这个条目。"))
        return _form(request, _values_of(found), entry=found)
    values = _posted(request.POST)
    try:
        changed = actions.edit_entry(actor=request.user, entry_id=found.pk, version=_version(values["version"]),
                                     data=values, note=values["note"])  # fmt: skip
    except DomainError as error:
        if error.status == 404:
            raise Http404(error.message) from error
        return _form(request, values, entry=found, error=error)
    if changed.version == found.version:
        messages.info(request, gettext("内容没有变化，未保存新版本。"))
    elif changed.status == EntryStatus.IN_REVIEW and found.status == EntryStatus.PUBLISHED:
        messages.success(request, gettext("修改已保存，条目转为待审核，审核通过后重新发布。"))
    else:
        messages.success(request, gettext("修改已保存。"))
    return redirect("knowledge_entry", entry_id=found.pk)


# ---- import ---------------------------------------------------------------------------------------------------


@writers
def import_entries(request: HttpRequest) -> HttpResponse:
    """GET: the form and the columns; POST: the file checked row by row, then written whole or not at all."""
    editor = _is_editor(request.user)
    context: dict[str, Any] = {"active": "knowledge", "may_publish": editor, "columns": spreadsheet.COLUMNS,
                               "required": spreadsheet.REQUIRED, "max_rows": spreadsheet.MAX_ROWS}  # fmt: skip
    if request.method != "POST":
        return render(request, "web/knowledge/import.html", context)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            message = gettext("请选择要导入的 Excel（.xlsx）或 CSV 文件。")
            raise ValidationError(message, fields={"file": [message]})
        report = spreadsheet.import_entries(actor=request.user, stream=upload, filename=upload.name,
                                            publish=editor and request.POST.get("publish") == "1")  # fmt: skip
    except DomainError as error:
        return render(request, "web/knowledge/import.html", {**context, "error": error}, status=error.status)
    if report.errors:
        return render(request, "web/knowledge/import.html", {**context, "report": report}, status=422)
    if not report.rows:
        messages.warning(request, gettext("文件中没有数据行，未导入任何条目。"))
    else:
        counts = {"created": report.created, "updated": report.updated, "unchanged": report.unchanged}
        messages.success(request, gettext("导入完成：新增 %(created)d 条，更新 %(updated)d 条，未变 %(unchanged)d 条。")
                         % counts)  # fmt: skip
    return redirect("knowledge_import")

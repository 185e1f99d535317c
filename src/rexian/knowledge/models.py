"""Knowledge entries (知识库条目), their versions, attachments and uses; the synonym groups that widen a search;
and the search index beside them (SearchDoc: the segmented words of each entry, which a database full-text
index reads: FTS5 on SQLite, a tsvector with a GIN index on PostgreSQL, both made by migration 0002)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from rexian.knowledge.rules import STATUS_LABELS, STEP_LABELS, EntryStatus, Step

TITLE_LIMIT = 200
TEXT_LIMIT = 20_000
TAGS_LIMIT = 200
NOTE_LIMIT = 500


class Statuses(models.TextChoices):
    DRAFT = EntryStatus.DRAFT.value, STATUS_LABELS[EntryStatus.DRAFT]
    IN_REVIEW = EntryStatus.IN_REVIEW.value, STATUS_LABELS[EntryStatus.IN_REVIEW]
    PUBLISHED = EntryStatus.PUBLISHED.value, STATUS_LABELS[EntryStatus.PUBLISHED]
    EXPIRED = EntryStatus.EXPIRED.value, STATUS_LABELS[EntryStatus.EXPIRED]
    WITHDRAWN = EntryStatus.WITHDRAWN.value, STATUS_LABELS[EntryStatus.WITHDRAWN]


class Steps(models.TextChoices):
    CREATE = Step.CREATE.value, STEP_LABELS[Step.CREATE]
    EDIT = Step.EDIT.value, STEP_LABELS[Step.EDIT]
    SUBMIT = Step.SUBMIT.value, STEP_LABELS[Step.SUBMIT]
    PUBLISH = Step.PUBLISH.value, STEP_LABELS[Step.PUBLISH]
    SEND_BACK = Step.SEND_BACK.value, STEP_LABELS[Step.SEND_BACK]
    WITHDRAW = Step.WITHDRAW.value, STEP_LABELS[Step.WITHDRAW]
    EXPIRE = Step.EXPIRE.value, STEP_LABELS[Step.EXPIRE]
    RESTORE = Step.RESTORE.value, STEP_LABELS[Step.RESTORE]
    IMPORT = Step.IMPORT.value, STEP_LABELS[Step.IMPORT]


class Entry(models.Model):
    title = models.CharField("标题", max_length=TITLE_LIMIT)
    variants = models.TextField("问法", blank=True, help_text="群众的不同问法，每行一个")
    answer = models.TextField("标准答复")
    plain_answer = models.TextField("白话版", blank=True, help_text="用群众听得懂的话讲一遍")
    unit = models.ForeignKey(
        "directory.Unit", verbose_name="维护单位", on_delete=models.PROTECT, related_name="knowledge_entries"
    )
    categories = models.ManyToManyField(
        "taxonomy.Category", verbose_name="分类", blank=True, related_name="knowledge_entries"
    )
    tags = models.CharField("标签", max_length=TAGS_LIMIT, blank=True, help_text="以空格或逗号分隔")
    links = models.TextField("相关链接", blank=True, help_text="每行一个：名称 网址")
    effective_from = models.DateField("生效日期", null=True, blank=True)
    expires_on = models.DateField("失效日期", null=True, blank=True, help_text="当天起不再适用")
    status = models.CharField("状态", max_length=12, choices=Statuses.choices, default=Statuses.DRAFT)
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("创建时间")
    updated_at = models.DateTimeField("修改时间")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="修改人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    reviewed_at = models.DateTimeField("最近审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "知识库条目"
        verbose_name_plural = "知识库条目"
        indexes = [
            models.Index(fields=["status", "expires_on"]),
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["status", "reviewed_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def code(self) -> str:
        """How tickets and events cite the entry (the answer_directly event's knowledge_entry)."""
        return f"KB{self.pk}"

    @property
    def variant_list(self) -> list[str]:
        return [line.strip() for line in self.variants.splitlines() if line.strip()]

    @property
    def tag_list(self) -> list[str]:
        return [t for t in self.tags.replace("，", " ").replace(",", " ").split() if t]

    @property
    def link_list(self) -> list[tuple[str, str]]:
        """(name, url) per line; a line with only a URL names itself."""
        found = []
        for line in self.links.splitlines():
            parts = line.strip().rsplit(maxsplit=1)
            if parts:
                found.append((parts[0] if len(parts) == 2 else parts[-1], parts[-1]))
        return found


class EntryVersion(models.Model):
    """One step in an entry's life, with the entry as it stood after it: who changed what, and when."""

    entry = models.ForeignKey(Entry, verbose_name="条目", on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField("版本")
    step = models.CharField("操作", max_length=12, choices=Steps.choices)
    status = models.CharField("操作后状态", max_length=12, choices=Statuses.choices)
    changed = models.JSONField("修改的字段", default=list, blank=True)
    snapshot = models.JSONField("内容", default=dict)
    note = models.CharField("说明", max_length=NOTE_LIMIT, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "条目版本"
        verbose_name_plural = "条目版本"
        ordering = ["entry", "id"]
        indexes = [models.Index(fields=["entry", "id"])]

    def __str__(self) -> str:
        return f"{self.entry_id} v{self.version} {self.get_step_display()}"


class EntryAttachment(models.Model):
    entry = models.ForeignKey(Entry, verbose_name="条目", on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("文件", upload_to="knowledge/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = "条目附件"
        verbose_name_plural = "条目附件"

    def __str__(self) -> str:
        return self.name


class UseKind(models.TextChoices):
    VIEW = "view", "查看"
    CITE = "cite", "引用"  # its text taken into a reply or an answer


class EntryUse(models.Model):
    """An entry opened or cited. Direct answers (即办 with the entry) are not kept here: they are the ticket
    events of answer_directly that name the entry, counted from the event log like every ticket figure."""

    entry = models.ForeignKey(Entry, verbose_name="条目", on_delete=models.CASCADE, related_name="uses")
    kind = models.CharField("方式", max_length=8, choices=UseKind.choices)
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name="工单", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="使用人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "条目使用"
        verbose_name_plural = "条目使用"
        indexes = [models.Index(fields=["entry", "kind"]), models.Index(fields=["at", "kind"])]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.get_kind_display()}"


class AskedQuestion(models.Model):
    """An appeal an agent answered with this entry, in the words of the appeal's subject: how callers ask for it.
    Indexed with the entry as a field of its own (knowledge.index, knowledge.ranking), so that the next caller who
    asks the same way finds the entry first. Only the latest LEARNED_PER_ENTRY are kept
    (knowledge.actions.learn_question)."""

    entry = models.ForeignKey(Entry, verbose_name="条目", on_delete=models.CASCADE, related_name="asked_questions")
    question = models.CharField("问法", max_length=100)  # as long as a ticket's subject
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name="工单", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "坐席采用的问法"
        verbose_name_plural = "坐席采用的问法"
        indexes = [models.Index(fields=["entry", "at"])]

    def __str__(self) -> str:
        return self.question


class Synonym(models.Model):
    """A group of words that mean the same to a caller and to a department: 医保 = 医疗保障 = 医疗保险.
    A query that says one finds entries that say any other."""

    terms = models.CharField("同义词", max_length=300, help_text="以空格或逗号分隔，如：医保 医疗保障 医疗保险")
    note = models.CharField("说明", max_length=200, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "同义词"
        verbose_name_plural = "同义词"

    def __str__(self) -> str:
        return self.terms

    @property
    def term_list(self) -> list[str]:
        return [t for t in self.terms.replace("，", " ").replace(",", " ").replace("、", " ").split() if t]


class SearchDoc(models.Model):
    """An entry's index terms per field, space-separated (written by knowledge.index, read by the database's
    full-text index and by the re-ranking in knowledge.search). Field names match the FTS5 columns."""

    entry = models.OneToOneField(Entry, on_delete=models.CASCADE, primary_key=True, related_name="search_doc")
    title = models.TextField(blank=True)
    variants = models.TextField(blank=True)
    answer = models.TextField(blank=True)
    tags = models.TextField(blank=True)
    text = models.TextField(blank=True)  # the entry's words as written, normalised: where the best window is sought
    asked = models.TextField(blank=True)  # how agents' callers asked for it (AskedQuestion): ranked, not matched

    class Meta:
        verbose_name = "检索索引"
        verbose_name_plural = "检索索引"

    def __str__(self) -> str:
        return self.title


class IndexedTerm(models.Model):
    """How many indexed entries hold a term (document frequency): the weight of a word in a search."""

    term = models.CharField(max_length=100, primary_key=True)
    entries = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.term} ({self.entries})"


class IndexTotals(models.Model):
    """The index's size: entries, and the total number of terms in each field (for average lengths)."""

    entries = models.PositiveIntegerField(default=0)
    title = models.PositiveBigIntegerField(default=0)
    variants = models.PositiveBigIntegerField(default=0)
    answer = models.PositiveBigIntegerField(default=0)
    tags = models.PositiveBigIntegerField(default=0)
    asked = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.entries} entries"

"""Scope screening as rules (pure Python, no Django import): words in an appeal that mean an emergency to hand
over to 110/119/120/122 at once, or a matter the hotline does not take (不予受理) and where to send the caller.

A rule is a plain phrase (matched as a substring) or a regular expression. A mention directly negated ("没有着火",
"未见冒烟") does not count, but a question ("是不是着火了", "有没有人受伤") does: for an emergency, asking is
reason enough to check. The centre edits the rules in the admin (models.ScreeningRule); `SEED_RULES` are the
defaults the migration writes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache


class Concern(StrEnum):
    EMERGENCY = "emergency"
    OUT_OF_SCOPE = "out_of_scope"

    @property
    def label(self) -> str:
        return CONCERN_LABELS[self]


CONCERN_LABELS: dict[Concern, str] = {
    Concern.EMERGENCY: "紧急警情",
    Concern.OUT_OF_SCOPE: "不予受理情形",
}
# The emergency services an appeal is handed to, with the label agents know them by.
SERVICE_LABELS: dict[str, str] = {
    "110": "110 报警",
    "119": "119 火警",
    "120": "120 急救",
    "122": "122 交通事故",
}


@dataclass(frozen=True)
class Rule:
    concern: Concern
    pattern: str
    is_regex: bool = False
    transfer_to: str = ""  # "110" / "119" / "120" / "122" for emergencies
    reason: str = ""  # why out of scope, shown to the agent; for an emergency, what it is
    redirect_to: str = ""  # where to send the citizen (人民法院, 仲裁机构, …) for out-of-scope


@dataclass(frozen=True)
class Hit:
    rule: Rule
    matched: str


# Negation words, longest first so that "没有" is seen before "没".
NEGATORS: tuple[str, ...] = ("没有", "不是", "并非", "没", "未")
# A negator counts when at most this many characters stand between it and the mention: "没有着火", "没有人受伤",
# "未见冒烟"; but not "未成年人打人" or "没人管，现在着火了".
NEGATION_GAP = 1
# A-not-A questions are not negations: "有没有人受伤" asks, it does not deny.
QUESTIONS: tuple[str, ...] = ("有没有", "有没", "是不是")
CLAUSE_BREAK = re.compile(r"[\s，,。.；;！!？?：:、（）()“”\"']")


def screen(text: str, rules: Sequence[Rule]) -> list[Hit]:
    """Every rule that matches `text`, each once, emergencies first (then in the order of `rules`)."""
    hits = [hit for rule in rules if (hit := _first_hit(text, rule)) is not None]
    return sorted(hits, key=lambda hit: hit.rule.concern is not Concern.EMERGENCY)


def _first_hit(text: str, rule: Rule) -> Hit | None:
    for start, end in _occurrences(text, rule):
        if not negated(text, start):
            return Hit(rule, text[start:end])
    return None


def _occurrences(text: str, rule: Rule) -> Iterator[tuple[int, int]]:
    if not rule.pattern:
        return  # an empty pattern would match everything
    if rule.is_regex:
        compiled = compile_pattern(rule.pattern)
        if compiled is None:
            return  # an invalid expression matches nothing; the admin form refuses it
        for match in compiled.finditer(text):
            if match.end() > match.start():
                yield match.start(), match.end()
        return
    start = text.find(rule.pattern)
    while start >= 0:
        yield start, start + len(rule.pattern)
        start = text.find(rule.pattern, start + 1)


@lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> re.Pattern[str] | None:
    """The compiled expression, or None when it is not valid."""
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error:
        return None


def regex_error(pattern: str) -> str | None:
    """Why `pattern` is not a valid regular expression, or None when it is."""
    try:
        re.compile(pattern)
    except re.error as error:
        return str(error)
    return None


def negated(text: str, start: int) -> bool:
    """Whether the mention at `start` is directly preceded by a negation word (and not by a question)."""
    for gap in range(NEGATION_GAP + 1):
        end = start - gap
        if end <= 0 or CLAUSE_BREAK.search(text[end:start]):
            break
        for word in NEGATORS:
            if text.endswith(word, 0, end) and not _question(text, end):
                return True
    return False


def _question(text: str, end: int) -> bool:
    return any(text.endswith(form, 0, end) for form in QUESTIONS)


# ---- the defaults -------------------------------------------------------------------------------------------


def _emergencies(service: str, reason: str, *patterns: str, regex: bool = False) -> tuple[Rule, ...]:
    return tuple(Rule(Concern.EMERGENCY, p, regex, transfer_to=service, reason=reason) for p in patterns)


def _out_of_scope(reason: str, redirect_to: str, *patterns: str, regex: bool = False) -> tuple[Rule, ...]:
    return tuple(Rule(Concern.OUT_OF_SCOPE, p, regex, reason=reason, redirect_to=redirect_to) for p in patterns)


COURT = "人民法院"
SEED_RULES: tuple[Rule, ...] = (
    # A fire, a gas leak or an explosion: the fire brigade.
    *_emergencies("119", "火情", "着火", "火灾", "起火", "失火", "冒烟"),
    # "泄露" is how many callers write "泄漏".
    *_emergencies("119", "燃气泄漏", "(?:煤气|燃气|天然气|液化气)泄[漏露]", regex=True),
    *_emergencies("119", "爆炸", "爆炸"),
    # Violence, a crime under way, a life at risk: the police.
    *_emergencies("110", "暴力或正在发生的违法犯罪", "抢劫", "打人", "杀人", "砍人", "持刀", "行凶", "绑架", "家暴"),
    *_emergencies("110", "有人可能轻生", "跳楼", "轻生", "自杀"),
    # Someone's health in danger now: the ambulance.
    *_emergencies("120", "危重病人", "昏迷", "晕倒", "休克", "大出血", "心脏病发作", "呼吸困难", "失去意识", "中毒"),
    # A road accident: the traffic police.
    *_emergencies("122", "交通事故", "车祸", "撞车", "撞人", "交通事故", "翻车", "有人受伤"),
    *_out_of_scope("已经起诉或正在诉讼的事项，应由人民法院依法处理，热线不予受理", COURT, "起诉", "诉讼", "打官司"),
    *_out_of_scope("涉及法院判决、裁定及其执行的事项，应向人民法院反映", COURT, "判决", "法院执行", "强制执行"),
    *_out_of_scope("已申请或应当通过仲裁解决的争议，由仲裁机构依法处理", "仲裁机构", "仲裁"),
    # 退役军人 are served by the local 退役军人事务局: those appeals are in scope.
    *_out_of_scope("涉及军队、军人的事项不属于地方政务热线受理范围", "军队有关部门", "部队", "军队"),
    *_out_of_scope("涉及军队、军人的事项不属于地方政务热线受理范围", "军队有关部门", "(?<!退役)军人", regex=True),
    *_out_of_scope("涉及国家秘密的事项，热线不予受理，也请不要在电话中讲述", "不予受理", "国家秘密", "涉密"),
    *_out_of_scope(
        "公民、法人之间的民事纠纷，应协商解决，或申请人民调解、向人民法院起诉",
        "人民调解委员会或人民法院",
        "邻里纠纷",
        "借款纠纷",
        "民间借贷",
        "欠钱不还",
        "借钱不还",
    ),
    *_out_of_scope("已经进入信访程序的事项，由信访部门依照《信访工作条例》办理", "信访部门", "信访", "上访"),
    *_out_of_scope(
        "反映党员干部、公职人员违纪违法问题，由纪检监察机关受理", "纪检监察机关", "违纪", "纪委", "纪检", "贪污", "受贿"
    ),
)

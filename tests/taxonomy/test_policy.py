"""Time-limit policies: the seed defaults and which rule wins, without a database."""

from datetime import datetime

from rexian.taxonomy.policy import SEED_RULES, Limit, LimitUnit, PolicyRule, Stage, deadline, resolve
from rexian.workdays.calendar import SHANGHAI, WEEKLY


def seed(stage: Stage, appeal_type: str, urgency: str = "normal", chain: tuple[int, ...] = ()) -> Limit:
    return resolve(SEED_RULES, stage, appeal_type=appeal_type, category_chain=chain, urgency=urgency)


def test_seed_limits_are_the_seed_documents():
    assert seed(Stage.HANDLING, "consult") == Limit(5)
    assert seed(Stage.HANDLING, "help") == Limit(5)
    assert seed(Stage.HANDLING, "complaint") == Limit(15)
    assert seed(Stage.HANDLING, "report") == Limit(15)
    assert seed(Stage.HANDLING, "suggestion") == Limit(15)
    assert seed(Stage.HANDLING, "complaint", "urgent") == Limit(0)  # emergencies the same day
    assert seed(Stage.HANDLING, "consult", "urgent") == Limit(0)  # urgency beats the type
    assert seed(Stage.DISPATCH, "complaint") == Limit(1)
    assert seed(Stage.RETURN_WINDOW, "report") == Limit(2)
    assert seed(Stage.CALLBACK, "report") == Limit(3)
    assert seed(Stage.CALLBACK, "report", "urgent") == Limit(1)
    assert seed(Stage.SIGN, "help", "urgent") == Limit(2, LimitUnit.HOURS)


def test_a_deeper_category_rule_wins_and_covers_its_subtree():
    # Category 1 (城乡建设) > 11 (物业管理) > 111 (物业服务): rules on 1 and on 11.
    rules = [
        *SEED_RULES,
        PolicyRule(Stage.HANDLING, Limit(10), category_id=1),
        PolicyRule(Stage.HANDLING, Limit(7), category_id=11),
        PolicyRule(Stage.HANDLING, Limit(3), category_id=11, urgency="urgent"),
    ]

    def limit(chain: tuple[int, ...], urgency: str = "normal") -> Limit:
        return resolve(rules, Stage.HANDLING, appeal_type="complaint", category_chain=chain, urgency=urgency)

    assert limit((1, 11, 111)) == Limit(7)  # the leaf falls under 11's rule
    assert limit((1, 12, 121)) == Limit(10)  # a sibling subtree under 1's
    assert limit((2, 21, 211)) == Limit(15)  # elsewhere: the type's default
    assert limit((1, 11, 111), "urgent") == Limit(3)  # the category's urgent rule beats the general urgent one
    assert limit((1, 12), "urgent") == Limit(10)  # a category rule is more specific than urgency alone


def test_without_any_rule_the_general_seed_limit_applies():
    assert resolve([], Stage.HANDLING, appeal_type="consult", category_chain=(), urgency="") == Limit(15)


def test_hours_run_on_the_clock_and_workdays_end_at_midnight():
    friday = datetime(2026, 11, 20, 17, 30, tzinfo=SHANGHAI)
    assert deadline(WEEKLY, friday, Limit(2, LimitUnit.HOURS)) == datetime(2026, 11, 20, 19, 30, tzinfo=SHANGHAI)
    assert deadline(WEEKLY, friday, Limit(1)) == datetime(2026, 11, 23, 23, 59, 59, tzinfo=SHANGHAI)
    assert str(Limit(0)) == "当日" and str(Limit(2)) == "2 个工作日" and str(Limit(4, LimitUnit.HOURS)) == "4 小时"

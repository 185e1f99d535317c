"""The labels the pages show from Python data, listed for the translation catalogue.

The pure modules (tickets, directory, taxonomy, supervision's rules) keep their labels in Chinese and do not
import Django's translation; the web modules' tables (navigation, action forms, payload labels, the portal's
wording, the supervision tabs) are plain Chinese strings too. The pages translate a label as they show it
(`{% translate label %}`, or gettext in templatetags/console.py and presenters.py), which finds it only if it
is a msgid of the catalogue, and makemessages collects only literal strings: hence the literal list below.

`LABELS` is generated from `label_sources()` by scripts/i18n_labels.py; tests/web/test_i18n.py fails when a
label is missing from it or from the catalogue. After adding or changing a label: run the script, then
makemessages, and translate the new entries.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop


def label_sources() -> dict[str, list[str]]:
    """Every label the pages show from Python data, by the table it comes from (imports here: no cycles)."""
    from rexian.analytics.metrics import METRICS
    from rexian.analytics.models import ReportKind
    from rexian.directory.models import UnitKind
    from rexian.directory.roles import ROLE_LABELS
    from rexian.knowledge.actions import FIELD_LABELS as KNOWLEDGE_FIELDS
    from rexian.knowledge.rules import STATUS_LABELS, STEP_LABELS
    from rexian.supervision.clocks import Card, Light
    from rexian.supervision.models import WatchKind
    from rexian.taxonomy.choices import AppealType, Channel, Urgency
    from rexian.taxonomy.policy import STAGE_LABELS
    from rexian.tickets.access import HIDDEN_IDENTITY
    from rexian.tickets.models import IdentityAccess
    from rexian.tickets.selectors import InboxStage, ReviewKind
    from rexian.tickets.workflow import ACTION_LABELS, STATE_LABELS, CallbackOutcome
    from rexian.web.forms import ACTION_FORMS
    from rexian.web.nav import NAV
    from rexian.web.presenters import FIELD_LABELS, PAYLOAD_LABELS
    from rexian.web.views.portal import CITIZEN_STATES, PUBLIC_WORDING
    from rexian.web.views.stats import GROUPS, PERIODS
    from rexian.web.views.supervision import EXPLAINED, SORTS, TAB_LABELS

    fields = [spec for form in ACTION_FORMS.values() for spec in form.fields]
    return {
        "rexian.tickets.workflow.STATE_LABELS": list(STATE_LABELS.values()),
        "rexian.tickets.workflow.ACTION_LABELS": list(ACTION_LABELS.values()),
        "rexian.tickets.workflow.CallbackOutcome": [o.label for o in CallbackOutcome],
        "rexian.tickets.selectors.InboxStage": [s.label for s in InboxStage],
        "rexian.tickets.selectors.ReviewKind": [k.label for k in ReviewKind],
        "rexian.tickets.access.HIDDEN_IDENTITY": [HIDDEN_IDENTITY],
        "rexian.tickets.models.IdentityAccess.Via": [str(label) for label in IdentityAccess.Via.labels],
        "rexian.directory.roles.ROLE_LABELS": list(ROLE_LABELS.values()),
        "rexian.directory.models.UnitKind": [str(label) for label in UnitKind.labels],
        "rexian.taxonomy.choices.AppealType": [str(label) for label in AppealType.labels],
        "rexian.taxonomy.choices.Urgency": [str(label) for label in Urgency.labels],
        "rexian.taxonomy.choices.Channel": [str(label) for label in Channel.labels],
        "rexian.web.nav.NAV": [item.label for item in NAV],
        "rexian.web.forms.ACTION_FORMS": [
            *(spec.label for spec in fields),
            *(spec.hint for spec in fields if spec.hint),
            # A datalist's choices are values typed into the field (and stored): they stay as they are.
            *(label for spec in fields if spec.kind != "datalist" for _, label in spec.choices),
        ],
        "rexian.web.presenters.PAYLOAD_LABELS": list(PAYLOAD_LABELS.values()),
        "rexian.web.presenters.FIELD_LABELS": list(FIELD_LABELS.values()),
        "rexian.web.views.portal.CITIZEN_STATES": list(CITIZEN_STATES.values()),
        "rexian.web.views.portal.PUBLIC_WORDING": list(PUBLIC_WORDING.values()),
        "rexian.taxonomy.policy.STAGE_LABELS": list(STAGE_LABELS.values()),
        "rexian.supervision.clocks.Light": [light.label for light in Light],
        "rexian.supervision.clocks.Card": [card.label for card in Card if card],
        "rexian.supervision.models.WatchKind": [str(label) for label in WatchKind.labels],
        "rexian.web.views.supervision.TAB_LABELS": list(TAB_LABELS.values()),
        "rexian.web.views.supervision.SORTS": list(SORTS.values()),
        "rexian.web.views.supervision.EXPLAINED": list(EXPLAINED.values()),
        "rexian.analytics.metrics.METRICS": [metric.label for metric in METRICS],
        "rexian.web.views.stats.PERIODS": list(PERIODS.values()),
        "rexian.web.views.stats.GROUPS": list(GROUPS.values()),
        "rexian.analytics.models.ReportKind": [str(label) for label in ReportKind.labels],
        "rexian.knowledge.rules.STATUS_LABELS": list(STATUS_LABELS.values()),
        "rexian.knowledge.rules.STEP_LABELS": list(STEP_LABELS.values()),
        "rexian.knowledge.actions.FIELD_LABELS": list(KNOWLEDGE_FIELDS.values()),
    }


# Generated by scripts/i18n_labels.py: do not edit by hand. Each label once, under the first table that has it.
LABELS = (
    # rexian.tickets.workflow.STATE_LABELS
    gettext_noop("待派单"),
    gettext_noop("即办办结"),
    gettext_noop("不予受理"),
    gettext_noop("待签收"),
    gettext_noop("办理中"),
    gettext_noop("退单审核中"),
    gettext_noop("已答复待审核"),
    gettext_noop("待回访"),
    gettext_noop("已办结"),
    gettext_noop("已归档"),
    gettext_noop("已并单"),
    # rexian.tickets.workflow.ACTION_LABELS
    gettext_noop("登记"),
    gettext_noop("补充修改"),
    gettext_noop("即办答复"),
    gettext_noop("退回受理"),
    gettext_noop("派单"),
    gettext_noop("撤回派单"),
    gettext_noop("签收"),
    gettext_noop("二次派单"),
    gettext_noop("申请退单"),
    gettext_noop("同意退单"),
    gettext_noop("驳回退单"),
    gettext_noop("申请延期"),
    gettext_noop("同意延期"),
    gettext_noop("驳回延期"),
    gettext_noop("办理答复"),
    gettext_noop("审核通过"),
    gettext_noop("审核退回"),
    gettext_noop("回访"),
    gettext_noop("并单"),
    gettext_noop("标记紧急"),
    gettext_noop("添加备注"),
    gettext_noop("归档"),
    gettext_noop("时限重算"),
    gettext_noop("个人信息匿名化"),
    # rexian.tickets.workflow.CallbackOutcome
    gettext_noop("满意"),
    gettext_noop("基本满意"),
    gettext_noop("不满意"),
    # rexian.tickets.selectors.InboxStage
    gettext_noop("即将到期"),
    gettext_noop("已超期"),
    gettext_noop("退回重办"),
    # rexian.tickets.selectors.ReviewKind
    gettext_noop("答复审核"),
    gettext_noop("退单申请"),
    gettext_noop("延期申请"),
    # rexian.tickets.access.HIDDEN_IDENTITY
    gettext_noop("（保密）"),
    # rexian.tickets.models.IdentityAccess.Via
    gettext_noop("工单页面"),
    gettext_noop("接口"),
    # rexian.directory.roles.ROLE_LABELS
    gettext_noop("受理员"),
    gettext_noop("派单员"),
    gettext_noop("值班长"),
    gettext_noop("审核员"),
    gettext_noop("回访员"),
    gettext_noop("质检员"),
    gettext_noop("中心管理员"),
    gettext_noop("承办人"),
    gettext_noop("单位管理员"),
    gettext_noop("市领导（只读）"),
    gettext_noop("系统"),
    gettext_noop("诉求人（网上）"),
    # rexian.directory.models.UnitKind
    gettext_noop("热线中心"),
    gettext_noop("市直部门"),
    gettext_noop("区县"),
    gettext_noop("街道/镇"),
    gettext_noop("社区/村"),
    gettext_noop("公共服务企业"),
    # rexian.taxonomy.choices.AppealType
    gettext_noop("咨询"),
    gettext_noop("求助"),
    gettext_noop("投诉"),
    gettext_noop("举报"),
    gettext_noop("建议"),
    gettext_noop("表扬"),
    gettext_noop("其他"),
    # rexian.taxonomy.choices.Urgency
    gettext_noop("一般"),
    gettext_noop("紧急"),
    # rexian.taxonomy.choices.Channel
    gettext_noop("电话"),
    gettext_noop("网站"),
    gettext_noop("微信"),
    gettext_noop("短信"),
    gettext_noop("邮件"),
    gettext_noop("小程序/APP"),
    gettext_noop("来信"),
    gettext_noop("Open311"),
    gettext_noop("导入"),
    # rexian.web.nav.NAV
    gettext_noop("受理"),
    gettext_noop("承办"),
    gettext_noop("审核"),
    gettext_noop("查询"),
    gettext_noop("督办"),
    gettext_noop("督办文书"),
    gettext_noop("智能分派"),
    gettext_noop("统计"),
    gettext_noop("话务"),
    gettext_noop("接入"),
    gettext_noop("知识库"),
    # rexian.web.forms.ACTION_FORMS
    gettext_noop("标题"),
    gettext_noop("诉求内容"),
    gettext_noop("地址"),
    gettext_noop("分类"),
    gettext_noop("答复内容"),
    gettext_noop("不予受理理由"),
    gettext_noop("建议反映渠道"),
    gettext_noop("需补充的内容"),
    gettext_noop("主办单位"),
    gettext_noop("协办单位"),
    gettext_noop("说明"),
    gettext_noop("撤回原因"),
    gettext_noop("下级承办单位"),
    gettext_noop("退单理由"),
    gettext_noop("理由"),
    gettext_noop("延期工作日数"),
    gettext_noop("延期理由"),
    gettext_noop("办理结果"),
    gettext_noop("是否已联系诉求人"),
    gettext_noop("附件"),
    gettext_noop("退回理由"),
    gettext_noop("是否联系上诉求人"),
    gettext_noop("满意度"),
    gettext_noop("问题是否解决"),
    gettext_noop("回访意见"),
    gettext_noop("并入工单编号"),
    gettext_noop("备注"),
    gettext_noop("可多选（按住 Ctrl）"),
    gettext_noop("图片、PDF、Office 文档等，每个不超过 10 MB"),
    gettext_noop("可只上传文件，不超过 10 MB"),
    gettext_noop("是"),
    gettext_noop("否"),
    # rexian.web.presenters.PAYLOAD_LABELS
    gettext_noop("答复"),
    gettext_noop("建议渠道"),
    gettext_noop("单位"),
    gettext_noop("办理时限"),
    gettext_noop("延期天数"),
    gettext_noop("渠道"),
    gettext_noop("知识库条目"),
    gettext_noop("已联系诉求人"),
    gettext_noop("联系上诉求人"),
    gettext_noop("问题已解决"),
    gettext_noop("并入工单"),
    gettext_noop("重办"),
    # rexian.web.presenters.FIELD_LABELS
    gettext_noop("诉求人"),
    gettext_noop("联系电话"),
    gettext_noop("诉求类型"),
    gettext_noop("紧急程度"),
    gettext_noop("街道"),
    # rexian.web.views.portal.CITIZEN_STATES
    gettext_noop("已受理，正在派单"),
    gettext_noop("办理完毕，正在审核"),
    gettext_noop("已答复，待评价"),
    gettext_noop("已并入其他工单"),
    # rexian.web.views.portal.PUBLIC_WORDING
    gettext_noop("已受理"),
    gettext_noop("已直接答复"),
    gettext_noop("已派至承办单位"),
    gettext_noop("承办单位已签收"),
    gettext_noop("承办单位已答复"),
    gettext_noop("已回访"),
    # rexian.taxonomy.policy.STAGE_LABELS
    gettext_noop("退单期限"),
    gettext_noop("办理"),
    # rexian.supervision.clocks.Light
    gettext_noop("正常"),
    gettext_noop("即将超期"),
    # rexian.supervision.clocks.Card
    gettext_noop("黄牌"),
    gettext_noop("橙牌"),
    gettext_noop("红牌"),
    # rexian.supervision.models.WatchKind
    gettext_noop("挂牌督办"),
    gettext_noop("重点疑难事项"),
    # rexian.web.views.supervision.TAB_LABELS
    gettext_noop("督办台账"),
    gettext_noop("重点疑难事项库"),
    gettext_noop("亮牌"),
    gettext_noop("风险预警"),
    # rexian.web.views.supervision.SORTS
    gettext_noop("按超期时间"),
    gettext_noop("按单位"),
    # rexian.web.views.supervision.EXPLAINED
    gettext_noop("待说明"),
    gettext_noop("已说明"),
    # rexian.analytics.metrics.METRICS
    gettext_noop("受理量"),
    gettext_noop("直办量"),
    gettext_noop("直办率"),
    gettext_noop("派单量"),
    gettext_noop("签收量"),
    gettext_noop("按时签收率"),
    gettext_noop("退单量"),
    gettext_noop("退单率"),
    gettext_noop("延期量"),
    gettext_noop("延期率"),
    gettext_noop("答复量"),
    gettext_noop("超期答复"),
    gettext_noop("按时办结率"),
    gettext_noop("回访量"),
    gettext_noop("回访率"),
    gettext_noop("评价数"),
    gettext_noop("满意率"),
    gettext_noop("解决率"),
    gettext_noop("重办量"),
    gettext_noop("重办率"),
    gettext_noop("办结量"),
    gettext_noop("平均办理时长"),
    gettext_noop("办理时长 P90"),
    # rexian.web.views.stats.PERIODS
    gettext_noop("今日"),
    gettext_noop("本周"),
    gettext_noop("本月"),
    gettext_noop("自定义"),
    # rexian.web.views.stats.GROUPS
    gettext_noop("成员单位"),
    gettext_noop("承办单位"),
    gettext_noop("一级分类"),
    gettext_noop("末级分类"),
    gettext_noop("日"),
    gettext_noop("月"),
    # rexian.analytics.models.ReportKind
    gettext_noop("周报"),
    gettext_noop("月报"),
    gettext_noop("季报"),
    gettext_noop("年报"),
    # rexian.knowledge.rules.STATUS_LABELS
    gettext_noop("草稿"),
    gettext_noop("待审核"),
    gettext_noop("已发布"),
    gettext_noop("已过期"),
    gettext_noop("已撤回"),
    # rexian.knowledge.rules.STEP_LABELS
    gettext_noop("新建"),
    gettext_noop("修改"),
    gettext_noop("提交审核"),
    gettext_noop("审核发布"),
    gettext_noop("退回修改"),
    gettext_noop("撤回"),
    gettext_noop("到期失效"),
    gettext_noop("恢复为草稿"),
    # rexian.knowledge.actions.FIELD_LABELS
    gettext_noop("问法"),
    gettext_noop("标准答复"),
    gettext_noop("白话版"),
    gettext_noop("维护单位"),
    gettext_noop("标签"),
    gettext_noop("相关链接"),
    gettext_noop("生效日期"),
    gettext_noop("失效日期"),
)

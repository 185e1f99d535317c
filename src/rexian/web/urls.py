from django.contrib.auth import views as auth_views
from django.urls import include, path

from rexian.web.views import (
    callback,
    console,
    dispatch,
    intake,
    notices,
    portal,
    review,
    routing,
    search,
    stats,
    supervision,
    ticket,
    unit,
)

console_patterns = [
    path("", console.dashboard, name="console"),
    path("intake/", intake.desk, name="intake"),
    path("intake/caller", intake.caller, name="intake_caller"),
    path("intake/panels", intake.panels, name="intake_panels"),
    path("intake/transfer", intake.transfer, name="intake_transfer"),
    path("dispatch/", dispatch.queue, name="dispatch"),
    path("dispatch/batch", dispatch.batch, name="dispatch_batch"),
    path("unit/", unit.inbox, name="unit_inbox"),
    path("review/", review.queue, name="review"),
    path("callback/", callback.queue, name="callback"),
    path("search/", search.search, name="search"),
    path("tickets/<int:ticket_id>/", ticket.detail, name="ticket"),
    path("tickets/<int:ticket_id>/act/<str:action>", ticket.act, name="ticket_act"),
    path("tickets/<int:ticket_id>/files/<int:attachment_id>", ticket.download, name="ticket_file"),
    path("tickets/<int:ticket_id>/notices/issue", ticket.issue, name="ticket_notice"),
    path("tickets/<int:ticket_id>/watch", ticket.watch, name="ticket_watch"),
    path("tickets/<int:ticket_id>/watches/<int:watch_id>/lift", ticket.lift, name="ticket_lift"),
    path("supervision/", supervision.board, name="supervision"),
    path("notices/", notices.inbox, name="unit_notices"),
    path("notices/<int:notice_id>/", notices.detail, name="notice"),
    path("notices/<int:notice_id>/explain", notices.explain, name="notice_explain"),
    path("notices/<int:notice_id>/docx", notices.docx, name="notice_docx"),
    path("routing/", routing.board, name="routing"),
    path("routing/train", routing.train, name="routing_train"),
    path("routing/models/<int:model_id>/", routing.model_detail, name="routing_model"),
    path("routing/models/<int:model_id>/progress", routing.progress, name="routing_progress"),
    path("routing/models/<int:model_id>/activate", routing.activate, name="routing_activate"),
    path("routing/thresholds", routing.set_threshold, name="routing_threshold"),
    path("routing/thresholds/<int:rule_id>/remove", routing.remove_threshold, name="routing_threshold_remove"),
    path("stats/", stats.dashboard, name="stats"),
    path("stats/figures", stats.table, name="stats_table"),
    path("stats/assessment", stats.assessment, name="stats_assessment"),
    path("stats/definitions", stats.definitions, name="metrics_help"),
]

portal_patterns = [
    path("", portal.home, name="portal"),
    path("submit", portal.submit, name="portal_submit"),
    path("submitted", portal.submitted, name="portal_submitted"),
    path("track", portal.track, name="portal_track"),
    path("track/<str:number>", portal.status, name="portal_status"),
    path("track/<str:number>/rate", portal.rate, name="portal_rate"),
    path("listed/", portal.listed, name="portal_listed"),
]

urlpatterns = [
    path("", console.home, name="home"),
    path("healthz", console.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("console/", include(console_patterns)),
    path("portal/", include(portal_patterns)),
]

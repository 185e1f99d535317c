from django.contrib import admin
from django.urls import include, path, re_path

from rexian.api.api import api, unknown_path

admin.site.site_header = "Rexian 热线 · 后台管理"
admin.site.site_title = "Rexian 热线"
admin.site.index_title = "后台管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    re_path(r"^api/v1/", unknown_path),  # after every operation: what none of them matched
    path("hooks/", include("rexian.intake.urls")),
    path("hooks/", include("rexian.telephony.urls")),
    path("open311/v2/", include("rexian.api.open311.urls")),
    path("", include("rexian.core.urls")),  # /readyz
    path("", include("rexian.web.urls")),
]

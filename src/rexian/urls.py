from django.contrib import admin
from django.urls import include, path

from rexian.api.api import api

admin.site.site_header = "Rexian 热线 · 后台管理"
admin.site.site_title = "Rexian 热线"
admin.site.index_title = "后台管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("rexian.web.urls")),
]

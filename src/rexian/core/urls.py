from django.urls import path

from rexian.core import views

urlpatterns = [path("readyz", views.readyz, name="readyz")]

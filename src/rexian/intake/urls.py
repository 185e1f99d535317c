from django.urls import path

from rexian.intake import views

urlpatterns = [
    path("<slug:code>/messages", views.message, name="hook_messages"),
]

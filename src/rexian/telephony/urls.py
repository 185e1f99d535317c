from django.urls import path

from rexian.telephony import views

urlpatterns = [
    path("<slug:code>/calls", views.call_event, name="hook_calls"),
]

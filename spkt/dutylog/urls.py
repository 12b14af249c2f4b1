from django.urls import path

from spkt.dutylog import views

app_name = "dutylog"
urlpatterns = [path("", views.mutasi_today, name="today")]

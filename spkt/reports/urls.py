from django.urls import path

from spkt.reports import views

app_name = "reports"
urlpatterns = [
    path("harian/", views.daily, name="daily"),
    path("peringatan/<int:pk>/dibaca/", views.alert_read, name="alert-read"),
]

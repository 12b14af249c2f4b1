from django.urls import path

from spkt.reports import views

app_name = "reports"
urlpatterns = [
    path("harian/", views.daily, name="daily"),
    path("harian/<int:pk>/", views.detail, name="detail"),
    path("harian/<int:pk>/terima/", views.acknowledge, name="acknowledge"),
    path("harian/<int:pk>/adendum/", views.addendum, name="addendum"),
    path("harian/<int:pk>/pdf/", views.pdf, name="pdf"),
    path("peringatan/<int:pk>/dibaca/", views.alert_read, name="alert-read"),
    path("peringatan-laporan/<int:pk>/dibaca/", views.report_alert_read, name="report-alert-read"),
]

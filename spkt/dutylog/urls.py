from django.urls import path

from spkt.dutylog import views

app_name = "dutylog"
urlpatterns = [
    path("", views.mutasi_today, name="today"),
    path("tulis/", views.mutasi_write, name="write"),
    path("entri/<int:pk>/koreksi/", views.mutasi_correct, name="correct"),
    path("dinas/<int:pk>/", views.shift_detail, name="shift"),
    path("dinas/<int:pk>/pdf/", views.shift_pdf, name="shift-pdf"),
    path("dinas/<int:pk>/buka/", views.shift_open, name="open"),
    path("dinas/<int:pk>/serah-terima/", views.handover_page, name="handover"),
    path("dinas/<int:pk>/ubah-jadwal/", views.roster_change, name="roster-change"),
    path("hari/<str:day>/", views.day_book, name="day"),
    path("jadwal/", views.roster, name="roster"),
    path("kepatuhan/", views.compliance, name="compliance"),
]

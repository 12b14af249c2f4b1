from django.urls import path

from spkt.fieldhelp import map_views, register_views, views

app_name = "fieldhelp"
urlpatterns = [
    path("", views.board, name="board"),
    path("baru/", views.task_new, name="task-new"),
    path("saya/", views.mine, name="mine"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("peringatan/<int:pk>/dibaca/", views.alert_read, name="alert-read"),
    path("<int:pk>/", views.task_detail, name="detail"),
    path("<int:pk>/berangkatkan/", views.task_dispatch, name="task-dispatch"),
    path("<int:pk>/status/", views.task_status, name="task-status"),
    path("<int:pk>/koreksi/", views.task_correct, name="task-correct"),
    path("<int:pk>/langkah/", views.task_step, name="task-step"),
    path("<int:pk>/laporan/", views.task_report, name="task-report"),
    path("<int:pk>/selesai/", views.task_clear, name="task-clear"),
    path("<int:pk>/lp/", views.task_lp, name="task-lp"),
    path("foto/<int:pk>/", views.report_photo, name="photo"),
    path("register/", register_views.register, name="register"),
    path("peta/", map_views.task_map, name="map"),
]

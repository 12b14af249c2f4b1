from django.urls import path

from spkt.alerts import views

app_name = "alerts"
urlpatterns = [
    path("", views.devices, name="devices"),
    path("langganan/", views.subscribe, name="subscribe"),
    path("uji/", views.test_push, name="test"),
    path("perangkat/<int:pk>/hapus/", views.device_delete, name="device-delete"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
]

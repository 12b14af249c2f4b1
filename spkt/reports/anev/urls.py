from django.urls import path

from spkt.reports.anev import views

app_name = "anev"
urlpatterns = [
    path("standar/", views.standards_page, name="standards"),
    path("standar/polres/", views.standards_polres, name="standards-polres"),
    path("anev/", views.anev_page, name="anev"),
]

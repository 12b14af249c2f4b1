from django.urls import path

from spkt.reports.ikm import views

app_name = "ikm"
urlpatterns = [
    path("survei/kiosk/<str:code>/", views.kiosk, name="kiosk"),
    path("survei/<str:token>/", views.survey, name="survey"),
    path("laporan/ikm/", views.results, name="results"),
]

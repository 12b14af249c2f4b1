from django.urls import path

from spkt.portal import views

app_name = "portal"
urlpatterns = [
    path("v/<str:token>/", views.verify, name="verify"),
    path("kunci/<slug:code>.pem", views.public_key, name="public-key"),
]

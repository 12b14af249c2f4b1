from django.urls import path

from spkt.documents import lp_views
from spkt.portal import views

app_name = "portal"
urlpatterns = [
    path("v/<str:token>/", views.verify, name="verify"),
    path("kunci/<slug:code>.pem", views.public_key, name="public-key"),
    path("lacak/", views.track_entry, name="track-entry"),
    path("lacak/pra/<str:code>/", views.prereg_track, name="prereg-track"),
    path("lacak/<str:code>/", lp_views.track, name="track"),
    path("lapor/", views.portal_index, name="index"),
    path("lapor/<slug:code>/pesan/", views.web_message, name="web-message"),
    path(
        "lapor/<slug:code>/pesan/terkirim/<str:tracking>/",
        views.web_message_done,
        name="web-message-done",
    ),
    path("lapor/<slug:code>/<str:kind>/", views.prereg_form, name="prereg"),
]

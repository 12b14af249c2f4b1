from django.urls import path

from spkt.channels import views

app_name = "channels"
urlpatterns = [
    path("whatsapp/<slug:slug>/", views.whatsapp, name="whatsapp-webhook"),
    path("meta/<slug:slug>/", views.meta, name="meta-webhook"),
    path("telegram/<slug:slug>/", views.telegram, name="telegram-webhook"),
    path("sms/<slug:slug>/", views.sms, name="sms-webhook"),
]

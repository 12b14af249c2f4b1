from django.urls import include, path

from spkt.documents import views

app_name = "documents"
urlpatterns = [
    path("", views.document_list, name="list"),
    path("sktlk/baru/", views.sktlk_new, name="sktlk-new"),
    path("<int:pk>/", views.document_detail, name="detail"),
    path("<int:pk>/pdf/", views.document_pdf, name="pdf"),
    path("<int:pk>/batal/", views.document_void, name="void"),
    path("register/", include("spkt.documents.register_urls")),
]

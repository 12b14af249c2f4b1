from django.urls import include, path

from spkt.documents import lp_views, views

app_name = "documents"
urlpatterns = [
    path("", views.document_list, name="list"),
    path("sktlk/baru/", views.sktlk_new, name="sktlk-new"),
    path("lp/baru/", lp_views.lp_edit, name="lp-new"),
    path("lp/konsep/<int:pk>/", lp_views.lp_draft, name="lp-draft"),
    path("lp/konsep/<int:pk>/ubah/", lp_views.lp_edit, name="lp-edit"),
    path("lp/konsep/<int:pk>/gelar/", lp_views.lp_review, name="lp-review"),
    path("lp/konsep/<int:pk>/terbitkan/", lp_views.lp_issue, name="lp-issue"),
    path("reskrim/", lp_views.reskrim_queue, name="reskrim"),
    path("<int:pk>/", views.document_detail, name="detail"),
    path("<int:pk>/pdf/", views.document_pdf, name="pdf"),
    path("<int:pk>/batal/", views.document_void, name="void"),
    path("<int:pk>/perpanjang/", views.sktlk_extend, name="extend"),
    path("<int:pk>/ganti/", views.sktlk_reissue, name="sktlk-reissue"),
    path("<int:pk>/progres/", lp_views.progress_add, name="progress"),
    path("<int:pk>/terbit-ulang/", lp_views.lp_reissue, name="lp-reissue"),
    path("register/", include("spkt.documents.register_urls")),
]

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token

from spkt.api import views

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("auth/token/", obtain_auth_token, name="token"),
    path("units/", views.units, name="units"),
    path("documents/", views.documents, name="documents"),
    path("documents/sktlk/", views.sktlk_issue, name="sktlk-issue"),
    path("documents/<int:pk>/", views.document, name="document"),
    path("documents/<int:pk>/pdf/", views.document_pdf, name="document-pdf"),
    path("mutasi/", views.mutasi, name="mutasi"),
    path("mutasi/<int:pk>/", views.mutasi_entry, name="mutasi-entry"),
    path("mutasi/<int:pk>/koreksi/", views.mutasi_correct, name="mutasi-correct"),
    path("reports/daily/", views.report_daily, name="report-daily"),
]

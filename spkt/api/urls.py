from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from spkt.api import views
from spkt.core.decorators import desk_login_required
from spkt.fieldhelp import api as fieldhelp_api
from spkt.reports import api as report_api
from spkt.reports.anev import api as anev_api
from spkt.reports.ikm import api as ikm_api

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # A person opens the docs in a browser: the login page, then back (the schema itself is a 401).
    path(
        "docs/",
        # Split: the init script is a file (?script), as the CSP allows no inline script.
        desk_login_required(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
    path("auth/token/", views.TokenObtain.as_view(), name="token"),
    path("units/", views.units, name="units"),
    path("documents/", views.documents, name="documents"),
    path("documents/sktlk/", views.sktlk_issue, name="sktlk-issue"),
    path("documents/<int:pk>/", views.document, name="document"),
    path("documents/<int:pk>/pdf/", views.document_pdf, name="document-pdf"),
    path("mutasi/", views.mutasi, name="mutasi"),
    path("mutasi/<int:pk>/", views.mutasi_entry, name="mutasi-entry"),
    path("mutasi/<int:pk>/koreksi/", views.mutasi_correct, name="mutasi-correct"),
    path("reports/daily/", views.report_daily, name="report-daily"),
    path("reports/daily/submit/", report_api.daily_submit, name="report-daily-submit"),
    path(
        "reports/daily/<int:pk>/acknowledge/",
        report_api.daily_acknowledge,
        name="report-daily-acknowledge",
    ),
    path("contacts/", views.contacts, name="contacts"),
    path("contacts/<int:pk>/", views.contact, name="contact"),
    path("contacts/<int:pk>/claim/", views.contact_claim, name="contact-claim"),
    path("contacts/<int:pk>/reply/", views.contact_reply, name="contact-reply"),
    path("contacts/<int:pk>/acknowledge/", views.contact_acknowledge, name="contact-acknowledge"),
    path("contacts/<int:pk>/close/", views.contact_close, name="contact-close"),
    path("ikm/", ikm_api.ikm, name="ikm"),
    path("field-tasks/", fieldhelp_api.field_tasks, name="field-tasks"),
    path("field-tasks/<int:pk>/", fieldhelp_api.field_task, name="field-task"),
    path("field-tasks/<int:pk>/status/", fieldhelp_api.field_task_status, name="field-task-status"),
    path(
        "field-tasks/<int:pk>/reports/", fieldhelp_api.field_task_reports, name="field-task-reports"
    ),
    path("anev/", anev_api.anev, name="anev"),
    path("standards/", anev_api.standards, name="standards"),
    re_path(r"^", views.not_found),  # last: any other path (newlines too) is a JSON 404
]

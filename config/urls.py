from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from spkt.accounts import signin
from spkt.core import health
from spkt.reports import views as report_views

urlpatterns = [
    path("", report_views.dashboard, name="dashboard"),
    path("kerja/", report_views.worklist, name="worklist"),
    path("masuk/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("masuk/kode/", signin.verify, name="second-factor-verify"),
    path("masuk/daftar-autentikator/", signin.enrol, name="second-factor-enrol"),
    path("masuk/kode-pemulihan/", signin.recovery, name="second-factor-recovery"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("health/", health.health, name="health"),
    path("dokumen/", include("spkt.documents.urls")),
    path("mutasi/", include("spkt.dutylog.urls")),
    path("laporan/", include("spkt.reports.urls")),
    path("laporan/", include("spkt.reports.anev.urls")),
    path("api/", include("spkt.api.urls")),
    path("kontak/", include("spkt.intake.urls")),
    path("bantuan/", include("spkt.fieldhelp.urls")),
    path("notifikasi/", include("spkt.alerts.urls")),
    path("hooks/", include("spkt.channels.urls")),
    path("", include("spkt.reports.ikm.urls")),  # survei/…, laporan/ikm/
    path("", include("spkt.portal.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "spkt.portal.errors.bad_request"
handler403 = "spkt.portal.errors.forbidden"
handler404 = "spkt.portal.errors.not_found"

from django.urls import path

from spkt.intake import views

app_name = "intake"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("panggil/", views.ticket_call, name="ticket-call"),
    path("<int:pk>/", views.contact_detail, name="detail"),
    path("<int:pk>/ambil/", views.contact_claim, name="contact-claim"),
    path("<int:pk>/balas/", views.contact_reply, name="contact-reply"),
    path("<int:pk>/tanggapi/", views.contact_acknowledge, name="contact-acknowledge"),
    path("<int:pk>/selesai/", views.contact_close, name="contact-close"),
    path("<int:pk>/tautkan/", views.contact_link, name="contact-link"),
    path("pesan/<int:pk>/kirim-ulang/", views.message_retry, name="message-retry"),
    path("lampiran/<int:pk>/", views.attachment_download, name="attachment"),
    path("telepon/", views.phone_log, name="phone-log"),
    path("surat/", views.letter_list, name="letters"),
    path("surat/baru/", views.letter_new, name="letter-new"),
    path("surat/<int:pk>/pindaian/", views.letter_scan, name="letter-scan"),
    # Public, no login: the lobby kiosk and display, and the citizen's tracking page.
    path("kios/<slug:code>/", views.kiosk, name="kiosk"),
    path("kios/<slug:code>/<str:tracking>/", views.kiosk_ticket, name="kiosk-ticket"),
    path("layar/<slug:code>/", views.lobby, name="lobby"),
    path("lacak/<str:code>/", views.track, name="track"),
]

"""Demo data for Polsek Kota Selatan: the unit tree, people in three guard squads, and a few days of
cases issued through the real services. Idempotent: running it again changes nothing.

Personnel and citizens are fictional. Unit names, addresses and kelurahan codes follow DOMAIN.md §h.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction

from spkt.core import clock
from spkt.core.timeutil import duty_day_of, local_datetime
from spkt.documents.lp import LpContent, lp_draft_save, lp_issue, lp_review, progress_add
from spkt.documents.models import Document, Pasal
from spkt.documents.services import CitizenData, LostItem, sktlk_issue
from spkt.dutylog.handover import (
    Count,
    handover_add_item,
    handover_confirm,
    handover_count,
    handover_start,
)
from spkt.dutylog.models import ItemKind, MutasiCategory, Regu, Shift
from spkt.dutylog.services import mutasi_write, shift_current, shift_open
from spkt.org.models import (
    Equipment,
    EquipmentKind,
    Kelurahan,
    Pangkat,
    Personnel,
    Role,
    Unit,
    UnitKind,
    User,
)
from spkt.org.services import roles_ensure, unit_create, user_create

DEMO_PASSWORD = "spkt-demo-2026"  # noqa: S105 (documented demo accounts, dev only)

POLSEK = [
    ("kota-utara", "Kota Utara"),
    ("kota-selatan", "Kota Selatan"),
    ("kota-barat", "Kota Barat"),
    ("kota-timur", "Kota Timur"),
    ("kota-tengah", "Kota Tengah"),
    ("dungingi", "Dungingi"),
    ("kpg", "Kawasan Pelabuhan Gorontalo"),
]
KELURAHAN = [
    ("75.71.02.1010", "Biawao"),
    ("75.71.02.1012", "Biawu"),
    ("75.71.02.1013", "Limba B"),
    ("75.71.02.1019", "Limba U I"),
    ("75.71.02.1020", "Limba U II"),
]
# (regu, head (name, rank, nrp), members [(name, rank, nrp)])
SQUADS = [
    (
        "Regu I",
        ("Made Wirawan", Pangkat.IPTU, "78040211"),
        [
            ("Yusuf Tangahu", Pangkat.BRIGPOL, "95110342"),
            ("Sari Mohamad", Pangkat.BRIPKA, "89070815"),
            ("Andi Podungge", Pangkat.BRIPTU, "98020176"),
        ],
    ),
    (
        "Regu II",
        ("Hasan Lamato", Pangkat.IPDA, "80120455"),
        [
            ("Rizal Kadir", Pangkat.BRIPKA, "88050931"),
            ("Nurul Hulalata", Pangkat.BRIGPOL, "94081127"),
            ("Fadli Datau", Pangkat.BRIPDA, "01030588"),
        ],
    ),
    (
        "Regu III",
        ("Stevan Rumondor", Pangkat.AIPTU, "76090318"),
        [
            ("Rahmat Abdullah", Pangkat.BRIPKA, "87121044"),
            ("Ika Paramata", Pangkat.BRIPTU, "97060233"),
            ("Jefri Nento", Pangkat.BRIPDA, "00110764"),
        ],
    ),
]
CASES = [
    (
        "Rahma Suleman",
        "7571025506850003",
        "Gorontalo",
        date(1985, 6, 15),
        "P",
        "Jl. Sultan Botutihe No. 12, Biawu",
        "75.71.02.1012",
        "Pedagang",
        [("KTP", ""), ("ATM", "BRI"), ("SIM", "SIM C")],
        "Pasar Sentral, Biawu",
    ),
    (
        "Hendra Pakaya",
        "7571021203790002",
        "Limboto",
        date(1979, 3, 12),
        "L",
        "Jl. Pertiwi No. 5, Limba B",
        "75.71.02.1013",
        "Wiraswasta",
        [("STNK", "DM 4521 AB")],
        "Jl. Nani Wartabone",
    ),
    (
        "Fitri Usman",
        "7571024708990001",
        "Gorontalo",
        date(1999, 8, 7),
        "P",
        "Jl. Raja Eyato No. 33, Limba U I",
        "75.71.02.1019",
        "Mahasiswa",
        [("KTP", ""), ("KK", "")],
        "Taman Kota Gorontalo",
    ),
    (
        "Yamin Olii",
        "7571020101700004",
        "Tilamuta",
        date(1970, 1, 1),
        "L",
        "Jl. Agus Salim No. 2, Biawao",
        "75.71.02.1010",
        "PNS",
        [("IJAZAH", "SMA 1 Gorontalo 1988")],
        "Terminal 42",
    ),
]


def _unit(code: str, parent: Unit | None, **fields: object) -> Unit:
    unit = Unit.objects.filter(code=code).first()
    return unit or unit_create(parent=parent, code=code, **fields)


def _person(unit: Unit, name: str, pangkat: str, nrp: str, jabatan: str) -> Personnel:
    person, _ = Personnel.objects.get_or_create(
        nrp=nrp, defaults={"unit": unit, "name": name, "pangkat": pangkat, "jabatan": jabatan}
    )
    return person


def _login(
    username: str, unit: Unit, role: str, person: Personnel | None = None, **extra: Any
) -> User:
    user = User.objects.filter(username=username).first()
    return user or user_create(
        username=username,
        password=DEMO_PASSWORD,
        unit=unit,
        roles=[role],
        personnel=person,
        first_name=person.name if person else username,
        **extra,
    )


@transaction.atomic
def seed_units() -> dict[str, Unit]:
    polda = _unit(
        "polda-gorontalo",
        None,
        name="Polda Gorontalo",
        kind=UnitKind.POLDA,
        number_name="POLDA GORONTALO",
        letterhead_name="DAERAH GORONTALO",
        head_title="KEPALA KEPOLISIAN DAERAH GORONTALO",
        city="Gorontalo",
    )
    polres = _unit(
        "polresta-gorontalo-kota",
        polda,
        name="Polresta Gorontalo Kota",
        kind=UnitKind.POLRES,
        number_name="POLRESTA GORONTALO KOTA",
        letterhead_name="RESOR GORONTALO KOTA",
        head_title="KEPALA KEPOLISIAN RESOR GORONTALO KOTA",
        city="Gorontalo",
    )
    units = {"polda": polda, "polres": polres}
    for code, name in POLSEK:
        units[code] = _unit(
            code,
            polres,
            name=f"Polsek {name}",
            kind=UnitKind.POLSEK,
            number_name=f"POLSEK {name.upper()}",
            letterhead_name=f"SEKTOR {name.upper()}",
            head_title=f"KEPALA KEPOLISIAN SEKTOR {name.upper()}",
            city="Gorontalo",
        )
    selatan = units["kota-selatan"]
    if not selatan.address:
        Unit.objects.filter(pk=selatan.pk).update(
            address="Jl. Gn. Tilongkabila, Biawu, Kec. Kota Selatan, Kota Gorontalo 96133"
        )
        selatan.refresh_from_db()
    for code, name in KELURAHAN:
        Kelurahan.objects.get_or_create(code=code, defaults={"unit": selatan, "name": name})
    return units


@transaction.atomic
def seed_people(units: dict[str, Unit]) -> dict[str, User]:
    roles_ensure()
    selatan, polres, polda = units["kota-selatan"], units["polres"], units["polda"]
    users: dict[str, User] = {}
    for order, (regu_name, head, members) in enumerate(SQUADS, start=1):
        head_p = _person(selatan, *head, "Ka SPKT")
        regu, _ = Regu.objects.get_or_create(
            unit=selatan, name=regu_name, defaults={"order": order, "head": head_p}
        )
        regu.members.add(head_p, *[_person(selatan, *m, "Anggota Jaga SPKT") for m in members])
    kapolsek = _person(selatan, "Arief Gobel", Pangkat.AKP, "83010249", "Kapolsek")
    users["kapolsek"] = _login("kapolsek", selatan, Role.KAPOLSEK, kapolsek)
    users["kaspkt"] = _login("kaspkt", selatan, Role.KA_SPKT, Personnel.objects.get(nrp="78040211"))
    # The heads of the other squads sign their own handovers with their own passwords.
    users["kaspkt2"] = _login(
        "kaspkt2", selatan, Role.KA_SPKT, Personnel.objects.get(nrp="80120455")
    )
    users["kaspkt3"] = _login(
        "kaspkt3", selatan, Role.KA_SPKT, Personnel.objects.get(nrp="76090318")
    )
    users["jaga"] = _login(
        "jaga", selatan, Role.ANGGOTA_JAGA, Personnel.objects.get(nrp="95110342")
    )
    reskrim = _person(selatan, "Budi Hunowu", Pangkat.AIPDA, "84060522", "Kanit Reskrim")
    users["reskrim"] = _login("reskrim", selatan, Role.RESKRIM, reskrim)
    penilai = _person(
        polres, "Linda Mokoginta", Pangkat.KOMPOL, "79030617", "Tim Penilai Sat Samapta"
    )
    users["penilai"] = _login("penilai", polres, Role.PENILAI, penilai)
    users["admin"] = _login("admin", polda, Role.ADMIN, None, is_staff=True, is_superuser=True)
    # Another station, for trying isolation by hand.
    utara = units["kota-utara"]
    head_u = _person(utara, "Ronald Mamonto", Pangkat.IPTU, "77050119", "Ka SPKT")
    regu_u, _ = Regu.objects.get_or_create(
        unit=utara, name="Regu I", defaults={"order": 1, "head": head_u}
    )
    regu_u.members.add(head_u)
    users["jaga_utara"] = _login(
        "jaga.utara",
        utara,
        Role.ANGGOTA_JAGA,
        _person(utara, "Dewi Lasena", Pangkat.BRIPTU, "96040851", "Anggota Jaga"),
    )
    return users


EQUIPMENT = [
    (EquipmentKind.WEAPON, "Pistol HS-9", "HS-2231045"),
    (EquipmentKind.WEAPON, "Pistol HS-9", "HS-2231078"),
    (EquipmentKind.WEAPON, "Revolver Taurus", "TR-88213"),
    (EquipmentKind.WEAPON, "Revolver Taurus", "TR-88240"),
    (EquipmentKind.AMMO, "Amunisi 9 mm (butir)", ""),
    (EquipmentKind.RADIO, "HT Motorola", "MT-1101"),
    (EquipmentKind.RADIO, "HT Motorola", "MT-1102"),
    (EquipmentKind.RADIO, "HT Motorola", "MT-1103"),
    (EquipmentKind.VEHICLE, "Sepeda motor patroli", "DM 3011 P"),
    (EquipmentKind.VEHICLE, "Sepeda motor patroli", "DM 3012 P"),
    (EquipmentKind.KEY, "Kunci ruang tahanan", ""),
]
# Night entries every ~2 h keep the book "kept"; one night is left silent to show a finding.
NIGHT = [
    (22, 0, "Patroli malam ke Pasar Sentral dan Jl. Nani Wartabone; aman."),
    (23, 50, "Kontrol ruang tahanan; tahanan dalam keadaan baik."),
    (1, 40, "Patroli dialogis di Jl. Raja Eyato; situasi aman."),
    (3, 30, "Kontrol markas dan ruang tahanan; aman."),
]


def seed_equipment(unit: Unit) -> None:
    for kind, name, serial in EQUIPMENT:
        qty = 60 if kind == EquipmentKind.AMMO else 1
        Equipment.objects.get_or_create(
            unit=unit, kind=kind, name=name, serial=serial, defaults={"quantity": qty}
        )


def _all_present(shift: Shift) -> list[tuple[int, bool, str]]:
    return [(pid, True, "") for pid in sorted(shift.lineup())]


def _head_user(shift: Shift) -> User:
    return User.objects.get(personnel=shift.ka_spkt)


def _handover(prev: Shift, nxt_day: date, actor: User, *, missing_radio: bool) -> Shift:
    ho = handover_start(outgoing=prev, actor=actor)
    counts = {}
    for item in ho.items.all():
        short = missing_radio and item.serial == "MT-1103"
        counts[item.pk] = Count(
            counted=item.expected - 1 if short else item.expected,
            odometer=12000 + nxt_day.day * 37 if item.kind == ItemKind.VEHICLE else None,
            fuel="3/4" if item.kind == ItemKind.VEHICLE else "",
            condition="baik" if item.kind == ItemKind.VEHICLE else "",
            discrepancy_reason="Dibawa regu patroli ke Jl. Nani Wartabone." if short else "",
        )
    if not ho.items.filter(kind=ItemKind.DETAINEE).exists():
        detainee = handover_add_item(
            handover=ho,
            kind=ItemKind.DETAINEE,
            label="Tahanan a.n. RUDI H. (curanmor)",
            actor=actor,
        )
        counts[detainee.pk] = Count(counted=1)
    handover_count(handover=ho, counts=counts, notes="", actor=actor)
    incoming = ho.incoming
    handover_confirm(
        handover=ho,
        outgoing_user=_head_user(prev),
        incoming_user=_head_user(incoming),
        roll_call=_all_present(incoming),
        actor=actor,
    )
    incoming.refresh_from_db()
    return incoming


def seed_cases(units: dict[str, Unit], users: dict[str, User], *, days: int = 3) -> int:
    """Run the last ``days`` duty days and today up to now: apel, handovers, night entries and
    SKTLKs, all through the real services (once)."""
    selatan = units["kota-selatan"]
    if (
        Document.objects.filter(unit=selatan).exists()
        or Shift.objects.filter(unit=selatan, status__in=["open", "closed"]).exists()
    ):
        return 0
    seed_equipment(selatan)
    kelurahan = {k.code: k.pk for k in Kelurahan.objects.filter(unit=selatan)}
    now = clock.now()
    first_day = duty_day_of(now, selatan.shift_start_hour) - timedelta(days=days)
    issued, shift = 0, None
    for offset in range(days + 1):
        day = first_day + timedelta(days=offset)
        with clock.travel(local_datetime(day, 8) + timedelta(minutes=5)):
            if shift is None:
                shift = shift_current(unit=selatan)
                shift_open(shift=shift, actor=_head_user(shift), roll_call=_all_present(shift))
            else:
                shift = _handover(shift, day, _head_user(shift), missing_radio=offset == 2)
        for i, case in enumerate(CASES[offset % 2 :: 2]):
            at = local_datetime(day, 10 + 3 * i)
            if at > now:
                break
            name, nik, place, born, sex, addr, kel, job, items, lost_place = case
            with clock.travel(at):
                sktlk_issue(
                    actor=users["jaga"],
                    unit=selatan,
                    citizen=CitizenData(
                        name=name,
                        nik=nik,
                        birth_place=place,
                        birth_date=born,
                        gender=sex,
                        address=addr,
                        religion="Islam",
                        occupation=job,
                        phone="0812" + nik[-8:],
                        kelurahan_id=kelurahan.get(kel),
                    ),
                    items=[LostItem(kind=k, details=d, papers_checked=True) for k, d in items],
                    lost_on=day - timedelta(days=1),
                    lost_place=lost_place,
                    idempotency_key=f"demo-{day.isoformat()}-{i}",
                )
                issued += 1
        if offset == days - 1:
            # Yesterday afternoon's reports, while yesterday's shift holds the book: once handed
            # over, its book is sealed and takes no entry.
            issued += seed_reports(units, users)
        for hour, minute, text in NIGHT:
            at = local_datetime(day + timedelta(days=1 if hour < 12 else 0), hour) + timedelta(
                minutes=minute
            )
            if at > now or (offset == 1 and hour == 1):
                continue
            with clock.travel(at):
                mutasi_write(
                    actor=users["jaga"], unit=selatan, text=text, category=MutasiCategory.PATROLI
                )
    return issued


def seed_reports(units: dict[str, Unit], users: dict[str, User]) -> int:
    """Two Laporan Polisi from yesterday afternoon: a house break-in reported by a citizen (model
    B, reviewed by Reskrim, with its STTLP and a progress note) and a model A found on patrol."""
    selatan = units["kota-selatan"]
    if Document.objects.filter(unit=selatan, doc_type__in=["LP_A", "LP_B"]).exists():
        return 0
    day = duty_day_of(clock.now(), selatan.shift_start_hour) - timedelta(days=1)
    curat = Pasal.objects.filter(book="KUHP_2023", article="477").first()
    keroyok = Pasal.objects.filter(book="KUHP_2023", article="262").first()
    with clock.travel(local_datetime(day, 15)):
        draft = lp_draft_save(
            actor=users["jaga"],
            unit=selatan,
            content=LpContent(
                model="B",
                classification="Kejahatan",
                event_when=local_datetime(day, 2),
                event_where="Jl. Pertiwi No. 5, Kel. Limba B",
                event_what="Pencurian dengan pemberatan: rumah dibobol, laptop dan TV hilang",
                account=(
                    "Pelapor tidur di rumah orang tua. Pukul 07.30 WITA pelapor pulang dan "
                    "mendapati pintu belakang rusak dicongkel; 1 laptop dan 1 televisi hilang."
                ),
                citizen=CitizenData(
                    name="Hendra Pakaya",
                    nik="7571021203790002",
                    birth_place="Limboto",
                    birth_date=date(1979, 3, 12),
                    gender="L",
                    address="Jl. Pertiwi No. 5, Limba B",
                    religion="Islam",
                    occupation="Wiraswasta",
                    phone="081234560002",
                ),
                victims=[
                    {
                        "name": "Hendra Pakaya",
                        "birth": "47 tahun",
                        "gender": "Laki-laki",
                        "occupation": "Wiraswasta",
                        "address": "Jl. Pertiwi No. 5",
                    }
                ],
                witnesses=[
                    {
                        "name": "Siti Mooduto",
                        "birth": "36 tahun",
                        "gender": "Perempuan",
                        "occupation": "Ibu rumah tangga",
                        "address": "Jl. Pertiwi No. 7",
                        "contact": "0813 4000 7000",
                    }
                ],
                evidence=["1 (satu) buah gembok rusak"],
                offences=[curat] if curat else [],
            ),
        )
    with clock.travel(local_datetime(day, 15) + timedelta(minutes=20)):
        lp_review(
            actor=users["reskrim"],
            draft=draft,
            offences=list(draft.offences.all()),
            recommendation="Memenuhi unsur pencurian dengan pemberatan; olah TKP hari ini.",
        )
    with clock.travel(local_datetime(day, 15) + timedelta(minutes=30)):
        lp = lp_issue(actor=users["jaga"], draft=draft, idempotency_key=f"demo-lp-b-{day}")
    with clock.travel(local_datetime(day, 18)):
        progress_add(
            actor=users["reskrim"],
            lp=lp,
            stage="penyelidikan",
            public_note="Olah TKP sudah dilakukan; saksi tetangga sudah dimintai keterangan.",
        )
        officer = Personnel.objects.get(nrp="89070815")
        found = lp_draft_save(
            actor=users["kaspkt"],
            unit=selatan,
            content=LpContent(
                model="A",
                classification="Kejahatan",
                event_when=local_datetime(day, 17),
                event_where="Lorong belakang Pasar Sentral",
                event_what="Pengeroyokan di depan pasar, pelaku tertangkap tangan",
                account=(
                    "Saat patroli, anggota mendapati dua orang memukuli seorang pemuda; "
                    "keduanya diamankan di tempat."
                ),
                officer=officer,
                reported=[{"name": "RD (42 th)"}, {"name": "AS (39 th)"}],
                evidence=["1 (satu) potong kayu balok"],
                offences=[keroyok] if keroyok else [],
            ),
        )
        lp_issue(actor=users["kaspkt"], draft=found, idempotency_key=f"demo-lp-a-{day}")
    return 2


def seed_contacts(units: dict[str, Unit], users: dict[str, User]) -> int:
    """A few contacts on the desk's clock right now: answered, waiting, and one already late."""
    from spkt.intake.models import Contact
    from spkt.intake.services import (
        Incoming,
        contact_acknowledge,
        contact_receive,
        phone_log,
        ticket_issue,
    )

    selatan = units["kota-selatan"]
    if Contact.objects.filter(unit=selatan).exists():
        return 0
    now = clock.now()
    with clock.travel(now - timedelta(minutes=40)):
        phone_log(
            actor=users["jaga"],
            unit=selatan,
            caller="0813 4001 2002",
            name="Ibu Rahmi",
            summary="Menanyakan syarat SKTLK untuk STNK yang hilang; dijelaskan.",
        )
    with clock.travel(now - timedelta(minutes=25)):
        wa = contact_receive(
            unit=selatan,
            incoming=Incoming(
                channel="whatsapp",
                sender_name="Arif",
                sender_address="6281245550101",
                external_thread="6281245550101",
                external_id="demo.wamid.1",
                body="Selamat pagi, ada motor parkir di trotoar Jl. Raja Eyato sudah 3 hari.",
            ),
        )
    with clock.travel(now - timedelta(minutes=23)):
        # Answered by phone, and recorded (a WhatsApp reply would go to the demo sinks).
        contact_acknowledge(
            actor=users["jaga"], contact=wa, note="Dijawab: petugas patroli akan mengecek lokasi."
        )
    with clock.travel(now - timedelta(minutes=7)):
        contact_receive(
            unit=selatan,
            incoming=Incoming(
                channel="email",
                sender_name="Nur Hasan",
                sender_address="nur.hasan@example.id",
                subject="Cara melapor penipuan online",
                body="Saya tertipu jual beli online. Bagaimana cara melapor ke Polsek?",
            ),
        )
    with clock.travel(now - timedelta(minutes=4)):
        # A web-form message with a phone number: answered by SMS through the demo sinks.
        contact_receive(
            unit=selatan,
            incoming=Incoming(
                channel="web",
                sender_name="Siti Aisyah",
                sender_address="0812 3456 7890",
                subject="Lampu jalan mati dan sering ada balap liar",
                body="Lampu jalan mati dan ada balap liar di Jl. Sultan Botutihe tiap malam.",
            ),
        )
    with clock.travel(now - timedelta(minutes=2)):
        ticket_issue(unit=selatan)
    return 5


# The demo's channel accounts deliver to the local sinks that `make run` starts
# (spkt.channels.sinks, `manage.py demo_sinks`): email over SMTP, SMS as SMS Gateway for
# Android, WhatsApp Cloud API.
DEMO_EMAIL_SLUG = "demo-email-selatan"
DEMO_SMS_SLUG = "demo-sms-selatan"
DEMO_WHATSAPP_SLUG = "demo-wa-selatan"
DEMO_SMS_KEY = "demo-android-signing-key"  # demo only, like DEMO_PASSWORD


def demo_sink_accounts(unit: Unit, *, smtp_port: int, provider_port: int) -> int:
    """The three demo accounts of ``unit``, pointed at the sinks on 127.0.0.1; made once."""
    from spkt.channels.models import ChannelAccount, SmsGateway

    base = f"http://127.0.0.1:{provider_port}"
    accounts = [
        (
            DEMO_EMAIL_SLUG,
            "email",
            "Email SPKT (demo, SMTP lokal)",
            {
                "from_address": "spkt@polsek-kota-selatan.demo",
                "smtp_host": "127.0.0.1",
                "smtp_port": smtp_port,
                "send_only": True,
            },
            {},
        ),
        (
            DEMO_SMS_SLUG,
            "sms",
            "SMS (demo, gateway lokal)",
            {"gateway": SmsGateway.ANDROID, "api_url": f"{base}/android", "username": "demo"},
            {"gateway_password": "demo-gateway-pass", "signing_key": DEMO_SMS_KEY},
        ),
        (
            DEMO_WHATSAPP_SLUG,
            "whatsapp",
            "WhatsApp (demo, Cloud API lokal)",
            {"api_base": f"{base}/whatsapp/v21.0", "phone_number_id": "1055"},
            {"access_token": "demo-access-token", "app_secret": "demo-app-secret"},
        ),
    ]
    made = 0
    for slug, channel, name, config, secrets in accounts:
        if ChannelAccount.objects.filter(slug=slug).exists():
            continue
        account = ChannelAccount(unit=unit, channel=channel, name=name, slug=slug, config=config)
        account.set_secrets(secrets)
        account.save()
        made += 1
    return made


def seed_all() -> str:
    units = seed_units()
    users = seed_people(units)
    issued = seed_cases(units, users)
    issued += seed_reports(units, users)
    seed_contacts(units, users)
    demo_sink_accounts(
        units["kota-selatan"],
        smtp_port=settings.SPKT_DEMO_SMTP_PORT,
        provider_port=settings.SPKT_DEMO_PROVIDER_PORT,
    )
    seed_field_tasks(units, users)
    seed_daily_report(units, users)
    seed_surveys(units)
    return f"{len(units)} units, {User.objects.count()} users, {issued} new demo documents"


def seed_daily_report(units: dict[str, Unit], users: dict[str, User]) -> int:
    """Yesterday's daily report, sent by the Ka SPKT after the handover and acknowledged by the
    Kapolsek with a disposisi (once)."""
    from spkt.reports.models import DailyReport
    from spkt.reports.services import report_acknowledge, report_submit

    selatan = units["kota-selatan"]
    now = clock.now()
    day = duty_day_of(now, selatan.shift_start_hour) - timedelta(days=1)
    closed = Shift.objects.filter(
        unit=selatan, starts_at=local_datetime(day, selatan.shift_start_hour), status="closed"
    ).first()
    if closed is None or DailyReport.objects.filter(unit=selatan, day=day).exists():
        return 0
    closed_at = closed.closed_at or now  # a closed shift has its moment
    sent_at = max(closed_at, min(closed_at + timedelta(minutes=7), now))
    with clock.travel(sent_at):
        report = report_submit(
            actor=users["kaspkt"],
            unit=selatan,
            day=day,
            situation="Situasi aman dan kondusif",
            remarks="Satu HT dibawa regu patroli saat serah terima.",
            matters="Mohon tambahan satu unit HT untuk regu jaga.",
        )
    with clock.travel(max(sent_at, min(sent_at + timedelta(minutes=15), now))):
        report_acknowledge(
            actor=users["kapolsek"],
            report=report,
            disposisi="Pastikan HT kembali ke SPKT sebelum apel sore.",
        )
    return 1


def seed_field_tasks(units: dict[str, Unit], users: dict[str, User]) -> int:
    """Field help on the board right now: a TPTKP on scene whose hourly report is late, a patrol
    dispatched, and one request still waiting for a team."""
    from spkt.dutylog.selectors import shift_on_duty
    from spkt.fieldhelp.models import Task
    from spkt.fieldhelp.services import (
        task_create,
        task_dispatch,
        task_report,
        task_status,
        task_step_tick,
        task_types_for,
    )

    selatan = units["kota-selatan"]
    if Task.objects.filter(unit=selatan).exists():
        return 0
    desk = users["kaspkt"]
    shift = shift_on_duty(unit=selatan)
    lineup = sorted(shift.lineup()) if shift is not None else []
    people = list(Personnel.objects.filter(pk__in=lineup).order_by("pk"))
    vehicles = list(Equipment.objects.filter(unit=selatan, kind=EquipmentKind.VEHICLE))
    types = {t.code: t for t in task_types_for(selatan)}
    now = clock.now()
    with clock.travel(now - timedelta(minutes=95)):
        tptkp = task_create(
            actor=desk,
            unit=selatan,
            task_type=types["tptkp"],
            source="phone",
            address="Jl. Nani Wartabone, depan Pasar Sentral",
            lat="0.5412",
            lon="123.0595",
            known="Perkelahian; satu orang luka ringan.",
            requested_by="Pedagang pasar (telepon)",
            priority="high",
        )
    if not people:
        return 1
    reason = "" if len(people) > 1 else "Demo: satu-satunya personel dinas"
    with clock.travel(now - timedelta(minutes=93)):
        task_dispatch(
            actor=desk,
            task=tptkp,
            personnel=people[:1],
            equipment=vehicles[:1],
            override_reason=reason,
        )
    with clock.travel(now - timedelta(minutes=85)):
        task_status(actor=desk, task=tptkp, status="on_scene", idempotency_key="demo-1")
        task_step_tick(actor=desk, task=tptkp, step=1)
        task_step_tick(actor=desk, task=tptkp, step=2)
    with clock.travel(now - timedelta(minutes=80)):
        task_report(actor=desk, task=tptkp, text="Korban dibawa ke RS; TKP dipasang garis polisi.")
    if len(people) > 1:
        with clock.travel(now - timedelta(minutes=30)):
            patrol = task_create(
                actor=desk,
                unit=selatan,
                task_type=types["patroli"],
                source="planned",
                address="Rute Biawu - Limba B - Pasar Sentral",
            )
            task_dispatch(actor=desk, task=patrol, personnel=people[1:2])
    with clock.travel(now - timedelta(minutes=3)):
        task_create(
            actor=desk,
            unit=selatan,
            task_type=types["pengaturan"],
            source="order",
            address="Simpang Jl. Sudirman - Jl. Panjaitan",
            requested_by="Kapolsek",
        )
    return 3


def seed_surveys(units: dict[str, Unit]) -> int:
    """Satisfaction survey answers (spkt.reports.ikm): the citizens of the demo's SKTLK/STTLP
    answer by their printed link, and a few more on the desk tablet (once)."""
    from spkt.reports.ikm.models import SurveyInvitation, SurveyResponse
    from spkt.reports.ikm.services import Answer, invitation_create, response_submit

    selatan = units["kota-selatan"]
    if SurveyResponse.objects.filter(unit=selatan).exists():
        return 0
    patterns = [
        ([4, 4, 3, 4, 3, 4, 4, 3, 3], "L", "30-39", "Pelayanan cepat, petugas ramah."),
        ([3, 3, 3, 4, 3, 3, 4, 3, 2], "P", "20-29", "Ruang tunggu panas, mohon kipas angin."),
        ([4, 3, 2, 4, 3, 4, 4, 3, 3], "P", "40-49", ""),
        ([3, 3, 3, 4, 4, 3, 3, 2, 3], "L", "50+", ""),
    ]
    invitations = list(
        SurveyInvitation.objects.filter(unit=selatan, used_at=None).order_by("pk")[:4]
    )
    while len(invitations) < 8:
        invitations.append(invitation_create(unit=selatan, service="kiosk"))
    for i, invitation in enumerate(invitations):
        scores, gender, age, comment = patterns[i % len(patterns)]
        response_submit(
            invitation_id=invitation.pk,
            answer=Answer(scores=scores, gender=gender, age_band=age, comment=comment),
        )
    return len(invitations)

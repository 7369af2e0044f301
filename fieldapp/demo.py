"""Demo data from the 2018 news report: seven oblasts, ~60 villages, ~250 institutions.

Deterministic (seeded) so screenshots and tests see the same villages every time. Statuses
are never set by hand: crews send evidence through the sync pipelines (demo_evidence.py) and
supervisors decide through decisions.py, so every status has its evidence behind it.
"""

import random

import click
from flask import current_app
from flask.cli import with_appcontext

from fieldapp import accounts
from fieldapp import blobstore
from fieldapp import clock
from fieldapp import demo_evidence
from fieldapp import installations
from fieldapp import migrations
from fieldapp import places
from fieldapp import profiles
from fieldapp import store
from fieldapp import tags
from fieldapp.db import get_db

CONTRACT = "PPP-2018-FOCL"
# Oblast -> districts: (Russian name, Kazakh name, centre lat, centre lon).
DISTRICTS = {
    "KZ-31": [
        ("Жуалынский район", "Жуалы ауданы", 42.75, 70.85),
        ("Кордайский район", "Қордай ауданы", 43.20, 74.60),
        ("Сарысуский район", "Сарысу ауданы", 43.75, 69.90),
    ],
    "KZ-35": [
        ("Каркаралинский район", "Қарқаралы ауданы", 49.45, 75.30),
        ("Шетский район", "Шет ауданы", 48.60, 73.60),
        ("Осакаровский район", "Осакаров ауданы", 50.55, 72.60),
    ],
    "KZ-43": [
        ("Жалагашский район", "Жалағаш ауданы", 45.10, 64.60),
        ("Кармакшинский район", "Қармақшы ауданы", 45.50, 64.10),
        ("Сырдарьинский район", "Сырдария ауданы", 44.95, 65.30),
    ],
    "KZ-55": [
        ("Баянаульский район", "Баянауыл ауданы", 50.75, 75.70),
        ("Иртышский район", "Ертіс ауданы", 53.30, 75.45),
        ("Щербактинский район", "Шарбақты ауданы", 52.45, 78.10),
    ],
    "KZ-15": [
        ("Мугалжарский район", "Мұғалжар ауданы", 49.00, 57.60),
        ("Хромтауский район", "Хромтау ауданы", 50.30, 58.40),
        ("Байганинский район", "Байғанин ауданы", 48.20, 55.90),
    ],
    "KZ-11": [
        ("Целиноградский район", "Целиноград ауданы", 51.05, 71.30),
        ("Бурабайский район", "Бурабай ауданы", 53.00, 70.30),
        ("Аршалынский район", "Аршалы ауданы", 50.80, 72.20),
    ],
    "KZ-61": [
        ("Сайрамский район", "Сайрам ауданы", 42.35, 69.80),
        ("Сузакский район", "Созақ ауданы", 43.80, 69.20),
        ("Казыгуртский район", "Қазығұрт ауданы", 41.80, 69.40),
    ],
}
VILLAGES = [
    ("Акколь", "Ақкөл"),
    ("Каратобе", "Қаратөбе"),
    ("Жанаталап", "Жаңаталап"),
    ("Коксай", "Көксай"),
    ("Сарыагаш", "Сарыағаш"),
    ("Акжар", "Ақжар"),
    ("Кайнар", "Қайнар"),
    ("Бирлик", "Бірлік"),
    ("Карабулак", "Қарабұлақ"),
    ("Жетыбай", "Жетібай"),
    ("Кызылжар", "Қызылжар"),
    ("Тасты", "Тасты"),
    ("Енбек", "Еңбек"),
    ("Береке", "Береке"),
    ("Шолаккорган", "Шолаққорған"),
    ("Акбулак", "Ақбұлақ"),
    ("Жана-Жол", "Жаңажол"),
    ("Кокозек", "Көкөзек"),
    ("Талдыбулак", "Талдыбұлақ"),
    ("Аксу", "Ақсу"),
    ("Карасу", "Қарасу"),
    ("Майбалык", "Майбалық"),
    ("Ынтымак", "Ынтымақ"),
    ("Достык", "Достық"),
    ("Коктерек", "Көктерек"),
    ("Сарыбулак", "Сарыбұлақ"),
    ("Кызылту", "Қызылту"),
    ("Жалпаксай", "Жалпақсай"),
    ("Талапты", "Талапты"),
    ("Акшокы", "Ақшоқы"),
    ("Бесоба", "Бесоба"),
    ("Жанаарка", "Жаңаарқа"),
    ("Каракемер", "Қаракемер"),
    ("Тогызкент", "Тоғызкент"),
    ("Шалкар", "Шалқар"),
    ("Улгили", "Үлгілі"),
    ("Жиделі", "Жиделі"),
    ("Актас", "Ақтас"),
    ("Караой", "Қараой"),
    ("Кенжеколь", "Кеңжекөл"),
    ("Жаркамыс", "Жарқамыс"),
    ("Бестерек", "Бестерек"),
    ("Шубаркудук", "Шұбарқұдық"),
    ("Егиндыколь", "Егіндікөл"),
    ("Новоишимка", "Новоишимка"),
    ("Каменка", "Каменка"),
    ("Приозерное", "Приозерное"),
    ("Степное", "Степное"),
    ("Жанатурмыс", "Жаңатұрмыс"),
    ("Кумкент", "Құмкент"),
    ("Шаян", "Шаян"),
    ("Тасарык", "Тасарық"),
    ("Аккум", "Аққұм"),
    ("Бидайколь", "Бидайкөл"),
    ("Жусандала", "Жусандала"),
    ("Таскудык", "Тасқұдық"),
    ("Коныртобе", "Қоңыртөбе"),
    ("Кызылсай", "Қызылсай"),
    ("Ушбас", "Үшбас"),
    ("Жамбыл", "Жамбыл"),
    ("Оркен", "Өркен"),
    ("Кайракты", "Қайрақты"),
    ("Саздысай", "Саздысай"),
]
# (type, Russian name, Kazakh name, probability of one in a village)
INSTITUTIONS = [
    ("school", "Средняя школа №{n} села {v}", "{vk} ауылының №{n} орта мектебі", 1.0),
    ("akimat", "Аппарат акима {v} сельского округа", "{vk} ауылдық округі әкімінің аппараты", 0.7),
    ("fap", "Фельдшерско-акушерский пункт села {v}", "{vk} ауылының фельдшерлік-акушерлік пункті", 0.5),
    ("medical_point", "Медицинский пункт села {v}", "{vk} ауылының медициналық пункті", 0.3),
    ("outpatient_clinic", "Врачебная амбулатория села {v}", "{vk} ауылының дәрігерлік амбулаториясы", 0.25),
    ("kindergarten", "Детский сад «Балапан» села {v}", "{vk} ауылының «Балапан» балабақшасы", 0.3),
    ("police", "Участковый пункт полиции села {v}", "{vk} ауылының учаскелік полиция пункті", 0.3),
    ("emergency", "Пожарный пост села {v}", "{vk} ауылының өрт сөндіру бекеті", 0.2),
    ("hospital", "Сельская больница села {v}", "{vk} ауылдық ауруханасы", 0.15),
    ("public_wifi", "Точка общественного Wi-Fi села {v}", "{vk} ауылының қоғамдық Wi-Fi нүктесі", 0.15),
]
STATUS_MIX = ["planned"] * 5 + ["in_progress"] * 3 + ["submitted"] * 2 + ["returned", "approved", "accepted"]
SUPERVISED = ("KZ-31", "KZ-61", "KZ-43")
USERS = [
    ("tech", "Нурлан Сейтказы", "technician", (), "kk"),
    ("tech2", "Айгерим Токтарова", "technician", (), "ru"),
    ("super", "Ерлан Жумабеков", "supervisor", SUPERVISED, "ru"),
    ("admin", "Admin", "admin", (), "en"),
]
# More crews so each demo technician has a realistic load (~30 sites); password = username.
CREWS = [
    ("tech3", "Бауыржан Омаров"),
    ("tech4", "Дамир Касымов"),
    ("tech5", "Асель Нурланова"),
    ("tech6", "Санжар Абенов"),
    ("tech7", "Марат Искаков"),
    ("tech8", "Гульнар Серикова"),
]


def load(db, tag_keys, config=None, seed=2018):
    """Load the demo set into a database with the schema applied; returns counts.

    Every institution gets a QR tag signed with `tag_keys`, so scanning works in the demo.
    `config` (the app's config) names the blob store for photos; without it only the sites
    and their planned installations are loaded.
    """
    rng = random.Random(seed)
    profile_id = profiles.ensure_default(db)
    users = {u[0]: _user(db, *u) for u in USERS}
    users.update({name: _user(db, name, full, "technician", (), "ru") for name, full in CREWS})
    region_ids = {row["iso_code"]: row["id"] for row in db.query("SELECT id, iso_code FROM regions")}
    with store.write(db):
        villages = _villages(db, rng, region_ids)
        institution_ids = [_institutions(db, rng, v) for v in villages]
    institution_ids = [i for ids in institution_ids for i in ids]
    plans = _installations(db, institution_ids, profile_id, users)
    for institution_id in institution_ids:
        tags.issue(db, tag_keys, institution_id)
    counts = {"records": 0, "photos": 0, "traces": 0, "reviews": 0}
    if config is not None:
        counts = _evidence(db, rng, tag_keys, blobstore.from_config(config), plans, users)
    return {
        "regions": len(DISTRICTS),
        "settlements": len(villages),
        "institutions": len(institution_ids),
        "installations": len(institution_ids),
        **counts,
    }


def _user(db, username, name, role, regions, language):
    existing = store.scalar(db, "SELECT id FROM users WHERE username = ?", [username])
    if existing:
        return existing
    region_ids = [store.scalar(db, "SELECT id FROM regions WHERE iso_code = ?", [c]) for c in regions]
    return accounts.create_user(db, username, name, username, role, region_ids, language)


def _villages(db, rng, region_ids):
    """Spread the village names over the districts, each near its district centre."""
    districts = [(iso, d) for iso, ds in DISTRICTS.items() for d in ds]
    villages = []
    for index, (name_ru, name_kk) in enumerate(VILLAGES):
        iso, (d_ru, d_kk, lat, lon) = districts[index % len(districts)]
        district = places.district_id(db, region_ids[iso], d_ru, d_kk)
        kato = f"{iso[3:]}{index % len(districts):02d}{index:03d}01"
        v_lat, v_lon = lat + rng.uniform(-0.35, 0.35), lon + rng.uniform(-0.45, 0.45)
        settlement = places.settlement_id(
            db, district, kato, name_ru, name_kk, round(v_lat, 5), round(v_lon, 5)
        )
        villages.append({"id": settlement, "ru": name_ru, "kk": name_kk, "lat": v_lat, "lon": v_lon})
    return villages


def _institutions(db, rng, village):
    now = clock.now()
    ids = []
    for kind, ru, kk, chance in INSTITUTIONS:
        if rng.random() > chance:
            continue
        number = rng.randint(1, 3)
        pupils = rng.randint(40, 950) if kind == "school" else None
        ids.append(
            db["institutions"]
            .insert(
                {
                    "settlement_id": village["id"],
                    "type": kind,
                    "name_ru": ru.format(n=number, v=village["ru"]),
                    "name_kk": kk.format(n=number, vk=village["kk"]),
                    "bin": f"{rng.randint(10**11, 10**12 - 1)}",
                    "address": "",
                    "lat": round(village["lat"] + rng.uniform(-0.004, 0.004), 6),
                    "lon": round(village["lon"] + rng.uniform(-0.004, 0.004), 6),
                    "pupils": pupils,
                    "contracted_down_mbps": 100 if kind == "school" else 50,
                    "contracted_up_mbps": 100 if kind == "school" else 50,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            .last_pk
        )
    return ids


def _installations(db, institution_ids, profile_id, users):
    """One planned installation per institution, shared round-robin by eight crews.

    Returns (installation id, the status its story ends in, technician id) for each.
    """
    crews = [users[name] for name in ("tech", "tech2", *(name for name, _ in CREWS))]
    plans = []
    for index, institution_id in enumerate(institution_ids):
        technician = crews[index % len(crews)]
        installation_id = installations.create(db, institution_id, CONTRACT, profile_id, [technician])
        plans.append((installation_id, STATUS_MIX[index % len(STATUS_MIX)], technician))
    return plans


def _evidence(db, rng, tag_keys, blobs, plans, users):
    """Each crew's visit, then the supervisor's decision; returns what was created.

    The first two submitted sites in the supervisor's oblasts share one closure photo (the
    second crew reused the first one's picture) and the third has a dark photo, so the review
    queue shows what its checks catch.
    """
    with demo_evidence.Crew(db, blobs, tag_keys, rng) as crew:
        technicians = {}
        shown = []  # (installation, what its crew sent) for the staged submitted sites
        reviews = 0
        for installation_id, status, technician_id in plans:
            if status == "planned":
                continue
            if technician_id not in technicians:
                technicians[technician_id] = accounts.get_user(db, technician_id)
            inst = installations.get(db, installation_id)
            supervised = inst["region_iso"] in SUPERVISED
            flaws = _flaws(rng, status)
            staged = status == "submitted" and supervised and _stage(shown, inst, flaws)
            reuse = shown[0][1]["bytes"]["closure_open"] if staged and len(shown) == 1 else None
            # The staged sites have OTDR traces for two fibers; the second crew sent the first
            # one's A->B 1310 nm file as its own (a copied trace).
            copied = shown[0][1]["traces"][0] if staged and len(shown) == 1 else None
            sent = crew.visit(technicians[technician_id], inst, status, flaws, reuse,
                              traced=2 if staged else 0, copied=copied)
            if staged:
                shown.append((inst, sent))
            if status in ("returned", "approved", "accepted"):
                reviewer = users["super"] if supervised else users["admin"]
                demo_evidence.decide(db, inst, status, reviewer, sent)
                reviews += {"returned": 1, "approved": 1, "accepted": 2}[status]
    return {**crew.counts, "reviews": reviews}


def _stage(shown, inst, flaws):
    """Whether this submitted site plays a part in the review story (adds 'dark' for the third)."""
    if len(shown) == 1 and inst["settlement_id"] == shown[0][0]["settlement_id"]:
        return False  # a photo reused within one village is not a convincing fraud
    if len(shown) == 2:
        flaws.add("dark")
    return len(shown) < 3


def _flaws(rng, status):
    """What goes wrong on a site: a bend, a slow link, a shaky photo of the ONT serial; on a
    submitted one also a serial typed with two digits swapped, or a director who will not sign
    on the phone (so the review queue shows what those checks catch)."""
    flaws = set()
    if status == "returned":
        flaws.add("blurred")
    if status in ("submitted", "returned") and rng.random() < (0.5 if status == "returned" else 0.04):
        flaws.add("bend")
    if status != "in_progress" and rng.random() < 1 / 12:
        flaws.add("slow")
    if status == "submitted":
        flaws.update(flaw for flaw in ("serial_typo", "refused") if rng.random() < 1 / 8)
    return flaws


def init_app(app):
    """Register `flask demo-data` beside the data it loads (db.py need not know the demo)."""
    app.cli.add_command(demo_data_command)


@click.command("demo-data")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has sites.")
def demo_data_command(if_empty):
    """Load demo oblasts, villages, institutions, installations and accounts."""
    db = get_db()
    migrations.apply(db)
    if if_empty and db["institutions"].count:
        click.echo("Database already holds sites; demo data not loaded.")
        return
    summary = load(db, current_app.config["TAG_KEYS"], current_app.config)
    click.echo(
        "Demo data loaded: {regions} oblasts, {settlements} villages, "
        "{institutions} institutions, {installations} installations; "
        "{records} records, {photos} photos, {reviews} reviews; {traces} OTDR traces.".format(**summary)
    )
    click.echo("Accounts: tech/tech, tech2/tech2, super/super, admin/admin")

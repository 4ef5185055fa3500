"""A generated national network on top of the real reference data (`manage.py generate_network`).

The benchmark, the load test and the report benchmark all measure on this one dataset:
40 gardens that together cover every current municipality, their staff, 20,000 companies of
which 6,000 are active target companies, contacts, five years of key figures, 400,000
follow-up entries with their audit entries, 200 agreements with meetings, 100 projects,
help requests and shared competence. `scale` multiplies every volume (the 40 gardens and
their coverage stay: that is the shape of the network, not its size).

Deterministic: every value comes from one seeded `random.Random` and from a fixed last year
(not from today), so the same seed and scale give the same rows. Written with bulk_create in
batches inside one transaction: a failure leaves nothing behind.
"""

import dataclasses
import datetime
import random
import time
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from agreements.models import Agreement, AgreementParty, Meeting
from core.audit import audit_record
from core.models import AuditEntry, User
from core.text import fold_norwegian, name_sort_key
from gardens.models import (
    CompetenceArea,
    Coverage,
    Garden,
    IndustryCode,
    Municipality,
    Organisation,
    StaffMembership,
    StaffProfile,
)
from members.models import (
    Company,
    CompetenceShare,
    ContactPerson,
    DevelopmentGoal,
    EntrepreneurProfile,
    FollowUpEntry,
    HelpRequest,
    KeyFigures,
    MemberCompany,
    TargetCompany,
)
from network_portal.loading import load_network
from projects.models import Grant, Milestone, Project, ProjectPartner

AUDIT_ACTION = "network_portal.network.generated"
BATCH = 5000
GENERATED_SLUG_PREFIX = "gen-"
# The last year with data: fixed, so that the same seed gives the same rows next year too.
LAST_YEAR = 2025
YEARS = 5
# The record page benchmark opens a record with this many follow-up entries (at every scale).
SHOWCASE_FOLLOW_UPS = 200
# One garden is much larger than the rest, as in the real network (675 records at scale 1).
BIG_GARDEN_RECORDS = 675

FIRST_NAMES = ["Åse", "Ærlend", "Øystein", "Kari", "Ola", "Nina", "Bjørn", "Siri", "Håkon", "Ingrid", "Anders",
               "Ågot", "Marit", "Lars", "Solveig", "Per", "Hanne", "Tor", "Liv", "Eirik", "Randi", "Geir", "Tone",
               "Jon", "Berit", "Knut", "Heidi", "Arne", "Gunn", "Stian", "Zara", "Amir"]
LAST_NAMES = ["Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen", "Jensen",
              "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen", "Johannessen", "Ødegård",
              "Aas", "Bakke", "Sæther", "Lie", "Dahl", "Moe", "Strand", "Solberg", "Ås", "Holm", "Brå", "Nygård"]
COMPANY_WORDS = ["Fjell", "Fjord", "Nord", "Sør", "Vest", "Øst", "Bygde", "Elve", "Skog", "Kyst", "Myr", "Lia",
                 "Dal", "Berg", "Vik", "Holme", "Gård", "Stein", "Tind", "Li", "Sjø", "Brekke", "Heim", "Øy"]
COMPANY_TRADES = ["Mat", "Bygg", "Regnskap", "Reiseliv", "Design", "Elektro", "Rør", "Data", "Ysteri", "Bakeri",
                  "Sag", "Verksted", "Transport", "Eiendom", "Konsult", "Havbruk", "Energi", "Media", "Helse"]
COMPANY_FORMS = ["AS", "AS", "AS", "SA", "ENK", "DA"]
SUMMARIES = ["Kartleggingsmøte om dagens drift", "Gjennomgang av forretningsplan", "Råd om finansiering og søknad",
             "Workshop om markedsføring", "Oppfølging av utviklingsplanen", "Henvist til Innovasjon Norge",
             "Råd om eksport til Sverige", "Gjennomgang av regnskap og budsjett", "Møte om rekruttering",
             "Innspill til styrearbeid", "Grønn omstilling: energikartlegging", "Samtale om nye produkter"]
NEXT_STEPS = ["", "", "Sende tilbud", "Nytt møte om en måned", "Søknad sendes", "Følge opp budsjettet"]
GOALS = ["Eksport til Sverige", "Doble omsetningen", "Ansette to nye", "Ny nettbutikk", "Sertifisering",
         "Styre med ekstern kompetanse", "Redusere energibruken"]
COMPETENCE = ["Næringsutvikling", "Eksport og internasjonalisering", "Reiseliv", "Finansiering og søknader",
              "Innovasjon i industrien", "Grønn omstilling", "Styrearbeid", "Markedsføring", "Digitalisering",
              "Landbruk og mat"]
HEADLINES = ["Rådgiver i næringsutvikling", "Eksport og internasjonalisering", "Reiseliv og mat",
             "Finansiering og søknader", "Innovasjon i industrien", "Grønn omstilling", "Styrearbeid og eierskap"]
ROLES = ["daglig leder", "styreleder", "økonomiansvarlig", "markedsansvarlig", ""]


@dataclasses.dataclass(frozen=True)
class Plan:
    """How much to generate. `Plan.at_scale(1)` is the national network."""

    gardens: int = 40
    staff: int = 800
    companies: int = 20_000
    active: int = 6_000
    ended: int = 3_600
    follow_ups: int = 400_000
    agreements: int = 200
    meetings_per_agreement: int = 4
    projects: int = 100
    entrepreneurs: int = 1_500
    help_requests: int = 3_000
    shares: int = 400
    member_companies: int = 4_000
    published_share: float = 0.55  # of staff with a published competence profile

    @classmethod
    def at_scale(cls, scale: float, **overrides) -> "Plan":
        """Every volume times `scale` (at least one of each); the number of gardens stays."""
        base = cls()
        values = {}
        for field in dataclasses.fields(cls):
            value = getattr(base, field.name)
            if field.name in ("gardens", "published_share", "meetings_per_agreement"):
                values[field.name] = value
            else:
                values[field.name] = max(1, round(value * scale))
        values.update(overrides)
        plan = cls(**values)
        # Every garden has at least an admin and one more; the companies hold the target records.
        return dataclasses.replace(
            plan,
            staff=max(plan.staff, 2 * plan.gardens),
            companies=max(plan.companies, plan.active + plan.ended),
        )


@dataclasses.dataclass
class Generated:
    """What was generated, for the benchmark and the tests."""

    counts: dict[str, int]
    seconds: float
    big_garden: Garden
    showcase: TargetCompany
    reader: User
    admin: User


def generated_marker() -> AuditEntry | None:
    """The audit entry of the last generation in this database (scale, seed, counts), if any."""
    return AuditEntry.objects.filter(action=AUDIT_ACTION).order_by("-pk").first()


def _org_numbers(rng_start: int):
    """Fictional 9-digit organisasjonsnumre with a valid MOD11 check digit, from `rng_start` up."""
    weights = (3, 2, 7, 6, 5, 4, 3, 2)
    stem = rng_start
    while True:
        digits = f"{stem:08d}"
        rest = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
        check = 0 if rest == 0 else 11 - rest
        if check != 10:
            yield digits + str(check)
        stem += 1


def _bulk(model, rows: list, *, returning: bool = True) -> list:
    """bulk_create in batches; the saved objects (with primary keys) come back."""
    saved = []
    for start in range(0, len(rows), BATCH):
        saved.extend(model.objects.bulk_create(rows[start:start + BATCH]))
    if returning and saved and saved[0].pk is None:  # pragma: no cover - backends without RETURNING
        raise RuntimeError(f"{model.__name__}: the database did not return primary keys")
    return saved


class _Generator:
    def __init__(self, plan: Plan, seed: int, password: str | None, log) -> None:
        self.plan = plan
        self.seed = seed
        self.rng = random.Random(seed)
        self.log = log
        # One hash for every generated account (hashing 800 passwords would take minutes);
        # without a password the accounts cannot sign in ("!" is Django's unusable marker).
        self.password = make_password(password, salt="generatednetwork") if password else "!generated"
        self.first_day = datetime.date(LAST_YEAR - YEARS + 1, 1, 1)
        self.last_day = datetime.date(LAST_YEAR, 12, 31)
        self.counts: dict[str, int] = {}

    def day(self, start: datetime.date | None = None, end: datetime.date | None = None) -> datetime.date:
        start, end = start or self.first_day, end or self.last_day
        return start + datetime.timedelta(days=self.rng.randint(0, max(0, (end - start).days)))

    def person(self) -> str:
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"

    def aware(self, day: datetime.date, hour: int = 12) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, self.rng.randint(0, 59))))

    # --- the network -------------------------------------------------------------------------

    def gardens(self) -> None:
        """The seed gardens plus generated ones up to `plan.gardens`; every current municipality covered."""
        seed_gardens = list(Garden.objects.order_by("pk"))[: self.plan.gardens]
        missing = self.plan.gardens - len(seed_gardens)
        municipalities = list(Municipality.objects.current().order_by("number"))
        covered = set(Coverage.objects.current().values_list("municipality_id", flat=True))
        uncovered = [m for m in municipalities if m.pk not in covered]
        new = _bulk(Garden, [
            Garden(name=f"Generert {i + 1:02d} Næringshage", slug=f"{GENERATED_SLUG_PREFIX}{i + 1:02d}",
                   description="Generert testdata.", email=f"post@{GENERATED_SLUG_PREFIX}{i + 1:02d}.example.no")
            for i in range(missing)
        ])
        self.garden_list = seed_gardens + new
        # Neighbouring municipality numbers go to the same garden, as regions do.
        owners = new or self.garden_list
        chunk = max(1, -(-len(uncovered) // len(owners)))
        _bulk(Coverage, [
            Coverage(garden=owners[min(i // chunk, len(owners) - 1)], municipality=m, valid_from=self.first_day,
                     source="Generert testdata")
            for i, m in enumerate(uncovered)
        ])
        coverage = {}
        for garden_id, municipality_id in Coverage.objects.current().values_list("garden_id", "municipality_id"):
            coverage.setdefault(garden_id, []).append(municipality_id)
        by_pk = {m.pk: m for m in municipalities}
        all_municipalities = list(by_pk.values())
        self.municipalities_of = {
            g.pk: [by_pk[pk] for pk in coverage.get(g.pk, []) if pk in by_pk] or all_municipalities
            for g in self.garden_list
        }
        self.municipalities = municipalities
        self.counts["gardens"] = len(self.garden_list)
        self.counts["coverages"] = Coverage.objects.count()
        # The big garden (675 records at scale 1) and the rest share the records by weight.
        self.big = self.garden_list[0]

    def staff(self) -> None:
        """Staff per garden in proportion to its records; the first two of each garden are admin and staff."""
        plan, gardens = self.plan, self.garden_list
        big_share = BIG_GARDEN_RECORDS / 9_600
        weights = [big_share] + [(1 - big_share) / max(1, len(gardens) - 1)] * (len(gardens) - 1)
        per_garden = [2] * len(gardens)
        for _ in range(plan.staff - sum(per_garden)):
            per_garden[self.rng.choices(range(len(gardens)), weights)[0]] += 1
        users, memberships = [], []
        n = 0
        for garden, count in zip(gardens, per_garden, strict=True):
            for k in range(count):
                n += 1
                users.append(User(email=f"radgiver{n}@{garden.slug}.example.no", full_name=self.person(),
                                  password=self.password, date_joined=self.aware(self.first_day)))
                memberships.append((garden, "admin" if k == 0 else "staff"))
        users = _bulk(User, users)
        _bulk(StaffMembership, [
            StaffMembership(user=u, garden=g, role=role, valid_from=self.first_day, title=self.rng.choice(HEADLINES))
            for u, (g, role) in zip(users, memberships, strict=True)
        ])
        self.staff_of: dict[int, list[User]] = {}
        for u, (g, _role) in zip(users, memberships, strict=True):
            self.staff_of.setdefault(g.pk, []).append(u)
        self.all_staff = users
        self.garden_of_user = {u.pk: g for u, (g, _role) in zip(users, memberships, strict=True)}
        self.counts["staff"] = len(users)

    def profiles(self) -> None:
        """Published competence profiles, their search text folded as the service folds it."""
        areas = []
        for i, name in enumerate(COMPETENCE):
            area = CompetenceArea.objects.filter(name=name).first()
            areas.append(area or CompetenceArea.objects.create(name=name, slug=f"{slugify(name)}-{i}"))
        published = [u for u in self.all_staff if self.rng.random() < self.plan.published_share]
        profiles, chosen = [], []
        for user in published:
            headline = self.rng.choice(HEADLINES)
            mine = self.rng.sample(areas, self.rng.randint(1, 3))
            garden = self.garden_of_user[user.pk]
            served = self.rng.sample(self.municipalities_of[garden.pk],
                                     min(2, len(self.municipalities_of[garden.pk])))
            text = " ".join([user.full_name, headline, "norsk, English", *(a.name for a in mine),
                             *(m.name for m in served), garden.name])
            profiles.append(StaffProfile(
                user=user, headline=headline, languages="norsk, English", is_public=True,
                bio="Jeg hjelper bedrifter med å vokse.",
                capacity_note="Kan ta oppdrag for andre hager", capacity_hours_per_month=self.rng.choice([4, 8, 16]),
                published_at=self.aware(self.first_day), search_text=f" {fold_norwegian(text)} ",
                sort_key=name_sort_key(user.full_name)[:300]))
            chosen.append((mine, served))
        profiles = _bulk(StaffProfile, profiles)
        area_links = StaffProfile.competence_areas.through
        served_links = StaffProfile.municipalities_served.through
        _bulk(area_links, [area_links(staffprofile_id=p.pk, competencearea_id=a.pk)
                           for p, (mine, _s) in zip(profiles, chosen, strict=True) for a in mine], returning=False)
        _bulk(served_links, [served_links(staffprofile_id=p.pk, municipality_id=m.pk)
                             for p, (_a, served) in zip(profiles, chosen, strict=True) for m in served],
              returning=False)
        self.profile_of = {p.user_id: p for p in profiles}
        self.counts["published profiles"] = len(profiles)

    # --- companies and records ------------------------------------------------------------

    def companies(self) -> None:
        plan = self.plan
        industries = list(IndustryCode.objects.filter(level=5).order_by("code").values_list("pk", flat=True))
        numbers = _org_numbers(70_000_000 + self.seed % 1000 * 10_000)
        taken = set(Company.objects.values_list("org_number", flat=True))
        rows = []
        for _ in range(plan.companies):
            number = next(numbers)
            while number in taken:
                number = next(numbers)
            name = (f"{self.rng.choice(COMPANY_WORDS)}{self.rng.choice(COMPANY_TRADES).lower()} "
                    f"{self.rng.choice(COMPANY_WORDS)} {self.rng.choice(COMPANY_FORMS)}")
            rows.append(Company(org_number=number, name=name,
                                industry_id=self.rng.choice(industries) if industries else None))
        self.company_list = rows  # municipalities follow the garden the company is given to
        self.counts["companies"] = plan.companies

    def targets(self) -> None:
        """Target records: the big garden's 675 (at scale 1), the rest spread over the other gardens."""
        plan, gardens = self.plan, self.garden_list
        records = plan.active + plan.ended
        big_records = min(records, max(1, round(BIG_GARDEN_RECORDS * records / 9_600)))
        garden_of_record = [self.big] * big_records + [
            gardens[1 + i % (len(gardens) - 1)] if len(gardens) > 1 else self.big
            for i in range(records - big_records)
        ]
        active_flags = [True] * plan.active + [False] * plan.ended
        self.rng.shuffle(active_flags)
        companies = self.company_list
        member_rows = []
        for i, company in enumerate(companies):
            garden = garden_of_record[i] if i < records else self.rng.choice(gardens)
            company.municipality = self.rng.choice(self.municipalities_of[garden.pk])
            if i >= records and len(member_rows) < plan.member_companies:
                member_rows.append((garden, company))
        companies = _bulk(Company, companies)
        _bulk(MemberCompany, [MemberCompany(garden=g, company=c, joined_on=self.day()) for g, c in member_rows])
        self.counts["member companies"] = len(member_rows)
        rows = []
        for i in range(records):
            garden = garden_of_record[i]
            active = active_flags[i]
            start = self.day(self.first_day - datetime.timedelta(days=365 * 2), self.last_day)
            end = None if active else min(self.last_day + datetime.timedelta(days=300),
                                          start + datetime.timedelta(days=self.rng.randint(200, 1100)))
            status = "active" if active else self.rng.choice(["completed", "completed", "withdrawn"])
            rows.append(TargetCompany(
                garden=garden, company=companies[i], org_number=companies[i].org_number,
                contract_start=start, contract_end=end,
                phase=self.rng.choice(TargetCompany.Phase.values), status=status,
                withdrawn_reason="Bedriften ønsket å avslutte." if status == "withdrawn" else "",
                adviser=self.rng.choice(self.staff_of[garden.pk]),
                notes=self.rng.choice(["", "", "Stor vekstvilje.", "Familiebedrift i tredje generasjon."]),
            ))
        self.target_list = _bulk(TargetCompany, rows)
        self.counts["target companies"] = len(self.target_list)
        self.counts["active target companies"] = plan.active
        # The showcase record: active, in the big garden, with exactly SHOWCASE_FOLLOW_UPS entries.
        self.showcase = next(t for t in self.target_list if t.garden_id == self.big.pk and t.status == "active")
        audit = [self._audit("members.targetcompany.created", t, t.adviser, self.aware(t.contract_start, 9), {
            "contract_start": [None, t.contract_start.isoformat()], "phase": [None, t.get_phase_display()],
            "status": [None, t.get_status_display()], "company.name": [None, t.company.name],
            "company.org_number": [None, t.company.org_number]}) for t in self.target_list]
        _bulk(AuditEntry, audit, returning=False)
        self.audit_count = len(audit)

    def _audit(self, action: str, target: TargetCompany, actor: User, at: datetime.datetime,
               changes: dict) -> AuditEntry:
        garden = self.garden_by_pk[target.garden_id]
        return AuditEntry(action=action, actor=actor, actor_label=str(actor), garden_id=garden.pk,
                          garden_label=garden.name[:150], target_type="members.targetcompany",
                          target_id=str(target.pk), target_label=f"{target.company.name} ({garden.name})"[:300],
                          changes=changes, at=at)

    def record_details(self) -> None:
        """Contacts, five years of key figures and a development plan per record."""
        contacts, figures, goals = [], [], []
        for t in self.target_list:
            for _ in range(self.rng.choice([1, 1, 2, 2, 3])):
                name = self.person()
                contacts.append(ContactPerson(
                    target=t, name=name, role=self.rng.choice(ROLES),
                    email=f"{slugify(name)}@{slugify(t.company.name)[:30]}.example.no",
                    phone=f"{self.rng.randint(400, 999)} {self.rng.randint(10, 99)} {self.rng.randint(100, 999)}"))
            end_year = (t.contract_end or self.last_day).year
            for year in range(max(t.contract_start.year, LAST_YEAR - YEARS + 1), min(end_year, LAST_YEAR) + 1):
                if self.rng.random() < 0.85:
                    leaders = self.rng.randint(1, 5)
                    figures.append(KeyFigures(
                        target=t, year=year, turnover=Decimal(self.rng.randint(2, 9000) * 1000),
                        value_creation=Decimal(self.rng.randint(1, 3000) * 1000),
                        employees=Decimal(self.rng.randint(1, 80)) / 2,
                        women_in_leadership=self.rng.randint(0, leaders), leaders_total=leaders))
            for description in self.rng.sample(GOALS, self.rng.randint(0, 3)):
                goals.append(DevelopmentGoal(target=t, description=description,
                                             status=self.rng.choice(DevelopmentGoal.Status.values),
                                             due=self.day(t.contract_start, self.last_day)))
        _bulk(ContactPerson, contacts, returning=False)
        _bulk(KeyFigures, figures, returning=False)
        _bulk(DevelopmentGoal, goals, returning=False)
        self.counts.update({"contacts": len(contacts), "key figures": len(figures), "goals": len(goals)})

    def shares(self) -> None:
        """Colleagues in other gardens asked for help; the accepted ones log hours (counted for their garden)."""
        published = [u for u in self.all_staff if u.pk in self.profile_of]
        active = [t for t in self.target_list if t.status == "active" and t.pk != self.showcase.pk]
        rows = []
        for _ in range(min(self.plan.shares, len(active))):
            target = self.rng.choice(active)
            others = [u for u in published if self.garden_of_user[u.pk].pk != target.garden_id]
            if not others:
                break
            colleague = self.rng.choice(others)
            status = self.rng.choice(["pending", "accepted", "accepted", "declined", "closed"])
            created = self.aware(self.day(max(self.first_day, target.contract_start)))
            rows.append(CompetenceShare(
                target=target, requested_by=target.adviser, colleague=colleague,
                colleague_garden=self.garden_of_user[colleague.pk], message="Kan du hjelpe med eksportplanen?",
                status=status, created_at=created,
                responded_at=created + datetime.timedelta(days=2) if status != "pending" else None,
                closed_at=created + datetime.timedelta(days=60) if status == "closed" else None))
        self.share_list = _bulk(CompetenceShare, rows)
        self.counts["competence shares"] = len(rows)

    def follow_ups(self) -> None:
        """The follow-up log with one audit entry per entry, written in batches as they are made."""
        plan = self.plan
        targets = self.target_list
        weights = [self.rng.expovariate(1.0) for _ in targets]
        showcase_index = targets.index(self.showcase)
        weights[showcase_index] = 0  # its entries are made below, exactly SHOWCASE_FOLLOW_UPS of them
        helpers = {}
        for share in self.share_list:
            if share.status in ("accepted", "closed"):
                helpers.setdefault(share.target_id, []).append(share)
        kinds = {value: str(label) for value, label in FollowUpEntry.Kind.choices}
        showcase_count = min(SHOWCASE_FOLLOW_UPS, plan.follow_ups)
        picks = [showcase_index] * showcase_count + self.rng.choices(
            range(len(targets)), weights=weights, k=plan.follow_ups - showcase_count)
        entries, audit, total = [], [], 0

        def flush():
            FollowUpEntry.objects.bulk_create(entries)
            AuditEntry.objects.bulk_create(audit)

        for index in picks:
            target = targets[index]
            garden = self.garden_by_pk[target.garden_id]
            share = None
            if target.pk in helpers and self.rng.random() < 0.3:
                share = self.rng.choice(helpers[target.pk])
            if share is not None:
                adviser, adviser_garden = share.colleague, share.colleague_garden
            else:
                adviser, adviser_garden = self.rng.choice(self.staff_of[garden.pk]), garden
            start = max(target.contract_start, self.first_day)
            end = min(target.contract_end or self.last_day, self.last_day)
            date = self.day(start, end) if start <= end else start
            kind = self.rng.choice(FollowUpEntry.Kind.values)
            hours = Decimal(self.rng.randint(1, 16)) / 2
            summary = self.rng.choice(SUMMARIES)
            next_step = self.rng.choice(NEXT_STEPS)
            own_share = Decimal(self.rng.randint(1, 20) * 500) if kind == "advice" and self.rng.random() < 0.2 \
                else None
            entries.append(FollowUpEntry(target=target, date=date, kind=kind, hours=hours, adviser=adviser,
                                         adviser_garden=adviser_garden, summary=summary, next_step=next_step,
                                         own_share=own_share))
            # As members.services.follow_up_log records it: every field from nothing to its value.
            changes = {"adviser": [None, str(adviser)], "adviser_garden": [None, adviser_garden.name],
                       "date": [None, date.isoformat()], "hours": [None, f"{hours:.2f}"],
                       "kind": [None, kinds[kind]], "next_step": [None, next_step], "summary": [None, summary]}
            if own_share is not None:
                changes["own_share"] = [None, f"{own_share:.2f}"]
            audit.append(self._audit("members.followupentry.created", target, adviser,
                                     self.aware(date, self.rng.randint(8, 16)), changes))
            if len(entries) == BATCH:
                flush()
                total += len(entries)
                entries, audit = [], []
                if total % 100_000 == 0:
                    self.log(f"  {total:,} follow-up entries".replace(",", " "))
        flush()
        total += len(entries)
        self.counts["follow-up entries"] = total
        self.audit_count += total

    # --- the network's cooperation ---------------------------------------------------------------

    def agreements(self) -> None:
        gardens = self.garden_list
        rows, parties, meetings = [], [], []
        for i in range(self.plan.agreements):
            signed = self.day()
            rows.append(Agreement(name=f"Generert samarbeidsavtale {i + 1:04d}", slug=f"generert-avtale-{i + 1:04d}",
                                  kind=self.rng.choice(Agreement.Kind.values), signed_on=signed,
                                  purpose="Samarbeid om kompetanse og felles tiltak.", valid_from=signed,
                                  source="Generert testdata"))
        rows = _bulk(Agreement, rows)
        for agreement in rows:
            for garden in self.rng.sample(gardens, min(len(gardens), self.rng.randint(2, 5))):
                parties.append(AgreementParty(agreement=agreement, garden=garden))
            for k in range(self.plan.meetings_per_agreement):
                date = self.day(agreement.signed_on, self.last_day + datetime.timedelta(days=180))
                meetings.append(Meeting(agreement=agreement, title=f"Samarbeidsmøte {k + 1}", date=date,
                                        place=self.rng.choice(self.municipalities).name,
                                        status="held" if date <= self.last_day else "planned",
                                        agenda="Status i prosjektene\nEventuelt"))
        _bulk(AgreementParty, parties, returning=False)
        _bulk(Meeting, meetings, returning=False)
        self.counts.update({"agreements": len(rows), "meetings": len(meetings)})

    def projects(self) -> None:
        gardens = self.garden_list
        funder = Organisation.objects.order_by("pk").first()
        rows = []
        for i in range(self.plan.projects):
            first = self.rng.randint(LAST_YEAR - YEARS + 1, LAST_YEAR)
            years = self.rng.randint(1, 4)
            rows.append(Project(name=f"Generert prosjekt {i + 1:03d}", slug=f"generert-prosjekt-{i + 1:03d}",
                                purpose="Utvikle næringslivet i regionen.", lead_garden=self.rng.choice(gardens),
                                status=self.rng.choice(Project.Status.values), start_year=first,
                                end_year=first + years - 1, duration_years=years, source="Generert testdata"))
        rows = _bulk(Project, rows)
        partners, grants, milestones = [], [], []
        for project in rows:
            for garden in {project.lead_garden, *self.rng.sample(gardens, min(len(gardens), self.rng.randint(0, 3)))}:
                partners.append(ProjectPartner(project=project, garden=garden))
            if funder is not None:
                grants.append(Grant(project=project, funder=funder, amount=Decimal(self.rng.randint(2, 40) * 50_000),
                                    year=project.start_year))
            for k in range(3):
                milestones.append(Milestone(project=project, title=f"Milepæl {k + 1}",
                                            due=datetime.date(project.start_year, 3 + 4 * k, 1)))
        partners.sort(key=lambda p: (p.project.pk, p.garden.pk))
        _bulk(ProjectPartner, partners, returning=False)
        _bulk(Grant, grants, returning=False)
        _bulk(Milestone, milestones, returning=False)
        self.counts.update({"projects": len(rows), "grants": len(grants), "milestones": len(milestones)})

    def help_requests(self) -> None:
        users = _bulk(User, [User(email=f"grunder{i + 1}@example.no", full_name=self.person(), password=self.password,
                                  date_joined=self.aware(self.first_day))
                             for i in range(self.plan.entrepreneurs)])
        _bulk(EntrepreneurProfile, [EntrepreneurProfile(user=u, municipality=self.rng.choice(self.municipalities))
                                    for u in users], returning=False)
        rows = []
        for _ in range(self.plan.help_requests):
            garden = self.rng.choice(self.garden_list)
            user = self.rng.choice(users) if self.rng.random() < 0.7 else None
            name = user.full_name if user else self.person()
            status = self.rng.choice(HelpRequest.Status.values)
            staff = self.staff_of[garden.pk]
            rows.append(HelpRequest(
                garden=garden, requester=user, name=name, email=user.email if user else f"{slugify(name)}@example.no",
                municipality=self.rng.choice(self.municipalities_of[garden.pk]),
                message="Jeg vil starte bedrift og trenger råd om finansiering.", status=status,
                assigned_to=self.rng.choice(staff) if status != "new" else None,
                created_at=self.aware(self.day())))
        _bulk(HelpRequest, rows, returning=False)
        self.entrepreneurs = users
        self.counts.update({"entrepreneurs": len(users), "help requests": len(rows)})

    def run(self) -> Generated:
        started = time.monotonic()
        self.log("Loading the reference data (load_network)…")
        load_network()
        steps = [("gardens and coverage", self.gardens), ("staff", self.staff), ("profiles", self.profiles),
                 ("companies", self.companies), ("target companies", self.targets),
                 ("contacts, key figures, goals", self.record_details), ("competence shares", self.shares),
                 ("follow-up log", self.follow_ups), ("agreements", self.agreements), ("projects", self.projects),
                 ("help requests", self.help_requests)]
        for label, step in steps:
            if label == "staff":
                self.garden_by_pk = {g.pk: g for g in self.garden_list}
            t0 = time.monotonic()
            step()
            self.log(f"  {label}: {time.monotonic() - t0:.1f} s")
        self.counts["audit entries"] = self.audit_count
        reader = User.objects.create(email="leser@generert.example.no", full_name="Siva Leser",
                                     is_network_reader=True, password=self.password)
        seconds = time.monotonic() - started
        audit_record(action=AUDIT_ACTION, actor_label="generate_network", changes={
            "seed": self.seed, "plan": dataclasses.asdict(self.plan), "counts": self.counts,
            "big_garden": self.big.slug, "showcase": self.showcase.pk, "reader": reader.email,
            "admin": self.staff_of[self.big.pk][0].email, "seconds": round(seconds, 1),
        })
        return Generated(counts=self.counts, seconds=seconds, big_garden=self.big, showcase=self.showcase,
                         reader=reader, admin=self.staff_of[self.big.pk][0])


def generate_network(*, scale: float = 1.0, seed: int = 2026, plan: Plan | None = None, password: str | None = None,
                     log=lambda message: None) -> Generated:
    """Generate the network (see the module docstring) in one transaction; refuse to do it twice."""
    if generated_marker() is not None or Garden.objects.filter(slug__startswith=GENERATED_SLUG_PREFIX).exists():
        raise ValueError("This database already holds a generated network; use a fresh database.")
    plan = plan or Plan.at_scale(scale)
    with transaction.atomic():
        generated = _Generator(plan, seed, password, log).run()
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # Fresh statistics, or the planner guesses on empty tables. Only once the rows are committed:
        # inside an outer transaction (a test) ANALYZE would record counts of rows that are then
        # rolled back, and later queries would be planned for tables that are not there.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return generated

"""`manage.py generate_network`: a generated national network for benchmarks and load tests."""

from django.core.management.base import BaseCommand, CommandError

from network_portal.generate import generate_network


class Command(BaseCommand):
    help = ("Generate a realistic, seeded national network on top of the reference data: 40 gardens, 800 staff, "
            "20,000 companies, 400,000 follow-up entries… (--scale multiplies the volumes).")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--scale", type=float, default=1.0, help="1 = national (default), 0.1, 10 …")
        parser.add_argument("--seed", type=int, default=2026, help="the same seed gives the same data")
        parser.add_argument("--password", default=None,
                            help="a password for every generated account (default: none can sign in)")

    def handle(self, *args, scale: float, seed: int, password: str | None, **options) -> None:
        if not 0 < scale <= 100:
            raise CommandError("--scale must be above 0 and at most 100.")
        try:
            result = generate_network(scale=scale, seed=seed, password=password, log=self.stdout.write)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        for label, count in result.counts.items():
            self.stdout.write(f"  {label:<28} {count:>9,}".replace(",", " "))
        self.stdout.write(self.style.SUCCESS(
            f"Generated in {result.seconds:.0f} s (scale {scale:g}, seed {seed}). The largest garden: "
            f"{result.big_garden.slug}; a record with its full follow-up log: {result.showcase.get_absolute_url()}"))

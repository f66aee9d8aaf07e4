"""Add deterministic synthetic data for benchmarks: `manage.py seed_synthetic --rounds N [--seed S]`."""

import time

from django.core.management import BaseCommand, CommandError

from portfolio import synthetic


class Command(BaseCommand):
    help = (
        "Add N synthetic funding rounds with their companies, investors, participations, sources, "
        "model releases, KPIs and listings (the same data for the same seed), written in bulk."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rounds", type=int, required=True, help="How many funding rounds to add.")
        parser.add_argument("--seed", type=int, default=0, help="The same seed gives the same data.")

    def handle(self, *args, rounds: int, seed: int, **options):
        if rounds < 1:
            raise CommandError("--rounds must be at least 1.")
        plan = synthetic.Plan(rounds)
        self.stdout.write(
            f"Adding {plan.rounds:,} rounds, {plan.companies:,} companies, {plan.investors:,} investors, "
            f"{plan.sources:,} sources, {plan.model_releases:,} model releases and {plan.kpis:,} KPIs."
        )
        started = time.monotonic()

        def progress(model, written: int) -> None:
            if options["verbosity"] >= 2 or written % 50_000 == 0:
                self.stdout.write(f"  {model._meta.verbose_name_plural}: {written:,}")

        written = synthetic.seed(rounds=rounds, seed=seed, progress=progress)
        summary = ", ".join(f"{count:,} {name}" for name, count in written.items())
        self.stdout.write(self.style.SUCCESS(f"Added {summary} in {time.monotonic() - started:.1f} s."))

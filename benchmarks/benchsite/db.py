"""Create and seed the benchmark database; reset it between create runs."""

from __future__ import annotations

import datetime

SEED_ROWS = 1000


def prepare() -> None:
    """Migrate, and seed 1000 items unless they are there already."""
    from django.core.management import call_command

    from benchsite.items.models import Item

    call_command("migrate", verbosity=0, interactive=False)
    reset()
    if Item.objects.count() != SEED_ROWS:
        Item.objects.all().delete()
        base = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
        Item.objects.bulk_create(
            Item(
                id=i,
                name=f"Item number {i}",
                description=f"A description of item {i}, long enough to look like real text.",
                created=base + datetime.timedelta(minutes=i, microseconds=i * 7),
                count=i * 3,
            )
            for i in range(1, SEED_ROWS + 1)
        )


def reset() -> None:
    """Drop what the create benchmark added, so the table never grows."""
    from benchsite.items.models import Item

    Item.objects.filter(id__gt=SEED_ROWS).delete()

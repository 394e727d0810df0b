import datetime as dt

import factory

from tracing_portal.stats.models import InstallSnapshot, SnapshotSource


class InstallSnapshotFactory(factory.django.DjangoModelFactory):
    """`InstallSnapshotFactory(province_id="30", date=..., installs=...)`."""

    class Meta:
        model = InstallSnapshot
        django_get_or_create = ("province_id", "date")

    province_id = "30"
    date = dt.date(2021, 6, 19)
    installs = 1_000
    installs_with_phone = factory.LazyAttribute(lambda o: o.installs // 2)
    smartphone_users = None
    source = SnapshotSource.IMPORT

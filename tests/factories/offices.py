from datetime import time

import factory

from offices.models import (
    Agency,
    ChannelHours,
    ChannelKind,
    ContactChannel,
    CountyRule,
    Office,
    OfficeHours,
    OfficeType,
)


def _code(n: int) -> str:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return "Q" + letters[n // 26 % 26] + letters[n % 26] + letters[n // 676 % 26]


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office
        django_get_or_create = ("code",)

    code = factory.Sequence(_code)
    name = factory.LazyAttribute(lambda o: f"Test Field Office {o.code}")
    office_type = OfficeType.FIELD_OFFICE
    city = "Springfield"
    state = "IL"
    country = "US"
    time_zone = "America/Chicago"
    offers_appointments = True

    class Params:
        international = factory.Trait(
            office_type=OfficeType.INTERNATIONAL_FIELD_OFFICE, state="", country="MX",
            time_zone="America/Mexico_City",
        )
        service_center = factory.Trait(office_type=OfficeType.SERVICE_CENTER, offers_appointments=False)


class OfficeHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OfficeHours

    office = factory.SubFactory(OfficeFactory)
    weekday = 0
    opens = time(8)
    closes = time(16)


class CountyRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CountyRule

    state = "IL"
    county = factory.Sequence(lambda n: f"Test County {n}")
    office = factory.SubFactory(OfficeFactory)
    confidence = "inferred"


class ContactChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactChannel

    code = factory.Sequence(lambda n: f"line-{n}")
    name = factory.Sequence(lambda n: f"Line {n}")
    kind = ChannelKind.PHONE
    value = "+18005550100"
    audience = "anyone"
    time_zone = "America/Chicago"


class ChannelHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChannelHours

    channel = factory.SubFactory(ContactChannelFactory)
    weekday = 0
    opens = time(8)
    closes = time(16, 30)


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    code = factory.Sequence(lambda n: f"agency-{n}")
    name = factory.Sequence(lambda n: f"Agency {n}")

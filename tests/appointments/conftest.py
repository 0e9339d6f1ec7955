"""Appointments run on a frozen clock: Monday 30 November 2026, 08:00 in Chicago.

The directory gives Chicago (CHI) Mon–Fri 08:00–15:00, 30-minute slots, 3 places each, and the
default policy: 14-day horizon, 2 hours' notice, 2 active appointments, 2 reschedules, none within
12 hours, no online cancellation within 1 hour, reminders 24 hours ahead.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

CHICAGO = ZoneInfo("America/Chicago")
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=CHICAGO)


def chicago(day: int, hour: int, minute: int = 0, month: int = 12) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=CHICAGO)


@pytest.fixture
def frozen(directory):
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def maria(directory):
    from tests.factories import CustomerFactory

    return CustomerFactory(username="maria@example.com", first_name="Maria", profile__zip_code="60605")


@pytest.fixture
def other_customer(directory):
    from tests.factories import CustomerFactory

    return CustomerFactory(username="other@example.com", profile__zip_code="60601")

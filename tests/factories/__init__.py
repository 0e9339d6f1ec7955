from .core import CustomerFactory, StaffFactory, UserFactory
from .offices import (
    AgencyFactory,
    ChannelHoursFactory,
    ContactChannelFactory,
    CountyRuleFactory,
    OfficeFactory,
    OfficeHoursFactory,
)

__all__ = [
    "AgencyFactory",
    "ChannelHoursFactory",
    "ContactChannelFactory",
    "CustomerFactory",
    "OfficeFactory",
    "OfficeHoursFactory",
    "StaffFactory",
    "UserFactory",
    "CountyRuleFactory",
]

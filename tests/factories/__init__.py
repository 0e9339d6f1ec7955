from .core import CustomerFactory, StaffFactory, UserFactory, represent
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
    "represent",
    "CountyRuleFactory",
]

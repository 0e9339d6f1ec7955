from .core import CustomerFactory, StaffFactory, UserFactory
from .offices import (
    AgencyFactory,
    ChannelHoursFactory,
    ContactChannelFactory,
    OfficeFactory,
    OfficeHoursFactory,
    ZipCoverageFactory,
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
    "ZipCoverageFactory",
]

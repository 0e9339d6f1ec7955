from datetime import date

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords
from timezone_field import TimeZoneField

from core.models import BaseModel, translated_columns


class OfficeType(models.TextChoices):
    SERVICE_CENTER = "service_center", _("Service center")
    NATIONAL_BENEFITS_CENTER = "national_benefits_center", _("National Benefits Center")
    FIELD_OFFICE = "field_office", _("Field office")
    ASYLUM_OFFICE = "asylum_office", _("Asylum office")
    INTERNATIONAL_FIELD_OFFICE = "international_field_office", _("International field office")
    CONTACT_CENTER = "contact_center", _("Contact center")
    HQ_DIRECTORATE = "hq_directorate", _("Headquarters directorate")


# Offices where a case can be pending: requests are routed and transferred only among these.
CASE_HOLDING_TYPES = frozenset(
    {
        OfficeType.SERVICE_CENTER,
        OfficeType.NATIONAL_BENEFITS_CENTER,
        OfficeType.FIELD_OFFICE,
        OfficeType.ASYLUM_OFFICE,
    }
)
_DOMESTIC_TYPES = sorted(t.value for t in CASE_HOLDING_TYPES)


class Confidence(models.TextChoices):
    """How sure the directory is of a row, from the tags of the domain reference."""

    CONFIRMED = "confirmed", _("Confirmed")
    SECONDARY = "secondary", _("From a secondary source")
    INFERRED = "inferred", _("Inferred, not verified")
    UNCONFIRMED = "unconfirmed", _("Not confirmed")


class Office(BaseModel):  # type: ignore[django-manager-missing]  # channels: modeltranslation's manager
    code = models.CharField(max_length=8, unique=True, help_text=_("Upper-case code, such as VSC or CHI."))
    name = models.CharField(max_length=120)
    office_type = models.CharField(max_length=32, choices=OfficeType.choices, db_index=True)
    address_line1 = models.CharField(max_length=200, blank=True)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2, blank=True, db_index=True, help_text=_("USPS code; blank overseas."))
    postal_code = models.CharField(max_length=16, blank=True)
    country = CountryField(default="US", db_index=True)
    time_zone = TimeZoneField(default="America/New_York")
    phone = models.CharField(max_length=40, blank=True)
    hours_note = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    offers_appointments = models.BooleanField(default=False)
    opened_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    confidence = models.CharField(
        max_length=16, choices=Confidence.choices, default=Confidence.UNCONFIRMED,
        help_text=_("How sure the directory is that this office exists under this code."),
    )
    address_confidence = models.CharField(
        max_length=16, choices=Confidence.choices, default=Confidence.UNCONFIRMED,
        help_text=_("How sure the directory is of the street address; the public sees 'address not confirmed' "
                    "unless it is confirmed."),
    )
    source_note = models.TextField(blank=True)

    # Spanish columns from offices/translation.py; the history keeps the English.
    history = HistoricalRecords(excluded_fields=translated_columns("hours_note", "description"))
    objects = models.Manager()  # type: ignore[django-manager-missing]  # modeltranslation subclasses it at start-up

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[A-Z]{2,8}$"), name="office_code_upper"),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(opened_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="office_closed_after_opened",
            ),
            models.CheckConstraint(
                condition=~Q(office_type__in=_DOMESTIC_TYPES) | (Q(country="US") & ~Q(state="")),
                name="office_domestic_in_a_state",
            ),
            models.CheckConstraint(
                condition=~Q(office_type=OfficeType.INTERNATIONAL_FIELD_OFFICE) | (~Q(country="US") & Q(state="")),
                name="office_international_abroad",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def is_operating_on(self, day: date) -> bool:
        """Open for business on `day` by its opening and closing dates (not by weekly hours)."""
        if self.opened_on and day < self.opened_on:
            return False
        return not (self.closed_on and day >= self.closed_on)

    @property
    def is_international(self) -> bool:
        return self.office_type == OfficeType.INTERNATIONAL_FIELD_OFFICE


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class WeeklyHoursBase(models.Model):
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        abstract = True
        ordering = ["weekday", "opens"]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


class OfficeHours(WeeklyHoursBase):
    """Public hours of an office, wall-clock in the office's time zone."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="hours")
    history = HistoricalRecords()

    class Meta(WeeklyHoursBase.Meta):
        verbose_name_plural = _("office hours")
        constraints = [
            models.CheckConstraint(condition=Q(closes__gt=F("opens")), name="office_hours_closes_after_opens"),
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6), name="office_hours_weekday"),
            models.UniqueConstraint(fields=["office", "weekday", "opens"], name="office_hours_unique"),
        ]


class OfficeClosure(BaseModel):
    """A one-off day an office is closed (weather, building works); holidays need no row."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="closures")
    date = models.DateField()
    reason = models.CharField(max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["office", "date"], name="office_closure_unique")]

    def __str__(self) -> str:
        return f"{self.office.code} closed {self.date}"


class PrefixRouting(models.TextChoices):
    """How a service request with a receipt prefix finds the office that holds the case
    (receipt_prefixes.yaml: the prefix says where a case was received, not who holds it now)."""

    OFFICE = "office", _("The prefix's office holds the case")
    BENEFITS_CENTER = "benefits_center", _("The National Benefits Center until it sends the case to a field office")
    ELECTRONIC = "electronic", _("No fixed office: the office on the latest notice, else the residence's field office")
class AgencyClosure(BaseModel):
    """A day the whole agency is closed beyond the federal holidays, such as an executive-order
    closure (9 January 2025, a national day of mourning). No office has appointments that day, and
    it is not a business day when escalation windows and answer targets are counted."""

    date = models.DateField(unique=True)
    reason = models.CharField(max_length=200)
    history = HistoricalRecords()

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date}: {self.reason}"


class ReceiptPrefix(BaseModel):
    """The first three letters of a receipt number, and how a request with it is first routed.

    A prefix without an office (IOE, electronic filing) is valid but says nothing about the office;
    the customer names the office on their latest notice, or the request goes to the field office
    of their residence.
    """

    prefix = models.CharField(max_length=3, unique=True)
    office = models.ForeignKey(
        Office, null=True, blank=True, on_delete=models.PROTECT, related_name="receipt_prefixes"
    )
    routing = models.CharField(max_length=16, choices=PrefixRouting.choices, default=PrefixRouting.OFFICE)
    description = models.TextField(blank=True)
    routing_note = models.TextField(blank=True)
    confidence = models.CharField(max_length=16, choices=Confidence.choices, default=Confidence.UNCONFIRMED)
    history = HistoricalRecords()

    class Meta:
        ordering = ["prefix"]
        verbose_name_plural = _("receipt prefixes")
        constraints = [
            models.CheckConstraint(condition=Q(prefix__regex=r"^[A-Z]{3}$"), name="receipt_prefix_format"),
            models.CheckConstraint(
                condition=Q(routing="electronic", office__isnull=True) | (~Q(routing="electronic") & Q(office__isnull=False)),
                name="receipt_prefix_office_unless_electronic",
            ),
        ]

    def __str__(self) -> str:
        return self.prefix


class JurisdictionRule(BaseModel):
    """What every jurisdiction rule records: how sure the directory is of it, and why."""

    confidence = models.CharField(max_length=16, choices=Confidence.choices, default=Confidence.INFERRED, db_index=True)
    source = models.TextField(blank=True, help_text=_("Where the rule comes from (a page, a source key)."))
    note = models.TextField(blank=True)

    class Meta:
        abstract = True


class CountyRule(JurisdictionRule):
    """A county (or a whole state or territory, when `county` is blank) that a field office serves.

    USCIS defines field-office jurisdiction by county. A county claimed by several offices is split
    by ZIP code between them (Los Angeles, Miami-Dade): ZipRule rows decide its ZIPs, and a ZIP with
    no ZipRule is answered with the candidates, never a silent pick.
    """

    state = models.CharField(max_length=2, db_index=True, help_text=_("USPS state or territory code."))
    county = models.CharField(
        max_length=100, blank=True,
        help_text=_("County name without 'County'/'Parish'/'Borough' (Virginia's independent cities keep 'city'); "
                    "blank for the entire state. On the Virgin Islands: the island."),
    )
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="county_rules")
    history = HistoricalRecords()

    class Meta:
        ordering = ["state", "county", "office__code"]
        constraints = [
            models.UniqueConstraint(fields=["state", "county", "office"], name="county_rule_unique"),
            models.CheckConstraint(condition=Q(state__regex=r"^[A-Z]{2}$"), name="county_rule_state_format"),
        ]

    def __str__(self) -> str:
        return f"{self.state} {self.county or '(entire state)'} → {self.office_id}"


class ZipRule(JurisdictionRule):
    """A ZIP code that a field office serves, where its county is split between offices."""

    zip_code = models.CharField(max_length=5, unique=True)
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="zip_rules")
    history = HistoricalRecords()

    class Meta:
        ordering = ["zip_code"]
        verbose_name = _("ZIP rule")
        constraints = [models.CheckConstraint(condition=Q(zip_code__regex=r"^[0-9]{5}$"), name="zip_rule_format")]

    def __str__(self) -> str:
        return f"{self.zip_code} → {self.office_id}"


class AsylumRule(JurisdictionRule):
    """The asylum office for residents of a state, of one county, or of one field office's area there.

    The most specific rule that matches wins (county, then field office, then state); several asylum
    offices at the same level are shown as candidates.
    """

    state = models.CharField(max_length=2, db_index=True)
    county = models.CharField(max_length=100, blank=True)
    field_office = models.ForeignKey(
        Office, null=True, blank=True, on_delete=models.CASCADE, related_name="asylum_area_rules",
        help_text=_("Residents whose field office is this one (where a state is split by area)."),
    )
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="asylum_rules")
    history = HistoricalRecords()

    class Meta:
        ordering = ["state", "county", "office__code"]
        constraints = [
            models.UniqueConstraint(fields=["state", "county", "field_office", "office"], name="asylum_rule_unique",
                                    nulls_distinct=False),
            models.CheckConstraint(condition=Q(county="") | Q(field_office__isnull=True), name="asylum_rule_one_area"),
        ]

    def __str__(self) -> str:
        area = self.county or (self.field_office_id and f"area of {self.field_office_id}") or "(entire state)"
        return f"{self.state} {area} → {self.office_id}"


class CountryCoverage(JurisdictionRule):
    """The international field office whose jurisdiction covers a country of residence, or one region
    of it where the country is split between offices (China: by province)."""

    country = CountryField()
    region = models.CharField(max_length=100, blank=True, help_text=_("Province or state; blank for the whole country."))
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="country_coverage")
    history = HistoricalRecords()

    class Meta:
        ordering = ["country", "region"]
        verbose_name_plural = _("country coverage")
        constraints = [models.UniqueConstraint(fields=["country", "region"], name="country_coverage_unique")]

    def __str__(self) -> str:
        return f"{self.country}{' ' + self.region if self.region else ''} → {self.office_id}"


class ChannelKind(models.TextChoices):
    PHONE = "phone", _("Telephone")
    TDD = "tdd", _("TDD/TTY")
    EMAIL = "email", _("E-mail")


class Audience(models.TextChoices):
    """Who may use a contact channel."""

    IN_US = "in_us", _("Customers in the United States and its territories")
    OVERSEAS = "overseas", _("Customers outside the United States")
    MILITARY = "military", _("Members of the military and their families")
    PREMIUM_PROCESSING = "premium_processing", _("Premium Processing customers (Form I-907)")
    HAGUE_ADOPTION = "hague_adoption", _("Adoptions from Hague Convention countries")
    OPEN_SERVICE_REQUEST = "open_service_request", _("Customers whose service request has had no answer")
    CANADA = "canada", _("Customers in Canada")
    ANYONE = "anyone", _("Anyone")


class Purpose(models.TextChoices):
    GENERAL = "general", _("General inquiries")
    PREMIUM_PROCESSING = "premium_processing", _("Premium Processing")
    SR_FOLLOWUP = "sr_followup", _("Service request follow-up")
    HQ_ESCALATION = "hq_escalation", _("Escalation to headquarters")
    MILITARY = "military", _("Military help")
    ADOPTIONS = "adoptions", _("Adoptions")


class HolidayRule(models.TextChoices):
    NONE = "none", _("Open on holidays")
    US_FEDERAL = "us_federal", _("Closed on U.S. federal holidays")
    US_AND_HOST = "us_and_host", _("Closed on U.S. federal and host-country holidays")


class ContactChannel(BaseModel):  # type: ignore[django-manager-missing]  # hours: modeltranslation's manager
    """A phone line or public mailbox, with who may use it and when it is answered.

    There are deliberately no fax channels: USCIS publishes no general fax numbers (§D.3).
    """

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=8, choices=ChannelKind.choices)
    value = models.CharField(max_length=120, help_text=_("Phone number or e-mail address."))
    value_confirmed = models.BooleanField(
        default=False,
        help_text=_("The number or address is the real, published one. Unconfirmed ones are placeholders: hidden "
                    "from the public, shown to staff marked as such."),
    )
    display_value = models.CharField(max_length=120, blank=True, help_text=_("As printed, such as 1-877-CIS-4MIL."))
    audience = models.CharField(max_length=32, choices=Audience.choices, db_index=True)
    purpose = models.CharField(max_length=32, choices=Purpose.choices, default=Purpose.GENERAL)
    audience_note = models.CharField(max_length=300, blank=True)
    office = models.ForeignKey(
        Office, null=True, blank=True, on_delete=models.CASCADE, related_name="channels"
    )
    time_zone = TimeZoneField(default="America/New_York")
    always_open = models.BooleanField(default=False, help_text=_("Accepted at any time (mailboxes, automated lines)."))
    holiday_rule = models.CharField(max_length=16, choices=HolidayRule.choices, default=HolidayRule.US_FEDERAL)
    languages = models.CharField(max_length=100, blank=True)
    after_hours_instructions = models.CharField(max_length=300, blank=True)
    after_hours_email = models.EmailField(blank=True)
    after_hours_email_confirmed = models.BooleanField(
        default=False, help_text=_("The after-hours address is the real one (otherwise hidden from the public).")
    )
    display_order = models.PositiveSmallIntegerField(default=100)
    is_active = models.BooleanField(default=True)
    confidence = models.CharField(max_length=16, choices=Confidence.choices, default=Confidence.UNCONFIRMED)
    # Spanish columns from offices/translation.py; the history keeps the English.
    history = HistoricalRecords(
        excluded_fields=translated_columns("name", "audience_note", "languages", "after_hours_instructions"))
    objects = models.Manager()  # type: ignore[django-manager-missing]  # modeltranslation subclasses it at start-up

    class Meta:
        ordering = ["display_order", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=[k.value for k in ChannelKind]), name="channel_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.display_value or self.value}"


class ChannelHours(WeeklyHoursBase):
    """When a channel is staffed, wall-clock in the channel's time zone."""

    channel = models.ForeignKey(ContactChannel, on_delete=models.CASCADE, related_name="hours")
    history = HistoricalRecords()

    class Meta(WeeklyHoursBase.Meta):
        verbose_name_plural = _("channel hours")
        constraints = [
            models.CheckConstraint(condition=Q(closes__gt=F("opens")), name="channel_hours_closes_after_opens"),
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6), name="channel_hours_weekday"),
            models.UniqueConstraint(fields=["channel", "weekday", "opens"], name="channel_hours_unique"),
        ]


class Agency(BaseModel):  # type: ignore[django-manager-missing]  # topics: modeltranslation's manager
    """Another agency or department that matters outside USCIS's jurisdiction are sent to."""

    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=150)
    department = models.CharField(max_length=100, blank=True)
    website = models.URLField(blank=True)
    phone = models.CharField(max_length=120, blank=True)
    hours_note = models.CharField(max_length=200, blank=True)
    contact_note = models.TextField(blank=True)
    confidence = models.CharField(max_length=16, choices=Confidence.choices, default=Confidence.SECONDARY)
    # Spanish columns from offices/translation.py; the history keeps the English.
    history = HistoricalRecords(excluded_fields=translated_columns("name", "department", "hours_note", "contact_note"))
    objects = models.Manager()  # type: ignore[django-manager-missing]  # modeltranslation subclasses it at start-up

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.name


class RedirectTopic(BaseModel):
    """A matter that belongs to another agency; customers who ask about it get that agency's details."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="topics")
    code = models.SlugField(max_length=40, unique=True)
    label = models.CharField(max_length=200)
    keywords = models.CharField(max_length=300, blank=True, help_text=_("Comma-separated words that suggest this topic."))
    history = HistoricalRecords(excluded_fields=translated_columns("label"))
    objects = models.Manager()  # type: ignore[django-manager-missing]  # modeltranslation subclasses it at start-up

    class Meta:
        ordering = ["agency__name", "label"]

    def __str__(self) -> str:
        return self.label

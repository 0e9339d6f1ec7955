import factory

from core.models import CustomerProfile, Representation, Role, User

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}@example.com")
    email = factory.LazyAttribute(lambda o: o.username if "@" in o.username else f"{o.username}@example.gov")
    first_name = "Pat"
    last_name = "Doe"
    role = Role.CUSTOMER
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):  # noqa: N805 - factory-boy hook
        if create:
            obj.save()


class CustomerFactory(UserFactory):
    """A customer living at a U.S. ZIP code (or abroad, with `profile__country`)."""

    profile = factory.RelatedFactory(
        "tests.factories.core.CustomerProfileFactory", factory_related_name="user"
    )


class CustomerProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerProfile

    zip_code = "60605"
    country = "US"


class StaffFactory(UserFactory):
    username = factory.Sequence(lambda n: f"staff{n}")
    role = Role.OFFICE_STAFF
    office = factory.SubFactory("tests.factories.offices.OfficeFactory")


def represent(customer: User, representative: User, *, receipts: tuple[str, ...] = ()) -> Representation:
    """Put `representative` on record for `customer` the way a customer does (all cases unless
    receipt numbers are named), through the service."""
    from core.representation import representation_invite

    return representation_invite(customer=customer, representative_email=representative.email,
                                 all_cases=not receipts, receipt_numbers=receipts)

import copy
from typing import Any

from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken
from rest_framework import serializers

from core.models import Language, User


class ModelFieldsOnceSerializer(serializers.ModelSerializer):
    """A ModelSerializer that builds its fields from the model once per class, not once per instance.

    ModelSerializer.get_fields introspects the model and builds every field on each instance: about two
    thirds of the time of answering one booking with its appointment. Here the built fields are kept on the
    class and each instance gets a deep copy, as DRF gives each instance a copy of the declared fields, so
    binding a field to one serializer never touches another's. For serializers whose fields do not depend
    on the instance (no get_fields override, no fields chosen by context).
    """

    def get_fields(self) -> dict[str, Any]:
        cls = type(self)
        built = cls.__dict__.get("_model_fields_built")
        if built is None:
            built = super().get_fields()
            cls._model_fields_built = built  # type: ignore[attr-defined]
        return copy.deepcopy(built)


class RegisterInputSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    first_name = serializers.CharField(max_length=150)
    last_name = serializers.CharField(max_length=150)
    zip_code = serializers.CharField(
        required=False, allow_blank=True, max_length=10, help_text="5-digit U.S. ZIP code, for residents of the U.S."
    )
    country = serializers.CharField(
        required=False, allow_blank=True, max_length=2, help_text="ISO 3166-1 alpha-2 code, for residents abroad."
    )
    region = serializers.CharField(
        required=False, allow_blank=True, max_length=100,
        help_text="Province or region, where the country is split between offices (China).",
    )
    office = serializers.CharField(
        required=False, allow_blank=True, max_length=8,
        help_text="Your field office, where the directory names several for your ZIP code (see /api/v1/jurisdiction/).",
    )
    preferred_language = serializers.ChoiceField(choices=Language.choices, default=Language.ENGLISH)
    representative = serializers.BooleanField(
        default=False, help_text="True for an attorney or accredited representative."
    )


class ProfileInputSerializer(serializers.Serializer):
    zip_code = serializers.CharField(required=False, allow_blank=True, max_length=10)
    country = serializers.CharField(required=False, allow_blank=True, max_length=2)
    region = serializers.CharField(required=False, allow_blank=True, max_length=100)
    office = serializers.CharField(required=False, allow_blank=True, max_length=8)
    preferred_language = serializers.ChoiceField(choices=Language.choices, required=False)


class AccountOutputSerializer(serializers.ModelSerializer):
    # Staff accounts may have no e-mail: "" is not an address, so no `format: email` here.
    email = serializers.CharField(help_text="The account's e-mail address; empty for staff accounts without one")
    zip_code = serializers.CharField(source="profile.zip_code", default="")
    country = serializers.CharField(source="profile.country.code", default="")
    region = serializers.CharField(source="profile.region", default="")
    office_choice = serializers.CharField(source="profile.office_choice.code", default=None)
    preferred_language = serializers.CharField(source="profile.preferred_language", default="en")
    office = serializers.CharField(source="office.code", default=None, allow_null=True)

    class Meta:
        model = User
        fields = ["id", "username", "email", "first_name", "last_name", "role", "office", "zip_code", "country",
                  "region", "office_choice", "preferred_language"]
        read_only_fields = fields


class TokenInputSerializer(serializers.Serializer):
    username = serializers.CharField(required=False, allow_blank=True, help_text="Username or e-mail.")
    email = serializers.CharField(required=False, allow_blank=True)
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    code = serializers.CharField(required=False, allow_blank=True, max_length=32, write_only=True,
                                 help_text="Staff: the 6-digit code from the authenticator app, or a recovery code.")

    def validate(self, attrs: dict) -> dict:
        if not (attrs.get("username") or attrs.get("email")):
            raise serializers.ValidationError({"username": [_("Give your username or e-mail address.")]})
        return attrs


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Shown once; send it as `Authorization: Token …`")
    expiry = serializers.DateTimeField()


class RegisterOutputSerializer(serializers.Serializer):
    email = serializers.EmailField()
    detail = serializers.CharField()


class ApiTokenSerializer(serializers.Serializer):
    id = serializers.CharField(source="digest", help_text="Use it to revoke the token")
    starts_with = serializers.SerializerMethodField()
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField()
    current = serializers.SerializerMethodField(help_text="The token this request was made with")

    def get_starts_with(self, obj: AuthToken) -> str:
        return obj.token_key[:8]

    def get_current(self, obj: AuthToken) -> bool:
        return obj.digest == self.context.get("current")

"""People in the API (/api/v1/people/): the same selectors and services as the pages.

Lists show phones masked; a person's full phone number is in their detail only, for the
roles that see it on the page, and each such read is audited (`case_get_for_full_phone`).
Messages for people come from `tracing_portal.api.messages` (the API's catalogue).
"""

import datetime

import django_filters
from django.db.models import F, Q
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from tracing_portal.accounts.models import Agency
from tracing_portal.api import messages
from tracing_portal.api.exceptions import ApiError
from tracing_portal.api.mixins import ListApiMixin
from tracing_portal.api.schema import errors
from tracing_portal.geo.models import District

from . import selectors, services
from .models import (
    MAX_LEVEL,
    BluezoneStatus,
    Case,
    CaseStatus,
    F0Status,
    Level,
    Quarantine,
    QuarantineFacility,
    Relation,
    Sex,
    Verification,
)
from .phones import mask, parse_vn_mobile

TAGS = ["people"]


def _districts(request):
    districts = District.objects.order_by("name")
    user = getattr(request, "user", None)
    if user is not None and not user.sees_all_provinces:
        districts = districts.filter(province_id=user.province_id)
    return districts


class CaseFilterSet(django_filters.FilterSet):
    """The people list's filters (the page's CaseFilterForm), applied by `case_list`."""

    q = django_filters.CharFilter(help_text="Code, name (with or without diacritics) or phone.")
    level = django_filters.TypedChoiceFilter(choices=Level.choices, coerce=int)
    status = django_filters.ChoiceFilter(choices=CaseStatus.choices)
    verification = django_filters.ChoiceFilter(choices=Verification.choices)
    bluezone_status = django_filters.ChoiceFilter(choices=BluezoneStatus.choices)
    district = django_filters.ModelChoiceFilter(
        queryset=_districts, help_text="District code (GSO), of the user's province."
    )
    entering_agency = django_filters.ChoiceFilter(choices=Agency.choices)
    date_from = django_filters.DateFilter(help_text="Entered on or after this day.")
    date_to = django_filters.DateFilter(help_text="Entered on or before this day.")

    class Meta:
        model = Case
        fields: list[str] = []


class PersonSerializer(serializers.ModelSerializer):
    """A person as lists show them: the phone masked."""

    level_label = serializers.CharField(read_only=True)
    f0_status = serializers.ChoiceField(choices=F0Status.choices, allow_blank=True, read_only=True)
    relation = serializers.ChoiceField(choices=Relation.choices, allow_blank=True, read_only=True)
    phone_masked = serializers.CharField(read_only=True)
    province = serializers.CharField(source="province_id", read_only=True)
    district = serializers.CharField(source="district_id", read_only=True, allow_null=True)
    source_code = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "code",
            "level",
            "level_label",
            "f0_status",
            "status",
            "full_name",
            "year_of_birth",
            "sex",
            "phone_masked",
            "province",
            "district",
            "source_code",
            "relation",
            "exposure_date",
            "verification",
            "bluezone_status",
            "quarantine",
            "flagged_for_tracing",
            "entering_agency",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = fields

    def get_source_code(self, case) -> str | None:
        return case.source.code if case.source_id else None


# The API's people list renders rows read with values() rather than model instances
# through the serializer's fields: a page of 50 people took ~20 ms of CPU that way, most of
# the request. PersonSerializer stays the schema, and a test holds the two renderings equal.
PERSON_ROW_VALUES = (
    "id",
    "code",
    "level",
    "f0_status",
    "status",
    "full_name",
    "year_of_birth",
    "sex",
    "phone",
    "province_id",
    "district_id",
    "relation",
    "exposure_date",
    "verification",
    "bluezone_status",
    "quarantine",
    "flagged_for_tracing",
    "entering_agency",
    "created_at",
    "updated_at",
    "version",
)


def _datetime_text(value: datetime.datetime, zone) -> str:
    """A time as DRF's DateTimeField renders it (ISO 8601 in the current time zone, UTC as
    "Z"), without building the field's machinery for each of a page's hundred times."""
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def person_rows(people):
    """The people as the rows `person_row_data` renders, in the same order."""
    return people.values(*PERSON_ROW_VALUES, source_code=F("source__code"))


def person_row_data(row: dict) -> dict:
    """A `person_rows` row, rendered exactly as PersonSerializer renders the person."""
    exposure_date = row["exposure_date"]
    zone = timezone.get_current_timezone()
    return {
        "code": row["code"],
        "level": row["level"],
        "level_label": f"F{row['level']}",
        "f0_status": row["f0_status"],
        "status": row["status"],
        "full_name": row["full_name"],
        "year_of_birth": row["year_of_birth"],
        "sex": row["sex"],
        "phone_masked": mask(row["phone"]),
        "province": row["province_id"],
        "district": row["district_id"],
        "source_code": row["source_code"],
        "relation": row["relation"],
        "exposure_date": None if exposure_date is None else exposure_date.isoformat(),
        "verification": row["verification"],
        "bluezone_status": row["bluezone_status"],
        "quarantine": row["quarantine"],
        "flagged_for_tracing": row["flagged_for_tracing"],
        "entering_agency": row["entering_agency"],
        "created_at": _datetime_text(row["created_at"], zone),
        "updated_at": _datetime_text(row["updated_at"], zone),
        "version": row["version"],
    }


class PersonResultSerializer(serializers.Serializer):
    person = PersonSerializer()
    messages = serializers.ListField(
        child=serializers.CharField(), help_text="Notes for the user, e.g. a converted number."
    )


def _person_result(case, result_messages=()) -> dict:
    return PersonResultSerializer({"person": case, "messages": list(result_messages)}).data


def _source_from_code(actor, code: str | None) -> Case | None:
    code = (code or "").strip().upper()
    if not code:
        return None
    source = selectors.case_base_qs(actor=actor).filter(code=code).first()
    if source is None:
        raise serializers.ValidationError(messages.NO_SUCH_PERSON % {"code": code})
    if source.level >= MAX_LEVEL:
        raise serializers.ValidationError(messages.SOURCE_TOO_DEEP % {"code": code})
    return source


class PersonFieldsSerializer(serializers.Serializer):
    """The editable fields of a person, checked as the person form checks them."""

    full_name = serializers.CharField(max_length=150)
    year_of_birth = serializers.IntegerField(required=False, allow_null=True)
    sex = serializers.ChoiceField(choices=Sex.choices, required=False)
    national_id = serializers.CharField(max_length=12, required=False, allow_blank=True)
    phone = serializers.CharField(
        max_length=24,
        required=False,
        allow_blank=True,
        help_text="A Vietnamese mobile number as typed (0912 345 678, +84…); stored as E.164.",
    )
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    district = serializers.PrimaryKeyRelatedField(
        queryset=District.objects.all(), required=False, allow_null=True
    )
    relation = serializers.ChoiceField(choices=Relation.choices, required=False, allow_blank=True)
    exposure_date = serializers.DateField(required=False, allow_null=True)
    f0_status = serializers.ChoiceField(choices=F0Status.choices, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=CaseStatus.choices, required=False)
    bluezone_status = serializers.ChoiceField(choices=BluezoneStatus.choices, required=False)
    quarantine = serializers.ChoiceField(choices=Quarantine.choices, required=False)
    facility = serializers.PrimaryKeyRelatedField(
        queryset=QuarantineFacility.objects.all(), required=False, allow_null=True
    )
    flagged_for_tracing = serializers.BooleanField(required=False)
    notes = serializers.CharField(required=False, allow_blank=True)
    source_code = serializers.CharField(
        max_length=16,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="The source case's code (HD-000123); empty or null: unknown.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Districts and facilities of the actor's province only (none without an actor).
        actor = self.context.get("actor")
        if actor is None or not actor.sees_all_provinces:
            province_id = getattr(actor, "province_id", None)
            self.fields["district"].queryset = District.objects.filter(province_id=province_id)
            self.fields["facility"].queryset = QuarantineFacility.objects.filter(
                province_id=province_id
            )

    def validate_phone(self, value):
        if value:
            parse_vn_mobile(value)
        return value

    def validate_national_id(self, value):
        value = value.strip()
        if value and (not value.isdigit() or len(value) not in (9, 12)):
            raise serializers.ValidationError(messages.NATIONAL_ID_DIGITS)
        return value

    def validate_year_of_birth(self, value):
        year = timezone.now().year
        if value is not None and not (1900 <= value <= year):
            raise serializers.ValidationError(messages.YEAR_OF_BIRTH_RANGE % {"year": year})
        return value

    def validate_exposure_date(self, value):
        if value and value > timezone.localdate():
            raise serializers.ValidationError(messages.EXPOSURE_IN_FUTURE)
        if value and value < datetime.date(2019, 12, 1):
            raise serializers.ValidationError(messages.EXPOSURE_BEFORE_PANDEMIC)
        return value

    def validate_source_code(self, value):
        return _source_from_code(self.context.get("actor"), value)

    def validate(self, data):
        # An edit sends only what changes: the rest is read from the person as saved.
        case = self.context.get("case")

        def value(name):
            return data[name] if name in data else getattr(case, name, None)

        if data.get("source_code") is not None and not value("relation"):
            raise serializers.ValidationError({"relation": messages.RELATION_NEEDED})
        if value("quarantine") == Quarantine.FACILITY and not value("facility"):
            raise serializers.ValidationError({"facility": messages.FACILITY_NEEDED})
        return data


class PersonCodeMixin:
    def get_case(self) -> Case:
        return selectors.case_get(actor=self.request.user, code=self.kwargs["code"])


class CaseListApi(ListApiMixin, APIView):
    """People of the user's province, newest first, filtered as on the people page."""

    required_permissions = ["cases.view_case"]
    filterset_class = CaseFilterSet

    class OutputSerializer(PersonSerializer):
        pass

    @extend_schema(tags=TAGS, responses={200: OutputSerializer(many=True)})
    def get(self, request):
        people = selectors.case_list(actor=request.user, filters=self.get_filters())
        return self.paginate(person_rows(people), render=person_row_data)


class CaseCountApi(ListApiMixin, APIView):
    """How many people the same filters select (the people page's total)."""

    required_permissions = ["cases.view_case"]
    filterset_class = CaseFilterSet
    pagination_class = None

    class OutputSerializer(serializers.Serializer):
        count = serializers.IntegerField()

    @extend_schema(tags=TAGS, responses={200: OutputSerializer})
    def get(self, request):
        people = selectors.case_list(actor=request.user, filters=self.get_filters())
        return Response(self.OutputSerializer({"count": people.count()}).data)


class CaseDetailApi(PersonCodeMixin, APIView):
    """One person. `phone` is the full number for the roles that see it on the person page
    (each read is audited), null for the others."""

    required_permissions = ["cases.view_case"]

    class OutputSerializer(PersonSerializer):
        phone = serializers.SerializerMethodField()
        merged_into = serializers.SerializerMethodField()
        further_sources = serializers.SerializerMethodField()

        class Meta(PersonSerializer.Meta):
            fields = [
                *PersonSerializer.Meta.fields,
                "phone",
                "national_id",
                "address",
                "facility",
                "notes",
                "verified_at",
                "classification_verified_at",
                "identity_verified_at",
                "rejected_at",
                "rejection_reason",
                "bluezone_checked_at",
                "closed_at",
                "merged_into",
                "further_sources",
            ]
            read_only_fields = fields

        def get_phone(self, case) -> str | None:
            return (case.phone or None) if self.context["full_phone"] else None

        def get_merged_into(self, case) -> str | None:
            return case.merged_into.code if case.merged_into_id else None

        def get_further_sources(self, case) -> list[str]:
            return [link.source.code for link in selectors.case_further_sources(case)]

    @extend_schema(tags=TAGS, responses={200: OutputSerializer})
    def get(self, request, code):
        case = selectors.case_get_for_full_phone(actor=request.user, code=code)
        full_phone = request.user.has_perm("cases.view_full_phone")
        return Response(self.OutputSerializer(case, context={"full_phone": full_phone}).data)


class CaseCreateApi(APIView):
    """Enter a person: an F0, or a contact under `source_code` (one level below it).
    People who may be the same (phone, national ID, or name and year of birth) make a 409
    unless `confirm_duplicates` is true."""

    required_permissions = ["cases.add_case"]

    class InputSerializer(PersonFieldsSerializer):
        level = serializers.ChoiceField(
            choices=Level.choices,
            required=False,
            default=0,
            help_text="Used only without a source; with one, the level is the source's + 1.",
        )
        confirm_duplicates = serializers.BooleanField(required=False, default=False)

    class OutputSerializer(PersonResultSerializer):
        pass

    @extend_schema(
        tags=TAGS,
        request=InputSerializer,
        responses={201: OutputSerializer, **errors(409)},
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data, context={"actor": request.user})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        source = data.pop("source_code", None)
        level = data.pop("level")
        if not data.pop("confirm_duplicates"):
            duplicates = selectors.case_find_duplicates(
                actor=request.user,
                phone=parse_vn_mobile(data["phone"]).e164 if data.get("phone") else "",
                national_id=data.get("national_id", ""),
                full_name=data["full_name"],
                year_of_birth=data.get("year_of_birth"),
            )
            if duplicates:
                raise ApiError(
                    status_code=status.HTTP_409_CONFLICT,
                    code="duplicates",
                    message=messages.DUPLICATES_FOUND,
                    details={"duplicates": PersonSerializer(duplicates, many=True).data},
                )
        result = services.case_create(actor=request.user, source=source, level=level, **data)
        return Response(
            _person_result(result.case, result.messages), status=status.HTTP_201_CREATED
        )


class CaseUpdateApi(PersonCodeMixin, APIView):
    """Change some of a person's fields. `version` is the version read: if someone saved the
    person since, nothing changes and the answer is 409 "stale" with their changes."""

    required_permissions = ["cases.change_case"]

    class InputSerializer(PersonFieldsSerializer):
        version = serializers.IntegerField(min_value=1)

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["full_name"].required = False

    class OutputSerializer(PersonResultSerializer):
        pass

    @extend_schema(
        tags=TAGS, request=InputSerializer, responses={200: OutputSerializer, **errors(409)}
    )
    def post(self, request, code):
        case = self.get_case()
        serializer = self.InputSerializer(
            data=request.data, context={"actor": request.user, "case": case}
        )
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        version = changes.pop("version")
        source = changes.pop("source_code") if "source_code" in changes else ...
        result = services.case_update(
            actor=request.user, case=case, version=version, source=source, **changes
        )
        return Response(_person_result(result.case, result.messages))


class CaseVerifyApi(PersonCodeMixin, APIView):
    """CDC verifies the classification (the person becomes verified); police verify the
    identity and phone."""

    required_any_permissions = ["cases.verify_classification", "cases.verify_identity"]

    class OutputSerializer(PersonResultSerializer):
        pass

    @extend_schema(tags=TAGS, request=None, responses={200: OutputSerializer})
    def post(self, request, code):
        case = services.case_verify(actor=request.user, case=self.get_case())
        return Response(_person_result(case))


class CaseRejectApi(PersonCodeMixin, APIView):
    required_any_permissions = ["cases.verify_classification", "cases.verify_identity"]

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=1000)

    class OutputSerializer(PersonResultSerializer):
        pass

    @extend_schema(tags=TAGS, request=InputSerializer, responses={200: OutputSerializer})
    def post(self, request, code):
        case = self.get_case()
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = services.case_reject(
            actor=request.user, case=case, reason=serializer.validated_data["reason"]
        )
        return Response(_person_result(case))


class CaseRelevelApi(PersonCodeMixin, APIView):
    """`to=f0`: tested positive, everyone below moves up a level. `to=negative`: an F0 tested
    negative and returns under their best known source."""

    required_permissions = ["cases.relevel_case"]

    class InputSerializer(serializers.Serializer):
        to = serializers.ChoiceField(choices=["f0", "negative"])
        f0_status = serializers.ChoiceField(
            choices=F0Status.choices, required=False, default=F0Status.CONFIRMED
        )

    class OutputSerializer(PersonResultSerializer):
        pass

    @extend_schema(tags=TAGS, request=InputSerializer, responses={200: OutputSerializer})
    def post(self, request, code):
        case = self.get_case()
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.case_relevel(actor=request.user, case=case, **serializer.validated_data)
        return Response(_person_result(result.case, result.messages))


class CaseAskInstallApi(PersonCodeMixin, APIView):
    """Log that the person was asked to install Bluezone (in person or by phone; an SMS ask
    goes through /sms/send/)."""

    required_permissions = ["cases.change_case"]

    class InputSerializer(serializers.Serializer):
        channel = serializers.ChoiceField(
            choices=["in_person", "phone"], required=False, default="in_person"
        )

    class OutputSerializer(serializers.Serializer):
        code = serializers.CharField()
        asked_at = serializers.DateTimeField()
        channel = serializers.CharField()

    @extend_schema(tags=TAGS, request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request, code):
        case = self.get_case()
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ask = services.case_mark_asked_to_install(
            actor=request.user, case=case, channel=serializer.validated_data["channel"]
        )
        data = {"code": case.code, "asked_at": ask.asked_at, "channel": ask.channel}
        return Response(self.OutputSerializer(data).data, status=status.HTTP_201_CREATED)


class CaseContactListApi(PersonCodeMixin, ListApiMixin, APIView):
    """The person's contacts: the people whose source they are, or who also met them."""

    required_permissions = ["cases.view_case"]

    class OutputSerializer(PersonSerializer):
        pass

    @extend_schema(tags=TAGS, responses={200: OutputSerializer(many=True)})
    def get(self, request, code):
        case = self.get_case()
        contacts = (
            selectors.case_base_qs(actor=request.user)
            .filter(Q(source=case) | Q(extra_links__source=case))
            .select_related("source")
            .distinct()
        )
        return self.paginate(contacts, self.OutputSerializer)


class CaseAddContactApi(PersonCodeMixin, APIView):
    """A new person who met this one, entered one level below."""

    required_permissions = ["cases.add_case"]

    class InputSerializer(serializers.Serializer):
        full_name = serializers.CharField(max_length=150)
        year_of_birth = serializers.IntegerField(required=False, allow_null=True, min_value=1900)
        phone = serializers.CharField(max_length=24, required=False, allow_blank=True)
        relation = serializers.ChoiceField(choices=Relation.choices)
        exposure_date = serializers.DateField(required=False, allow_null=True)
        address = serializers.CharField(max_length=300, required=False, allow_blank=True)

        validate_phone = PersonFieldsSerializer.validate_phone
        validate_year_of_birth = PersonFieldsSerializer.validate_year_of_birth
        validate_exposure_date = PersonFieldsSerializer.validate_exposure_date

    class OutputSerializer(PersonResultSerializer):
        pass

    @extend_schema(tags=TAGS, request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request, code):
        source = self.get_case()
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.case_add_contact(
            actor=request.user, source=source, **serializer.validated_data
        )
        return Response(
            _person_result(result.case, result.messages), status=status.HTTP_201_CREATED
        )

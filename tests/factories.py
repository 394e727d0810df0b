import factory
from django.contrib.auth.models import Group

from tracing_portal.accounts.models import Agency, User
from tracing_portal.accounts.roles import Role

PASSWORD = "correct-horse-battery"

ROLE_AGENCY = {
    Role.CDC: Agency.CDC,
    Role.POLICE: Agency.POLICE,
    Role.DIC: Agency.DIC,
    Role.OFFICIAL: Agency.HEALTH,
    Role.PROVINCE_ADMIN: Agency.HEALTH,
    Role.NATIONAL_ADMIN: Agency.HEALTH,
}


class UserFactory(factory.django.DjangoModelFactory):
    """`UserFactory(role=Role.DIC, province_id="01")`; national admins get no province."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name", locale="vi_VN")
    agency = Agency.CDC
    province_id = "30"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        if extracted:
            obj.agency = ROLE_AGENCY[extracted]
            if extracted == Role.NATIONAL_ADMIN:
                obj.province_id = None
            obj.is_staff = extracted in (Role.PROVINCE_ADMIN, Role.NATIONAL_ADMIN)
        if create:
            obj.save()
            if extracted:
                obj.groups.add(Group.objects.get(name=extracted))

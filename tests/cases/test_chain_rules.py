"""The chain rules the database holds (migration cases/0006): a person with a source is one
level below it and of the same province, so no chain can loop. Writes that go around the
services are refused; the services' own writes in several steps still commit.

A test runs inside one transaction that is rolled back, so PostgreSQL's checks deferred to
commit would never run: `committed` runs them where the commit would be
(`check_constraints` sets every deferred check immediate, as a commit does). SQLite checks
each written row at once, against its own source.
"""

import pytest
from django.db import IntegrityError, connection, transaction

from tracing_portal.cases.models import Case
from tracing_portal.cases.selectors import case_chain_rule_breaches
from tracing_portal.cases.services import (
    case_add_contact,
    case_create,
    case_merge,
    case_relevel,
    case_update,
)
from tracing_portal.core.exceptions import ApplicationError

from .factories import CaseFactory

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite cannot defer a trigger to commit: it checks only a written row's own source",
)


def committed(write):
    """Run `write` as one transaction up to its commit, checks deferred to it included."""
    with transaction.atomic():
        result = write()
        connection.check_constraints()
    return result


def refused(write, *, naming: str = ""):
    with pytest.raises(IntegrityError) as caught:
        committed(write)
    if connection.vendor == "postgresql":
        assert naming in str(caught.value)
    else:
        assert "must be one level below it and of the same province" in str(caught.value)
    return caught.value


def levels(*people) -> list[int]:
    return [Case.objects.get(pk=p.pk).level for p in people]


@pytest.mark.django_db
def test_the_chain_triggers_are_installed():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'cases_case'::regclass "
                "AND tgname LIKE 'cases_case_chain_%%'"
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'cases_case'"
            )
        names = {row[0] for row in cursor.fetchall()}
    # Django rebuilds a SQLite table for some schema changes, dropping its triggers: a
    # later migration of cases_case that does so must install them again.
    assert {"cases_case_chain_insert", "cases_case_chain_update"} <= names


# --- writes around the services are refused


@pytest.mark.django_db
def test_a_contact_whose_level_is_not_its_sources_plus_one_is_refused():
    f0 = CaseFactory()
    refused(lambda: CaseFactory(source=f0, level=2, code="HD-990001"), naming="HD-990001 is F2")
    f1 = CaseFactory(source=f0)
    refused(lambda: Case.objects.filter(pk=f1.pk).update(level=3), naming=f"{f1.code} is F3")
    assert levels(f1) == [1]


@pytest.mark.django_db
def test_a_source_in_another_province_is_refused():
    hanoi_f0 = CaseFactory(province_id="01", code="HN-990001")
    refused(
        lambda: CaseFactory(province_id="30", source=hanoi_f0, code="HD-990002"),
        naming="HD-990002 and its source HN-990001 are people of different provinces",
    )
    own = CaseFactory(source=CaseFactory())
    refused(lambda: Case.objects.filter(pk=own.pk).update(source=hanoi_f0), naming=own.code)
    assert Case.objects.get(pk=own.pk).source.province_id == "30"


@pytest.mark.django_db
def test_changing_an_f1s_level_directly_while_its_contacts_stay_is_refused(chain):
    f1 = chain["f1"]
    refused(lambda: Case.objects.filter(pk=f1.pk).update(level=2), naming=f1.code)
    assert levels(f1, chain["f2"]) == [1, 2]


@postgresql_only
@pytest.mark.django_db
def test_a_level_changed_with_no_source_is_refused_for_its_contacts(chain, cdc_user):
    # An F1 whose source is unknown may be any level, but its contacts must follow it.
    f1 = chain["f1"]
    f1 = case_update(actor=cdc_user, case=f1, version=f1.version, source=None).case
    refused(
        lambda: Case.objects.filter(pk=f1.pk).update(level=2),
        naming=f"{chain['f2'].code} is F2 but its source {f1.code} is F2",
    )


@pytest.mark.django_db
def test_a_cycle_is_refused(chain):
    f1, f3 = chain["f1"], chain["f3"]
    # F1 under its own F3: at its level, F1 is not one below F3...
    refused(lambda: Case.objects.filter(pk=f1.pk).update(source=f3), naming=f1.code)
    assert Case.objects.get(pk=f1.pk).source_id == chain["f0"].pk


@postgresql_only
@pytest.mark.django_db
def test_a_cycle_is_refused_even_with_each_written_level_fitting_its_source(chain):
    f1, f2, f3 = chain["f1"], chain["f2"], chain["f3"]

    def loop():
        # ...and moved to F4 to fit, its F2 to F5 to fit it: then the F3 does not fit the F2.
        # Around a loop, someone never fits.
        Case.objects.filter(pk=f1.pk).update(source=f3, level=4)
        Case.objects.filter(pk=f2.pk).update(level=5)

    refused(loop, naming=f"{f3.code} is F3 but its source {f2.code} is F5")
    assert levels(f1, f2, f3) == [1, 2, 3]


@postgresql_only
@pytest.mark.django_db
def test_a_contact_written_before_its_source_is_checked_when_the_source_arrives(cdc_user):
    def contact_then_source(contact_level: int):
        source_id = Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        source_id += 1000
        contact = CaseFactory.build(entered_by=cdc_user, level=contact_level, f0_status="")
        contact.source_id = source_id  # not written yet: foreign keys are checked at commit
        contact.save()
        CaseFactory(id=source_id, entered_by=cdc_user)
        return contact

    refused(lambda: contact_then_source(2), naming="is F2 but its source")
    contact = committed(lambda: contact_then_source(1))
    assert Case.objects.get(pk=contact.pk).source.level == 0


@postgresql_only
@pytest.mark.django_db
def test_a_chain_may_be_half_moved_inside_a_transaction_but_not_at_commit(chain):
    f2, f3, f4 = chain["f2"], chain["f3"], chain["f4"]

    def half_moved():
        # F2 moves under the other F1's F2 (to F3), its own contacts not yet.
        Case.objects.filter(pk=f2.pk).update(source=chain["other_f2"], level=3)

    refused(half_moved, naming=f"{f3.code} is F3 but its source {f2.code} is F3")

    def whole():
        # Bottom up: each write breaks the rule until the one above it is made.
        Case.objects.filter(pk=f4.pk).update(level=5)
        Case.objects.filter(pk=f3.pk).update(level=4)
        Case.objects.filter(pk=f2.pk).update(source=chain["other_f2"], level=3)

    committed(whole)
    assert levels(f2, f3, f4) == [3, 4, 5]


@postgresql_only
@pytest.mark.django_db
def test_the_breach_query_finds_who_breaks_a_rule(chain):
    with transaction.atomic():
        Case.objects.filter(pk=chain["f4"].pk).update(level=5)  # checked at commit only
        breaches = case_chain_rule_breaches(province_id="30")
        assert [p.code for p in breaches] == [chain["f4"].code]
        assert case_chain_rule_breaches(province_id="01") == []
        transaction.set_rollback(True)
    assert case_chain_rule_breaches() == []


# --- the services' writes in several steps commit


@pytest.mark.django_db
def test_relevelling_a_four_level_chain_commits(chain, cdc_user):
    committed(lambda: case_relevel(actor=cdc_user, case=chain["f1"], to="f0"))
    assert levels(chain["f1"], chain["f2"], chain["f3"], chain["f4"]) == [0, 1, 2, 3]
    committed(lambda: case_relevel(actor=cdc_user, case=chain["f3"], to="f0"))
    assert levels(chain["f3"], chain["f4"]) == [0, 1]


@pytest.mark.django_db
def test_a_negative_f0_moving_its_chain_back_down_commits(chain, cdc_user):
    committed(lambda: case_relevel(actor=cdc_user, case=chain["f1"], to="f0"))
    committed(lambda: case_relevel(actor=cdc_user, case=chain["f1"], to="negative"))
    assert levels(chain["f1"], chain["f2"], chain["f3"], chain["f4"]) == [1, 2, 3, 4]
    assert Case.objects.get(pk=chain["f1"].pk).source_id == chain["f0"].pk


@pytest.mark.django_db
def test_changing_a_source_commits_with_the_subtree_moved(chain, cdc_user):
    f3 = chain["f3"]
    committed(
        lambda: case_update(actor=cdc_user, case=f3, version=f3.version, source=chain["other_f1"])
    )
    assert levels(f3, chain["f4"]) == [2, 3]


@pytest.mark.django_db
def test_a_merge_moves_contacts_to_the_kept_level_and_takes_the_removed_out_of_its_chain(
    chain, cdc_user, police_user
):
    # The same person entered twice: once as the F0's F1, once as an F2 with contacts.
    duplicate = case_add_contact(
        actor=police_user, source=chain["other_f1"], full_name="Trần Văn Một", relation="other"
    ).case
    contact = case_add_contact(
        actor=police_user, source=duplicate, full_name="Con", relation="household"
    ).case
    grandchild = case_add_contact(
        actor=police_user, source=contact, full_name="Cháu", relation="household"
    ).case
    assert levels(duplicate, contact, grandchild) == [2, 3, 4]

    keep = committed(lambda: case_merge(actor=cdc_user, keep=chain["f1"], remove=duplicate))

    assert Case.objects.get(pk=contact.pk).source_id == keep.pk
    assert levels(contact, grandchild) == [2, 3]
    history = contact.history.filter(kind="relevelled").latest("id")
    assert history.changes == {"source": [duplicate.code, keep.code], "level": [3, 2]}
    removed = Case.objects.get(pk=duplicate.pk)
    assert (removed.merged_into_id, removed.source_id) == (keep.pk, None)
    # The source it had is kept on the person as a further source.
    assert keep.extra_links.filter(source=chain["other_f1"]).exists()
    # Its old source re-levelled later: the merged record no longer trails behind it.
    committed(lambda: case_relevel(actor=cdc_user, case=chain["other_f1"], to="f0"))
    assert case_chain_rule_breaches() == []


@pytest.mark.django_db
def test_a_merge_that_would_put_contacts_below_f5_changes_nothing(chain, cdc_user, police_user):
    f5 = case_add_contact(actor=police_user, source=chain["f4"], full_name="Năm").case
    duplicate = case_create(actor=police_user, full_name="Năm").case
    contact = case_add_contact(actor=police_user, source=duplicate, full_name="Con").case
    with pytest.raises(ApplicationError, match=contact.code):
        case_merge(actor=cdc_user, keep=f5, remove=duplicate)
    assert Case.objects.get(pk=contact.pk).source_id == duplicate.pk
    assert Case.objects.get(pk=duplicate.pk).merged_into_id is None

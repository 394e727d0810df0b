from django.urls import reverse


def test_user_admin_lists_only_the_own_provinces_users(client, make_user, province_admin):
    province_admin.is_staff = True
    province_admin.save(update_fields=["is_staff"])
    hd = make_user(username="hd.someone")
    hn = make_user(province="01", username="hn.someone")
    client.force_login(province_admin)
    body = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert hd.username in body
    assert hn.username not in body

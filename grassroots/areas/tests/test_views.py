from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grassroots.areas.models import Area, Kind
from grassroots.testing import make_user


def upload(client, commune, content: bytes, name="ap.csv"):
    return client.post(
        "/console/areas-import/",
        {
            "commune": commune.pk,
            "file": SimpleUploadedFile(name, content, content_type="text/csv"),
        },
        follow=True,
    )


def test_an_administrator_imports_a_hamlet_file_in_the_console(tree, client):
    client.force_login(make_user("administrator", tree.commune_a))
    response = upload(client, tree.commune_a, "code,name,kind\nN1,Ấp Mới,ấp\n".encode())
    assert response.status_code == 200
    assert Area.objects.filter(parent=tree.commune_a, code="N1", name="Ấp Mới").exists()
    assert "Đã nhập danh sách ấp" in response.content.decode()


def test_a_bad_file_shows_every_problem_and_imports_nothing(tree, client):
    client.force_login(make_user("administrator", tree.commune_a))
    before = Area.objects.count()
    page = upload(
        client,
        tree.commune_a,
        "code,name,kind\nN 1,Ấp,ấp\nN2,,ấp\nN3,<script>x</script>,quận\n".encode(),
    )
    html = page.content.decode()
    assert page.status_code == 200 and Area.objects.count() == before
    assert "Chưa nhập dữ liệu nào" in html
    assert html.count("<tr><td>") == 3  # one row per problem: lines 2, 3 and 4
    assert "<script>x</script>" not in html


def test_another_communes_file_is_refused(tree, client):
    client.force_login(make_user("administrator", tree.commune_a))
    page = upload(client, tree.commune_b, "code,name\nN1,Ấp\n".encode())
    assert not Area.objects.filter(parent=tree.commune_b, code="N1").exists()
    assert page.status_code == 200


def test_people_who_cannot_keep_hamlets_do_not_get_the_page(tree, client):
    client.force_login(make_user("editor", tree.commune_a))
    assert client.get("/console/areas-import/").status_code in (302, 403)


def test_a_hamlet_code_in_use_is_shown_on_the_code_field_and_the_form_kept(
    tree, client
):
    """The code clash is a form error, not "no permission", and nothing typed is lost."""
    client.force_login(make_user("administrator", tree.commune_a))
    before = Area.objects.count()
    page = client.post(
        reverse("areas:add"),
        {
            "commune": tree.commune_a.pk,
            "code": tree.hamlet_a1.code,
            "name": "Ấp Mười Hai",
            "kind": Kind.HAMLET,
        },
        follow=True,
    )
    html = page.content.decode()
    assert page.status_code == 200 and Area.objects.count() == before
    assert f"{tree.hamlet_a1.name} đã dùng mã này." in html
    assert "không có quyền" not in html.lower()
    assert 'value="Ấp Mười Hai"' in html
    form = page.context["form"]
    assert "code" in form.errors

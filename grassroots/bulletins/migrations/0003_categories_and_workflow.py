"""Seed the essential-information categories and the approval workflow.

Bulletins cannot go out without approval, so the workflow is part of the
schema, not of the demo data: "Duyệt bản tin" with one step, approval by the
issuing area (AreaApprovalTask), assigned to the bulletin model.
"""

from django.db import migrations

CATEGORIES = [
    ("phap-luat-chinh-sach", "Pháp luật, chính sách", False),
    ("chi-dao-dieu-hanh", "Chỉ đạo, điều hành của địa phương", False),
    ("thien-tai", "Khẩn cấp: thiên tai", True),
    ("chay-no", "Khẩn cấp: cháy nổ", True),
    ("dich-benh", "Khẩn cấp: dịch bệnh", True),
    ("y-te", "Y tế, sức khỏe", False),
    ("nong-nghiep-thi-truong", "Nông nghiệp, thị trường", False),
    ("khoa-hoc-cong-nghe", "Kiến thức khoa học, công nghệ", False),
    ("van-hoa-xa-hoi", "Văn hóa, xã hội", False),
]
WORKFLOW_NAME = "Duyệt bản tin"
TASK_NAME = "Duyệt bởi cấp ban hành"


def seed(apps, schema_editor):
    Category = apps.get_model("bulletins", "Category")
    for order, (slug, name, emergency) in enumerate(CATEGORIES):
        Category.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "is_emergency": emergency, "sort_order": order * 10},
        )
    ContentType = apps.get_model("contenttypes", "ContentType")
    AreaApprovalTask = apps.get_model("bulletins", "AreaApprovalTask")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowContentType = apps.get_model("wagtailcore", "WorkflowContentType")
    task_type, _ = ContentType.objects.get_or_create(
        app_label="bulletins", model="areaapprovaltask"
    )
    bulletin_type, _ = ContentType.objects.get_or_create(
        app_label="bulletins", model="bulletin"
    )
    task = AreaApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = AreaApprovalTask.objects.create(
            name=TASK_NAME, content_type=task_type, active=True
        )
    workflow, _ = Workflow.objects.get_or_create(
        name=WORKFLOW_NAME, defaults={"active": True}
    )
    WorkflowTask.objects.get_or_create(
        workflow=workflow, task_id=task.pk, defaults={"sort_order": 0}
    )
    WorkflowContentType.objects.get_or_create(
        content_type=bulletin_type, defaults={"workflow": workflow}
    )


class Migration(migrations.Migration):
    dependencies = [
        ("bulletins", "0002_search_index"),
        ("wagtailcore", "0098_apitoken"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

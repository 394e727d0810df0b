from django.db import migrations

# The default texts, with diacritics; messages go without them unless the sender chooses.
DEFAULT_TEMPLATES = {
    "verification_code": (
        "[SYT {tinh}] Mã xác thực Bluezone của bạn là {ma_xac_thuc}, hiệu lực đến {het_han}. "
        "Mở ứng dụng Bluezone > Khai báo > nhập mã. Không chia sẻ mã này."
    ),
    "exposure_notice": (
        "[SYT {tinh}] Bạn đã tiếp xúc gần với người mắc COVID-19 ngày {ngay_tiep_xuc}. "
        "Hãy tự cách ly tại nhà, đeo khẩu trang và liên hệ ngay Trạm Y tế xã/phường "
        "hoặc gọi 1900 9095 để được hướng dẫn xét nghiệm."
    ),
    "install_request": (
        "[SYT {tinh}] Đề nghị {ho_ten} cài Bluezone (bluezone.gov.vn) để được cảnh báo khi "
        "gần người mắc COVID-19. Khai báo đúng số điện thoại này."
    ),
    "reminder": (
        "[SYT {tinh}] {ho_ten} ({ma}): tự theo dõi sức khỏe, đo thân nhiệt 2 lần/ngày, luôn "
        "bật Bluezone. Nếu sốt, ho, khó thở gọi ngay 1900 9095."
    ),
}


def seed(apps, schema_editor):
    SmsTemplate = apps.get_model("notifications", "SmsTemplate")
    for kind, body in DEFAULT_TEMPLATES.items():
        SmsTemplate.objects.get_or_create(kind=kind, province=None, defaults={"body": body})


def unseed(apps, schema_editor):
    SmsTemplate = apps.get_model("notifications", "SmsTemplate")
    SmsTemplate.objects.filter(province=None, messages__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]

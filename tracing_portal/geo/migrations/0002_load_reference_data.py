from django.db import migrations


def load(apps, schema_editor):
    from tracing_portal.geo.reference import district_rows, province_rows

    Province = apps.get_model("geo", "Province")
    District = apps.get_model("geo", "District")
    Province.objects.bulk_create(
        [
            Province(
                code=r["gso_code"],
                name=r["name"],
                short_name=r["short_name"],
                iso_3166_2=r["iso_3166_2"],
                population_2019=int(r["population_2019"]),
                case_prefix=r["case_prefix"],
            )
            for r in province_rows()
        ]
    )
    District.objects.bulk_create(
        [
            District(
                code=r["districtCode"],
                province_id=r["provinceCode"],
                name=r["district"],
                short_name=r["districtShort"],
            )
            for r in district_rows()
        ]
    )


def unload(apps, schema_editor):
    apps.get_model("geo", "District").objects.all().delete()
    apps.get_model("geo", "Province").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("geo", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]

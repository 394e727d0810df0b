from django.db import models
from django.utils.translation import gettext_lazy as _


class Province(models.Model):
    code = models.CharField(_("GSO code"), max_length=2, primary_key=True)
    name = models.CharField(_("official name"), max_length=100)
    short_name = models.CharField(_("name"), max_length=100)
    iso_3166_2 = models.CharField(_("ISO 3166-2 code"), max_length=6, unique=True)
    population_2019 = models.PositiveIntegerField(_("population (2019 census)"))
    case_prefix = models.CharField(_("case code prefix"), max_length=4, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self):
        return self.short_name


class District(models.Model):
    code = models.CharField(_("GSO code"), max_length=3, primary_key=True)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="districts", verbose_name=_("province")
    )
    name = models.CharField(_("official name"), max_length=100)
    short_name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["province_id", "code"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self):
        return self.name

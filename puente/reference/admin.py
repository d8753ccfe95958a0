from django.contrib import admin

from puente.reference.models import (
    Admin1,
    Admin2,
    Country,
    Indicator,
    Platform,
    PopulationGroup,
    Sector,
)


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["iso3", "iso2", "name_en", "name_es", "name_pt"]


@admin.register(Admin1)
class Admin1Admin(admin.ModelAdmin):
    list_display = ["iso_code", "pcode", "name", "country", "parent"]
    list_filter = ["country"]
    search_fields = ["iso_code", "pcode", "name"]


@admin.register(Admin2)
class Admin2Admin(admin.ModelAdmin):
    list_display = ["pcode", "name", "admin1", "country"]
    list_filter = ["country"]
    search_fields = ["pcode", "name"]


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    list_display = ["code", "kind", "name_en"]


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["code", "parent", "name_en", "name_es", "name_pt", "in_intersector"]


@admin.register(PopulationGroup)
class PopulationGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_es", "name_pt"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "sector", "subsector", "name_en", "unit", "measure"]
    list_filter = ["sector", "measure"]
    search_fields = ["code", "name_en", "name_es", "name_pt"]

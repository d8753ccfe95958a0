from django.contrib import admin

from puente.partners.models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["acronym", "name", "type", "migrant_led", "women_led", "appealing"]
    list_filter = ["type", "migrant_led", "women_led", "appealing", "countries"]
    search_fields = ["acronym", "name", "name_es", "name_pt"]

from django.contrib import admin

from puente.plans.models import PlanningFigure


@admin.register(PlanningFigure)
class PlanningFigureAdmin(admin.ModelAdmin):
    list_display = ["kind", "year", "country", "sector", "population_group", "people"]
    list_filter = ["kind", "year", "country", "sector", "population_group"]

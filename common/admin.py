"""Admin pieces shared by the apps."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from import_export.forms import ImportForm

from .errors import ValidationFailed
from .uploads import check_upload


class LimitedImportForm(ImportForm):
    """django-import-export's admin import form with the platform's upload limits (size, xlsx bombs)."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        try:
            check_upload(upload.file, name=upload.name or "")
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None
        return upload


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that change only through their app's services (state checks, locks, audit events, ledger balance):
    the admin shows them and never adds, edits or deletes."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

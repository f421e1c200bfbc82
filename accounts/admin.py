from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.utils.translation import gettext as _
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from common.admin import LimitedImportForm

from .models import ApiToken, Organization, Region, Role, User
from .permissions import ROLE_ORG_KIND
from .resources import OrganizationResource


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_mn", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    ordering = ["code"]


@admin.register(Organization)
class OrganizationAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    resource_classes = [OrganizationResource]
    import_form_class = LimitedImportForm
    list_display = ["name", "kind", "uscc", "region", "hospital_level", "hospital_type", "ownership", "is_active"]
    list_filter = ["kind", "hospital_level", "hospital_type", "ownership", "is_active", "region"]
    search_fields = ["name", "uscc", "short_name"]
    autocomplete_fields = ["region"]
    list_select_related = ["region"]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "org_kind"]


class RoleCheckMixin:
    """Users belong to one organisation (superusers excepted) and hold roles fitting its kind."""

    def clean(self):
        cleaned = super().clean()
        org = cleaned.get("organization")
        roles = cleaned.get("roles") or []
        if org is None and not cleaned.get("is_superuser"):
            self.add_error("organization", _("用户必须属于一个机构"))
        elif org is not None:
            wrong = [r.name for r in roles if ROLE_ORG_KIND.get(r.code) != org.kind]
            if wrong:
                self.add_error("roles", _("角色“%(items)s”不适用于%(kind)s") % {"items": '、'.join(wrong), "kind": org.get_kind_display()})
        return cleaned


class PlatformUserCreationForm(RoleCheckMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "organization", "roles", "display_name"]


class PlatformUserChangeForm(RoleCheckMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = PlatformUserChangeForm
    add_form = PlatformUserCreationForm
    list_display = ["username", "display_name", "organization", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "roles", "organization__kind"]
    search_fields = ["username", "display_name", "organization__name"]
    autocomplete_fields = ["organization"]
    filter_horizontal = ["roles", "groups", "user_permissions"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("机构与角色", {"fields": ("organization", "roles", "display_name", "email", "phone")}),
        ("权限", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("时间", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "organization", "roles", "display_name",
                                                   "password1", "password2")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Platform administrators see every API token and revoke one by deleting it. Tokens are made through the API
    only (the token is shown once, to its user), and never edited."""

    list_display = ["user", "kind", "name", "token_key_prefix", "created", "expiry"]
    list_filter = ["kind"]
    search_fields = ["user__username", "name"]
    list_select_related = ["user"]
    fields = ["user", "kind", "name", "token_key_prefix", "created", "expiry"]
    readonly_fields = fields

    @admin.display(description="前缀")
    def token_key_prefix(self, obj) -> str:
        return obj.token_key[:8]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

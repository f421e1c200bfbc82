from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.utils.translation import gettext as _
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from common.admin import LimitedImportForm
from common.errors import DomainError

from . import services
from .models import ApiToken, Organization, Region, Role, User
from .permissions import ROLE_ORG_KIND, RoleCode
from .resources import OrganizationResource


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_mn", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    ordering = ["code"]


class OrganizationAdminForm(forms.ModelForm):
    """Deactivating or reactivating here goes through the service (audited, with what it leaves behind): the
    reason is required when the 有效 box changes."""

    status_reason = forms.CharField(
        label="停用/恢复原因", max_length=300, required=False, help_text="勾选或取消“有效”时必填：记入审计记录"
    )

    class Meta:
        model = Organization
        fields = [
            "kind",
            "name",
            "short_name",
            "name_mn",
            "uscc",
            "region",
            "hospital_level",
            "hospital_type",
            "ownership",
            "is_active",
            "contact_person",
            "contact_phone",
            "address",
        ]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and "is_active" in self.changed_data:
            if not (cleaned.get("status_reason") or "").strip():
                self.add_error("status_reason", _("停用或恢复机构必须填写原因"))
            elif not cleaned.get("is_active"):
                try:
                    services.ensure_may_deactivate(self.instance)
                except DomainError as exc:
                    self.add_error("is_active", exc.message)
        return cleaned


@admin.register(Organization)
class OrganizationAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    form = OrganizationAdminForm
    resource_classes = [OrganizationResource]
    import_form_class = LimitedImportForm
    list_display = ["name", "kind", "uscc", "region", "hospital_level", "hospital_type", "ownership", "is_active"]
    list_filter = ["kind", "hospital_level", "hospital_type", "ownership", "is_active", "region"]
    search_fields = ["name", "uscc", "short_name"]
    autocomplete_fields = ["region"]
    list_select_related = ["region"]

    def save_model(self, request, obj, form, change):
        if not (change and "is_active" in form.changed_data):
            return super().save_model(request, obj, form, change)
        wanted = obj.is_active
        obj.is_active = not wanted  # the other fields are saved as edited; the status only by the service
        super().save_model(request, obj, form, change)
        service = services.organization_reactivate if wanted else services.organization_deactivate
        changed = service(organization=obj, by=request.user, reason=form.cleaned_data["status_reason"])
        obj.is_active = changed.is_active


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "org_kind"]


class RoleCheckMixin:
    """Users belong to one organisation (superusers excepted) and hold roles fitting its kind; the last platform
    administrator keeps being one."""

    def clean(self):
        cleaned = super().clean()
        org = cleaned.get("organization")
        roles = cleaned.get("roles") or []
        user = self.instance
        still_admin = (
            cleaned.get("is_active", True)
            and org is not None
            and org.is_active
            and any(r.code == RoleCode.PLATFORM_ADMIN for r in roles)
        )
        if user.pk and not still_admin:
            try:
                services.ensure_platform_keeps_an_admin(user)
            except DomainError as exc:
                self.add_error(None, exc.message)
        if org is None and not cleaned.get("is_superuser"):
            self.add_error("organization", _("用户必须属于一个机构"))
        elif org is not None:
            wrong = [r.name for r in roles if ROLE_ORG_KIND.get(r.code) != org.kind]
            if wrong:
                self.add_error(
                    "roles",
                    _("角色“%(items)s”不适用于%(kind)s") % {"items": "、".join(wrong), "kind": org.get_kind_display()},
                )
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
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "organization", "roles", "display_name", "password1", "password2"),
            },
        ),
    )

    def save_model(self, request, obj, form, change):
        if not (change and "is_active" in form.changed_data):
            return super().save_model(request, obj, form, change)
        wanted = obj.is_active
        obj.is_active = not wanted  # the status only by the service (audited; deactivation revokes API tokens)
        super().save_model(request, obj, form, change)
        obj.is_active = services.user_set_active(user=obj, active=wanted, by=request.user).is_active


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

"""挂网申报 / 调价 / 撤网: a manufacturer's applications about its listings, and their review by an official.

A manufacturer keeps an application as a draft, submits it, and after a return edits and submits it again; at
submission the product's qualifications (qualifications.selectors.ensure_listable) and the price linkage
(common.rules.listings(): by default a unit price may not exceed the lowest listed price of other provinces) are
checked — a price above the ceiling needs a justification, and the application is then flagged for the review. An
official approves (a new listing with its distribution authorisations, a price change, or a withdrawal, through
procurement.services.listings), returns it with reasons, or refuses it. Every step is audited, the application keeps
its history, and the manufacturer is notified of the decision.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Organization, Region
from accounts.permissions import require
from catalog.models import Product
from common.messages import Message
from common.models import record_event
from common.money import quantize_amount, quantize_unit_price
from common.notifications import notify
from common.numbers import parse_decimal
from common.text import check_text
from qualifications.selectors import ensure_listable
from qualifications.services import check_document

from ..errors import ConflictError, OrderError, ValidationFailed
from ..models import DistributionAuthorization, Listing, ListingApplication, ListingApplicationDocument
from ..selectors.applications import price_basis
from . import listings as listing_svc

A = ListingApplication
K = ListingApplication.Kind
S = ListingApplication.Status


@dataclass
class ApplicationInput:
    """What a manufacturer fills in; `product` for a new listing, `listing` for a price change or delisting."""

    kind: str = K.NEW
    product: Product | None = None
    listing: Listing | None = None
    pack_price: object = None
    valid_from: date | None = None
    valid_to: date | None = None
    evidence: str = ""
    reason: str = ""
    justification: str = ""
    distributors: list = field(default_factory=list)
    regions: list = field(default_factory=list)
    documents: list = field(default_factory=list)  # uploaded files; their names are the titles


def _fail(message: str, field_name: str, code: OrderError) -> ValidationFailed:
    return ValidationFailed(message, field=field_name, code=code)


def _subject(data: ApplicationInput, by) -> tuple[Product, Listing | None]:
    """The product (and listing) the application is about, which must be the applicant's own."""
    if data.kind not in K.values:
        raise _fail(_("申请类型无效"), "kind", OrderError.APPLICATION_KIND_INVALID)
    if data.kind == K.NEW:
        if data.product is None:
            raise _fail(_("请选择要申请挂网的产品"), "product", OrderError.PRODUCT_REQUIRED)
        if data.product.manufacturer_id != by.organization_id:
            raise _fail(_("只能为本企业的产品申请挂网"), "product", OrderError.NOT_OWN_PRODUCT)
        if not data.product.is_active:
            raise _fail(_("该产品已停用，不能申请挂网"), "product", OrderError.PRODUCT_INACTIVE)
        return data.product, None
    listing = data.listing
    if listing is None or listing.manufacturer_id != by.organization_id:
        raise _fail(_("请选择本企业的挂网产品"), "listing", OrderError.LISTING_REQUIRED)
    if listing.status == Listing.Status.WITHDRAWN:
        raise _fail(_("该产品已撤网"), "listing", OrderError.LISTING_WITHDRAWN)
    return listing.product, listing


def _prices(data: ApplicationInput, product: Product) -> tuple[Decimal | None, Decimal | None]:
    """(pack price, unit price): the applicant gives the price per pack; the unit price is per minimum unit."""
    if data.kind == K.DELIST or data.pack_price in (None, ""):
        return None, None
    column = ListingApplication._meta.get_field("pack_price")
    pack = parse_decimal(data.pack_price, field="pack_price", label=_("申报价（每包装）"), column=column)
    if pack <= 0:
        raise _fail(_("价格必须大于零"), "pack_price", OrderError.PRICE_NOT_POSITIVE)
    pack = quantize_amount(pack)
    return pack, quantize_unit_price(pack / product.pack_size)


def _parties(data: ApplicationInput) -> tuple[list[Organization], list[Region]]:
    distributors = list(data.distributors or [])
    for distributor in distributors:
        if distributor.kind != Organization.Kind.DISTRIBUTOR or not distributor.is_active:
            raise _fail(_("请选择有效的配送企业"), "distributors", OrderError.DISTRIBUTOR_INVALID)
    regions = list(data.regions or [])
    if distributors and not regions:
        raise _fail(_("请至少选择一个配送区域"), "regions", OrderError.REGIONS_REQUIRED)
    return distributors, regions


def _texts(data: ApplicationInput) -> dict:
    return {
        name: check_text((getattr(data, name) or "").strip(), field=name, max_length=2000)
        for name in ("evidence", "reason", "justification")
    }


def _ensure_no_other_open(product: Product, kind: str, exclude_pk: int | None) -> None:
    others = ListingApplication.objects.filter(product=product, status__in=A.OPEN_STATUSES).exclude(pk=exclude_pk)
    if others.exists():
        raise ConflictError(_("该产品已有未办结的申请"), field="product", code=OrderError.APPLICATION_PENDING)
    if kind == K.NEW:
        listing_svc.ensure_not_listed(product, product.manufacturer_id)


def _fill(application: ListingApplication, data: ApplicationInput, by) -> tuple[list, list]:
    """Check what the applicant filled in and put it on the (unsaved) application; returns distributors, regions."""
    product, listing = _subject(data, by)
    _ensure_no_other_open(product, data.kind, application.pk)
    pack, unit = _prices(data, product)
    valid_from = data.valid_from or timezone.localdate()
    listing_svc.check_validity(valid_from, data.valid_to)
    distributors, regions = _parties(data)
    for document in data.documents:
        check_document(document, field="documents")
    application.kind, application.product, application.listing = data.kind, product, listing
    application.manufacturer_id = product.manufacturer_id
    application.pack_price, application.unit_price = pack, unit
    application.valid_from, application.valid_to = valid_from, data.valid_to
    for name, value in _texts(data).items():
        setattr(application, name, value)
    application.basis = price_basis(product, on=timezone.localdate()) if data.kind != K.DELIST else {}
    ceiling = application.basis.get("ceiling")
    application.ceiling = Decimal(ceiling) if ceiling else None
    application.above_ceiling = bool(unit and application.ceiling is not None and unit > application.ceiling)
    return distributors, regions


def _store_parties(application, distributors, regions, documents, by) -> None:
    application.distributors.set(distributors)
    application.regions.set(regions)
    for document in documents:
        ListingApplicationDocument.objects.create(
            application=application, title=str(document.name)[:200], file=document, uploaded_by=by
        )


def _check_submittable(application: ListingApplication) -> None:
    """What a submitted application must have: a price (not for delisting), qualifications, the linkage rule."""
    if application.kind != K.DELIST:
        if application.unit_price is None:
            raise _fail(_("请填写申报价（每包装）"), "pack_price", OrderError.PRICE_NOT_POSITIVE)
        ensure_listable(application.product)
    if application.kind == K.NEW and not application.distributors.exists():
        raise _fail(_("请至少授权一家配送企业"), "distributors", OrderError.DISTRIBUTORS_REQUIRED)
    if application.kind != K.NEW and not application.reason:
        raise _fail(_("请填写申请理由"), "reason", OrderError.REASON_REQUIRED)
    if application.above_ceiling and not application.justification:
        raise _fail(
            _("申报价（每最小制剂单位 %(price)s 元）高于联动上限 %(ceiling)s 元，请填写超出说明")
            % {"price": application.unit_price, "ceiling": application.ceiling},
            "pack_price",
            OrderError.PRICE_ABOVE_LINKAGE,
        )


def _submit(application: ListingApplication, by) -> None:
    _check_submittable(application)
    previous = application.status
    application.submit()
    application.submitted_at = timezone.now()
    application._change_reason = "submitted"
    application.save()
    record_event(
        application,
        "submitted",
        by=by,
        from_state=previous,
        to_state=S.SUBMITTED,
        data={"above_ceiling": application.above_ceiling, "ceiling": str(application.ceiling or "")},
    )


@transaction.atomic
def listing_application_create(*, by, data: ApplicationInput, submit: bool = False) -> ListingApplication:
    """A new application, kept as a draft or submitted at once. A bad input writes nothing."""
    require(by, "listing.apply")
    application = ListingApplication(created_by=by)
    distributors, regions = _fill(application, data, by)
    application.save()
    _store_parties(application, distributors, regions, data.documents, by)
    record_event(application, "created", by=by, to_state=S.DRAFT, data={"kind": application.kind})
    if submit:
        _submit(application, by)
    return application


def _lock(application: ListingApplication, *, statuses, message: str, code: OrderError) -> ListingApplication:
    application = (
        ListingApplication.objects.select_for_update(of=("self",))
        .select_related("product", "listing")
        .get(pk=application.pk)
    )
    if application.status not in statuses:
        raise ConflictError(message % {"status": application.get_status_display()}, field="status", code=code)
    return application


@transaction.atomic
def listing_application_update(*, application: ListingApplication, by, data: ApplicationInput, submit: bool = False):
    """Edit a draft or a returned application (the applicant's own), optionally submitting it again."""
    require(by, "listing.apply")
    application = _lock(
        application,
        statuses=A.EDITABLE_STATUSES,
        message=_("申请状态为“%(status)s”，不能修改"),
        code=OrderError.APPLICATION_NOT_EDITABLE,
    )
    if application.manufacturer_id != by.organization_id:
        raise _fail(_("只能修改本企业的申请"), "application", OrderError.NOT_OWN_PRODUCT)
    data.kind = application.kind
    distributors, regions = _fill(application, data, by)
    application._change_reason = "edited"
    application.save()
    _store_parties(application, distributors, regions, data.documents, by)
    record_event(application, "edited", by=by, from_state=application.status, to_state=application.status)
    if submit:
        _submit(application, by)
    return application


@transaction.atomic
def listing_application_submit(*, application: ListingApplication, by) -> ListingApplication:
    require(by, "listing.apply")
    application = _lock(
        application,
        statuses=A.EDITABLE_STATUSES,
        message=_("申请状态为“%(status)s”，不能提交"),
        code=OrderError.APPLICATION_NOT_EDITABLE,
    )
    if application.manufacturer_id != by.organization_id:
        raise _fail(_("只能提交本企业的申请"), "application", OrderError.NOT_OWN_PRODUCT)
    _submit(application, by)
    return application


def _decided(application: ListingApplication, by, note: str, action: str, previous: str) -> None:
    application.reviewed_by, application.reviewed_at, application.review_note = by, timezone.now(), note[:500]
    application._change_reason = note or action
    application.save()
    record_event(application, action, by=by, from_state=previous, to_state=application.status, note=note)
    notify(
        application.manufacturer_id,
        "listing_application",
        Message(
            gettext_noop("%(kind)s“%(product)s”：%(status)s"),
            {
                "kind": Message.label(application.Kind(application.kind).label),
                "product": application.product.generic_name,
                "status": Message.label(application.Status(application.status).label),
            },
        ),
        body=note,
        link=f"/listings/applications/{application.pk}/",
        topic=f"listing_application:{application.pk}:{action}:{application.reviewed_at:%Y%m%d%H%M%S}",
    )


def _lock_for_review(application: ListingApplication, by) -> ListingApplication:
    require(by, "listing.manage")
    return _lock(
        application,
        statuses=(S.SUBMITTED,),
        message=_("该申请%(status)s，不能再审核"),
        code=OrderError.APPLICATION_DECIDED,
    )


def _grant_authorizations(application: ListingApplication, by) -> int:
    """One distribution authorisation per distributor the application names, in its regions (an active one for the
    same distributor and product is kept as it is)."""
    regions = list(application.regions.all())
    granted = 0
    for distributor in application.distributors.order_by("pk"):
        if DistributionAuthorization.objects.filter(
            product=application.product, distributor=distributor, is_active=True
        ).exists():
            continue
        auth = DistributionAuthorization.objects.create(
            manufacturer_id=application.manufacturer_id,
            distributor=distributor,
            product=application.product,
            valid_from=application.valid_from,
            valid_to=application.valid_to,
            created_by=application.created_by,
        )
        auth.regions.set(regions)
        record_event(auth, "granted", by=by, data={"application": application.pk, "regions": [r.code for r in regions]})
        granted += 1
    return granted


def _list(application: ListingApplication, by, note: str) -> Listing:
    ensure_listable(application.product)
    listing_svc.ensure_not_listed(application.product, application.manufacturer_id)
    listing = Listing(
        product=application.product,
        manufacturer_id=application.manufacturer_id,
        unit_price=application.unit_price,
        pack_price=application.pack_price,
        valid_from=application.valid_from,
        valid_to=application.valid_to,
        source=Listing.Source.APPLICATION,
        approved_by=by,
    )
    listing._change_reason = note or "挂网申请审核通过"
    listing.save()
    record_event(
        listing,
        "listed",
        by=by,
        to_state=listing.status,
        data={"source": listing.source, "application": application.pk},
    )
    _grant_authorizations(application, by)
    return listing


@transaction.atomic
def listing_application_approve(*, application: ListingApplication, by, note: str = "") -> ListingApplication:
    """Approve: a new listing (with its authorisations), the listing's new price, or its withdrawal."""
    application = _lock_for_review(application, by)
    note = check_text((note or "").strip(), field="note", max_length=500)
    reason = _("%(kind)s审核通过（申请 %(pk)s）") % {"kind": application.get_kind_display(), "pk": application.pk}
    if application.kind == K.NEW:
        application.listing = _list(application, by, note)
    elif application.kind == K.PRICE_CHANGE:
        ensure_listable(application.product)
        listing_svc.listing_change_price(
            listing=application.listing,
            unit_price=application.unit_price,
            pack_price=application.pack_price,
            by=by,
            reason=reason,
        )
    else:
        listing_svc.listing_withdraw(listing=application.listing, by=by, reason=reason)
    application.approve()
    _decided(application, by, note, "approved", S.SUBMITTED)
    return application


def _require_note(note: str) -> str:
    note = check_text((note or "").strip(), field="note", max_length=500)
    if not note:
        raise _fail(_("请填写审核意见（退回或不予通过的理由）"), "note", OrderError.NOTE_REQUIRED)
    return note


@transaction.atomic
def listing_application_return(*, application: ListingApplication, by, note: str) -> ListingApplication:
    """Return for changes, with the reasons; the manufacturer edits and submits again."""
    note = _require_note(note)
    application = _lock_for_review(application, by)
    application.return_for_changes()
    _decided(application, by, note, "returned", S.SUBMITTED)
    return application


@transaction.atomic
def listing_application_refuse(*, application: ListingApplication, by, note: str) -> ListingApplication:
    """Refuse, with the reasons; final."""
    note = _require_note(note)
    application = _lock_for_review(application, by)
    application.refuse()
    _decided(application, by, note, "refused", S.SUBMITTED)
    return application


@transaction.atomic
def listing_application_attach(*, application: ListingApplication, by, document) -> ListingApplicationDocument:
    """Attach a document (PDF or image) to the applicant's draft or returned application."""
    require(by, "listing.apply")
    application = _lock(
        application,
        statuses=A.EDITABLE_STATUSES,
        message=_("申请状态为“%(status)s”，不能修改"),
        code=OrderError.APPLICATION_NOT_EDITABLE,
    )
    if application.manufacturer_id != by.organization_id:
        raise _fail(_("只能修改本企业的申请"), "application", OrderError.NOT_OWN_PRODUCT)
    check_document(document, field="file")
    row = ListingApplicationDocument.objects.create(
        application=application, title=str(document.name)[:200], file=document, uploaded_by=by
    )
    record_event(application, "document_added", by=by, data={"title": row.title})
    return row

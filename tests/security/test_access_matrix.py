"""The access matrix: every API endpoint and every page × every role × an object of the user's own organisation and
one of another — the expected answer of each cell, with a denied request (403/404) revealing nothing of the object.

The list of endpoints comes from the URL resolver: a new endpoint or page without a row in ROUTES fails the test.
Expected answers come from the capability table (accounts/permissions.py, one place): a row names the capability a
route needs, the model it shows and the fields naming the organisations that own an object. Officials (pricing,
fund, platform admin) see every organisation's rows; anyone else holding the capability sees their own only — another
organisation's object is simply not found (404). Actions (POST) are tried for the denied cells only (a role without
the capability, or another organisation's object), each in a savepoint that is rolled back.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.db.models import Q
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from accounts.permissions import CAPABILITIES, OFFICIAL_ROLES
from tests.factories import (
    AgencyFactory,
    DistributorFactory,
    HospitalFactory,
    ManufacturerFactory,
    PharmacyFactory,
    UserFactory,
)
from tests.test_login_required import all_paths

ANY = "any"  # any signed-in user


@dataclass(frozen=True)
class Route:
    cap: str | tuple[str, ...] = ANY  # the capability the route needs (a tuple: any of them)
    model: str = ""  # the object a "1" in the path stands for
    owners: tuple[str, ...] = ()  # fields naming the owning organisations; empty = visible to every allowed role
    method: str = "GET"
    sees_all: frozenset[str] = OFFICIAL_ROLES
    skip: str = ""  # why a row is not exercised (must be said)
    lookup: str = "pk"  # the field the path names the object by
    where: dict = field(default_factory=dict)  # which objects the route shows at all (e.g. active listings)


def GET(cap=ANY, model="", owners=(), **kw):  # noqa: N802
    return Route(cap=cap, model=model, owners=tuple(owners), **kw)


def POST(cap, model="", owners=(), **kw):  # noqa: N802
    return Route(cap=cap, model=model, owners=tuple(owners), method="POST", **kw)


OBJECTORS = ("transparency.object", "transparency.answer", "transparency.decide_appeal")
OBJECTION = ("transparency.Objection", ("organization",))
OBJECTION_SEES_ALL = OFFICIAL_ROLES | {"supervisor"}
PROGRESS = ("progress.view_all", "progress.view_hospital", "progress.view_manufacturer")
MAKER_PROGRESS = ("progress.view_all", "progress.view_manufacturer")
PROGRESS_ROW = ("procurement.CommitmentProgress", ("hospital", "manufacturer"))
STATEMENT = ("settlement.SettlementStatement", ("manufacturer", "hospital"))
AWARD = ("settlement.SavingsAward", ("hospital",))
# Price monitoring is for pricing officials and the platform admin; fund officers do not see inquiries and credit.
PRICING = frozenset(CAPABILITIES["pricing.view"])
# Listings answer by id while orderable (active, in their validity window); others are not found for anyone.
LA_SKIP = "drafts are hidden from officials, which the matrix's owner model cannot express yet"
ORDERABLE = {"status": "active", "valid_from__lte": date.today(), "valid_to__gte": date.today()}
ORDER = ("procurement.PurchaseOrder", ("hospital", "distributor"))
DELIVERY = ("procurement.Delivery", ("hospital", "distributor"))
SENT = {"status__in": ["submitted", "accepted", "shipped", "received"]}  # drafts are the hospital's alone
BID = ("procurement.Bid", ("manufacturer",))
ALERT = "pricing.PriceAlert"
TENDER = "procurement.Tender"
PRODUCT = "catalog.Product"
LISTING = "procurement.Listing"
CREDIT = ("pricing.CreditRecord", ("organization",))
AUTH = ("procurement.DistributionAuthorization", ("manufacturer", "distributor"))
# The opening record, a bidder's outcome and the check of its bid exist only after the opening (409 before, another
# maker's bid 404): their access is tested there.
AFTER_OPENING = "after the opening only: tests/procurement/test_tender_opening_record.py"
# Purchase contracts: the three parties see their own (a distributor once chosen), officials all; only parties sign.
CONTRACT = ("contracts.PurchaseContract", ("hospital", "manufacturer", "distributor"))
DESIGNATION = ("pharmacies.DualChannelPharmacy", ("pharmacy",))

ROUTES: dict[str, Route] = {
    # --- pages ---------------------------------------------------------------------------------------------------
    "/": GET(),
    "/accounts/organizations/": GET(),
    "/accounts/organizations/1/": GET(model="accounts.Organization", owners=("id",)),
    "/accounts/organizations/1/deactivate/": POST("organization.manage", "accounts.Organization", ("id",)),
    "/accounts/organizations/1/reactivate/": POST("organization.manage", "accounts.Organization", ("id",)),
    "/catalog/": GET("catalog.view"),
    "/catalog/export/": GET("catalog.view"),
    "/catalog/products/1/": GET("catalog.view", PRODUCT),
    "/catalog/imports/": GET("catalog.import"),
    "/catalog/imports/new/": GET("catalog.import"),
    "/catalog/imports/1/": GET("catalog.import", "catalog.ImportJob", skip="the demo has no import jobs"),
    "/catalog/imports/1/errors": GET("catalog.import", "catalog.ImportJob", skip="the demo has no import jobs"),
    "/catalog/imports/1/progress": GET("catalog.import", "catalog.ImportJob", skip="the demo has no import jobs"),
    "/catalog/imports/1/report": GET("catalog.import", "catalog.ImportJob", skip="the demo has no import jobs"),
    "/tenders/": GET("tender.view"),
    "/tenders/new/": GET("tender.manage"),
    "/tenders/import-results/": GET("tender.manage"),
    "/tenders/1/follow-on/": GET("tender.manage", TENDER),
    "/tenders/1/": GET("tender.view", TENDER),
    "/tenders/1/coverage/": GET("tender.manage", TENDER),
    "/tenders/1/evaluation/": GET("tender.manage", TENDER),
    "/tenders/1/results/": GET(
        "tender.view", TENDER, skip="results exist only for awarded tenders: see sealed-bid tests"
    ),
    "/tenders/1/results.xlsx": GET(
        "tender.view", TENDER, skip="results exist only for awarded tenders: see sealed-bid tests"
    ),
    "/tenders/1/demand/import/": GET(
        "tender.report_demand",
        TENDER,
        sees_all=frozenset(),
        skip="open to hospitals and tender managers: checked in the tender page tests",
    ),
    "/tenders/1/demand/template.xlsx": GET("tender.report_demand", TENDER, skip="as the demand import"),
    "/tenders/1/opening/": GET("tender.view", TENDER, skip=AFTER_OPENING),
    "/tenders/1/my-bids/": GET("tender.bid", TENDER, skip=AFTER_OPENING),
    "/tenders/1/receipt/": POST("tender.bid", TENDER, skip="hands back only the user's own receipt: " + AFTER_OPENING),
    "/tenders/1/do/1/": POST(
        "tender.manage", TENDER, skip="one URL per step; each step is checked in the tender page tests"
    ),
    "/orders/": GET("order.view"),
    "/orders/1/": GET("order.view", *ORDER, where=SENT),
    "/orders/search/": GET("order.place"),
    "/orders/cart/": GET("order.place"),
    "/orders/cart/add/": POST("order.place"),
    "/orders/incoming/": GET("order.fulfil"),
    "/orders/export/": GET("order.view"),
    "/orders/deliveries/": GET("order.view"),
    "/orders/online-share/": GET("online_share.view"),
    "/orders/offplatform/": GET("offplatform.import"),
    "/pricing/alerts/": GET("pricing.view"),
    "/pricing/alerts/bulk/": POST("pricing.review"),
    "/pricing/alerts/1/": GET("pricing.view", ALERT),
    "/pricing/alerts/1/1/": POST("pricing.review", ALERT, skip="one URL per review step: checked in the pricing tests"),
    "/pricing/inquiries/": GET("pricing.answer_inquiry"),
    "/pricing/inquiries/1/reply/": POST(
        "pricing.answer_inquiry", "pricing.Inquiry", ("recipient",), sees_all=frozenset()
    ),
    "/pricing/credit/": GET("pricing.view"),
    "/pricing/credit/new/": POST("pricing.credit_manage"),
    "/pricing/credit/mine/": GET("pricing.own_credit"),
    "/pricing/credit/1/repair/": POST("pricing.credit_manage", *CREDIT),
    "/pricing/shortages/": GET("pricing.view"),
    "/pricing/shortages/1/close/": POST("pricing.review", "pricing.ShortageAlert"),
    "/pricing/imports/": GET("pricing.import"),
    "/progress/hospital/": GET("progress.view_hospital"),
    "/inbox/": GET(),
    "/inbox/1/": GET(
        model="common.Notification",
        owners=("organization",),
        sees_all=frozenset(),
        skip="opens the notification's link; kinds also follow the role: tests/common/test_inbox.py",
    ),
    "/inbox/read/": POST(ANY, skip="marks only the user's own: tests/common/test_inbox.py"),
    "/jobs/start/1/": POST(ANY, skip="each kind checks its capability: tests/common/test_jobs.py"),
    "/jobs/1/": GET(
        model="common.Job",
        owners=("organization",),
        sees_all=frozenset(),
        skip="the demo has no jobs: tests/common/test_jobs.py",
    ),
    "/jobs/1/status": GET(
        model="common.Job",
        owners=("organization",),
        sees_all=frozenset(),
        skip="the demo has no jobs: tests/common/test_jobs.py",
    ),
    "/api/docs/": GET(),
    "/api/redoc/": GET(),
    # --- API -----------------------------------------------------------------------------------------------------
    "/api/v1/": GET(),
    "/api/v1/users/": GET(),
    "/api/v1/users/me/": GET(),
    "/api/v1/auth/tokens/": GET(),  # each user's own tokens
    "/api/v1/users/1/": GET(model="accounts.User", owners=("organization",)),
    "/api/v1/regions/": GET(),
    "/api/v1/regions/1/": GET(model="accounts.Region", lookup="code"),
    "/api/v1/organizations/": GET(),
    "/api/v1/organizations/1/": GET(model="accounts.Organization", owners=("id",)),
    "/api/v1/organizations/1/deactivate/": POST("organization.manage", "accounts.Organization", ("id",)),
    "/api/v1/organizations/1/reactivate/": POST("organization.manage", "accounts.Organization", ("id",)),
    "/api/v1/products/": GET("catalog.view"),
    "/api/v1/products/1/": GET("catalog.view", PRODUCT),
    "/api/v1/products/1/history/": GET("catalog.view", PRODUCT),
    "/api/v1/products/1/activate/": POST("catalog.manage", PRODUCT),
    "/api/v1/products/1/deactivate/": POST("catalog.manage", PRODUCT),
    "/api/v1/tenders/": GET("tender.view"),
    "/api/v1/tenders/1/": GET("tender.view", TENDER),
    "/api/v1/tenders/1/lots/": GET("tender.view", TENDER, method="GET"),
    "/api/v1/tenders/1/coverage/": GET("tender.manage", TENDER),
    "/api/v1/tenders/1/evaluation/": GET("tender.manage", TENDER),
    "/api/v1/tenders/1/results/": GET("tender.view", TENDER, skip="results exist only for awarded tenders"),
    "/api/v1/tenders/1/opening-record/": GET("tender.view", TENDER, skip=AFTER_OPENING),
    "/api/v1/tenders/1/my-bids/": GET("tender.bid", TENDER, skip=AFTER_OPENING),
    "/api/v1/tenders/1/rules/": POST("tender.manage", TENDER),
    "/api/v1/tenders/1/start-demand-collection/": POST("tender.manage", TENDER),
    "/api/v1/tenders/1/cancel/": POST("tender.manage", TENDER),
    "/api/v1/tenders/1/open-bids/": POST("tender.manage", TENDER),
    "/api/v1/tenders/1/evaluate/": POST("tender.manage", TENDER),
    "/api/v1/tenders/1/award/": POST("tender.manage", TENDER),
    "/api/v1/tenders/import-results/": POST("tender.manage"),
    "/api/v1/tenders/1/confirm-results/": POST("tender.manage", TENDER),
    "/api/v1/tenders/1/follow-on/": POST("tender.manage", TENDER),
    # Officials see that bids exist (never their prices before opening: test_sealed_bids.py); others only their own.
    "/api/v1/bids/": GET(),
    "/api/v1/bids/1/": GET(model=BID[0], owners=BID[1]),
    "/api/v1/bids/verify/": POST("tender.bid", skip="verifies only the user's own bids: " + AFTER_OPENING),
    "/api/v1/bids/1/replace/": POST("tender.bid", *BID, sees_all=frozenset()),
    "/api/v1/bids/1/withdraw/": POST("tender.bid", *BID, sees_all=frozenset()),
    "/api/v1/consumable-bids/": POST("tender.bid"),
    "/api/v1/consumable-demands/": GET(),
    "/api/v1/consumable-lots/": POST("tender.manage"),
    "/api/v1/consumable-rules/": POST("tender.manage"),
    "/api/v1/commitments/": GET(),
    "/api/v1/commitments/1/": GET(model="procurement.Commitment", owners=("hospital", "manufacturer")),
    "/api/v1/demand-reports/": GET(),
    "/api/v1/demand-reports/1/": GET(model="procurement.DemandReport", owners=("hospital",)),
    "/api/v1/listings/": GET("listing.view"),
    "/api/v1/listings/1/": GET("listing.view", LISTING, where=ORDERABLE),
    "/api/v1/listings/1/change-price/": POST("listing.manage", LISTING),
    "/api/v1/listings/1/suspend/": POST("listing.manage", LISTING),
    "/api/v1/listings/1/reinstate/": POST("listing.manage", LISTING),
    "/api/v1/listings/1/withdraw/": POST("listing.manage", LISTING),
    # listing applications and qualifications: scoping tested in tests/procurement/test_listing_application_pages.py
    # (another maker's application 404, review 403 for non-officials); not yet rows of this matrix
    "/api/v1/listing-applications/": GET(skip=LA_SKIP),
    "/api/v1/listing-applications/1/": GET(skip=LA_SKIP),
    "/api/v1/listing-applications/1/approve/": POST("listing.manage", skip=LA_SKIP),
    "/api/v1/listing-applications/1/documents/": POST("listing.apply", skip=LA_SKIP),
    "/api/v1/listing-applications/1/refuse/": POST("listing.manage", skip=LA_SKIP),
    "/api/v1/listing-applications/1/return/": POST("listing.manage", skip=LA_SKIP),
    "/api/v1/listing-applications/1/submit/": POST("listing.apply", skip=LA_SKIP),
    "/api/v1/listing-applications/price-basis/": GET("listing.apply", skip=LA_SKIP),
    "/api/v1/qualifications/": GET(skip=LA_SKIP),
    "/api/v1/qualifications/1/": GET(skip=LA_SKIP),
    "/api/v1/qualifications/expiring/": GET("qualification.view_all", skip=LA_SKIP),
    "/listings/applications/": GET(skip=LA_SKIP),
    "/listings/applications/1/": GET(skip=LA_SKIP),
    "/listings/applications/1/edit/": GET("listing.apply", skip=LA_SKIP),
    "/listings/applications/new/": GET("listing.apply", skip=LA_SKIP),
    "/qualifications/": GET(skip=LA_SKIP),
    "/qualifications/expiring/": GET("qualification.view_all", skip=LA_SKIP),
    "/api/v1/distribution-authorizations/": GET(),
    # Hospitals see every authorisation (to choose who delivers); makers and distributors their own.
    "/api/v1/distribution-authorizations/1/": GET(
        model=AUTH[0], owners=AUTH[1], sees_all=OFFICIAL_ROLES | {"purchaser", "hospital_admin", "pharmacy_buyer"}
    ),
    "/api/v1/distribution-authorizations/1/revoke/": POST("authorization.manage", *AUTH),
    "/api/v1/orders/": GET("order.view"),
    "/api/v1/orders/1/": GET("order.view", *ORDER, where=SENT),
    "/api/v1/orders/1/submit/": POST("order.place", *ORDER),
    "/api/v1/orders/1/update-draft/": POST("order.place", *ORDER),
    "/api/v1/orders/1/cancel/": POST("order.place", *ORDER),
    "/api/v1/orders/1/close/": POST("order.receive", *ORDER),
    "/api/v1/orders/1/accept/": POST("order.fulfil", *ORDER),
    "/api/v1/orders/1/reject/": POST("order.fulfil", *ORDER),
    "/api/v1/orders/1/remarks/": POST("order.view", *ORDER),
    "/api/v1/deliveries/": GET("order.view"),
    "/api/v1/deliveries/1/": GET("order.view", "procurement.Delivery", ("hospital", "distributor")),
    "/api/v1/receipts/": GET("order.view"),
    "/api/v1/receipts/1/": GET("order.view", "procurement.Receipt", ("hospital", "distributor")),
    "/api/v1/returns/": GET("order.view"),
    "/api/v1/returns/1/": GET("order.view", "procurement.GoodsReturn", ("hospital", "distributor")),
    "/api/v1/offplatform-purchases/": GET("online_share.view"),
    "/api/v1/offplatform-purchases/1/": GET("online_share.view", "procurement.OffPlatformPurchase", ("hospital",)),
    "/api/v1/offplatform-purchases/import/": POST("offplatform.import"),
    "/api/v1/online-share/": GET("online_share.view"),
    "/api/v1/price-alerts/": GET("pricing.view"),
    "/api/v1/price-alerts/export/": GET("pricing.view"),
    "/api/v1/price-alerts/1/": GET("pricing.view", ALERT),
    "/api/v1/price-alerts/1/history/": GET("pricing.view", ALERT),
    "/api/v1/price-alerts/1/assign/": POST("pricing.review", ALERT),
    "/api/v1/price-alerts/1/dismiss/": POST("pricing.review", ALERT),
    "/api/v1/price-alerts/1/inquiry/": POST("pricing.review", ALERT),
    "/api/v1/price-alerts/1/interview/": POST("pricing.review", ALERT),
    "/api/v1/price-alerts/1/resolve/": POST("pricing.review", ALERT),
    "/api/v1/price-alerts/bulk-assign/": POST("pricing.review"),
    "/api/v1/price-alerts/bulk-dismiss/": POST("pricing.review"),
    "/api/v1/price-inquiries/": GET(),
    "/api/v1/price-inquiries/1/": GET(model="pricing.Inquiry", owners=("recipient",), sees_all=PRICING),
    "/api/v1/price-inquiries/1/reply/": POST(
        "pricing.answer_inquiry", "pricing.Inquiry", ("recipient",), sees_all=frozenset()
    ),
    "/api/v1/price-observations/": GET("pricing.view"),
    "/api/v1/price-observations/1/": GET("pricing.view", "pricing.PriceObservation"),
    "/api/v1/price-observations/import/": POST("pricing.import"),
    "/api/v1/reference-prices/": GET("pricing.view"),
    "/api/v1/reference-prices/1/": GET("pricing.view", "pricing.ReferencePrice"),
    "/api/v1/reference-prices/import/": POST("pricing.import"),
    "/api/v1/price-scans/": GET("pricing.view"),
    "/api/v1/price-scans/1/": GET("pricing.view", "pricing.PriceScan"),
    "/api/v1/credit-records/": GET(),
    "/api/v1/credit-records/1/": GET(model=CREDIT[0], owners=CREDIT[1], sees_all=PRICING),
    "/api/v1/credit-records/1/repair/": POST("pricing.credit_manage", *CREDIT),
    "/api/v1/credit-ratings/": GET(),
    "/api/v1/credit-ratings/1/": GET(model="pricing.CreditRating", owners=("organization",), sees_all=PRICING),
    "/api/v1/shortage-alerts/": GET("pricing.view"),
    "/api/v1/shortage-alerts/1/": GET("pricing.view", "pricing.ShortageAlert"),
    "/api/v1/shortage-alerts/1/close/": POST("pricing.review", "pricing.ShortageAlert"),
    # Agreed-volume progress: officials every commitment, a hospital its own, a manufacturer its supply. The list and
    # detail answer cycle rows (months with ?period_kind=month).
    "/api/v1/commitment-progress-runs/": GET("progress.view_all"),
    "/api/v1/commitment-progress-runs/1/": GET("progress.view_all", "procurement.ProgressRun"),
    "/api/v1/commitment-progress/": GET(PROGRESS),
    "/api/v1/commitment-progress/1/": GET(PROGRESS, *PROGRESS_ROW, where={"period_kind": "cycle"}),
    "/api/v1/commitment-progress/rollup/": GET(PROGRESS),
    "/api/v1/manufacturer-progress/": GET(MAKER_PROGRESS),
    "/api/v1/manufacturer-progress/1/": GET(MAKER_PROGRESS, "procurement.ManufacturerProgress", ("manufacturer",)),
    # Direct settlement: a manufacturer and a hospital see their own statements, officials all; the fund (and the
    # platform admin) manage; only the statement's manufacturer claims and only its hospital reviews.
    "/api/v1/settlement/balances/": GET("settlement.view"),
    # The fund position (总额预算, 结余留用, 综合绩效): a hospital lists its own rows, officials all; steps are the fund's.
    "/api/v1/settlement/budgets/": GET("settlement.view"),
    "/api/v1/settlement/budget-files/": POST("settlement.manage"),
    "/api/v1/settlement/budget-months/": GET("settlement.view"),
    "/api/v1/settlement/budget-months/settle/": POST("settlement.manage"),
    "/api/v1/settlement/budget-years/": GET("settlement.view"),
    "/api/v1/settlement/claim-files/": POST("settlement.manage"),
    "/api/v1/settlement/year-end/": POST("settlement.manage"),
    "/api/v1/settlement/savings-awards/": GET("settlement.view"),
    "/api/v1/settlement/savings-awards/assess/": POST("settlement.manage"),
    "/api/v1/settlement/savings-awards/1/review/": POST("settlement.manage", *AWARD),
    "/api/v1/settlement/savings-awards/1/pay/": POST("settlement.manage", *AWARD),
    "/api/v1/settlement/hospital-scores/": GET("settlement.view"),
    "/api/v1/settlement/hospital-scores/compute/": POST("settlement.manage"),
    "/api/v1/settlement/generate/": POST("settlement.manage"),
    "/api/v1/settlement/price-corrections/": POST("settlement.manage"),
    "/api/v1/settlement/overdue/": GET("settlement.view"),
    "/api/v1/settlement/payment-files/": POST("settlement.manage"),
    "/api/v1/settlement/prepayments/": GET("settlement.view"),
    "/api/v1/settlement/reconciliation/": GET("settlement.manage"),
    "/api/v1/settlement/retained-savings/": GET("settlement.manage"),
    "/api/v1/settlement/statements/": GET("settlement.view"),
    "/api/v1/settlement/statements/1/": GET("settlement.view", *STATEMENT),
    "/api/v1/settlement/statements/1/approve/": POST("settlement.manage", *STATEMENT),
    "/api/v1/settlement/statements/1/claim/": POST("settlement.claim", *STATEMENT, sees_all=frozenset()),
    "/api/v1/settlement/statements/1/invoices/": POST("settlement.claim", *STATEMENT, sees_all=frozenset()),
    "/api/v1/settlement/statements/1/payments/": POST("settlement.manage", *STATEMENT),
    "/api/v1/settlement/statements/1/return/": POST("settlement.manage", *STATEMENT),
    "/api/v1/settlement/statements/1/review/": POST("settlement.confirm", *STATEMENT, sees_all=frozenset()),
    "/api/v1/settlement/statements/bulk-approve/": POST("settlement.manage"),
    "/progress/": GET("progress.view_all"),
    "/progress/commitments/1/": GET(PROGRESS, "procurement.Commitment", ("hospital", "manufacturer")),
    "/progress/export.xlsx": GET("progress.view_all"),
    "/progress/hospital/notifications/read/": POST("progress.view_hospital"),
    "/progress/manufacturer/": GET("progress.view_manufacturer"),
    "/settlement/": GET("settlement.view"),
    "/settlement/1/": GET("settlement.view", *STATEMENT),
    "/settlement/balances/": GET("settlement.view"),
    "/settlement/overdue/": GET("settlement.view"),
    "/settlement/payments/import/": GET("settlement.manage"),
    "/settlement/reconciliation/": GET("settlement.manage"),
    "/settlement/retained-savings/": GET("settlement.manage"),
    "/settlement/fund-position/": GET("settlement.manage"),
    "/settlement/my-position/": GET("settlement.confirm"),
    # objections and appeals (transparency): a company its own, officials and supervisors all
    "/transparency/objections/": GET(OBJECTORS),
    "/transparency/objections/new/": POST("transparency.object"),
    "/transparency/objections/queue/": GET("transparency.answer"),
    "/transparency/appeals/": GET("transparency.decide_appeal"),
    "/transparency/objections/1/": GET(OBJECTORS, *OBJECTION, sees_all=OBJECTION_SEES_ALL),
    "/transparency/objections/1/document/": GET(
        OBJECTORS, *OBJECTION, sees_all=OBJECTION_SEES_ALL, skip="the demo's objections carry no document"
    ),
    "/transparency/objections/1/answer/": POST("transparency.answer", *OBJECTION, sees_all=OBJECTION_SEES_ALL),
    "/transparency/objections/1/appeal/": POST("transparency.object", *OBJECTION, sees_all=OBJECTION_SEES_ALL),
    "/transparency/objections/1/decide-appeal/": POST(
        "transparency.decide_appeal", *OBJECTION, sees_all=OBJECTION_SEES_ALL
    ),
    "/api/v1/objections/": GET(OBJECTORS),
    "/api/v1/objections/1/": GET(OBJECTORS, *OBJECTION, sees_all=OBJECTION_SEES_ALL),
    "/api/v1/objections/1/answer/": POST("transparency.answer", *OBJECTION, sees_all=OBJECTION_SEES_ALL),
    "/api/v1/objections/1/appeal/": POST("transparency.object", *OBJECTION, sees_all=OBJECTION_SEES_ALL),
    "/api/v1/objections/1/decide-appeal/": POST("transparency.decide_appeal", *OBJECTION, sees_all=OBJECTION_SEES_ALL),
    "/contracts/": GET("contract.view"),
    "/contracts/1/": GET("contract.view", *CONTRACT),
    "/contracts/1/pdf/": GET("contract.view", *CONTRACT),
    "/contracts/keys/": GET("contract.sign"),
    "/contracts/annual/new/": GET("contract.sign"),
    "/api/v1/contracts/": GET("contract.view"),
    "/api/v1/contracts/1/": GET("contract.view", *CONTRACT),
    "/api/v1/contracts/1/pdf/": GET("contract.view", *CONTRACT),
    "/api/v1/contracts/1/confirm/": POST("contract.sign", *CONTRACT, sees_all=frozenset()),
    "/api/v1/contracts/1/amend/": POST("contract.sign", *CONTRACT, sees_all=frozenset()),
    "/api/v1/contracts/1/distributor/": POST("contract.sign", *CONTRACT, sees_all=frozenset()),
    "/api/v1/contracts/annual/": POST("contract.sign"),
    "/api/v1/contracts/keys/": GET("contract.sign"),
    # Payment standards: hospitals and officials read the published ones; officials review, derive and publish.
    "/api/v1/payment-standards/": GET("payment_standard.view"),
    "/api/v1/payment-standards/derive/": POST("payment_standard.manage"),
    "/api/v1/payment-standards/publish/": POST("payment_standard.manage"),
    "/api/v1/payment-standards/review/": GET("payment_standard.manage"),
    "/payment-standards/": GET("payment_standard.view"),
    "/payment-standards/review/": GET("payment_standard.manage"),
    # Traceability codes: a delivery's codes for its distributor and hospital only (officials read the flags)
    "/api/v1/traceability/deliveries/1/codes/": GET(("order.fulfil", "order.receive"), *DELIVERY, sees_all=frozenset()),
    "/api/v1/traceability/deliveries/1/receive/": POST("order.receive", *DELIVERY, sees_all=frozenset()),
    "/api/v1/traceability/dispensing-imports/": POST("settlement.manage"),
    "/api/v1/traceability/flags/": GET(("progress.view_all", "order.receive")),
    "/api/v1/traceability/returns/": POST("order.receive"),
    "/api/v1/traceability/stock/": GET("order.receive"),
    "/traceability/deliveries/1/": GET("order.view", *DELIVERY, sees_all=frozenset()),
    "/traceability/flags/": GET("order.view"),
    "/traceability/returns/": GET("order.receive"),
    "/traceability/stock/": GET("order.receive"),
    # Pharmacies: officials see and designate 双通道 pharmacies (a pharmacy its own); officials monitor negotiated drugs
    "/pharmacies/dual-channel/": GET("dual_channel.view"),
    "/pharmacies/dual-channel/1/revoke/": POST("dual_channel.manage", *DESIGNATION),
    "/pharmacies/negotiated/": GET("negotiated.monitor"),
    "/api/v1/dual-channel-pharmacies/": GET("dual_channel.view"),
    "/api/v1/dual-channel-pharmacies/1/": GET("dual_channel.view", *DESIGNATION),
    "/api/v1/dual-channel-pharmacies/1/revoke/": POST("dual_channel.manage", *DESIGNATION),
    "/api/v1/negotiated-monitoring/": GET("negotiated.monitor"),
}

# Not part of the matrix, with the reason.
OUT_OF_MATRIX = {
    "/accounts/login/": "sign-in page, public",
    "/accounts/logout/": "sign-out",
    "/api/v1/auth/token/": "token exchange, public (tests/security/test_login_throttling.py)",
    "/api/v1/auth/tokens/1/": "a user's own token, by user not organisation: another's is 404 (test_api_tokens.py)",
    "/api/schema/": "public schema (tests/test_api_schema.py)",
    "/healthz": "public health (tests/test_health.py)",
    "/i18n/setlang/": "language switch",
    "/api/ocds/packages/1.json": "OCDS bulk package, public; drafts never published (tests/ocds/test_api.py)",
    "/api/ocds/records/1/": "OCDS record, public; a draft's ocid is 404 (tests/ocds/test_api.py)",
    "/api/ocds/releases/": "OCDS releases, public (tests/ocds/test_api.py)",
    "/public/": "public, no sign-in (tests/transparency/test_public.py walks every public page)",
    "/public/tenders/1/": "public, no sign-in; drafts 404 (tests/transparency/test_public.py)",
    "/public/listings/": "public, no sign-in (tests/transparency/test_public.py)",
    "/public/dual-channel/": "public, no sign-in: live 双通道 pharmacies only (tests/pharmacies/test_dual_channel.py)",
    "/api/v1/public/tenders/": "public API, no sign-in (tests/transparency/test_public.py)",
    "/api/v1/public/tenders/1/": "public API, no sign-in; drafts 404 (tests/transparency/test_public.py)",
    "/api/v1/public/tenders/1/opening/": "public API, after opening only (tests/transparency/test_public.py)",
    "/api/v1/public/tenders/1/candidates/": "public API, during the notice only (tests/transparency/test_public.py)",
    "/api/v1/public/tenders/1/results/": "public API, after the awards only (tests/transparency/test_public.py)",
    "/api/v1/public/listings/": "public API, no sign-in (tests/transparency/test_public.py)",
    "/api/v1/contracts/keys/1/revoke/": "a user's own signing key, by user not organisation: another's is 404 "
    "(tests/contracts/test_api_and_pages.py)",
}
# Cells answering wrongly today, each with the bug it shows. The matrix fails when one of them starts answering as
# expected, so the entry goes with the fix. (role, path, own/other/"" for a route without an object)
KNOWN: dict[tuple[str, str, str], str] = {}
SKIPPED_PREFIXES = ("/admin/", "/static/", "/media/")  # the admin: staff only, checked below

ROLE_USERS = {
    "purchaser": "buyer",
    "hospital_admin": "hospadmin",
    "manufacturer_rep": "mfr",
    "distributor_rep": "dist",
    "pricing_official": "official",
    "fund_officer": "fund",
    "platform_admin": "admin",
    "supervisor": "supervisor",
    "pharmacy_buyer": "pharmacy",
}


def caps(route: Route) -> tuple[str, ...]:
    return route.cap if isinstance(route.cap, tuple) else (route.cap,)


def allowed(route: Route, role: str) -> bool:
    return route.cap == ANY or any(role in CAPABILITIES[cap] for cap in caps(route))


def objects_for(route: Route, user, found: dict | None = None) -> tuple[object | None, object | None]:
    """(an object of the user's own organisation, an object of another) for a scoped route; any two otherwise.
    `found` keeps the answers of one walk: the same two objects serve every route of a model (and, for a scoped one,
    every user of an organisation)."""
    key = (route.model, route.owners, repr(sorted(route.where.items())), route.owners and user.organization_id)
    if found is not None and key in found:
        return found[key]
    model = apps.get_model(route.model)
    qs = model._base_manager.filter(**route.where).order_by("pk")
    if not route.owners:
        first = qs.first()
        pair = first, qs.exclude(pk=getattr(first, "pk", None)).first()
    else:
        mine = Q()
        for owner in route.owners:
            mine |= Q(**{owner: user.organization_id})
        pair = qs.filter(mine).first(), qs.exclude(mine).first()
    if found is not None:
        found[key] = pair
    return pair


def leaks(response, obj) -> list[str]:
    """What a denied answer reveals: anything but an error message."""
    body = response.content.decode(errors="replace")
    problems = []
    if response["Content-Type"].startswith("application/json") and body:
        data = json.loads(body)
        if not isinstance(data, dict) or not set(data) <= {"detail", "code", "field"}:
            problems.append(f"body is not just an error: {body[:200]}")
    if obj is not None:
        label = str(obj)
        if len(label) > 3 and label in body and "<title>" not in body[: body.find(label)][-200:]:
            problems.append(f"names the object {label!r}")
    return problems


def concrete(path: str, obj, route: Route) -> str:
    return path.replace("/1/", f"/{getattr(obj, route.lookup)}/", 1) if obj is not None else path


def session_of(user) -> str:
    """A session signed in as `user`: each cell's client carries it (a sign-in per role, not one per cell)."""
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def client_with(session: str) -> Client:
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = session
    return client


def call(client, route: Route, path: str):
    if route.method == "GET":
        return client.get(path)
    with transaction.atomic():
        response = client.post(path, {}, content_type="application/json")
        transaction.set_rollback(True)
    return response


@pytest.mark.django_db
def test_every_endpoint_and_page_has_a_row():
    paths = [p for p in all_paths() if not p.startswith(SKIPPED_PREFIXES)]
    missing = [p for p in paths if p not in ROUTES and p not in OUT_OF_MATRIX]
    assert not missing, f"endpoints without a row in the access matrix: {missing}"
    stale = [p for p in ROUTES if p not in paths]
    assert not stale, f"rows for endpoints that no longer exist: {stale}"


def test_the_row_table_names_real_capabilities_and_models():
    for path, route in ROUTES.items():
        assert route.cap == ANY or all(cap in CAPABILITIES for cap in caps(route)), path
        if route.model:
            model = apps.get_model(route.model)
            for owner in route.owners:
                assert re.match(r"^\w+$", owner) and (owner == "id" or model._meta.get_field(owner)), (path, owner)


# --- tenders: each state × each role -----------------------------------------------------------------------------

# A tender is announced from demand collection on; a draft, and a tender cancelled while still a draft, are the
# officials' alone (their lots carry the 最高有效申报价, a ceiling no bidder may learn early).
UNANNOUNCED = ("draft", "cancelled_draft")
STATE_ROLES = {
    "purchaser": HospitalFactory,
    "hospital_admin": HospitalFactory,
    "manufacturer_rep": ManufacturerFactory,
    "distributor_rep": DistributorFactory,
    "pricing_official": AgencyFactory,
    "fund_officer": AgencyFactory,
    "platform_admin": AgencyFactory,
    "pharmacy_buyer": PharmacyFactory,
}


def _tenders_in_every_state() -> dict[str, object]:
    from django.utils import timezone

    from common.models import record_event
    from procurement.models import Lot, Tender

    now, today = timezone.now(), timezone.localdate()
    times = {
        "demand_start": now - timedelta(days=1),
        "demand_end": now + timedelta(days=1),
        "bid_deadline": now + timedelta(days=2),
        "opening_at": now + timedelta(days=3),
        "cycle_start": today + timedelta(days=30),
        "cycle_end": today + timedelta(days=760),
    }
    tenders = {}
    for n, state in enumerate([*Tender.Status.values, "cancelled_draft"]):
        status = "cancelled" if state == "cancelled_draft" else state
        tender = Tender.objects.create(code=f"STATE-{n:02d}", name=f"状态{state}", status=status, **times)
        Lot.objects.create(tender=tender, number="01", generic_name="状态测试片", max_price=Decimal(f"7.{n + 10}31"))
        if status == "cancelled":
            record_event(
                tender, "status", from_state="draft" if state == "cancelled_draft" else "bidding", to_state="cancelled"
            )
        tenders[state] = tender
    return tenders


@pytest.mark.django_db
def test_each_tender_state_for_each_role():
    from procurement.models import Lot

    tenders = _tenders_in_every_state()
    assert set(tenders) >= {
        "draft",
        "demand_collection",
        "bidding",
        "opened",
        "awarded",
        "executing",
        "closed",
        "cancelled",
        "cancelled_draft",
    }
    failures = []
    for role, factory in STATE_ROLES.items():
        user = UserFactory(username=f"state_{role}", organization=factory(), roles=[role])
        official = role in OFFICIAL_ROLES
        api, page = APIClient(), Client()
        api.force_authenticate(user)
        page.force_login(user)
        listed = {t["code"] for t in api.get("/api/v1/tenders/", {"page_size": 100}).json()["results"]}
        page_list = page.get("/tenders/", {"per_page": 100}).content.decode()
        for state, tender in tenders.items():
            lot = Lot.objects.get(tender=tender)
            visible = official or state not in UNANNOUNCED
            api_detail, page_detail = api.get(f"/api/v1/tenders/{tender.pk}/"), page.get(f"/tenders/{tender.pk}/")
            answers = {
                "api list": tender.code in listed,
                "api detail": api_detail.status_code == 200,
                "page list": tender.code in page_list,
                "page detail": page_detail.status_code == 200,
            }
            for what, seen in answers.items():
                if seen != visible:
                    failures.append(f"{role} × {state}: {what} {'shows' if seen else 'hides'} it")
            if not visible:
                for where, response in (
                    ("api detail", api_detail),
                    ("page detail", page_detail),
                    ("api list", api.get("/api/v1/tenders/", {"status": tender.status})),
                ):
                    if str(lot.max_price) in response.content.decode():
                        failures.append(f"{role} × {state}: {where} shows the max price")
                if role in ("purchaser", "hospital_admin"):
                    response = api.post(
                        "/api/v1/demand-reports/", {"lot": lot.pk, "annual_volume": "100"}, format="json"
                    )
                    if response.status_code != 404:
                        failures.append(f"{role} × {state}: demand report on its lot → {response.status_code}")
                if role == "manufacturer_rep":
                    response = api.post(
                        "/api/v1/bids/",
                        {"lot": lot.pk, "product": 1, "price": "1.0", "supply_capacity": 1},
                        format="json",
                    )
                    if response.status_code != 404:
                        failures.append(f"{role} × {state}: bid on its lot → {response.status_code}")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_an_unannounced_tender_is_not_published_in_ocds():
    from django.core.management.base import CommandError

    tenders = _tenders_in_every_state()
    for state in UNANNOUNCED:
        with pytest.raises(CommandError, match="尚未公布"):
            call_command("export_ocds", tenders[state].code, "--no-validate")


# --- on the demo province: last in the module, which keeps it loaded from its first use to the end ---------------


@pytest.mark.django_db
@pytest.mark.slow
def test_the_access_matrix(demo_province):  # noqa: C901 - one walk over every role × endpoint, by kind
    users = {role: User.objects.get(username=name) for role, name in ROLE_USERS.items()}
    # The demo's admin is also a Django superuser (who may do anything); the matrix is about the role.
    users["platform_admin"] = UserFactory(
        username="matrix_admin",
        organization=users["platform_admin"].organization,
        roles=["platform_admin"],
        is_staff=True,
    )
    sessions = {role: session_of(user) for role, user in users.items()}
    failures, cells, known_seen, found = [], 0, set(), {}

    def judge(key, where, response, expect, obj):
        denied = response.status_code in (403, 404)
        wrong = ""
        if expect and (denied or response.status_code >= 500):
            wrong = f"{response.status_code}, expected allowed"
        elif not expect and not denied:
            wrong = f"{response.status_code}, expected 403/404"
        if key in KNOWN:
            known_seen.add(key)
            if not wrong:
                failures.append(f"{where}: answers as expected now — remove it from KNOWN ({KNOWN[key]})")
            return
        if wrong:
            failures.append(f"{where}: {wrong}")
        elif not expect:
            failures.extend(f"{where}: {p}" for p in leaks(response, obj))

    for path, route in ROUTES.items():
        if route.skip:
            continue
        for role, user in users.items():
            client = client_with(sessions[role])
            may = allowed(route, role)
            if not route.model:
                if route.method == "POST" and may:
                    continue  # an allowed action without an object: its own tests
                response = call(client, route, path)
                cells += 1
                judge((role, path, ""), f"{role} {route.method} {path}", response, may, None)
                continue
            own, other = objects_for(route, user, found)
            sees_all = not route.owners or role in route.sees_all
            for which, obj in (("own", own), ("other", other)):
                if obj is None:
                    continue
                expect = may and (which == "own" or sees_all)
                if route.method == "POST" and expect:
                    continue  # allowed actions are the business tests' job
                response = call(client, route, concrete(path, obj, route))
                cells += 1
                where = f"{role} {route.method} {concrete(path, obj, route)} ({which} {route.model} {obj.pk})"
                judge((role, path, which), where, response, expect, obj)
    assert cells > 500, cells
    unused = set(KNOWN) - known_seen
    assert not unused, f"KNOWN names cells the matrix no longer has: {sorted(unused)}"
    assert not failures, f"{len(failures)} of {cells} cells wrong:\n" + "\n".join(failures)


@pytest.mark.django_db
def test_the_admin_is_for_staff_only(demo_province):
    for name in ("buyer", "mfr", "dist", "official", "fund"):
        user = User.objects.get(username=name)
        if user.is_staff:
            continue
        client = Client()
        client.force_login(user)
        for path in ("/admin/", "/admin/procurement/bid/", "/admin/accounts/organization/"):
            response = client.get(path)
            assert response.status_code == 302 and "/admin/login/" in response["Location"], (name, path)

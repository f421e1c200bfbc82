"""Errors of the public pages, objections (异议) and appeals (申诉)."""

from common.errors import ErrorCode


class TransparencyError(ErrorCode):
    """Codes of objections and appeals."""

    # filing an objection
    NOT_IN_NOTICE_PERIOD = "not_in_notice_period"  # the result is not on public notice, or its period has ended (409)
    NOT_A_BIDDER = "not_a_bidder"  # only a bidder of the tender (the company of the credit record) may object (403)
    GROUNDS_REQUIRED = "grounds_required"  # an objection or appeal without grounds (400)
    ALREADY_OBJECTED = "already_objected"  # the company has already objected to this result or record (409)
    RECORD_IN_EFFECT = "record_in_effect"  # a credit record can be objected to only before it takes effect (409)
    DOCUMENT_TYPE = "document_type"  # a supporting document of a type not accepted (400)
    UNKNOWN_SUBJECT = "unknown_subject"  # neither a tender nor a credit record of the company's (400)
    # answering and appeals
    NOT_AN_OFFICIAL = "not_an_official"  # only a pricing official of the agency answers objections (403)
    ALREADY_ANSWERED = "already_answered"  # the objection has been answered already (409)
    INVALID_OUTCOME = "invalid_outcome"  # an answer or decision other than upheld / rejected (400)
    NOT_APPEALABLE = "not_appealable"  # only a rejected objection may be appealed, by its company, in the window (409)
    ALREADY_APPEALED = "already_appealed"  # the objection has been appealed already (409)
    NOT_A_SUPERVISOR = "not_a_supervisor"  # only a supervisor decides appeals (403)
    SAME_PERSON = "same_person"  # the supervisor deciding an appeal may not be the official who answered (403)
    ALREADY_DECIDED = "already_decided"  # the appeal has been decided already (409)
